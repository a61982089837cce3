// The package on Bicep source: by file name or the language option, local
// modules and .bicepparam files through `files`/`parameters`, findings on
// Bicep lines, syntax errors as file errors with Bicep's BCP codes, and
// `project` naming the files a Bicep check reads. The same cases as the
// core's tests/bicep_api.rs, so the package answers as the core (and the
// CLI) does.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import * as idguard from '../src/node.js';
import * as raw from '../pkg/idguard_wasm.js';
import { IDENTITY, MAIN } from './bicep-samples.mjs';

const at = (report, file) =>
  report.findings
    .filter((f) => f.file === file)
    .map((f) => `${f.code}:${f.range.start.line}`)
    .sort();

test('a .bicep template with a local module: findings on the Bicep lines of each file', () => {
  const report = idguard.check(MAIN, { fileName: 'infra/main.bicep', files: { 'modules/identity.bicep': IDENTITY } });
  assert.equal(report.files[0].error, null);
  assert.equal(report.files[0].notes, undefined, 'no notes: the module was read');
  assert.ok(at(report, 'infra/main.bicep').includes('MI401:13'), JSON.stringify(report.findings));
  assert.ok(at(report, 'infra/modules/identity.bicep').includes('MI202:7'), JSON.stringify(report.findings));
  // Without the module: a note says it was not read (never a silent pass).
  const alone = idguard.check(MAIN, { fileName: 'infra/main.bicep' });
  assert.ok(alone.files[0].notes.some((n) => /identity\.bicep/.test(n.message)), JSON.stringify(alone.files[0]));
});

test('the language option: pasted Bicep without a file name, and JSON named explicitly', () => {
  const named = idguard.check(MAIN, { fileName: 'main.bicep', files: { 'modules/identity.bicep': IDENTITY } });
  const pasted = idguard.check(MAIN, { language: 'bicep', files: { 'modules/identity.bicep': IDENTITY } });
  assert.equal(pasted.files[0].path, 'main.bicep');
  assert.deepEqual(at(pasted, 'main.bicep'), at(named, 'main.bicep'));
  assert.ok(at(pasted, 'main.bicep').includes('MI401:13'));
  // The same text read as JSON is a JSON syntax error, not Bicep.
  const asJson = idguard.check(MAIN, { fileName: 'main.bicep', language: 'json' });
  assert.ok(asJson.files[0].error && !/^BCP/.test(asJson.files[0].error.message), JSON.stringify(asJson.files[0]));
  assert.throws(() => idguard.check(MAIN, { language: 'yaml' }), TypeError);
});

test('a Bicep syntax error is a file error with its BCP code, line and column', () => {
  const text = "param ok string\nresource r 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {\n  name: 'x'\n  location: \n}\n";
  const report = idguard.check(text, { fileName: 'main.bicep' });
  const error = report.files[0].error;
  assert.ok(error, JSON.stringify(report.files[0]));
  assert.match(error.message, /^BCP\d{3}: /);
  assert.equal(error.line, 4);
  assert.ok(error.column >= 1);
});

test('.bicepparam files: one evaluation each, paired by name in parameters or checked as the language', () => {
  const main = `param env string
resource uami 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: 'id-\${env}'
  location: 'westeurope'
}
`;
  const dev = "using './main.bicep'\nparam env = 'dev'\n";
  const prod = "using './main.bicep'\nparam env = 'prod'\n";
  const report = idguard.check(main, { fileName: 'main.bicep', parameters: { 'main.dev.bicepparam': dev, 'main.prod.bicepparam': prod } });
  assert.deepEqual(report.files[0].parameterFiles, ['main.dev.bicepparam', 'main.prod.bicepparam']);
  assert.deepEqual(report.files.map((f) => f.error), [null, null, null]);
  // The parameter file checked as the text, its template in files.
  const one = idguard.check(dev, { fileName: 'main.dev.bicepparam', files: { 'main.bicep': main } });
  assert.equal(one.files[0].path, 'main.bicep');
  assert.deepEqual(one.files[0].parameterFiles, ['main.dev.bicepparam']);
  assert.throws(() => idguard.check(dev, { language: 'bicepparam' }), (e) => e.kind === 'options' && /using/.test(e.message));
});

test('project: Bicep kinds by extension, .bicepparam by using, and the modules a check reads', () => {
  const files = [
    { path: 'infra/main.bicep', text: MAIN },
    { path: 'infra/main.dev.bicepparam', text: "using 'main.bicep'\n" },
    { path: 'infra/other.bicepparam', text: "using 'nothing.bicep'\n" },
  ];
  let plan = idguard.project({ files });
  assert.deepEqual(plan.files.map((f) => f.kind), ['template', 'parameters', 'parameters']);
  assert.deepEqual(plan.templates[0].parameterFiles, ['infra/main.dev.bicepparam']);
  assert.deepEqual(plan.templates[0].links, [{ relativePath: 'modules/identity.bicep', path: 'infra/modules/identity.bicep', given: false }]);
  plan = idguard.project({ files: [...files, { path: 'infra/modules/identity.bicep', text: IDENTITY }] });
  assert.deepEqual(plan.templates[0].links, [{ relativePath: 'modules/identity.bicep', path: 'infra/modules/identity.bicep', given: true }]);
  assert.equal(idguard.fileKind('x.bicep', 'anything'), 'template');
  assert.equal(idguard.fileKind('x.bicepparam', ''), 'parameters');
});

test('plugins receive the same model from Bicep as from the equivalent JSON', () => {
  const bicep = `resource uami 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: 'id-app'
  location: 'westeurope'
}
`;
  const json = JSON.stringify({
    $schema: 'https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#',
    languageVersion: '2.0',
    contentVersion: '1.0.0.0',
    resources: { uami: { type: 'Microsoft.ManagedIdentity/userAssignedIdentities', apiVersion: '2023-01-31', name: 'id-app', location: 'westeurope' } },
  });
  const models = (text, fileName) => {
    const out = JSON.parse(raw.models(text, JSON.stringify({ fileName })));
    assert.ok(out.ok, JSON.stringify(out));
    return out.ok.map((e) => JSON.parse(e.model));
  };
  // Positions differ (Bicep lines, JSON lines) and so does the file name:
  // everything else the plugins read is the same.
  const strip = (v) => JSON.parse(JSON.stringify(v, (k, x) => (['template', 'files', 'file', 'line', 'column', 'endLine', 'endColumn', 'range', 'span'].includes(k) ? undefined : x)));
  const fromBicep = strip(models(bicep, 'main.bicep'));
  assert.equal(fromBicep.length, 1);
  assert.ok(JSON.stringify(fromBicep).includes('id-app'));
  assert.deepEqual(fromBicep, strip(models(json, 'main.json')));
});
