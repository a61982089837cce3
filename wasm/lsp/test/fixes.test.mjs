// Quick fixes come from the core (`finding.fix`, as the CLI's --fix uses
// them): every fix of the rule fixtures removes its finding and the text
// still parses, edits keep the document's layout, unexpected text gets no
// fix, and Bicep gets Bicep text.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { check } from '../../src/node.js';

const FIXTURES = fileURLToPath(new URL('../../../tests/fixtures/rules/', import.meta.url));

/** The string index of a core position (1-based line, UTF-16 column). */
function indexOf(text, pos) {
  let at = 0;
  for (let line = 1; line < pos.line; line++) at = text.indexOf('\n', at) + 1;
  return at + pos.utf16Column - 1;
}

function apply(text, edits) {
  let out = text;
  const spans = edits.map((e) => ({ start: indexOf(text, e.range.start), end: indexOf(text, e.range.end), newText: e.replacement }));
  for (const e of spans.sort((a, b) => b.start - a.start)) out = out.slice(0, e.start) + e.newText + out.slice(e.end);
  return out;
}

/** Fixes the first `code` finding; returns the new text (or null: no fix). */
function fixOnce(text, code, fileName = 'main.json') {
  const f = check(text, { fileName }).findings.find((x) => x.code === code);
  assert.ok(f, `a ${code} finding`);
  const fix = f.fix;
  return fix ? { text: apply(text, fix.edits), fix, finding: f } : null;
}

for (const code of ['MI401', 'MI402', 'MI403', 'MI202']) {
  test(`${code}: the core's fix removes the finding in the rule fixtures`, { skip: !existsSync(FIXTURES) && 'no fixtures' }, () => {
    let fixed = 0;
    for (const name of readdirSync(`${FIXTURES}${code}`).filter((n) => n.startsWith('invalid') && !n.endsWith('.findings.json'))) {
      const text = readFileSync(`${FIXTURES}${code}/${name}`, 'utf8');
      for (const f of check(text, { fileName: name }).findings.filter((x) => x.code === code && x.fix)) {
        assert.ok(['safe', 'unsafe'].includes(f.fix.safety));
        const out = apply(text, f.fix.edits);
        const after = check(out, { fileName: name });
        assert.equal(after.files[0].error, null, `${name}: still parses`);
        assert.ok(!after.findings.some((x) => x.code === code && x.pointer === f.pointer && x.message === f.message), `${name} ${f.pointer}: fixed`);
        fixed++;
      }
    }
    assert.ok(fixed >= 1, `${code}: ${fixed} fixed`);
  });
}

test('MI402: inserted after principalId with its indentation, before a following member', () => {
  const text = [
    '{',
    '  "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",',
    '  "resources": [',
    '    { "type": "Microsoft.ManagedIdentity/userAssignedIdentities", "apiVersion": "2023-01-31", "name": "id-a-prod", "location": "westeurope" },',
    '    {',
    '      "type": "Microsoft.Authorization/roleAssignments",',
    '      "apiVersion": "2022-04-01",',
    "      \"name\": \"[guid(resourceGroup().id, 'a', 'reader')]\",",
    '      "properties": {',
    "        \"principalId\": \"[reference(resourceId('Microsoft.ManagedIdentity/userAssignedIdentities', 'id-a-prod'), '2023-01-31').principalId]\",",
    "        \"roleDefinitionId\": \"[subscriptionResourceId('Microsoft.Authorization/roleDefinitions', 'acdd72a7-3385-48ef-bd42-f606fba81ae7')]\"",
    '      }',
    '    }',
    '  ]',
    '}',
  ].join('\r\n');
  const r = fixOnce(text, 'MI402');
  assert.ok(r);
  assert.match(r.text, /principalId\]",\r\n {8}"principalType": "ServicePrincipal",\r\n {8}"roleDefinitionId"/);
  // Inline properties stay inline.
  const inline = text.replace(/"properties": \{\r\n\s+("principalId": "[^\r]*",)\r\n\s+("roleDefinitionId": "[^\r]*")\r\n\s+\}/, '"properties": { $1 $2 }');
  assert.notEqual(inline, text);
  const r2 = fixOnce(inline, 'MI402');
  assert.match(r2.text, /principalId\]", "principalType": "ServicePrincipal", "roleDefinitionId"/);
});

