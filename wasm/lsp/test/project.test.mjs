// The JavaScript port of the core's file sniffing and parameter-file
// pairing (crates/idguard-core/src/project.rs): the same cases as the Rust
// tests, and the same answer as the corpus manifest.
import { skipOrFail } from '../../test/helpers.mjs';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { sniffKind, templateForParameters } from '../project.js';
import { decode } from '../files.js';

const T = 'https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#';
const P = 'https://schema.management.azure.com/schemas/2019-04-01/deploymentParameters.json#';

test('sniffs the $schema variants', () => {
  const cases = [
    [T, 'template'],
    ['https://schema.management.azure.com/schemas/2018-05-01/subscriptionDeploymentTemplate.json#', 'template'],
    ['https://schema.management.azure.com/schemas/2019-08-01/managementGroupDeploymentTemplate.json#', 'template'],
    ['https://schema.management.azure.com/schemas/2019-08-01/tenantDeploymentTemplate.json#', 'template'],
    ['http://schema.management.azure.com/schemas/2015-01-01/deploymentTemplate.json', 'template'],
    ['https:\\/\\/schema.management.azure.com\\/schemas\\/2015-01-01\\/DEPLOYMENTTEMPLATE.JSON#', 'template'],
    [P, 'parameters'],
    ['https://schema.management.azure.com/schemas/2018-05-01/subscriptionDeploymentParameters.json#', 'parameters'],
    ['https://schema.management.azure.com/providers/Microsoft.Logic/schemas/2016-06-01/workflowdefinition.json#', 'other'],
    ['https://schema.management.azure.com/schemas/2018-05-01/policyDefinition.json#', 'other'],
    ['http://json-schema.org/draft-07/schema#', 'other'],
    ["[variables('workflowSchema')]", 'other'],
  ];
  for (const [schema, want] of cases) assert.equal(sniffKind(`{\n  "$schema": "${schema}",\n  "resources": []\n}`), want, schema);
});

test('sniffing is robust', () => {
  const big = 'x'.repeat(100_000);
  const cases = [
    [`\ufeff{"$schema":"${T}"}`, 'template'],
    [`// a comment\n/* block\n "$schema": "${P}" */\n{ "$schema" : "${T}" }`, 'template'],
    [`{"contentVersion": "1.0.0.0", "parameters": {"a": {"defaultValue": [1, true, null, {"b": "}]\\""}]}},\n "$schema": "${T}"}`, 'template'],
    [`{"metadata": {"blob": "${big}"}, "$schema": "${P}"}`, 'parameters'],
    [`{"properties": {"template": {"$schema": "${T}", "resources": []}}}`, 'other'],
    [`{"a": [1,2,],, "$schema": "${T}",}`, 'template'],
    [`{"a": [1,2 "$schema": "${T}"}`, 'template'],
    [`{"a": } "$schema" : "${P}"`, 'parameters'],
    [`["${T}"]`, 'other'],
    ['{"resources": []}', 'other'],
    ['{"$schema": 42}', 'other'],
    ['{"$schema": "', 'other'],
    ['\u0001\u0002{{{{[[["', 'other'],
    ['/* unterminated', 'other'],
    ['', 'other'],
  ];
  for (const [text, want] of cases) assert.equal(sniffKind(text), want, text.slice(0, 200));
  const text = `\ufeff// c\n{ /* x */ "a": ["\\"", {}], "b": -1.5e3, "$schema": "${T}" }`;
  for (let i = 0; i < text.length; i++) sniffKind(text.slice(0, i));
  assert.equal(sniffKind(text), 'template');
});

test('decodes UTF-8 with a BOM and UTF-16 with a BOM', () => {
  const s = `{"$schema": "${T}", "name": "é"}`;
  assert.equal(decode(Buffer.from(`\ufeff${s}`, 'utf8')), s);
  assert.equal(decode(Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(s, 'utf16le')])), s);
  const be = Buffer.from(s, 'utf16le').swap16();
  assert.equal(decode(Buffer.concat([Buffer.from([0xfe, 0xff]), be])), s);
});

test('pairs parameter files by convention', () => {
  const cases = [
    ['main.parameters.json', ['main.json'], 'main.json'],
    ['main.dev.parameters.json', ['main.json'], 'main.json'],
    ['main.parameters.prod.json', ['main.json'], 'main.json'],
    ['other.parameters.json', ['main.json'], null],
    ['mainx.parameters.json', ['main.json'], null],
    ['AzureDeploy.Parameters.Test.JSON', ['azuredeploy.json'], 'azuredeploy.json'],
    ['x.parameters.json', ['x.jsonc'], 'x.jsonc'],
    // The longest template name wins.
    ['main.dev.parameters.json', ['main.json', 'main.dev.json'], 'main.dev.json'],
    ['main.prod.parameters.json', ['main.json', 'main.dev.json'], 'main.json'],
    // Generic names go to the only template of the directory.
    ['parameters.json', ['template.json'], 'template.json'],
    ['dev.parameters.json', ['template.json'], 'template.json'],
    ['parameters.prod.json', ['template.json'], 'template.json'],
    ['random.json', ['template.json'], null],
    ['other.parameters.json', ['template.json'], null],
    ['parameters.json', ['a.json', 'b.json'], null],
    ['main.parameters.json', [], null],
  ];
  for (const [param, templates, want] of cases) assert.equal(templateForParameters(param, templates), want, `${param} ${templates}`);
});

const CORPUS = fileURLToPath(new URL('../../../../shared/corpus/', import.meta.url));

test('every corpus file sniffs as the manifest says', (t) => {
  if (!existsSync(`${CORPUS}MANIFEST.tsv`)) return skipOrFail(t, 'corpus', `not found at ${CORPUS}`);
  let checked = 0;
  for (const line of readFileSync(`${CORPUS}MANIFEST.tsv`, 'utf8').split('\n').slice(1)) {
    const cols = line.split('\t');
    const want = { array: 'template', symbolic: 'template', params: 'parameters' }[cols[8]];
    if (!want) continue;
    assert.equal(sniffKind(decode(readFileSync(`${CORPUS}${cols[0]}`))), want, cols[0]);
    checked++;
  }
  assert.ok(checked > 1000, `only ${checked} checked`);
});
