// End to end: the language server as a child process, real LSP JSON-RPC
// over stdio.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { check } from '../../src/node.js';
import { LspClient, applyEdits, uriOf } from './client.mjs';

const CONTRIBUTOR = 'b24988ac-6180-42a0-ab88-20f7382dd24c';
const READER = 'acdd72a7-3385-48ef-bd42-f606fba81ae7';

export const TEMPLATE = `{
  "$schema": "https://schema.management.azure.com/schemas/2018-05-01/subscriptionDeploymentTemplate.json#",
  "contentVersion": "1.0.0.0",
  "parameters": {
    "identityId": {
      "type": "string",
      "defaultValue": "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-orders-prod/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id-orders-prod"
    }
  },
  "resources": [
    {
      "type": "Microsoft.Authorization/roleAssignments",
      "apiVersion": "2022-04-01",
      "name": "[guid(subscription().id, parameters('identityId'), 'contributor')]",
      "properties": {
        "roleDefinitionId": "[subscriptionResourceId('Microsoft.Authorization/roleDefinitions', '${CONTRIBUTOR}')]",
        "principalId": "[reference(parameters('identityId'), '2023-01-31').clientId]",
        "principalType": "ServicePrincipal"
      }
    }
  ]
}
`;

const lspRange = (r) => ({
  start: { line: r.start.line - 1, character: r.start.utf16Column - 1 },
  end: { line: r.end.line - 1, character: r.end.utf16Column - 1 },
});

const codes = (event) => event.diagnostics.map((d) => d.code).sort();

test('diagnostics, a quick fix, a hover and a clean exit over stdio', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'idguard-lsp-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const client = new LspClient({ settings: { debounceMs: 20 } });
  t.after(() => client.kill());

  const init = await client.initialize({ rootUri: uriOf(dir) });
  assert.equal(init.serverInfo.name, 'idguard-language-server');
  assert.ok(init.capabilities.hoverProvider);
  assert.ok(init.capabilities.codeActionProvider);

  const path = join(dir, 'main.json');
  writeFileSync(path, TEMPLATE);
  const uri = uriOf(path);

  // Open: MI101 and MI401, at the ranges the wasm core reports.
  let pending = client.nextDiagnostics(uri);
  client.open(uri, TEMPLATE, 1);
  let diags = await pending;
  assert.deepEqual(codes(diags), ['MI101', 'MI401']);
  assert.equal(diags.version, 1);
  const expected = check(TEMPLATE, { fileName: 'main.json' }).findings;
  for (const f of expected) {
    const d = diags.diagnostics.find((x) => x.code === f.code);
    assert.deepEqual(d.range, lspRange(f.range), f.code);
    assert.equal(d.severity, 1, `${f.code} is an error`);
    assert.equal(d.source, 'idguard');
    assert.equal(d.message, f.message);
    assert.equal(d.codeDescription.href, f.docUrl);
  }
  // The MI101 range covers the roleDefinitionId value.
  const mi101 = diags.diagnostics.find((d) => d.code === 'MI101');
  const lines = TEMPLATE.split('\n');
  assert.equal(lines[mi101.range.start.line].slice(mi101.range.start.character, mi101.range.end.character), `"[subscriptionResourceId('Microsoft.Authorization/roleDefinitions', '${CONTRIBUTOR}')]"`);

  // Change: Contributor → Reader fixes MI101.
  let text = TEMPLATE.replace(CONTRIBUTOR, READER);
  pending = client.nextDiagnostics(uri, (e) => e.version === 2);
  client.change(uri, text, 2);
  diags = await pending;
  // Reader at subscription scope is no broad privileged role any more
  // (MI101 gone), only a scope wider than the policy allows (MI102, a warning).
  assert.deepEqual(codes(diags), ['MI102', 'MI401']);
  assert.equal(diags.diagnostics.find((d) => d.code === 'MI102').severity, 2);

  // Quick fix for MI401: .clientId → .principalId.
  const mi401 = diags.diagnostics.find((d) => d.code === 'MI401');
  const actions = await client.request('textDocument/codeAction', {
    textDocument: { uri },
    range: mi401.range,
    context: { diagnostics: [mi401], only: ['quickfix'] },
  });
  assert.equal(actions.length, 1);
  assert.equal(actions[0].kind, 'quickfix');
  assert.match(actions[0].title, /\.principalId/);
  const edits = actions[0].edit.changes[uri];
  assert.equal(edits.length, 1);
  assert.equal(edits[0].newText, '.principalId');

  // Hover over the flagged range before applying it.
  const hover = await client.request('textDocument/hover', {
    textDocument: { uri },
    position: { line: mi401.range.start.line, character: mi401.range.start.character + 5 },
  });
  assert.equal(hover.contents.kind, 'markdown');
  assert.match(hover.contents.value, /\*\*MI401\*\* `principal-id-not-client-id`/);
  assert.match(hover.contents.value, /#### Why is this bad\?/);
  assert.match(hover.contents.value, /\*\*Fix:\*\* use the identity's \.principalId/);
  assert.doesNotMatch(hover.contents.value, /## Example/);
  assert.deepEqual(hover.range, mi401.range);
  // No hover away from findings.
  assert.equal(await client.request('textDocument/hover', { textDocument: { uri }, position: { line: 0, character: 0 } }), null);

  text = applyEdits(text, edits);
  assert.match(text, /'2023-01-31'\)\.principalId\]/);
  pending = client.nextDiagnostics(uri, (e) => e.version === 3);
  client.change(uri, text, 3);
  diags = await pending;
  assert.deepEqual(codes(diags), ['MI102']);

  // No quick fix where the finding is gone.
  assert.deepEqual(await client.request('textDocument/codeAction', { textDocument: { uri }, range: mi401.range, context: { diagnostics: [] } }), []);

  // A non-template JSON document gets no diagnostics: an empty list.
  const otherUri = uriOf(join(dir, 'package.json'));
  pending = client.nextDiagnostics(otherUri, () => true, 1500).then(
    (e) => e,
    () => null,
  );
  client.open(otherUri, '{ "name": "x", "resources": [ { "type": "Microsoft.Authorization/roleAssignments" } ] }', 1);
  const other = await pending;
  assert.ok(other === null || other.diagnostics.length === 0, 'no diagnostics on other JSON');

  // A template that stops being one (its $schema changes) is cleared.
  pending = client.nextDiagnostics(uri, (e) => e.version === 4);
  client.change(uri, TEMPLATE, 4);
  assert.equal((await pending).diagnostics.length, 2);
  pending = client.nextDiagnostics(uri);
  client.change(uri, TEMPLATE.replace('subscriptionDeploymentTemplate', 'somethingElse'), 5);
  assert.deepEqual((await pending).diagnostics, []);

  // A template that does not parse: one diagnostic at the error.
  const broken = TEMPLATE.replace('"contentVersion": "1.0.0.0",', '"contentVersion": "1.0.0.0" oops');
  pending = client.nextDiagnostics(uri, (e) => e.version === 6);
  client.change(uri, broken, 6);
  diags = await pending;
  assert.equal(diags.diagnostics.length, 1);
  assert.equal(diags.diagnostics[0].code, 'parse');
  assert.equal(diags.diagnostics[0].severity, 1);
  const report = check(broken, { fileName: 'main.json' });
  assert.equal(diags.diagnostics[0].range.start.line, report.files[0].error.line - 1);

  // shutdown → exit: the process ends with code 0.
  const exit = await client.shutdown();
  assert.deepEqual(exit, { code: 0, signal: null });
});
