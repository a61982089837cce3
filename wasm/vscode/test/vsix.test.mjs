// The packaged VS Code extension: `node scripts/package-vscode.mjs` (what
// `npm run package:vscode` runs after building wasm/pkg) writes a .vsix;
// this test unpacks it (a zip) outside the repository and starts the
// bundled language server from the unpacked files over stdio, speaking LSP.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import Module from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { inflateRawSync } from 'node:zlib';
import { LspClient, uriOf } from '../../lsp/test/client.mjs';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
// Contributor at subscription scope (MI101), granted to a client ID (MI401).
const TEMPLATE = `{
  "$schema": "https://schema.management.azure.com/schemas/2018-05-01/subscriptionDeploymentTemplate.json#",
  "contentVersion": "1.0.0.0",
  "parameters": {
    "identityId": {
      "type": "string",
      "defaultValue": "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-app-prod/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id-app-prod"
    }
  },
  "resources": [
    {
      "type": "Microsoft.Authorization/roleAssignments",
      "apiVersion": "2022-04-01",
      "name": "[guid(subscription().id, parameters('identityId'), 'contributor')]",
      "properties": {
        "roleDefinitionId": "[subscriptionResourceId('Microsoft.Authorization/roleDefinitions', 'b24988ac-6180-42a0-ab88-20f7382dd24c')]",
        "principalId": "[reference(parameters('identityId'), '2023-01-31').clientId]",
        "principalType": "ServicePrincipal"
      }
    }
  ]
}
`;
const manifest = JSON.parse(readFileSync(join(REPO, 'wasm', 'vscode', 'package.json'), 'utf8'));

