// node --test wasm/plugins/host.test.mjs
//
// The JavaScript plugin host gives the same findings as the CLI on the
// same fixtures (the model JSON comes from `idguard debug model`), and
// stops hostile plugins. Builds the CLI and the example plugins when they
// are not built yet (CARGO_TARGET_DIR is honoured).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import { PluginError, capMemory, compilePlugin, runPlugin, runPluginInWorker, runPlugins } from './host.mjs';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const target = process.env.CARGO_TARGET_DIR || join(repo, 'target');
const exe = join(target, 'debug', process.platform === 'win32' ? 'idguard.exe' : 'idguard');
const wasmDir = join(target, 'plugins', 'wasm32-unknown-unknown', 'release');
const EXAMPLES = ['required-cost-center', 'prod-scope-token'];

function build() {
  if (!existsSync(exe)) {
    execFileSync('cargo', ['build', '-p', 'idguard-cli'], { cwd: repo, stdio: 'inherit' });
  }
  for (const name of EXAMPLES) {
    if (!existsSync(join(wasmDir, `${name.replaceAll('-', '_')}.wasm`))) {
      execFileSync(
        'cargo',
        ['build', '--release', '--locked', '--target', 'wasm32-unknown-unknown',
          '--manifest-path', join(repo, 'policies/plugins', name, 'Cargo.toml'),
          '--target-dir', join(target, 'plugins')],
        { cwd: repo, stdio: 'inherit' },
      );
    }
  }
}
build();

const wasm = (name) => readFileSync(join(wasmDir, `${name.replaceAll('-', '_')}.wasm`));
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

// ---- hostile plugins, assembled by hand ---------------------------------

const uleb = (n) => {
  const out = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n) b |= 0x80;
    out.push(b);
  } while (n);
  return out;
};
const sleb = (n) => {
  const out = [];
  let big = BigInt(n);
  for (;;) {
    const b = Number(big & 0x7fn);
    big >>= 7n;
    if ((big === 0n && (b & 0x40) === 0) || (big === -1n && (b & 0x40) !== 0)) {
      out.push(b);
      return out;
    }
    out.push(b | 0x80);
  }
};
const str = (s) => {
  const b = [...new TextEncoder().encode(s)];
  return [...uleb(b.length), ...b];
};
const section = (id, body) => [id, ...uleb(body.length), ...body];
const vec = (items) => [...uleb(items.length), ...items.flat()];

/** A plugin module: `check` is the body of idguard_check (bytes). */
function module({ check, abi = 1, data = null, importWasi = false, memory = [0x00, 4] }) {
  const types = vec([
    [0x60, 0, 1, 0x7f],
    [0x60, 1, 0x7f, 1, 0x7f],
    [0x60, 2, 0x7f, 0x7f, 0],
    [0x60, 2, 0x7f, 0x7f, 1, 0x7e],
    [0x60, 4, 0x7f, 0x7f, 0x7f, 0x7f, 1, 0x7f],
  ]);
  const imports = importWasi ? [section(2, vec([[...str('wasi_snapshot_preview1'), ...str('fd_write'), 0x00, 4]]))] : [];
  const base = importWasi ? 1 : 0;
  const body = (instrs) => {
    const b = [0x00, ...instrs, 0x0b];
    return [...uleb(b.length), ...b];
  };
  const exports = vec([
    [...str('memory'), 0x02, 0],
    [...str('idguard_abi_version'), 0x00, base],
    [...str('idguard_alloc'), 0x00, base + 1],
    [...str('idguard_free'), 0x00, base + 2],
    [...str('idguard_check'), 0x00, base + 3],
  ]);
  const code = vec([
    body([0x41, ...sleb(abi)]),
    body([0x41, ...sleb(65536)]),
    body([]),
    body(check),
  ]);
  const dataSection = data ? [section(11, vec([[0x00, 0x41, 0x00, 0x0b, ...str(data)]]))] : [];
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 1, 0, 0, 0,
    ...section(1, types),
    ...imports.flat(),
    ...section(3, vec([[0], [1], [2], [3]])),
    ...section(5, vec([memory])),
    ...section(7, exports),
    ...section(10, code),
    ...dataSection.flat(),
  ]);
}

const LOOP = [0x03, 0x40, 0x0c, 0x00, 0x0b, 0x42, 0x00];
const BOMB = [0x03, 0x40, 0x41, 0x10, 0x40, 0x00, 0x41, 0x7f, 0x47, 0x0d, 0x00, 0x0b, 0x00];
const returning = (text) => ({ check: [0x42, ...sleb(new TextEncoder().encode(text).length)], data: text });
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