test('MI402: a wrong literal principalType is replaced; an expression is left alone', () => {
  const base = (type) => `{
  "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
  "resources": [
    { "type": "Microsoft.ManagedIdentity/userAssignedIdentities", "apiVersion": "2023-01-31", "name": "id-a-prod", "location": "westeurope" },
    {
      "type": "Microsoft.Authorization/roleAssignments",
      "apiVersion": "2022-04-01",
      "name": "[guid(resourceGroup().id, 'a', 'reader')]",
      "properties": {
        "roleDefinitionId": "[subscriptionResourceId('Microsoft.Authorization/roleDefinitions', 'acdd72a7-3385-48ef-bd42-f606fba81ae7')]",
        "principalId": "[reference(resourceId('Microsoft.ManagedIdentity/userAssignedIdentities', 'id-a-prod'), '2023-01-31').principalId]",
        "principalType": ${type}
      }
    }
  ]
}`;
  const r = fixOnce(base('"User"'), 'MI402');
  assert.match(r.text, /"principalType": "ServicePrincipal"\n/);
  assert.equal(r.fix.edits.length, 1);
  const expr = base(`"[if(true(), 'User', 'Group')]"`);
  const f = check(expr).findings.find((x) => x.code === 'MI402');
  if (f) assert.equal(f.fix, undefined);
});

test('MI401: .clientId becomes .principalId in a role assignment', () => {
  const ra = (principal) => `{
  "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
  "resources": [
    { "type": "Microsoft.ManagedIdentity/userAssignedIdentities", "apiVersion": "2023-01-31", "name": "id-a-prod", "location": "westeurope" },
    { "type": "Microsoft.Authorization/roleAssignments", "apiVersion": "2022-04-01",
      "name": "[guid(resourceGroup().id, 'a', 'reader')]",
      "properties": {
        "roleDefinitionId": "[subscriptionResourceId('Microsoft.Authorization/roleDefinitions', 'acdd72a7-3385-48ef-bd42-f606fba81ae7')]",
        "principalType": "ServicePrincipal",
        "principalId": "${principal}" } }
  ]
}`;
  const r = fixOnce(ra("[reference(resourceId('Microsoft.ManagedIdentity/userAssignedIdentities', 'id-a-prod'), '2023-01-31').clientId]"), 'MI401');
  assert.match(r.text, /'2023-01-31'\)\.principalId\]"/);
  assert.equal(r.fix.title, 'Use .principalId instead of .clientId');
  assert.ok(!check(r.text).findings.some((x) => x.code === 'MI401'));
});

test('Bicep templates get Bicep edits', () => {
  const bicep = `resource uami 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: 'id-orders-prod'
  location: 'westeurope'
}

resource ra 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(resourceGroup().id, uami.id, 'reader')
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', 'acdd72a7-3385-48ef-bd42-f606fba81ae7')
    principalId: uami.properties.clientId
  }
}
`;
  let r = fixOnce(bicep, 'MI402', 'main.bicep');
  assert.match(r.text, /principalId: uami\.properties\.clientId\n {4}principalType: 'ServicePrincipal'\n {2}\}/);
  r = fixOnce(bicep, 'MI401', 'main.bicep');
  assert.match(r.text, /principalId: uami\.properties\.principalId\n/);
  r = fixOnce(bicep, 'MI202', 'main.bicep');
  assert.equal(r.fix.safety, 'unsafe');
  assert.match(r.text, /location: 'westeurope'\n {2}tags: \{\n {4}owner: 'TODO'\n/);
});

test('MI202: tags added to an empty object, after location, and empty ones filled', () => {
  const uami = (extra) => `{
  "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
  "resources": [
    {
      "type": "Microsoft.ManagedIdentity/userAssignedIdentities",
      "apiVersion": "2023-01-31",
      "name": "id-orders-prod",
      "location": "westeurope"${extra}
    }
  ]
}`;
  let r = fixOnce(uami(''), 'MI202');
  assert.match(r.text, /"location": "westeurope",\n {6}"tags": \{\n {8}"owner": "TODO",\n {8}"environment": "TODO",\n {8}"workload": "TODO"\n {6}\}\n {4}\}/);
  r = fixOnce(uami(',\n      "tags": {}'), 'MI202');
  assert.match(r.text, /"tags": \{\n {8}"owner": "TODO",/);
  r = fixOnce(uami(',\n      "tags": { "owner": "", "workload": "orders" }'), 'MI202');
  assert.match(r.text, /"tags": \{ "owner": "TODO", "workload": "orders", "environment": "TODO" \}/);
  assert.ok(!check(r.text).findings.some((x) => x.code === 'MI202'));
  // tags from an expression: no edit.
  const expr = uami(',\n      "tags": "[union(variables(\'t\'), createObject())]"');
  const f = check(expr).findings.find((x) => x.code === 'MI202');
  if (f) assert.equal(f.fix, undefined);
});