/** The entries of a zip file: Map(name → Buffer), read through its central directory. */
export function unzip(buf) {
  let eocd = -1;
  for (let i = buf.length - 22; i >= Math.max(0, buf.length - 22 - 0xffff); i--) {
    if (buf.readUInt32LE(i) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new Error('not a zip file (no end of central directory)');
  const count = buf.readUInt16LE(eocd + 10);
  let p = buf.readUInt32LE(eocd + 16);
  const entries = new Map();
  for (let n = 0; n < count; n++) {
    if (buf.readUInt32LE(p) !== 0x02014b50) throw new Error(`bad central directory entry at ${p}`);
    const method = buf.readUInt16LE(p + 10);
    const compressed = buf.readUInt32LE(p + 20);
    const nameLen = buf.readUInt16LE(p + 28);
    const extraLen = buf.readUInt16LE(p + 30);
    const commentLen = buf.readUInt16LE(p + 32);
    const local = buf.readUInt32LE(p + 42);
    const name = buf.subarray(p + 46, p + 46 + nameLen).toString('utf8');
    p += 46 + nameLen + extraLen + commentLen;
    if (buf.readUInt32LE(local) !== 0x04034b50) throw new Error(`bad local header for ${name}`);
    const start = local + 30 + buf.readUInt16LE(local + 26) + buf.readUInt16LE(local + 28);
    const raw = buf.subarray(start, start + compressed);
    if (name.endsWith('/')) continue;
    if (method === 0) entries.set(name, Buffer.from(raw));
    else if (method === 8) entries.set(name, inflateRawSync(raw));
    else throw new Error(`${name}: compression method ${method}`);
  }
  return entries;
}

/** Writes the entries under `dir`, refusing names that would escape it. */
function extract(entries, dir) {
  for (const [name, data] of entries) {
    const path = resolve(dir, name);
    if (!path.startsWith(dir + sep)) throw new Error(`zip entry outside the directory: ${name}`);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, data);
  }
}

test('npm run package:vscode: a .vsix that bundles the server, which runs from the unpacked files', { timeout: 300_000 }, async (t) => {
  const work = mkdtempSync(join(tmpdir(), 'idguard-vsix-test-'));
  t.after(() => rmSync(work, { recursive: true, force: true }));
  const vsix = join(work, 'idguard.vsix');

  const started = performance.now();
  const run = spawnSync(process.execPath, [join(REPO, 'scripts', 'package-vscode.mjs'), '--out', vsix], { cwd: REPO, encoding: 'utf8' });
  assert.equal(run.status, 0, `package-vscode failed:\n${run.stdout}\n${run.stderr}`);
  t.diagnostic(`vsix built in ${Math.round(performance.now() - started)} ms`);
  assert.ok(existsSync(vsix));

  const entries = unzip(readFileSync(vsix));
  const names = [...entries.keys()];
  const has = (name) => assert.ok(entries.has(name), `${name} is in the vsix (${names.length} entries)`);

  // The extension, its manifest, README, licence and icon.
  has('extension.vsixmanifest');
  has('[Content_Types].xml');
  has('extension/package.json');
  has('extension/extension.js');
  has('extension/readme.md');
  const packaged = JSON.parse(entries.get('extension/package.json').toString('utf8'));
  assert.equal(packaged.name, manifest.name);
  assert.equal(packaged.version, manifest.version);
  assert.equal(packaged.publisher, 'idguard');
  assert.equal(packaged.license, 'MIT');
  assert.match(packaged.repository.url, /github\.com\/idguard\/idguard/);
  assert.deepEqual(packaged.activationEvents, ['onLanguage:json', 'onLanguage:jsonc', 'onLanguage:bicep', 'onLanguage:bicep-params']);
  assert.deepEqual(packaged.contributes, manifest.contributes, 'the settings are the manifest’s');
  const vsixManifest = entries.get('extension.vsixmanifest').toString('utf8');
  assert.match(vsixManifest, /<License>extension\/LICENSE\.txt<\/License>/);
  assert.match(entries.get('extension/LICENSE.txt').toString('utf8'), /^MIT License/);
  assert.match(vsixManifest, /<Icon>extension\/icon\.png<\/Icon>/);
  const icon = entries.get('extension/icon.png');
  assert.ok(icon, 'the icon is packaged');
  assert.equal(icon.subarray(0, 8).toString('latin1'), '\x89PNG\r\n\x1a\n');
  assert.equal(icon.readUInt32BE(16), 128, 'icon width');
  assert.equal(icon.readUInt32BE(20), 128, 'icon height');
  assert.match(entries.get('extension/readme.md').toString('utf8'), /^# idguard for VS Code/);

  // The server, the wasm package and their runtime dependencies; no dev tools.
  for (const file of ['lsp/server.js', 'lsp/service.js', 'src/node.js', 'src/core.js', 'pkg/idguard_wasm.js', 'pkg/idguard_wasm_bg.wasm', 'package.json']) {
    has(`extension/node_modules/@idguard/idguard/${file}`);
  }
  for (const dep of ['vscode-languageclient', 'vscode-languageserver', 'vscode-languageserver-protocol', 'vscode-jsonrpc', 'vscode-languageserver-textdocument']) {
    has(`extension/node_modules/${dep}/package.json`);
  }
  for (const dev of ['@vscode/vsce', 'typescript', 'playwright-core', 'binaryen']) {
    assert.ok(!names.some((n) => n.startsWith(`extension/node_modules/${dev}/`)), `${dev} is not bundled`);
  }
  assert.ok(!names.some((n) => /\/(test|bench|playground)\//.test(n) && n.includes('@idguard/idguard')), 'no tests or benches of the package');
  assert.deepEqual(
    entries.get('extension/node_modules/@idguard/idguard/pkg/idguard_wasm_bg.wasm'),
    readFileSync(join(REPO, 'wasm', 'pkg', 'idguard_wasm_bg.wasm')),
    'the bundled wasm is the built one',
  );

  // Unpacked, outside the repository (no node_modules of the repository on
  // the resolution path).
  const unpacked = join(work, 'unpacked');
  extract(entries, unpacked);
  const ext = join(unpacked, 'extension');
  const server = join(ext, 'node_modules', '@idguard', 'idguard', 'lsp', 'server.js');

  // The extension finds the bundled server and client (vscode stubbed: it
  // exists only inside VS Code).
  const created = [];
  const stubs = {
    vscode: { workspace: { getConfiguration: () => ({ get: () => '' }) } },
    'vscode-languageclient/node': {
      LanguageClient: class {
        constructor(...args) {
          created.push(args);
        }
        start() {
          return Promise.resolve();
        }
        stop() {
          return Promise.resolve();
        }
      },
      TransportKind: { stdio: 0 },
    },
  };
  const requireFromExt = createRequire(join(ext, 'extension.js'));
  assert.ok(requireFromExt.resolve('vscode-languageclient/node').startsWith(ext + sep), 'vscode-languageclient is bundled');
  const originalLoad = Module._load;
  Module._load = function load(request, parent, isMain) {
    if (request in stubs) return stubs[request];
    return originalLoad.call(this, request, parent, isMain);
  };
  try {
    const extension = requireFromExt('./extension.js');
    await extension.activate({ subscriptions: [], asAbsolutePath: (p) => join(ext, p) });
    await extension.deactivate();
  } finally {
    Module._load = originalLoad;
  }
  assert.equal(created.length, 1);
  assert.equal(created[0][2].run.module, server, 'activate() starts the bundled server');
  assert.deepEqual(created[0][3].documentSelector.map((s) => s.language), ['json', 'jsonc', 'bicep', 'bicep-params']);

  // The bundled server, over stdio: diagnostics for a template.
  const version = spawnSync(process.execPath, [server, '--version'], { encoding: 'utf8' });
  assert.equal(version.stdout.trim(), `idguard-language-server ${manifest.version}`, version.stderr);
  const dir = join(work, 'templates');
  mkdirSync(dir);
  const path = join(dir, 'main.json');
  writeFileSync(path, TEMPLATE);
  const client = new LspClient({ server, settings: { debounceMs: 10 } });
  t.after(() => client.kill());
  const init = await client.initialize({ rootUri: uriOf(dir) });
  assert.equal(init.serverInfo.name, 'idguard-language-server');
  const uri = uriOf(path);
  const diagnostics = client.nextDiagnostics(uri, (e) => e.diagnostics.length > 0, 20_000);
  client.open(uri, TEMPLATE);
  const event = await diagnostics;
  assert.deepEqual(event.diagnostics.map((d) => d.code).sort(), ['MI101', 'MI401']);
  assert.ok(event.diagnostics.every((d) => d.source === 'idguard'));
  const exit = await client.shutdown();
  assert.equal(exit.code, 0, client.stderr);
});
