// Shared by the JS tests: paths, the package under test, and file discovery.
import { execFileSync, spawnSync } from 'node:child_process';
import { appendFileSync, existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const WASM_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const REPO = resolve(WASM_DIR, '..');
// IDGUARD_CORPUS overrides the location of the shared corpus.
export const CORPUS = process.env.IDGUARD_CORPUS ? resolve(process.env.IDGUARD_CORPUS) : resolve(REPO, '..', 'shared', 'corpus');
export const FIXTURES = join(REPO, 'tests', 'fixtures');
export const TEST_OUTPUT = join(REPO, 'test-output');

/**
 * The codes of the built-in rules, in order: the pages `docs/rules/<CODE>.md`,
 * which are generated from the list of rules (a Rust test,
 * `crates/idguard-core/tests/generated.rs`, keeps them current), so no
 * test here counts the rules itself.
 */
export const RULE_CODES = readdirSync(join(REPO, 'docs', 'rules'))
  .filter((f) => f.endsWith('.md') && f !== 'README.md')
  .map((f) => f.slice(0, -'.md'.length))
  .sort();

/** True when running in CI (`CI` set to anything but empty, `0` or `false`). */
export const IN_CI = !!process.env.CI && !['0', 'false'].includes(process.env.CI.toLowerCase());

/**
 * Skips test `t` because something it needs is absent, saying why — or, in
 * CI, fails it: CI must never mistake a skip for a pass. The reason is also
 * appended to `IDGUARD_SKIP_LOG` (set by scripts/test.sh), so the test
 * command's last lines list every skip.
 */
export function skipOrFail(t, what, reason) {
  noteSkip(what, reason);
  return t.skip(reason);
}

/**
 * Records that part of a test did not run because `what` is absent (the
 * test goes on with the rest); in CI, throws instead.
 */
export function noteSkip(what, reason) {
  const line = `${what}: ${reason}`;
  if (IN_CI) throw new Error(`required in CI (CI=${process.env.CI}), but ${line}`);
  if (process.env.IDGUARD_SKIP_LOG) appendFileSync(process.env.IDGUARD_SKIP_LOG, `node  ${line}\n`);
}

/** Every file under `dir` ending in `.json` (sorted), or [] when absent. */
export function jsonFiles(dir) {
  if (!existsSync(dir)) return [];
  const out = [];
  const walk = (d) => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      const st = statSync(p);
      if (st.isDirectory()) {
        if (name !== 'node_modules' && !name.startsWith('.')) walk(p);
      } else if (name.endsWith('.json') && !name.endsWith('.findings.json')) {
        out.push(p);
      }
    }
  };
  walk(dir);
  return out;
}

export function readText(path) {
  return readFileSync(path, 'utf8');
}

/**
 * The CLI (IDGUARD_BIN, else CARGO_TARGET_DIR's debug build) and the two
 * example plugins (policies/plugins/*, built for wasm32 under
 * CARGO_TARGET_DIR/plugins), built when missing. Returns
 * `{exe, wasmDir, wasm(name)}` (`wasm('required-cost-center')` → bytes).
 */
export function pluginTools() {
  const target = resolve(REPO, process.env.CARGO_TARGET_DIR || 'target');
  const exe = process.env.IDGUARD_BIN || join(target, 'debug', process.platform === 'win32' ? 'idguard.exe' : 'idguard');
  const wasmDir = join(target, 'plugins', 'wasm32-unknown-unknown', 'release');
  if (!existsSync(exe)) {
    execFileSync('cargo', ['build', '-p', 'idguard-cli'], { cwd: REPO, stdio: 'inherit' });
  }
  for (const name of EXAMPLE_PLUGINS) {
    if (!existsSync(join(wasmDir, `${name.replaceAll('-', '_')}.wasm`))) {
      execFileSync(
        'cargo',
        ['build', '--release', '--locked', '--target', 'wasm32-unknown-unknown',
          '--manifest-path', join(REPO, 'policies/plugins', name, 'Cargo.toml'),
          '--target-dir', join(target, 'plugins')],
        { cwd: REPO, stdio: 'inherit' },
      );
    }
  }
  const wasmPath = (name) => join(wasmDir, `${name.replaceAll('-', '_')}.wasm`);
  return { exe, wasmDir, wasmPath, wasm: (name) => new Uint8Array(readFileSync(wasmPath(name))) };
}

/** The example plugins of policies/plugins/. */
export const EXAMPLE_PLUGINS = ['required-cost-center', 'prod-scope-token'];

/** Debian's Chromium, which the browser tests drive with playwright-core. */
export const CHROMIUM = '/usr/bin/chromium';

/**
 * Makes sure Chromium is installed (with apt-get when running as root);
 * returns `null`, or why the browser tests must be skipped.
 */
export function ensureChromium() {
  if (existsSync(CHROMIUM)) return null;
  if (process.getuid?.() !== 0) return `${CHROMIUM} is missing and the test is not root: install Debian's chromium package to run it`;
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  for (const args of [['update'], ['install', '-y', '--no-install-recommends', 'chromium']]) {
    const r = spawnSync('apt-get', args, { stdio: ['ignore', 'ignore', 'inherit'], env });
    if (r.status !== 0) return `apt-get ${args.join(' ')} failed (status ${r.status})`;
  }
  return existsSync(CHROMIUM) ? null : `apt-get installed chromium but ${CHROMIUM} is still missing`;
}

/** Headless Chromium with the flags the project's browser tests use. */
export async function launchChromium() {
  const { chromium } = await import('playwright-core');
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
}
