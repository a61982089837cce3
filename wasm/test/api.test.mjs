// The package's API over the built wasm (Node entry).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { join } from 'node:path';

import * as idguard from '../src/node.js';
import { SAMPLE_TEMPLATE } from '../playground/sample.js';
import { RULE_CODES, WASM_DIR } from './helpers.mjs';

const EMPTY = JSON.stringify({
  $schema: 'https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#',
  contentVersion: '1.0.0.0',
  resources: [],
});

test('version matches the package and the crate', () => {
  const pkg = JSON.parse(readFileSync(join(WASM_DIR, 'package.json'), 'utf8'));
  assert.equal(idguard.version(), pkg.version);
});

test('check returns the report shape of the CLI', () => {
  const report = idguard.check(EMPTY, { fileName: 'infra/main.json' });
  assert.equal(report.version, 1);
  assert.deepEqual(report.files, [{ path: 'infra/main.json', kind: 'template', error: null }]);
  assert.deepEqual(report.findings, []);
  assert.equal(report.summary.templates, 1);
  assert.equal(report.summary.invalidFiles, 0);
});

test('check names the template template.json by default', () => {
  assert.equal(idguard.check(EMPTY).files[0].path, 'template.json');
});

test('parameter files are evaluated and named by their keys', () => {
  const params = JSON.stringify({
    $schema: 'https://schema.management.azure.com/schemas/2019-04-01/deploymentParameters.json#',
    contentVersion: '1.0.0.0',
    parameters: {},
  });
  const report = idguard.check(EMPTY, {
    fileName: 'main.json',
    parameters: { 'main.dev.parameters.json': params, 'main.prod.parameters.json': params },
  });
  const main = report.files.find((f) => f.kind === 'template');
  assert.deepEqual(main.parameterFiles, ['main.dev.parameters.json', 'main.prod.parameters.json']);
  assert.equal(report.files.filter((f) => f.kind === 'parameters').length, 2);
});

test('the sample template gets MI101 (subscription-wide Contributor)', () => {
  const report = idguard.check(SAMPLE_TEMPLATE, { fileName: 'sample.json' });
  assert.equal(report.files[0].error, null, JSON.stringify(report.files[0].error));
  const mi101 = report.findings.find((f) => f.code === 'MI101');
  assert.ok(mi101, `no MI101 in ${JSON.stringify(report.findings.map((f) => f.code))}`);
  assert.equal(mi101.severity, 'error');
  assert.equal(mi101.file, 'sample.json');
  const line = SAMPLE_TEMPLATE.split('\n')[mi101.range.start.line - 1];
  assert.match(line, /roleDefinitionId|b24988ac/);
  assert.ok(mi101.help.length > 10);
  assert.match(mi101.fingerprint, /^[0-9a-f]{16}$/);
});

