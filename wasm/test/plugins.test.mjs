// Policy plugins through the npm package: check(text, {policy, plugins})
// and checkAsync() give exactly the CLI's findings with the example
// plugins, and every hostile plugin is stopped with the right
// pluginErrors[].kind while the built-in findings and another plugin's
// findings are still reported.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { after, test } from 'node:test';

import * as idguard from '../src/node.js';
import { FIXTURES, REPO, pluginTools } from './helpers.mjs';
import { BOMB, LOOP, countTo, module, returning } from './wasm-module.mjs';

const tools = pluginTools();
const TODAY = idguard.todayString();
const dir = mkdtempSync(join(tmpdir(), 'idguard-npm-plugins-'));
after(() => rmSync(dir, { recursive: true, force: true }));

// The policy names the plugins relative to itself, as users write it.
mkdirSync(join(dir, 'plugins'));
copyFileSync(tools.wasmPath('required-cost-center'), join(dir, 'plugins', 'required_cost_center.wasm'));
copyFileSync(tools.wasmPath('prod-scope-token'), join(dir, 'plugins', 'prod_scope_token.wasm'));
const POLICY = {
  extends: 'default',
  plugins: [
    { path: 'plugins/required_cost_center.wasm', name: 'cost', config: { tag: 'cost-center', pattern: '^CC-[0-9]{4}$' } },
    // No name: the file stem in kebab-case, as the CLI names it.
    { path: 'plugins/prod_scope_token.wasm', config: { tokens: ['prod'] }, limits: { timeoutMs: 5000, memoryMiB: 32 } },
  ],
};
const policyFile = join(dir, 'idguard.json');
writeFileSync(policyFile, JSON.stringify(POLICY, null, 2));
const policyText = readFileSync(policyFile, 'utf8');
const fixtures = ['cost-center.json', 'prod-scope.json'].map((f) => relative(REPO, join(FIXTURES, 'plugins', f)));

function cli(fixture) {
  const r = spawnSync(
    tools.exe,
    ['check', fixture, '--policy', policyFile, '--plugin-cache', join(dir, 'cache'), '--format', 'json', '--fail-on', 'never'],
    { cwd: REPO, encoding: 'utf8', maxBuffer: 1 << 28 },
  );
  assert.ok(r.stdout, `the CLI printed nothing (status ${r.status}): ${r.stderr}`);
  return JSON.parse(r.stdout);
}

// Everything a finding says, in the report's order.
const full = (f) => ({
  code: f.code,
  name: f.name,
  severity: f.severity,
  message: f.message,
  help: f.help,
  file: f.file,
  pointer: f.pointer,
  range: f.range,
  fingerprint: f.fingerprint,
  parametersFile: f.parametersFile ?? null,
  suppression: f.suppression ?? null,
});

test('loadPolicyPlugins reads the policy plugins relative to the policy file', () => {
  const plugins = idguard.loadPolicyPlugins(policyFile);
  assert.deepEqual(plugins.map((p) => [p.name, p.path, p.bytes.length > 1000]), [
    ['cost', 'plugins/required_cost_center.wasm', true],
    ['prod-scope-token', 'plugins/prod_scope_token.wasm', true],
  ]);
  assert.deepEqual(plugins[1].limits, { timeoutMs: 5000, memoryMiB: 32 });
  assert.deepEqual(idguard.policyPlugins(policyText).map((e) => e.name), ['cost', 'prod-scope-token']);
});

