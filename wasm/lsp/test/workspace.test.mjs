// The server in a workspace: parameter files next to the template, the
// policy file (found upward, invalid, edited, exempting), and settings.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LspClient, uriOf } from './client.mjs';

const TEMPLATE = JSON.stringify(
  {
    $schema: 'https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#',
    contentVersion: '1.0.0.0',
    parameters: { tags: { type: 'object', defaultValue: { owner: 'team-orders', environment: 'prod', workload: 'orders' } } },
    resources: [
      {
        type: 'Microsoft.ManagedIdentity/userAssignedIdentities',
        apiVersion: '2023-01-31',
        name: 'id-orders-prod',
        location: 'westeurope',
        tags: "[parameters('tags')]",
      },
    ],
  },
  null,
  2,
);

const params = (tags) =>
  JSON.stringify(
    {
      $schema: 'https://schema.management.azure.com/schemas/2019-04-01/deploymentParameters.json#',
      contentVersion: '1.0.0.0',
      parameters: { tags: { value: tags } },
    },
    null,
    2,
  );

const codes = (event) => event.diagnostics.map((d) => d.code).sort();

function workspace(t) {
  const root = mkdtempSync(join(tmpdir(), 'idguard-lsp-ws-'));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  const dir = join(root, 'infra', 'orders');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'main.json'), TEMPLATE);
  writeFileSync(join(dir, 'main.parameters.json'), params({ environment: 'prod', workload: 'orders' }));
  // Not a parameter file of main.json: another template's.
  writeFileSync(join(dir, 'other.parameters.json'), params({}));
  return { root, dir };
}

test('parameter files pair with their template; editing one re-checks the template', async (t) => {
  const { root, dir } = workspace(t);
  const client = new LspClient({ settings: { debounceMs: 10 } });
  t.after(() => client.kill());
  await client.initialize({ rootUri: uriOf(root) });

  const main = uriOf(join(dir, 'main.json'));
  const prm = uriOf(join(dir, 'main.parameters.json'));

  // The template is checked with main.parameters.json from disk: no owner tag.
  let pending = client.nextDiagnostics(main);
  client.open(main, TEMPLATE, 1);
  let d = await pending;
  assert.deepEqual(codes(d), ['MI202', 'MI602']);
  const mi202 = d.diagnostics.find((x) => x.code === 'MI202');
  assert.equal(mi202.message, "identity 'id-orders-prod' lacks tag 'owner'");
  assert.equal(mi202.relatedInformation[0].location.uri, prm);
  assert.equal(d.diagnostics.find((x) => x.code === 'MI602').severity, 3, 'info → Information');

  // The parameter file, opened, shows the finding where the value is set.
  pending = client.nextDiagnostics(prm);
  const paramText = params({ environment: 'prod', workload: 'orders' });
  client.open(prm, paramText, 1);
  d = await pending;
  assert.deepEqual(codes(d), ['MI202']);
  assert.match(d.diagnostics[0].message, /lacks tag 'owner' \(parameter 'tags' is set here\)/);
  assert.equal(d.diagnostics[0].range.start.line, paramText.split('\n').findIndex((l) => l.includes('"value"')));
  assert.equal(d.diagnostics[0].relatedInformation[0].location.uri, main);

  // Editing the parameter file (unsaved) re-checks the template with it.
  const pendingMain = client.nextDiagnostics(main, (e) => !e.diagnostics.some((x) => x.code === 'MI202'));
  const pendingPrm = client.nextDiagnostics(prm, (e) => e.version === 2);
  client.change(prm, params({ owner: 'team-orders', environment: 'prod', workload: 'orders' }), 2);
  assert.deepEqual(codes(await pendingMain), ['MI602']);
  assert.deepEqual((await pendingPrm).diagnostics, []);

  // A parameter file that does not parse gets a diagnostic of its own.
  pending = client.nextDiagnostics(prm, (e) => e.version === 3);
  client.change(prm, '{\n  "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentParameters.json#",\n  "parameters": { oops }\n}', 3);
  d = await pending;
  assert.equal(d.diagnostics.length, 1);
  assert.equal(d.diagnostics[0].code, 'parse');
  assert.equal(d.diagnostics[0].range.start.line, 2);

  // Closing the parameter file clears its diagnostics; the template goes back to the disk version.
  pending = client.nextDiagnostics(prm);
  const back = client.nextDiagnostics(main, (e) => e.diagnostics.some((x) => x.code === 'MI202'));
  client.close(prm);
  assert.deepEqual((await pending).diagnostics, []);
  await back;

  assert.equal((await client.shutdown()).code, 0);
});

