// Quick fixes: every fixable finding of the rule fixtures is fixed by its
// edit (the core no longer reports it and the text still parses), edits
// keep the document's layout, and unexpected text gets no edit.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { check } from '../../src/node.js';
import { quickFix, tagsFromMessage } from '../fixes.js';
import { parseTree, pathTo } from '../jsonc.js';

const FIXTURES = fileURLToPath(new URL('../../../tests/fixtures/rules/', import.meta.url));

function apply(text, edits) {
  let out = text;
  for (const e of [...edits].sort((a, b) => b.start - a.start)) out = out.slice(0, e.start) + e.newText + out.slice(e.end);
  return out;
}

/** Fixes the first `code` finding; returns the new text (or null: no fix). */
function fixOnce(text, code, fileName = 'main.json') {
  const f = check(text, { fileName }).findings.find((x) => x.code === code);
  assert.ok(f, `a ${code} finding`);
  const fix = quickFix(text, f);
  return fix && { text: apply(text, fix.edits), fix, finding: f };
}

for (const code of ['MI401', 'MI402', 'MI202']) {
  test(`${code}: the quick fix removes the finding in the rule fixtures`, { skip: !existsSync(FIXTURES) && 'no fixtures' }, () => {
    let fixed = 0;
    let refused = 0;
    for (const name of readdirSync(`${FIXTURES}${code}`).filter((n) => n.startsWith('invalid') && !n.endsWith('.findings.json'))) {
      const text = readFileSync(`${FIXTURES}${code}/${name}`, 'utf8');
      for (const f of check(text, { fileName: name }).findings.filter((x) => x.code === code)) {
        const fix = quickFix(text, f);
        if (!fix) {
          refused++;
          continue;
        }
        const out = apply(text, fix.edits);
        const after = check(out, { fileName: name });
        assert.equal(after.files[0].error, null, `${name}: still parses`);
        assert.ok(!after.findings.some((x) => x.code === code && x.pointer === f.pointer), `${name} ${f.pointer}: fixed`);
        // Nothing new appears but what TODO placeholders may bring.
        const before = new Set(check(text, { fileName: name }).findings.map((x) => `${x.code} ${x.pointer}`));
        for (const x of after.findings) assert.ok(before.has(`${x.code} ${x.pointer}`), `${name}: new finding ${x.code} ${x.pointer}`);
        fixed++;
      }
    }
    assert.ok(fixed >= 3, `${code}: ${fixed} fixed, ${refused} refused`);
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
  if (f) assert.equal(quickFix(expr, f), null);
});

test('MI401: exactly one .clientId is replaced; two, or none, get no edit', () => {
  const finding = { code: 'MI401', pointer: '/p', help: "use the identity's .principalId here", message: '' };
  const one = '{ "p": "[reference(parameters(\'id\'), \'2023-01-31\').clientId]" }';
  const fix = quickFix(one, finding);
  assert.equal(apply(one, fix.edits), '{ "p": "[reference(parameters(\'id\'), \'2023-01-31\').principalId]" }');
  assert.equal(quickFix('{ "p": "[concat(reference(\'a\').clientId, reference(\'b\').clientId)]" }', finding), null);
  assert.equal(quickFix('{ "p": "[variables(\'cid\')]" }', finding), null);
  assert.equal(quickFix('{ "p": "not an expression .clientId" }', finding), null);
  assert.equal(quickFix('{ "q": "[reference(\'a\').clientId]" }', finding), null, 'pointer does not resolve');
  // The reverse, for client-ID settings.
  const setting = { ...finding, help: "use the identity's .clientId for client-ID settings" };
  const s = '{ "p": "[reference(\'a\').principalId]" }';
  assert.equal(apply(s, quickFix(s, setting).edits), '{ "p": "[reference(\'a\').clientId]" }');
});

test('MI202: tags added to an empty object, after location, and empty ones filled', () => {
  assert.deepEqual(tagsFromMessage("identity 'x' lacks tags 'owner', 'workload' and has tag 'environment' empty"), {
    missing: ['owner', 'workload'],
    empty: ['environment'],
  });
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
  if (f) assert.equal(quickFix(expr, f), null);
});

test('the JSONC tree: comments, trailing commas, escapes, pointers', () => {
  const text = '\ufeff// c\n{ "a/b": { "x~y": [1, { "k": "v\\"w" },], }, /* z */ "n": -1.5e3, "t": true, "u": null, }';
  const tree = parseTree(text);
  assert.ok(tree);
  const chain = pathTo(tree, '/a~1b/x~0y/1/k');
  assert.equal(chain.at(-1).node.value, 'v"w');
  assert.equal(text.slice(chain.at(-1).node.offset, chain.at(-1).node.end), '"v\\"w"');
  assert.equal(pathTo(tree, '/n').at(-1).node.value, -1500);
  assert.equal(pathTo(tree, '/a~1b/x~0y/2'), null);
  for (const bad of ['', '{', '{"a" 1}', '[1 2]', '{"a": tru}', '/* open', '{} x']) assert.equal(parseTree(bad), null, bad);
  // Deep nesting is refused, not a stack overflow.
  assert.equal(parseTree('['.repeat(100000)), null);
});
