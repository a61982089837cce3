// The server on Bicep: .bicep and .bicepparam documents checked as you type
// (syntax errors with Bicep's BCP codes), modules read from disk and
// re-checked when they change, hover on a Bicep finding.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LspClient, uriOf } from './client.mjs';
import { IDENTITY, MAIN } from '../../test/bicep-samples.mjs';

const codes = (event) => event.diagnostics.map((d) => d.code).sort();

function workspace(t) {
  const root = mkdtempSync(join(tmpdir(), 'idguard-lsp-bicep-'));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  mkdirSync(join(root, 'modules'));
  writeFileSync(join(root, 'main.bicep'), MAIN);
  writeFileSync(join(root, 'modules', 'identity.bicep'), IDENTITY);
  return root;
}

test('a .bicep document: findings on Bicep lines, a module from disk, hover, syntax errors as you type', async (t) => {
  const root = workspace(t);
  const client = new LspClient({ settings: { debounceMs: 10 } });
  t.after(() => client.kill());
  await client.initialize({ rootUri: uriOf(root) });
  const uri = uriOf(join(root, 'main.bicep'));
  let pending = client.nextDiagnostics(uri);
  client.open(uri, MAIN, 1, 'bicep');
  let d = await pending;
  // MI401: the role assignment's principalId is the module's client ID
  // output (line 13, 0-based 12); the module was read from disk (no note).
  const mi401 = d.diagnostics.find((x) => x.code === 'MI401');
  assert.ok(mi401, JSON.stringify(d.diagnostics));
  assert.equal(mi401.range.start.line, 12);
  assert.ok(!d.diagnostics.some((x) => x.code === 'note'), JSON.stringify(d.diagnostics));
  const hover = await client.request('textDocument/hover', { textDocument: { uri }, position: mi401.range.start });
  assert.match(hover.contents.value, /\*\*MI401\*\*/);

  // A syntax error while typing: Bicep's code, at its line; what parsed
  // is still checked.
  const broken = MAIN.replace("principalType: 'ServicePrincipal'", "principalType: 'ServicePrincipal'\n    location: ");
  pending = client.nextDiagnostics(uri, (e) => e.version === 2);
  client.change(uri, broken, 2);
  d = await pending;
  const syntax = d.diagnostics.find((x) => /^BCP\d{3}$/.test(String(x.code)));
  assert.ok(syntax, JSON.stringify(d.diagnostics));
  assert.equal(syntax.range.start.line, 14);
  assert.ok(!/not valid JSON/.test(syntax.message));
  assert.equal((await client.shutdown()).code, 0);
});

test('a module edited in the editor re-checks the template that uses it', async (t) => {
  const root = workspace(t);
  const client = new LspClient({ settings: { debounceMs: 10 } });
  t.after(() => client.kill());
  await client.initialize({ rootUri: uriOf(root) });
  const uri = uriOf(join(root, 'main.bicep'));
  let pending = client.nextDiagnostics(uri);
  client.open(uri, MAIN, 1, 'bicep');
  assert.ok(codes(await pending).includes('MI401'));
  // The module's outputs change: clientId now gives the principal ID, so
  // main.bicep has no MI401 any more — seen only if main.bicep is re-checked
  // with the module's unsaved text.
  const moduleUri = uriOf(join(root, 'modules', 'identity.bicep'));
  const opened = client.nextDiagnostics(moduleUri);
  client.open(moduleUri, IDENTITY, 1, 'bicep');
  await opened;
  pending = client.nextDiagnostics(uri, (e) => !e.diagnostics.some((x) => x.code === 'MI401'));
  client.change(moduleUri, IDENTITY.replace('output clientId string = uami.properties.clientId', 'output clientId string = uami.properties.principalId'), 2);
  const d = await pending;
  assert.ok(!codes(d).includes('MI401'), JSON.stringify(d.diagnostics));
  assert.equal((await client.shutdown()).code, 0);
});

test('a .bicepparam document is checked with the template its using names; its syntax errors carry BCP codes', async (t) => {
  const root = workspace(t);
  const main = "param env string\nresource uami 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {\n  name: 'id-${env}'\n  location: 'westeurope'\n}\n";
  writeFileSync(join(root, 'app.bicep'), main);
  const client = new LspClient({ settings: { debounceMs: 10 } });
  t.after(() => client.kill());
  await client.initialize({ rootUri: uriOf(root) });
  const uri = uriOf(join(root, 'app.dev.bicepparam'));
  let pending = client.nextDiagnostics(uri);
  client.open(uri, "using './app.bicep'\nparam env = 'dev'\n", 1, 'bicep-params');
  let d = await pending;
  assert.deepEqual(d.diagnostics.filter((x) => /^BCP/.test(String(x.code))), []);
  pending = client.nextDiagnostics(uri, (e) => e.version === 2);
  client.change(uri, "using './app.bicep'\nparam env = \n", 2);
  d = await pending;
  const syntax = d.diagnostics.find((x) => /^BCP\d{3}$/.test(String(x.code)));
  assert.ok(syntax, JSON.stringify(d.diagnostics));
  assert.equal(syntax.range.start.line, 1);
  assert.equal((await client.shutdown()).code, 0);
});

test('a module that cannot be read is an Information diagnostic (a note), never a silent pass', async (t) => {
  const root = workspace(t);
  const client = new LspClient({ settings: { debounceMs: 10 } });
  t.after(() => client.kill());
  await client.initialize({ rootUri: uriOf(root) });
  const uri = uriOf(join(root, 'main.bicep'));
  const text = MAIN.replace('./modules/identity.bicep', './modules/missing.bicep');
  const pending = client.nextDiagnostics(uri);
  client.open(uri, text, 1, 'bicep');
  const d = await pending;
  const note = d.diagnostics.find((x) => x.code === 'note');
  assert.ok(note, JSON.stringify(d.diagnostics));
  assert.equal(note.severity, 3);
  assert.equal(note.range.start.line, 0);
  assert.match(note.message, /missing\.bicep/);
  assert.equal((await client.shutdown()).code, 0);
});
