// The npm package's `idguard` command against the native CLI: the same
// arguments, in the same directory, must give the same output (byte for
// byte, the run's duration aside) and the same exit code — over the
// fixtures, examples/ and, when present, the whole shared corpus. And the
// packed package installs and runs as `npx idguard check`.
//
// IDGUARD_BIN names a prebuilt native CLI; otherwise it is built with
// `cargo build --release -p idguard-cli` (as parity.test.mjs does, so one
// build serves both).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { test } from 'node:test';

import { CORPUS, FIXTURES, REPO, WASM_DIR, skipOrFail } from './helpers.mjs';

const NPM_BIN = join(WASM_DIR, 'bin', 'idguard.js');

let native;
function nativeBinary() {
  if (native) return native;
  if (process.env.IDGUARD_BIN) return (native = process.env.IDGUARD_BIN);
  const build = spawnSync('cargo', ['build', '--release', '-p', 'idguard-cli'], { cwd: REPO, stdio: ['ignore', 'inherit', 'inherit'] });
  assert.equal(build.status, 0, 'cargo build --release -p idguard-cli failed');
  const targetDir = resolve(REPO, process.env.CARGO_TARGET_DIR ?? 'target');
  return (native = join(targetDir, 'release', 'idguard'));
}

// Neither side may colour, discover a user's global gitignore or read a
// Bicep cache that differs between them.
const ENV = { ...process.env, NO_COLOR: '1', CLICOLOR_FORCE: '', XDG_CONFIG_HOME: join(tmpdir(), 'idguard-cli-test-no-config') };

