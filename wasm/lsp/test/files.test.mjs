// Reading files as the CLI does (lsp/files.js): decoding, and the kind of
// a file on disk from its first 64 KiB, through the package's fileKind.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decode, kindCache } from '../files.js';

const T = 'https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#';
const P = 'https://schema.management.azure.com/schemas/2019-04-01/deploymentParameters.json#';

test('decodes UTF-8 with a BOM and UTF-16 with a BOM', () => {
  const s = `{"$schema": "${T}", "name": "é"}`;
  assert.equal(decode(Buffer.from(`\ufeff${s}`, 'utf8')), s);
  assert.equal(decode(Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(s, 'utf16le')])), s);
  const be = Buffer.from(s, 'utf16le').swap16();
  assert.equal(decode(Buffer.concat([Buffer.from([0xfe, 0xff]), be])), s);
});

test('the kind of a file on disk, from its head, cached until it changes', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'idguard-lsp-files-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 'a.json');
  const cases = [
    [`{"$schema": "${T}", "resources": []}`, 'template'],
    [Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(`{"$schema": "${P}", "parameters": {}}`, 'utf16le')]), 'parameters'],
    // Cut at 64 KiB: the schema after a long value is still found.
    [`{"metadata": {"blob": "${'x'.repeat(30_000)}"}, "$schema": "${T}", "more": "${'y'.repeat(100_000)}"}`, 'template'],
    // Broken JSON is still a template (an error to report, not a skip).
    [`<<<<<<< HEAD\n{"$schema": "${T}"}`, 'template'],
    ['{"$schema": "http://json-schema.org/draft-07/schema#"}', 'other'],
  ];
  for (const [content, want] of cases) {
    writeFileSync(path, content);
    kindCache.invalidate(path);
    assert.equal(kindCache.get(path), want, String(content).slice(0, 60));
  }
  assert.equal(kindCache.get(join(dir, 'missing.json')), null);
});
