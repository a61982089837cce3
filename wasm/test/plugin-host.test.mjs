// The JavaScript plugin host (src/plugins.js) on its own gives the same findings as the CLI on the
// same fixtures (the model JSON comes from `idguard debug model`), and
// stops hostile plugins. Builds the CLI and the example plugins when they
// are not built yet (CARGO_TARGET_DIR is honoured).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { PluginError, capMemory, compilePlugin, runPlugin, runPlugins } from '../src/plugins.js';
import { runPluginInWorker } from '../src/node-plugins.js';
import { REPO, pluginTools } from './helpers.mjs';
import { BOMB, LOOP, module, returning, sleb, uleb } from './wasm-module.mjs';

const repo = REPO;
const { exe, wasmDir, wasm } = pluginTools();
const idguard = (args) => spawnSync(exe, args, { cwd: repo, encoding: 'utf8', maxBuffer: 1 << 28 });

const plugins = [
  { name: 'cost', path: join(wasmDir, 'required_cost_center.wasm'), config: { pattern: '^CC-[0-9]{4}$' } },
  { name: 'prod-scope', path: join(wasmDir, 'prod_scope_token.wasm'), config: { tokens: ['prod'] } },
];
const fixtures = ['tests/fixtures/plugins/cost-center.json', 'tests/fixtures/plugins/prod-scope.json'];

function cliFindings(fixture) {
  const dir = mkdtempSync(join(tmpdir(), 'idguard-js-'));
  const policy = join(dir, 'policy.json');
  writeFileSync(policy, JSON.stringify({ plugins: plugins.map(({ name, path, config }) => ({ name, path, config })) }));
  const r = idguard(['check', fixture, '--policy', policy, '--plugin-cache', join(dir, 'cache'), '-f', 'json']);
  assert.ok(r.status === 0 || r.status === 1, r.stderr);
  return JSON.parse(r.stdout).findings.filter((f) => f.code.includes('/'));
}

function models(fixture) {
  const r = idguard(['debug', 'model', fixture]);
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout);
}

test('the example plugins give the same findings as the CLI', async () => {
  let compared = 0;
  for (const fixture of fixtures) {
    const expected = cliFindings(fixture);
    const got = [];
    for (const model of models(fixture)) {
      const { findings, errors } = await runPlugins(
        plugins.map((p) => ({ ...p, bytes: readFileSync(p.path) })),
        model,
      );
      assert.deepEqual(errors, []);
      got.push(...findings);
    }
    const key = (f) => `${f.code}|${f.message}`;
    assert.deepEqual(got.map(key).sort(), expected.map(key).sort(), fixture);
    // The CLI places each pointer on the deepest value that exists along it.
    for (const f of got) {
      const cli = expected.find((e) => key(e) === key(f));
      assert.ok(f.location.pointer.startsWith(cli.pointer), `${f.location.pointer} vs ${cli.pointer}`);
      assert.equal(f.help, cli.help);
      assert.equal(f.severity, cli.severity);
    }
    compared += got.length;
  }
  assert.equal(compared, 7);
});

test('the workers give the same findings', async () => {
  const model = models(fixtures[0])[0];
  const direct = await runPlugin(wasm('required-cost-center'), model, { pattern: '^CC-[0-9]{4}$' });
  const inWorker = await runPluginInWorker(wasm('required-cost-center'), JSON.stringify(model), {
    pattern: '^CC-[0-9]{4}$',
  });
  assert.deepEqual(inWorker, direct);
  assert.equal(direct.length, 3);
});

test('a plugin error about its config is reported', async () => {
  const model = models(fixtures[0])[0];
  await assert.rejects(runPlugin(wasm('required-cost-center'), model, { pattern: '(' }), (e) => {
    assert.ok(e instanceof PluginError);
    assert.equal(e.kind, 'error');
    assert.match(e.message, /config.pattern is not a valid regular expression/);
    return true;
  });
});

// ---- hostile plugins, assembled by hand (wasm-module.mjs) ---------------

