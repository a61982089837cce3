// `npm pack -w wasm` makes an installable tarball with the built files, and
// the installed package works from Node by its name.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';

import { REPO, RULE_CODES } from './helpers.mjs';
import { module, returning } from './wasm-module.mjs';

test('npm pack -w wasm installs and runs by package name', { timeout: 120_000 }, (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'idguard-pack-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const pack = spawnSync('npm', ['pack', '-w', 'wasm', '--json', '--pack-destination', dir], { cwd: REPO, encoding: 'utf8' });
  assert.equal(pack.status, 0, pack.stderr);
  const [info] = JSON.parse(pack.stdout);
  const files = info.files.map((f) => f.path).sort();
  for (const f of ['package.json', 'README.md', 'index.d.ts', 'src/node.js', 'src/browser.js', 'src/core.js', 'src/plugins.js', 'src/plugin-worker.js', 'src/plugin-worker-node.js', 'src/node-plugins.js', 'pkg/idguard_wasm.js', 'pkg/idguard_wasm_bg.wasm']) {
    assert.ok(files.includes(f), `${f} is in the tarball (${files.join(', ')})`);
  }
  assert.ok(!files.some((f) => f.startsWith('test/') || f.startsWith('playground/')), 'no tests or playground in the tarball');

  const app = join(dir, 'app');
  spawnSync('mkdir', ['-p', app]);
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'app', private: true, type: 'module' }));
  // As a user's install: the tarball's dependencies resolve against the
  // registry (metadata for their ranges is fetched unless npm's cache
  // holds it; `--offline` worked only where the cache was already warm).
  const install = spawnSync('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', join(dir, info.filename)], { cwd: app, encoding: 'utf8' });
  assert.equal(install.status, 0, install.stderr);
  // A plugin, run in the installed package's worker (checkAsync).
  writeFileSync(
    join(app, 'hello.wasm'),
    module(returning('[{"code":"H1","name":"hello","severity":"info","message":"hi","location":{"pointer":""}}]')),
  );
  writeFileSync(
    join(app, 'main.js'),
    "import { readFileSync } from 'node:fs';\n" +
      "import { check, checkAsync, version, rules } from '@idguard/idguard';\n" +
      "const t = '{\"$schema\": \"https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#\", \"resources\": []}';\n" +
      'const r = check(t);\n' +
      "const p = await checkAsync(t, { plugins: [{ name: 'hello', bytes: readFileSync('hello.wasm') }] });\n" +
      'console.log(JSON.stringify({ v: version(), n: rules().length, files: r.files.length, plugin: p.findings.map((f) => f.code) }));\n',
  );
  const run = spawnSync(process.execPath, ['main.js'], { cwd: app, encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
  const out = JSON.parse(run.stdout);
  assert.equal(out.files, 1);
  assert.equal(out.n, RULE_CODES.length);
  assert.deepEqual(out.plugin, ['hello/H1']);
});

// The size budget of docs/wasm.md: the module a browser downloads stays
// under 1.5 MiB (1,536 KiB) gzipped, measured with Node's zlib at level 9
// (a little larger than `gzip -9`). A change that grows it past the budget
// fails here and must take bytes out (or change the budget in
// docs/wasm.md, with the reason).
test('the wasm module is within its 1.5 MiB gzipped budget', async () => {
  const { readFileSync } = await import('node:fs');
  const { gzipSync } = await import('node:zlib');
  const bytes = readFileSync(join(REPO, 'wasm', 'pkg', 'idguard_wasm_bg.wasm'));
  const gzipped = gzipSync(bytes, { level: 9 }).length;
  const budget = 1.5 * 1024 * 1024;
  assert.ok(gzipped < budget, `idguard_wasm_bg.wasm is ${gzipped} bytes gzipped (raw ${bytes.length}): over the ${budget}-byte budget in docs/wasm.md`);
});