function run(cmd, args, cwd) {
  const [file, argv] = cmd === 'npm' ? [process.execPath, [NPM_BIN, ...args]] : [nativeBinary(), args];
  const r = spawnSync(file, argv, { cwd, env: ENV, encoding: 'utf8', maxBuffer: 2 ** 31 - 1 });
  if (r.error) throw r.error;
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** The duration of a run is the one thing that may differ. */
const timeless = (s) => s.replace(/ in \d+\.\d\ds: /g, ' in X.XXs: ').replace(/time="\d+\.\d+"/g, 'time="X"');

/** Runs both with `args` in `cwd`; their outputs and exit codes must be identical. */
function same(args, cwd = REPO, { stderr = false } = {}) {
  const a = run('native', args, cwd);
  const b = run('npm', args, cwd);
  const shown = args.join(' ');
  assert.equal(b.status, a.status, `exit code of \`idguard ${shown}\` (npm stderr: ${b.stderr.slice(0, 2000)})`);
  if (timeless(b.stdout) !== timeless(a.stdout)) {
    // Show where they part.
    const la = timeless(a.stdout).split('\n');
    const lb = timeless(b.stdout).split('\n');
    const i = la.findIndex((l, k) => l !== lb[k]);
    assert.fail(`stdout of \`idguard ${shown}\` differs at line ${i + 1}:\nnative: ${la[i]}\nnpm:    ${lb[i]}`);
  }
  if (stderr) assert.equal(b.stderr, a.stderr, `stderr of \`idguard ${shown}\``);
  return a;
}

test('the same JSON report and exit code as the native CLI: fixtures and examples', { timeout: 30 * 60 * 1000 }, () => {
  for (const dir of ['tests/fixtures', 'examples']) {
    assert.ok(existsSync(join(REPO, dir)), `${dir} is part of the repository`);
    same(['check', '--format', 'json', dir]);
    same(['check', '--format', 'json', '--fail-on', 'never', dir]);
  }
});

test('the same text, SARIF, JUnit and GitHub output on examples and some fixtures', { timeout: 30 * 60 * 1000 }, () => {
  const targets = ['examples', 'tests/fixtures/rules', 'tests/fixtures/cli'];
  for (const target of targets) {
    for (const format of ['text', 'sarif', 'junit', 'github']) same(['check', '--format', format, '--fail-on', 'warning', target]);
  }
  // Named files (companions pair), several outputs, --quiet.
  const dir = mkdtempSync(join(tmpdir(), 'idguard-cli-out-'));
  try {
    for (const side of ['native', 'npm']) {
      const out = join(dir, side);
      mkdirSync(out);
      const r = run(side, ['check', '--quiet', '-o', join(out, 'r.sarif'), '-o', join(out, 'r.xml'), '-o', join(out, 'r.json'), 'examples'], REPO);
      assert.equal(r.stdout, '', `${side}: --quiet with --output prints nothing`);
    }
    for (const f of ['r.sarif', 'r.xml', 'r.json']) {
      assert.equal(timeless(readFileSync(join(dir, 'npm', f), 'utf8')), timeless(readFileSync(join(dir, 'native', f), 'utf8')), f);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the same walking: hidden directories, .gitignore, compiled JSON beside Bicep, refused links and symlinks', { timeout: 10 * 60 * 1000 }, () => {
  const root = mkdtempSync(join(tmpdir(), 'idguard-cli-walk-'));
  try {
    const template = (extra = '') =>
      `{"$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#", "contentVersion": "1.0.0.0", "resources": [${extra}]}\n`;
    const assignment = `{"type": "Microsoft.Authorization/roleAssignments", "apiVersion": "2022-04-01", "name": "x", "properties": {"roleDefinitionId": "[subscriptionResourceId('Microsoft.Authorization/roleDefinitions', '8e3af657-a8ff-443c-a75c-2fe8c4bcb635')]", "principalId": "abc"}}`;
    const w = (rel, text) => {
      mkdirSync(join(root, rel, '..'), { recursive: true });
      writeFileSync(join(root, rel), text);
    };
    w('repo/infra/main.json', template(assignment));
    w('repo/infra/main.parameters.json', '{"$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentParameters.json#", "parameters": {}}\n');
    w('repo/infra/orphan.parameters.json', '{ broken');
    w('repo/.hidden/skip.json', template(assignment));
    w('repo/ignored/skip.json', template(assignment));
    w('repo/.gitignore', 'ignored/\n*.tmp.json\n');
    w('repo/a.tmp.json', template(assignment));
    w('repo/other.json', '{"name": "not a template"}\n');
    w('repo/bicep/main.bicep', "param p string\nresource r 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {\n  name: p\n  location: 'westeurope'\n}\n");
    w('repo/bicep/main.json', '{"$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#", "metadata": {"_generator": {"name": "bicep"}}, "resources": []}\n');
    w('repo/links/parent.json', template(`{"type": "Microsoft.Resources/deployments", "apiVersion": "2022-09-01", "name": "n", "properties": {"mode": "Incremental", "templateLink": {"relativePath": "../../outside.json"}}}`));
    w('outside.json', template(assignment));
    w('repo/broken.json', '{"$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#", "resources": [}\n');
    symlinkSync(join(root, 'outside.json'), join(root, 'repo', 'escape.json'));
    const cwd = join(root, 'repo');
    for (const format of ['json', 'text']) same(['check', '--format', format, '.'], cwd);
    same(['check', '--format', 'json', 'infra/main.json'], cwd);
    same(['check', '--format', 'json', '--parameters', 'infra/main.parameters.json', 'infra/main.json'], cwd);
    same(['check', '--format', 'json', '--exclude', 'links', '.'], cwd);
    // Errors: the same message and exit code 2.
    same(['check', 'nope/'], cwd, { stderr: true });
    same(['check', '--policy', 'other.json', '.'], cwd);
    same(['check', '--format', 'json', '--format', 'sarif', '.'], cwd, { stderr: true });
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('usage errors exit 2 with a message; --help and --version', () => {
  for (const args of [['check', '--no-such-flag'], ['check', '--format', 'yaml'], ['check', '--fail-on'], ['frobnicate']]) {
    const r = run('npm', args, REPO);
    assert.equal(r.status, 2, `idguard ${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, /^error: /, r.stderr);
    assert.equal(r.stdout, '');
  }
  const help = run('npm', ['check', '--help'], REPO);
  assert.equal(help.status, 0);
  assert.match(help.stdout, /--fail-on/);
  const v = run('npm', ['--version'], REPO);
  assert.equal(v.status, 0);
  const nv = run('native', ['--version'], REPO);
  assert.equal(v.stdout, nv.stdout);
});

test('the same JSON report and exit code over the whole corpus', { timeout: 60 * 60 * 1000 }, (t) => {
  if (!existsSync(CORPUS)) return skipOrFail(t, 'npm CLI corpus parity', `no corpus at ${CORPUS}`);
  const a = same(['check', '--format', 'json', CORPUS]);
  const report = JSON.parse(a.stdout);
  t.diagnostic(`${report.summary.templates} templates, ${report.findings.length} findings identical`);
});

test('npm pack -w wasm installs and runs as `npx idguard check`', { timeout: 180_000 }, (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'idguard-pack-cli-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const pack = spawnSync('npm', ['pack', '-w', 'wasm', '--json', '--pack-destination', dir], { cwd: REPO, encoding: 'utf8' });
  assert.equal(pack.status, 0, pack.stderr);
  const [info] = JSON.parse(pack.stdout);
  assert.ok(info.files.some((f) => f.path === 'bin/idguard.js'), 'bin/idguard.js is in the tarball');
  const app = join(dir, 'app');
  mkdirSync(app);
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'app', private: true, type: 'module' }));
  // As package.test.mjs installs it (see there why not --offline).
  const install = spawnSync('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', join(dir, info.filename)], { cwd: app, encoding: 'utf8' });
  assert.equal(install.status, 0, install.stderr);
  const fixture = join(REPO, 'examples');
  const r = spawnSync('npx', ['--offline', 'idguard', 'check', '--format', 'json', fixture], { cwd: app, encoding: 'utf8', env: ENV });
  const n = run('native', ['check', '--format', 'json', fixture], app);
  assert.equal(r.status, n.status, r.stderr);
  assert.equal(r.stdout, n.stdout);
  const v = spawnSync('npx', ['--offline', 'idguard', '--version'], { cwd: app, encoding: 'utf8' });
  assert.equal(v.status, 0, v.stderr);
  assert.match(v.stdout, /^idguard \d+\.\d+\.\d+/);
});
