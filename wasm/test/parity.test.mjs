// Parity: the wasm package finds exactly what the native CLI finds, over
// every template of ../shared/corpus and tests/fixtures.
//
// The CLI runs once over the whole set (`idguard check --format json
// --fail-on never`). For every template of its report the wasm package
// then checks the same text with the same parameter files (as the CLI
// paired them) and the linked templates it can reach, and the findings
// (file, code, range, message, fingerprint, severity) and file errors must
// be identical. IDGUARD_BIN names a prebuilt CLI; otherwise it is built
// with `cargo build --release -p idguard-cli`.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { test } from 'node:test';

import * as idguard from '../src/node.js';
import { CORPUS, FIXTURES, REPO, jsonFiles, noteSkip, readText } from './helpers.mjs';

// The CLI reads the clock: use the same date.
const TODAY = idguard.todayString();

function cliBinary() {
  if (process.env.IDGUARD_BIN) return { bin: process.env.IDGUARD_BIN };
  const build = spawnSync('cargo', ['build', '--release', '-p', 'idguard-cli'], { cwd: REPO, stdio: ['ignore', 'inherit', 'inherit'] });
  if (build.status !== 0) return { error: 'cargo build --release -p idguard-cli failed' };
  const targetDir = resolve(REPO, process.env.CARGO_TARGET_DIR ?? 'target');
  return { bin: join(targetDir, 'release', 'idguard') };
}

/**
 * The linked templates the check of `templatePath` asks for, as the
 * package's `project` names them (relative to the template's directory,
 * transitively): read from disk until nothing readable is missing.
 */
function linkedFiles(templatePath, text) {
  const given = new Map();
  const tried = new Set();
  for (;;) {
    const files = [{ path: templatePath, text, kind: 'template' }, ...[...given].map(([path, t]) => ({ path, text: t }))];
    const links = idguard.project({ files }).templates[0].links;
    const missing = links.filter((l) => !l.given && l.path !== null && !tried.has(l.path));
    if (missing.length === 0) return Object.fromEntries(links.filter((l) => l.given).map((l) => [l.relativePath, given.get(l.path)]));
    for (const l of missing) {
      tried.add(l.path);
      if (existsSync(l.path)) given.set(l.path, readText(l.path));
    }
  }
}

const key = (f) =>
  JSON.stringify([resolve(REPO, f.file), f.code, f.severity, f.range, f.message, f.fingerprint, f.parametersFile ? resolve(REPO, f.parametersFile) : null, f.suppression ?? null]);
const fileKey = (f) => JSON.stringify([resolve(REPO, f.path), f.kind, f.error]);

test('the wasm package finds what the native CLI finds (corpus and fixtures)', { timeout: 60 * 60 * 1000 }, async (t) => {
  // Every JSON file of the corpus (the CLI tells templates from parameter
  // files and pairs them) and the fixtures directory (the CLI walks it).
  const inputs = [];
  const corpusFiles = jsonFiles(CORPUS);
  const corpusTemplates = corpusFiles.filter((p) => idguard.fileKind(p, readText(p)) === 'template').length;
  if (corpusFiles.length === 0) noteSkip('corpus parity', `no corpus at ${CORPUS}: checked tests/fixtures only`);
  inputs.push(...corpusFiles);
  assert.ok(existsSync(FIXTURES), `${relative(REPO, FIXTURES)} is part of the repository`);
  inputs.push(FIXTURES);

  const { bin, error } = cliBinary();
  if (error) assert.fail(error);
  // The same policy on both sides: the built-in default (an empty policy
  // extends it), named explicitly so no idguard.json found upward counts.
  const policyDir = mkdtempSync(join(tmpdir(), 'idguard-parity-'));
  t.after(() => rmSync(policyDir, { recursive: true, force: true }));
  const policyFile = join(policyDir, 'idguard.json');
  writeFileSync(policyFile, '{}\n');
  const run = spawnSync(bin, ['check', '--format', 'json', '--fail-on', 'never', '--policy', policyFile, ...inputs], {
    cwd: REPO,
    encoding: 'utf8',
    maxBuffer: 2 ** 31 - 1,
  });
  assert.ok(run.stdout, `the CLI printed nothing (status ${run.status}): ${run.stderr}`);
  const native = JSON.parse(run.stdout);

  const nativeTemplates = native.files.filter((f) => f.kind === 'template');
  // Both classify with the core's sniff_kind, but this test reads every
  // file as UTF-8 (the CLI also decodes UTF-16) and the CLI refuses some
  // files: allow a few differences, not a missing corpus.
  assert.ok(nativeTemplates.length >= corpusTemplates * 0.95, `the CLI found ${nativeTemplates.length} templates, expected about ${corpusTemplates}`);

  const wasmFindings = new Set();
  const wasmFiles = new Set();
  for (const f of nativeTemplates) {
    const path = resolve(REPO, f.path);
    const text = readText(path);
    const parameters = {};
    for (const p of f.parameterFiles ?? []) parameters[p] = readText(resolve(REPO, p));
    const report = idguard.check(text, { fileName: f.path, parameters, files: linkedFiles(path, text), today: TODAY, policy: {} });
    for (const x of report.findings) wasmFindings.add(key(x));
    for (const x of report.files) wasmFiles.add(fileKey(x));
  }
  const nativeFindings = new Set(native.findings.map(key));
  // Templates and the parameter files paired with one (a parameter file
  // without its template is the CLI's business alone).
  const paired = new Set(nativeTemplates.flatMap((f) => f.parameterFiles ?? []).map((p) => resolve(REPO, p)));
  const nativeFiles = new Set(native.files.filter((f) => f.kind === 'template' || paired.has(resolve(REPO, f.path))).map(fileKey));

  const missing = [...nativeFindings].filter((k) => !wasmFindings.has(k));
  const extra = [...wasmFindings].filter((k) => !nativeFindings.has(k));
  assert.deepEqual({ missing: missing.slice(0, 10), extra: extra.slice(0, 10) }, { missing: [], extra: [] }, `${missing.length} findings only native, ${extra.length} only wasm`);
  const filesMissing = [...nativeFiles].filter((k) => !wasmFiles.has(k));
  assert.deepEqual(filesMissing.slice(0, 10), [], 'file reports (parse errors) differ');
  t.diagnostic(`${nativeTemplates.length} templates, ${nativeFindings.size} findings identical`);
});