test('rules lists the catalog with docs', () => {
  const rules = idguard.rules();
  const codes = rules.map((r) => r.code);
  assert.deepEqual(codes, RULE_CODES, 'every rule of the list, in code order');
  for (const r of rules) {
    assert.match(r.code, /^MI\d{3}$/);
    assert.match(r.name, /^[a-z-]+$/);
    assert.ok(['off', 'info', 'warning', 'error'].includes(r.defaultLevel));
    assert.ok(r.summary.length > 10);
    assert.match(r.docs, /## Why/);
    assert.match(r.docUrl, new RegExp(`${r.code}\\.md$`));
  }
});

test('explain returns markdown by code or name, and throws for unknown codes', () => {
  const md = idguard.explain('MI101');
  assert.match(md, /^# MI101 no-broad-privileged-role/);
  assert.equal(idguard.explain('no-broad-privileged-role'), md);
  assert.throws(() => idguard.explain('MI999'), (e) => e instanceof Error && e.kind === 'unknownRule' && /MI999/.test(e.message));
});

test('validatePolicy accepts the empty policy and rejects a non-object', () => {
  assert.deepEqual(idguard.validatePolicy({}), { valid: true, problems: [] });
  assert.deepEqual(idguard.validatePolicy('{}'), { valid: true, problems: [] });
  const bad = idguard.validatePolicy([1, 2]);
  assert.equal(bad.valid, false);
  assert.equal(bad.problems[0].pointer, '');
});

test('today defaults to the local date', () => {
  assert.match(idguard.todayString(), /^\d{4}-\d{2}-\d{2}$/);
  assert.equal(idguard.todayString(new Date(2026, 0, 5)), '2026-01-05');
});

test('init resolves at once in Node', async () => {
  await idguard.init();
  assert.equal(typeof idguard.check(EMPTY), 'object');
});

test('project: kinds, parameter files and linked templates as the CLI decides them', () => {
  const T = 'https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#';
  const P = 'https://schema.management.azure.com/schemas/2019-04-01/deploymentParameters.json#';
  const linking = (rel) =>
    JSON.stringify({
      $schema: T,
      contentVersion: '1.0.0.0',
      resources: [{ type: 'Microsoft.Resources/deployments', apiVersion: '2022-09-01', name: 'd', properties: { mode: 'Incremental', templateLink: { relativePath: rel } } }],
    });
  const main = linking('nested/a.json');
  const a = linking('b.json');
  const b = EMPTY;
  const params = JSON.stringify({ $schema: P, parameters: {} });
  const files = [
    { path: 'infra/main.json', text: main },
    { path: 'infra/main.prod.parameters.json', text: params },
    { path: 'infra/parameters.json', kind: 'parameters' },
    { path: 'infra/other.json', kind: 'other' },
  ];
  let plan = idguard.project({ files });
  assert.deepEqual(plan.files.map((f) => f.kind), ['template', 'parameters', 'parameters', 'other']);
  assert.deepEqual(plan.templates, [
    {
      path: 'infra/main.json',
      // The generic name goes to the only template of the directory.
      parameterFiles: ['infra/main.prod.parameters.json', 'infra/parameters.json'],
      links: [{ relativePath: 'nested/a.json', path: 'infra/nested/a.json', given: false }],
    },
  ]);
  // A host reads what is missing and asks again: the links go on from the
  // linked file's own directory.
  plan = idguard.project({ files: [...files, { path: 'infra/nested/a.json', text: a }, { path: 'infra/nested/b.json', text: b }] });
  const links = plan.templates.find((t) => t.path === 'infra/main.json').links;
  assert.deepEqual(links.map((l) => [l.relativePath, l.given]).sort(), [['nested/a.json', true], ['nested/b.json', true]]);
  const report = idguard.check(main, { fileName: 'infra/main.json', files: { 'nested/a.json': a, 'nested/b.json': b } });
  assert.deepEqual(report.files.map((f) => f.error), [null]);

  assert.equal(idguard.fileKind('x.json', params), 'parameters');
  assert.equal(idguard.fileKind('x.json', `x{"$schema": "${T}"`), 'template', 'a broken template is a template');
  assert.equal(idguard.fileKind('x.json', '{}'), 'other');
  assert.throws(() => idguard.project({ files: [{ path: 'a.json' }] }), (e) => e.kind === 'options' && /a\.json: give the file's text or its kind/.test(e.message));
  assert.throws(() => idguard.project({ files: [{ path: 'a.json', kind: 'module' }] }), TypeError);
  assert.throws(() => idguard.project({}), TypeError);
  assert.throws(() => idguard.fileKind('a.json'), TypeError);
});

test('graph returns the report, the graphs and their SVG and Mermaid drawings', () => {
  const r = idguard.graph(SAMPLE_TEMPLATE, { fileName: 'sample.json' });
  assert.deepEqual(
    r.report.findings.map((f) => f.fingerprint),
    idguard.check(SAMPLE_TEMPLATE, { fileName: 'sample.json' }).findings.map((f) => f.fingerprint),
    'the same findings as check',
  );
  assert.equal(r.graphs.length, 1);
  const g = r.graphs[0];
  const identity = g.nodes.find((n) => n.kind === 'userIdentity');
  assert.ok(identity, JSON.stringify(g.nodes));
  const role = g.edges.find((e) => e.kind === 'hasRoleAt' && e.from === identity.id);
  assert.equal(role.label, 'Contributor');
  assert.ok(role.findings.some((m) => m.code === 'MI101'), JSON.stringify(role));
  assert.match(r.svg, /^<svg /);
  for (const n of g.nodes) assert.ok(r.svg.includes(`data-id="${n.id}"`), `node ${n.label} drawn`);
  assert.match(r.mermaid, /^flowchart LR\n/);
  // A template that does not parse: no graph, the error in the report.
  const bad = idguard.graph('{', { fileName: 'bad.json' });
  assert.equal(bad.graphs.length, 0);
  assert.ok(bad.report.files[0].error);
});