const model = { modelVersion: 1, template: 'main.json', resources: [] };

async function rejectsWith(promise, kind, pattern) {
  await assert.rejects(promise, (e) => {
    assert.ok(e instanceof PluginError, String(e));
    assert.equal(e.kind, kind, e.message);
    assert.match(e.message, pattern);
    return true;
  });
}

test('a well-formed hand-made plugin runs', async () => {
  const out = '[{"code":"H1","name":"hand","severity":"info","message":"hi","location":{"pointer":"/resources"}}]';
  const got = await runPlugin(module(returning(out)), model, null);
  assert.deepEqual(got, [{ help: '', code: 'H1', name: 'hand', severity: 'info', message: 'hi', location: { pointer: '/resources' } }]);
});

test('an endless loop is stopped at the deadline in a worker', async () => {
  const started = Date.now();
  await rejectsWith(runPluginInWorker(module({ check: LOOP }), model, null, { timeoutMs: 300 }), 'deadline', /deadline of 300 ms/);
  assert.ok(Date.now() - started < 10000);
});

test('a memory bomb meets the cap', async () => {
  await rejectsWith(runPlugin(module({ check: BOMB }), model, null, { memoryMiB: 8 }), 'memory', /memory cap of 8 MiB/);
  // Declared maximum above the cap is lowered to the cap.
  const capped = capMemory(module({ check: BOMB, memory: [0x01, 4, ...uleb(60000)] }), 128);
  const m = await WebAssembly.compile(capped);
  const inst = await WebAssembly.instantiate(m, {});
  // (From JavaScript a refused grow throws; inside the module it gives -1.)
  assert.throws(() => inst.exports.memory.grow(200), RangeError);
  assert.equal(inst.exports.memory.grow(100), 4);
  // An initial memory above the cap is refused before it runs.
  await rejectsWith(compilePlugin(module({ check: LOOP, memory: [0x00, ...uleb(2000)] }), { memoryMiB: 64 }), 'memory', /initial memory is 125 MiB/);
});

test('traps, bad output, ABI versions, imports and non-wasm are refused', async () => {
  await rejectsWith(runPlugin(module({ check: [0x00] }), model, null), 'trap', /trapped: .*unreachable/);
  await rejectsWith(runPlugin(module(returning('not json')), model, null), 'output', /not a findings array.*"not json"/);
  await rejectsWith(
    runPlugin(module(returning('[{"code":"X1","name":"x","severity":"fatal","message":"m","location":{"pointer":""}}]')), model, null),
    'output',
    /severity "fatal"/,
  );
  await rejectsWith(
    runPlugin(module(returning('[{"code":"X/1","name":"x","severity":"error","message":"m","location":{"pointer":""}}]')), model, null),
    'output',
    /does not match the schema/,
  );
  await rejectsWith(runPlugin(module({ check: [0x42, ...sleb(0x7fff000000000010n)] }), model, null), 'output', /outside its memory/);
  await rejectsWith(runPlugin(module({ check: [0x00], abi: 2 }), model, null), 'abi', /ABI version 2/);
  await rejectsWith(runPlugin(module({ check: [0x42, 0], importWasi: true }), model, null), 'imports', /wasi_snapshot_preview1::fd_write/);
  await rejectsWith(runPlugin(new TextEncoder().encode('not wasm at all'), model, null), 'not-wasm', /not a WebAssembly module/);
  // One plugin's failure never hides another's findings.
  const ok = '[{"code":"H1","name":"hand","severity":"info","message":"hi","location":{"pointer":""}}]';
  const { findings, errors } = await runPlugins(
    [
      { name: 'bad', bytes: module({ check: [0x00] }) },
      { name: 'good', bytes: module(returning(ok)) },
    ],
    model,
  );
  assert.deepEqual(findings.map((f) => f.code), ['good/H1']);
  assert.equal(errors.length, 1);
  assert.match(errors[0].message, /^plugin 'bad' trapped/);
});