test('the policy: nearest idguard.json, invalid → default and one message, edits and exemptions apply', async (t) => {
  const { root, dir } = workspace(t);
  const settings = { debounceMs: 10 };
  const client = new LspClient({ settings });
  t.after(() => client.kill());
  await client.initialize({ rootUri: uriOf(root) });
  const main = uriOf(join(dir, 'main.json'));
  const policyPath = join(root, 'idguard.json');
  const policyUri = uriOf(policyPath);

  // An invalid policy two directories up.
  const bad = '{\n  // a typo\n  "rules": { "MI602": "fatal" }\n}\n';
  writeFileSync(policyPath, bad);
  let pending = client.nextDiagnostics(main);
  client.open(main, TEMPLATE, 1);
  let d = await pending;
  // The default policy applies (MI602 is info there)…
  assert.deepEqual(codes(d), ['MI202', 'MI602']);
  // …and the user is told, once.
  assert.equal(client.messages.length, 1);
  assert.equal(client.messages[0].type, 2, 'a warning');
  assert.match(client.messages[0].message, /idguard\.json is invalid \(1 problem; first: .*idguard\.json:3:\d+: .*fatal/);

  // The server asked to watch JSON files (dynamic registration).
  const reg = client.requestsFromServer.find((r) => r.method === 'client/registerCapability');
  assert.ok(reg.params.registrations.some((r) => r.method === 'workspace/didChangeWatchedFiles'));

  // The policy file, opened, shows the problem where it is.
  pending = client.nextDiagnostics(policyUri);
  client.open(policyUri, bad, 1);
  d = await pending;
  assert.equal(d.diagnostics.length, 1);
  assert.equal(d.diagnostics[0].code, 'policy');
  assert.equal(d.diagnostics[0].range.start.line, 2);
  assert.equal(bad.split('\n')[2].slice(d.diagnostics[0].range.start.character, d.diagnostics[0].range.end.character), '"fatal"');

  // Fixing it in the editor clears that and re-checks the template with it.
  pending = client.nextDiagnostics(policyUri, (e) => e.diagnostics.length === 0);
  let pendingMain = client.nextDiagnostics(main, (e) => e.diagnostics.some((x) => x.code === 'MI602' && x.severity === 1));
  client.change(policyUri, '{ "rules": { "MI602": "error" } }', 2);
  await pending;
  await pendingMain;

  // An exemption hides the finding; showSuppressed shows it faded.
  const exempt = '{ "exemptions": [ { "rule": "MI602", "resource": "id-*", "reason": "tracked in OPS-1" } ] }';
  pendingMain = client.nextDiagnostics(main, (e) => !e.diagnostics.some((x) => x.code === 'MI602'));
  client.change(policyUri, exempt, 3);
  assert.deepEqual(codes(await pendingMain), ['MI202']);
  settings.showSuppressed = true;
  pendingMain = client.nextDiagnostics(main, (e) => e.diagnostics.some((x) => x.code === 'MI602'));
  client.notify('workspace/didChangeConfiguration', { settings: null });
  d = await pendingMain;
  const suppressed = d.diagnostics.find((x) => x.code === 'MI602');
  assert.equal(suppressed.severity, 4, 'Hint');
  assert.deepEqual(suppressed.tags, [1], 'Unnecessary');
  assert.match(suppressed.message, /suppressed: tracked in OPS-1/);

  // Closing the policy falls back to the disk (invalid: default policy) after a watched-file event.
  client.close(policyUri);
  writeFileSync(policyPath, '{ "rules": { "MI202": "off" } }');
  pendingMain = client.nextDiagnostics(main, (e) => codes(e).join() === 'MI602');
  client.notify('workspace/didChangeWatchedFiles', { changes: [{ uri: policyUri, type: 2 }] });
  await pendingMain;

  // idguard.enable = false clears everything.
  settings.enable = false;
  pendingMain = client.nextDiagnostics(main, (e) => e.diagnostics.length === 0);
  client.notify('workspace/didChangeConfiguration', { settings: null });
  await pendingMain;

  assert.equal(client.messages.length, 1, 'the invalid policy was reported once');
  assert.equal((await client.shutdown()).code, 0);
});

test('a client without workspace/configuration: settings from initializationOptions, idguard.policyPath', async (t) => {
  const { root, dir } = workspace(t);
  mkdirSync(join(root, 'conf'));
  writeFileSync(join(root, 'conf', 'team-policy.jsonc'), '// team policy\n{ "rules": { "MI602": "warning" }, }\n');
  // A nearer idguard.json that the setting overrides.
  writeFileSync(join(dir, 'idguard.json'), '{ "rules": { "MI602": "off" } }');
  const client = new LspClient();
  t.after(() => client.kill());
  await client.initialize({
    rootUri: uriOf(root),
    capabilities: {},
    initializationOptions: { policyPath: 'conf/team-policy.jsonc', debounceMs: 0 },
  });
  const main = uriOf(join(dir, 'main.json'));
  const pending = client.nextDiagnostics(main);
  client.open(main, TEMPLATE, 1);
  const d = await pending;
  assert.equal(d.diagnostics.find((x) => x.code === 'MI602').severity, 2, 'MI602 is a warning by the configured policy');
  assert.ok(!client.requestsFromServer.some((r) => r.method === 'workspace/configuration'));
  assert.ok(!client.requestsFromServer.some((r) => r.method === 'client/registerCapability'));
  assert.equal((await client.shutdown()).code, 0);
});

test('linked templates are read from disk relative to the template that links them, transitively', async (t) => {
  const root = mkdtempSync(join(tmpdir(), 'idguard-lsp-links-'));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  const S = 'https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#';
  const dep = (name, path) => ({ type: 'Microsoft.Resources/deployments', apiVersion: '2022-09-01', name, properties: { mode: 'Incremental', templateLink: { relativePath: path } } });
  // main.json → modules/app.json → (modules/)child.json: the identity whose
  // principal ID main.json assigns a role to is two links away.
  const main = JSON.stringify(
    {
      $schema: S,
      contentVersion: '1.0.0.0',
      resources: [
        dep('inner', 'modules/app.json'),
        {
          type: 'Microsoft.Authorization/roleAssignments',
          apiVersion: '2022-04-01',
          name: "[guid(resourceGroup().id, 'reader')]",
          dependsOn: ['inner'],
          properties: {
            roleDefinitionId: "[subscriptionResourceId('Microsoft.Authorization/roleDefinitions', 'acdd72a7-3385-48ef-bd42-f606fba81ae7')]",
            principalId: "[reference('inner').outputs.principalId.value]",
          },
        },
      ],
    },
    null,
    2,
  );
  const app = { $schema: S, contentVersion: '1.0.0.0', resources: [dep('leaf', 'child.json')], outputs: { principalId: { type: 'string', value: "[reference('leaf').outputs.principalId.value]" } } };
  const child = {
    $schema: S,
    contentVersion: '1.0.0.0',
    resources: [{ type: 'Microsoft.ManagedIdentity/userAssignedIdentities', apiVersion: '2023-01-31', name: 'id-app', location: 'westeurope' }],
    outputs: { principalId: { type: 'string', value: "[reference(resourceId('Microsoft.ManagedIdentity/userAssignedIdentities', 'id-app'), '2023-01-31').principalId]" } },
  };
  mkdirSync(join(root, 'modules'));
  writeFileSync(join(root, 'main.json'), main);
  writeFileSync(join(root, 'modules', 'app.json'), JSON.stringify(app, null, 2));
  writeFileSync(join(root, 'modules', 'child.json'), JSON.stringify(child, null, 2));
  // A decoy where a walk relative to main.json's directory would look.
  writeFileSync(join(root, 'child.json'), JSON.stringify({ $schema: S, contentVersion: '1.0.0.0', resources: [] }));

  const client = new LspClient({ settings: { debounceMs: 10 } });
  t.after(() => client.kill());
  await client.initialize({ rootUri: uriOf(root) });
  const uri = uriOf(join(root, 'main.json'));
  const pending = client.nextDiagnostics(uri);
  client.open(uri, main, 1);
  const d = await pending;
  // MI402 (no principalType for a managed identity's principal) needs both
  // links followed; MI403 is main.json's own.
  assert.deepEqual(codes(d), ['MI402', 'MI403']);
  assert.equal((await client.shutdown()).code, 0);
});
