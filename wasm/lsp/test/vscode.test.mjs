// The VS Code extension's manifest: the fields VS Code (and vsce) require,
// and contributed settings that match what the server reads.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { DEFAULT_SETTINGS } from '../service.js';

const dir = new URL('../../vscode/', import.meta.url);
const manifest = JSON.parse(readFileSync(new URL('package.json', dir), 'utf8'));

test('the manifest has what VS Code requires', () => {
  for (const field of ['name', 'publisher', 'version', 'engines', 'main', 'displayName', 'description', 'license']) {
    assert.ok(manifest[field], `${field} is set`);
  }
  assert.match(manifest.name, /^[a-z0-9][a-z0-9-]*$/, 'lowercase name without spaces');
  assert.match(manifest.publisher, /^[a-z0-9][a-z0-9-]*$/i);
  assert.match(manifest.version, /^\d+\.\d+\.\d+$/);
  assert.match(manifest.engines.vscode, /^\^1\.\d+\.\d+$/);
  assert.deepEqual(manifest.activationEvents, ['onLanguage:json', 'onLanguage:jsonc', 'onLanguage:bicep', 'onLanguage:bicep-params']);
  assert.equal(manifest.main, './extension.js');
  readFileSync(new URL(manifest.main, dir));
  // vscode-languageclient's own engines.vscode must be satisfiable: 9.x needs ^1.82.0.
  assert.match(manifest.dependencies['vscode-languageclient'], /^\^9\./);
  assert.equal(manifest.engines.vscode, '^1.82.0');
});

test('the contributed settings are the ones the server reads, with the same defaults', () => {
  const props = manifest.contributes.configuration.properties;
  const server = Object.keys(DEFAULT_SETTINGS).map((k) => `idguard.${k}`).sort();
  // Client-side only: where the server is, and the client's tracing.
  const clientOnly = ['idguard.serverPath', 'idguard.trace.server'];
  assert.deepEqual(Object.keys(props).filter((k) => !clientOnly.includes(k)).sort(), server);
  for (const [key, value] of Object.entries(DEFAULT_SETTINGS)) {
    const p = props[`idguard.${key}`];
    assert.equal(p.default, value, key);
    assert.equal(p.type, typeof value === 'number' ? 'number' : typeof value, key);
    assert.ok(p.description.length > 20, `${key} is described`);
  }
});

test('the extension starts the server for JSON, JSONC and Bicep over stdio', () => {
  const src = readFileSync(new URL('extension.js', dir), 'utf8');
  assert.match(src, /require\('vscode-languageclient\/node'\)/);
  assert.match(src, /TransportKind\.stdio/);
  assert.match(src, /\{ language: 'json' \}/);
  assert.match(src, /\{ language: 'jsonc' \}/);
  assert.match(src, /\{ language: 'bicep' \}/);
  assert.match(src, /\{ language: 'bicep-params' \}/);
  assert.match(src, /module\.exports = \{ activate, deactivate \}/);
  assert.match(src, /'lsp', 'server\.js'/);
});

test('activate() creates a language client for the server script (with stubbed vscode modules)', async () => {
  const { createRequire } = await import('node:module');
  const Module = (await import('node:module')).default;
  const { existsSync } = await import('node:fs');
  const require = createRequire(import.meta.url);
  const created = [];
  class LanguageClient {
    constructor(id, name, serverOptions, clientOptions) {
      created.push({ id, name, serverOptions, clientOptions });
    }
    start() {
      return Promise.resolve();
    }
    stop() {
      return Promise.resolve();
    }
  }
  const stubs = {
    vscode: { workspace: { getConfiguration: () => ({ get: () => '' }) } },
    'vscode-languageclient/node': { LanguageClient, TransportKind: { stdio: 0, ipc: 1 } },
  };
  const original = Module._load;
  Module._load = function load(request, parent, isMain) {
    if (request in stubs) return stubs[request];
    return original.call(this, request, parent, isMain);
  };
  try {
    const ext = require('../../vscode/extension.js');
    const subscriptions = [];
    const extDir = new URL('../../vscode/', import.meta.url).pathname;
    await ext.activate({ subscriptions, asAbsolutePath: (p) => require('node:path').join(extDir, p) });
    assert.equal(created.length, 1);
    const { serverOptions, clientOptions } = created[0];
    assert.ok(existsSync(serverOptions.run.module), serverOptions.run.module);
    assert.match(serverOptions.run.module, /lsp[/\\]server\.js$/);
    assert.deepEqual(serverOptions.run.args, ['--stdio']);
    assert.deepEqual(clientOptions.documentSelector, [{ language: 'json' }, { language: 'jsonc' }, { language: 'bicep' }, { language: 'bicep-params' }]);
    assert.equal(subscriptions.length, 1);
    await ext.deactivate();
  } finally {
    Module._load = original;
  }
});
