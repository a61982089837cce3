// The packed npm package installs the `idguard-language-server` bin, and
// the installed bin answers LSP over stdio.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync, existsSync, realpathSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LspClient, uriOf } from './client.mjs';

const REPO = fileURLToPath(new URL('../../../', import.meta.url));

test('npm pack → install → idguard-language-server --stdio works', { timeout: 180_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'idguard-lsp-pack-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const pack = spawnSync('npm', ['pack', '-w', 'wasm', '--json', '--pack-destination', dir], { cwd: REPO, encoding: 'utf8' });
  assert.equal(pack.status, 0, pack.stderr);
  const [info] = JSON.parse(pack.stdout);
  const files = info.files.map((f) => f.path);
  for (const f of ['lsp/server.js', 'lsp/service.js', 'lsp/files.js']) assert.ok(files.includes(f), f);
  for (const gone of ['lsp/project.js', 'lsp/jsonc.js', 'lsp/fixes.js']) assert.ok(!files.includes(gone), `${gone} is gone`);
  assert.ok(!files.some((f) => f.startsWith('lsp/test/') || f === 'lsp/bench.mjs' || f.startsWith('vscode/')), 'no tests, bench or extension in the tarball');

  const app = join(dir, 'app');
  mkdirSync(app);
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'app', private: true }));
  // As a user's install: the tarball's dependencies resolve against the
  // registry (metadata for their ranges is fetched unless npm's cache
  // holds it; `--offline` worked only where the cache was already warm).
  const install = spawnSync('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', join(dir, info.filename)], { cwd: app, encoding: 'utf8' });
  assert.equal(install.status, 0, install.stderr);
  const bin = join(app, 'node_modules', '.bin', 'idguard-language-server');
  assert.ok(existsSync(bin), 'the bin is linked');

  const version = spawnSync(bin, ['--version'], { encoding: 'utf8' });
  assert.equal(version.status, 0, version.stderr);
  assert.match(version.stdout, /^idguard-language-server \d+\.\d+\.\d+/);

  const client = new LspClient({ server: realpathSync(bin), settings: { debounceMs: 0 } });
  t.after(() => client.kill());
  await client.initialize({ rootUri: uriOf(app) });
  const uri = uriOf(join(app, 'main.json'));
  const pending = client.nextDiagnostics(uri);
  client.open(uri, '{ "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#", "resources": [ { "type": "Microsoft.ManagedIdentity/userAssignedIdentities", "apiVersion": "2023-01-31", "name": "id-a-prod", "location": "westeurope" } ] }');
  const d = await pending;
  assert.ok(d.diagnostics.some((x) => x.code === 'MI602'));
  assert.equal((await client.shutdown()).code, 0);
});
