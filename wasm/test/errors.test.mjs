// Errors: a malformed template is reported, a bad policy throws, garbage
// never traps.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import * as idguard from '../src/node.js';

const EMPTY = JSON.stringify({
  $schema: 'https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#',
  contentVersion: '1.0.0.0',
  resources: [],
});

test('a malformed template comes back as a file error with line and column', () => {
  const text = '{\n  "$schema": "x",\n  "resources": [ { "type": }\n';
  const report = idguard.check(text, { fileName: 'broken.json' });
  const err = report.files[0].error;
  assert.ok(err, 'files[0].error is set');
  assert.equal(typeof err.message, 'string');
  assert.equal(err.line, 3, JSON.stringify(err));
  assert.ok(err.column > 1, JSON.stringify(err));
  assert.deepEqual(report.findings, []);
  assert.equal(report.summary.invalidFiles, 1);
});

test('a policy that is not an object throws an IdguardError naming the pointer', () => {
  assert.throws(
    () => idguard.check(EMPTY, { policy: 42 }),
    (e) => e instanceof idguard.IdguardError && e instanceof Error && e.kind === 'policy' && /^invalid policy: \(policy\)/.test(e.message) && e.problems[0].pointer === '',
  );
});

test('an invalid rule level throws with its pointer, line and column', () => {
  const text = '{\n  "rules": {\n    "MI101": "loud"\n  }\n}\n';
  assert.throws(
    () => idguard.check(EMPTY, { policy: text }),
    (e) => e.kind === 'policy' && e.message.includes('/rules/MI101') && /line 3/.test(e.message) && e.problems.some((p) => p.pointer === '/rules/MI101' && p.line === 3),
  );
  const v = idguard.validatePolicy({ rules: { MI101: 'loud' } });
  assert.equal(v.valid, false);
  assert.ok(v.problems.some((p) => p.pointer === '/rules/MI101' && p.line === undefined), JSON.stringify(v));
});

test('bad options throw TypeErrors or options errors, not traps', () => {
  assert.throws(() => idguard.check(42), TypeError);
  assert.throws(() => idguard.check(EMPTY, 'x'), TypeError);
  assert.throws(() => idguard.check(EMPTY, { parameters: 'x' }), TypeError);
  assert.throws(() => idguard.check(EMPTY, { parameters: { a: 1 } }), (e) => e.kind === 'options');
  assert.throws(() => idguard.check(EMPTY, { files: { a: {} } }), (e) => e.kind === 'options');
});

function* garbage() {
  yield '';
  yield '\uFEFF';
  yield 'null';
  yield '[]';
  yield '"\\ud800"';
  yield '\u0000\u0001\uFFFF';
  yield '['.repeat(200000);
  yield '{"a":'.repeat(100000);
  yield '{"resources": [{"type": 1, "properties": {"principalId": [[[]]]}}]}';
  yield '{"$schema": "deploymentTemplate.json", "resources": {"x": {"type": "[concat("}}}';
  yield '{"$schema": "deploymentTemplate.json", "variables": {"a": "[variables(\'a\')]"}, "resources": [{"name": "[variables(\'a\')]"}]}';
  yield '{"$schema": "deploymentTemplate.json", "resources": [{"copy": {"name": "c", "count": 100000000}, "type": "Microsoft.Authorization/roleAssignments", "name": "[guid(copyIndex())]"}]}';
  let seed = 0x9e3779b9;
  const alphabet = '{}[]":,.0123456789-eE tfnul\\/*\n()\'[parameters(variables(concat(resourceId(reference(';
  for (let i = 0; i < 300; i++) {
    let s = '';
    const len = seed % 400;
    for (let j = 0; j < len; j++) {
      seed = (seed * 1103515245 + 12345) >>> 0;
      s += alphabet[seed % alphabet.length];
    }
    yield s;
  }
}

test('garbage templates, parameters, policies and codes never trap', () => {
  let n = 0;
  for (const g of garbage()) {
    n++;
    const report = idguard.check(g, { parameters: { 'p.json': g }, files: { 'x.json': g } });
    assert.equal(report.version, 1);
    const drawn = idguard.graph(g, { parameters: { 'p.json': g }, files: { 'x.json': g } });
    assert.equal(drawn.report.version, 1);
    assert.ok(drawn.svg.startsWith('<svg ') && drawn.mermaid.startsWith('flowchart LR'));
    try {
      idguard.check(EMPTY, { policy: g });
    } catch (e) {
      assert.ok(e instanceof idguard.IdguardError && e.kind === 'policy', `${e}`);
    }
    const v = idguard.validatePolicy(g);
    assert.equal(typeof v.valid, 'boolean');
    try {
      idguard.explain(g);
    } catch (e) {
      assert.equal(e.kind, 'unknownRule');
    }
  }
  assert.ok(n > 300);
  // The instance still works after all that.
  assert.equal(idguard.check(EMPTY).files[0].error, null);
});