test('each example plugin: the same findings from the CLI and from check / checkAsync', async () => {
  const plugins = idguard.loadPolicyPlugins(policyFile);
  let pluginFindings = 0;
  for (const fixture of fixtures) {
    const native = cli(fixture);
    assert.deepEqual(native.pluginErrors ?? [], [], fixture);
    const text = readFileSync(join(REPO, fixture), 'utf8');
    const options = { fileName: fixture, policy: policyText, plugins, today: TODAY };
    const sync = idguard.check(text, options);
    const async = await idguard.checkAsync(text, options);
    assert.deepEqual(sync.findings.map(full), native.findings.map(full), `check: ${fixture}`);
    assert.deepEqual(async.findings.map(full), native.findings.map(full), `checkAsync: ${fixture}`);
    assert.deepEqual(sync.summary, native.summary);
    assert.deepEqual(sync.pluginErrors, []);
    assert.deepEqual(async.pluginErrors, []);
    pluginFindings += native.findings.filter((f) => f.code.includes('/')).length;
    // The plugin names as the CLI forms them.
    for (const f of native.findings.filter((f) => f.code.includes('/'))) {
      assert.match(f.code, /^(cost|prod-scope-token)\//);
    }
  }
  assert.ok(pluginFindings >= 7, `only ${pluginFindings} plugin findings on the fixtures`);
});

test('a policy plugin that is not passed is a pluginError, never a silent pass', () => {
  const text = readFileSync(join(REPO, fixtures[0]), 'utf8');
  const report = idguard.check(text, { fileName: fixtures[0], policy: policyText, plugins: [idguard.loadPolicyPlugins(policyFile)[0]] });
  assert.ok(report.findings.some((f) => f.code.startsWith('cost/')));
  assert.deepEqual(
    report.pluginErrors.map((e) => [e.plugin, e.path, e.kind]),
    [['prod-scope-token', 'plugins/prod_scope_token.wasm', 'read']],
  );
  assert.match(report.pluginErrors[0].message, /options\.plugins/);
  // No plugins at all: both reported; `plugins: false` runs none.
  assert.equal(idguard.check(text, { policy: policyText }).pluginErrors.length, 2);
  assert.deepEqual(idguard.check(text, { policy: policyText, plugins: false }).pluginErrors, []);
  // An unreadable file from loadPolicyPlugins is a `read` failure too.
  const broken = join(dir, 'broken.json');
  writeFileSync(broken, JSON.stringify({ plugins: [{ path: 'nowhere/x.wasm' }] }));
  const loaded = idguard.loadPolicyPlugins(broken);
  assert.equal(loaded[0].name, 'x');
  assert.match(loaded[0].error, /ENOENT/);
  const r = idguard.check(text, { policy: readFileSync(broken, 'utf8'), plugins: loaded });
  assert.deepEqual(r.pluginErrors.map((e) => [e.plugin, e.kind]), [['x', 'read']]);
  assert.match(r.pluginErrors[0].message, /cannot be read: .*ENOENT/);
});

test('names, configs and limits: explicit, else the policy entry, else plugin, plugin-2', () => {
  const text = readFileSync(join(REPO, fixtures[0]), 'utf8');
  const hello = (code) => module(returning(`[{"code":"${code}","name":"hello","severity":"info","message":"hi","location":{"pointer":"/resources"}}]`));
  // Plain bytes beside no policy: plugin, plugin-2.
  let r = idguard.check(text, { plugins: [hello('A1'), hello('B1').buffer] });
  assert.deepEqual(r.findings.filter((f) => f.code.includes('/')).map((f) => f.code).sort(), ['plugin-2/B1', 'plugin/A1']);
  // Index i takes the name (and config) of the policy's entry i.
  const cost = tools.wasm('required-cost-center');
  r = idguard.check(text, { policy: POLICY, plugins: [cost, { name: 'prod-scope-token', bytes: hello('P1') }] });
  assert.deepEqual(r.pluginErrors, []);
  assert.ok(r.findings.some((f) => f.code === 'cost/CC002'), 'the policy config (pattern) applies');
  assert.ok(r.findings.some((f) => f.code === 'prod-scope-token/P1'));
  // An explicit config wins over the policy's.
  r = idguard.check(text, { policy: POLICY, plugins: [{ bytes: cost, config: { pattern: '(' } }, { name: 'prod-scope-token', bytes: hello('P1') }] });
  assert.deepEqual(r.pluginErrors.map((e) => [e.plugin, e.kind]), [['cost', 'error']]);
  // Two plugins with one name: the second is refused.
  r = idguard.check(text, { plugins: [{ name: 'x', bytes: hello('A1') }, { name: 'x', bytes: hello('B1') }] });
  assert.deepEqual(r.pluginErrors.map((e) => [e.plugin, e.kind]), [['x', 'config']]);
  assert.ok(r.findings.some((f) => f.code === 'x/A1'));
  assert.throws(() => idguard.check(text, { plugins: 'nope' }), TypeError);
  assert.throws(() => idguard.check(text, { plugins: [42] }), TypeError);
});

test('a plugin is compiled once for repeated checks (the compile cache)', () => {
  const text = readFileSync(join(REPO, fixtures[0]), 'utf8');
  const Real = WebAssembly.Module;
  let compiles = 0;
  WebAssembly.Module = new Proxy(Real, {
    construct(target, args) {
      compiles++;
      return new target(...args);
    },
  });
  try {
    const bytes = tools.wasm('prod-scope-token');
    for (let i = 0; i < 3; i++) idguard.check(text, { plugins: [bytes] });
    assert.equal(compiles, 1, 'the same bytes object');
    // The same content in another array: found by its hash.
    idguard.check(text, { plugins: [bytes.slice()] });
    assert.equal(compiles, 1, 'the same content');
    // Another memory cap is another module.
    idguard.check(text, { plugins: [{ bytes, limits: { memoryMiB: 16 } }] });
    assert.equal(compiles, 2);
  } finally {
    WebAssembly.Module = Real;
  }
});

// ---- hostile plugins -----------------------------------------------------

const GOOD = module(returning('[{"code":"H1","name":"hand","severity":"info","message":"hello","location":{"pointer":"/resources/0"}}]'));
const hostile = {
  deadline: { bytes: module({ check: LOOP }), limits: { timeoutMs: 300 } },
  memory: { bytes: module({ check: BOMB }), limits: { memoryMiB: 8 } },
  trap: { bytes: module({ check: [0x00] }) },
  output: { bytes: module(returning('not json')) },
  abi: { bytes: module({ check: [0x00], abi: 2 }) },
  'not-wasm': { bytes: new TextEncoder().encode('not wasm at all') },
  imports: { bytes: module({ check: [0x42, 0], importWasi: true }) },
};
const MESSAGES = {
  deadline: /exceeded its deadline of 300 ms/,
  memory: /exceeded its memory cap of 8 MiB/,
  trap: /trapped: .*unreachable/,
  output: /not a findings array/,
  abi: /ABI version 2/,
  'not-wasm': /not a WebAssembly module/,
  imports: /wasi_snapshot_preview1::fd_write/,
};

function assertStopped(report, kind, builtIns) {
  assert.equal(report.pluginErrors.length, 1, JSON.stringify(report.pluginErrors));
  const e = report.pluginErrors[0];
  assert.equal(e.plugin, 'bad');
  assert.equal(e.kind, kind, e.message);
  assert.match(e.message, MESSAGES[kind]);
  // The built-in rules and the other plugin still report.
  assert.deepEqual(report.findings.filter((f) => !f.code.includes('/')).map(full), builtIns);
  assert.deepEqual(report.findings.filter((f) => f.code.includes('/')).map((f) => f.code), ['good/H1']);
}

const template = () => readFileSync(join(REPO, fixtures[1]), 'utf8');
const builtInsOf = (text) => idguard.check(text, { fileName: 'main.json', plugins: false }).findings.map(full);

test('hostile plugins through checkAsync: each stopped with its kind, within its limit', { timeout: 60_000 }, async () => {
  const text = template();
  const builtIns = builtInsOf(text);
  assert.ok(builtIns.length > 0, 'the fixture has built-in findings');
  for (const [kind, bad] of Object.entries(hostile)) {
    const started = Date.now();
    const report = await idguard.checkAsync(text, {
      fileName: 'main.json',
      plugins: [{ name: 'bad', ...bad }, { name: 'good', bytes: GOOD }],
    });
    const took = Date.now() - started;
    assertStopped(report, kind, builtIns);
    if (kind === 'deadline') {
      assert.ok(took >= 300 && took < 300 + 3000, `stopped after ${took} ms`);
      if (report.pluginErrors[0].file !== undefined) assert.equal(report.pluginErrors[0].file, 'main.json');
    }
  }
});

test('hostile plugins through check (sync): a slow call is reported after the fact', () => {
  const text = template();
  const builtIns = builtInsOf(text);
  for (const [kind, bad] of Object.entries(hostile)) {
    // An endless loop cannot be stopped on the calling thread: a long
    // bounded loop over a small deadline stands for it.
    const plugin = kind === 'deadline' ? { bytes: module({ check: countTo(400_000_000), locals: 1 }), limits: { timeoutMs: 20 } } : bad;
    const report = idguard.check(text, { fileName: 'main.json', plugins: [{ name: 'bad', ...plugin }, { name: 'good', bytes: GOOD }] });
    if (kind === 'deadline') {
      assert.equal(report.pluginErrors[0]?.kind, 'deadline', JSON.stringify(report.pluginErrors));
      assert.match(report.pluginErrors[0].message, /exceeded its deadline of 20 ms \(took \d+ ms\)/);
      assert.equal(report.pluginErrors[0].file, 'main.json');
      continue;
    }
    assertStopped(report, kind, builtIns);
  }
});

test('checkAsync stops an endless loop in each evaluation and goes on', { timeout: 60_000 }, async () => {
  const text = template();
  const params = '{"$schema":"https://schema.management.azure.com/schemas/2019-04-01/deploymentParameters.json#","contentVersion":"1.0.0.0","parameters":{}}';
  const report = await idguard.checkAsync(text, {
    fileName: 'main.json',
    parameters: { 'a.parameters.json': params, 'b.parameters.json': params },
    plugins: [{ name: 'bad', bytes: hostile.deadline.bytes, limits: { timeoutMs: 200 } }, { name: 'good', bytes: GOOD }],
  });
  assert.deepEqual(report.pluginErrors.map((e) => [e.kind, e.file, e.parameterFile]), [
    ['deadline', 'main.json', 'a.parameters.json'],
    ['deadline', 'main.json', 'b.parameters.json'],
  ]);
  assert.ok(report.findings.some((f) => f.code === 'good/H1'));
});
