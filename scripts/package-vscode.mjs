#!/usr/bin/env node
// Packages the VS Code extension (wasm/vscode) as an installable .vsix with
// @vscode/vsce, bundling the language server and the WebAssembly package.
//
//   node scripts/package-vscode.mjs [--out FILE.vsix]
//   (npm run package:vscode builds wasm/pkg first, then runs this)
//
// vsce packages a directory whose node_modules holds the production
// dependencies. The repository's node_modules is an npm workspace (the
// packages are hoisted to the root, @idguard/idguard is a link to wasm/),
// so this script lays out a staging directory as an installed extension
// would be:
//
//   extension.js, package.json, README.md, .vscodeignore, icon.png   (wasm/vscode)
//   LICENSE                          (the repository's)
//   node_modules/@idguard/idguard/   the files `npm pack` puts in the npm
//                                    package: lsp/*.js, src/*.js, pkg/*.wasm …
//   node_modules/…                   every package those two depend on,
//                                    copied from the root node_modules with
//                                    npm's nesting kept (vscode-languageclient 9
//                                    and vscode-languageserver 10 need two
//                                    versions of the protocol package)
//
// and checks that Node's resolution from each staged package finds the
// version the workspace resolves, before vsce lists them (`npm list
// --production`) and zips them. Nothing is fetched: what is bundled is
// what package-lock.json installed.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const EXT = join(ROOT, 'wasm', 'vscode');
const WASM = join(ROOT, 'wasm');
const NPM = process.platform === 'win32' ? 'npm.cmd' : 'npm';

function fail(message) {
  console.error(`package-vscode: error: ${message}`);
  process.exit(1);
}
const say = (message) => console.error(`package-vscode: ${message}`);

const readJson = (path) => JSON.parse(readFileSync(path, 'utf8'));

function parseArgs(argv) {
  const manifest = readJson(join(EXT, 'package.json'));
  let out = join(ROOT, 'dist', `${manifest.name}-${manifest.version}.vsix`);
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--out' && argv[i + 1]) out = resolve(argv[++i]);
    else if (argv[i] === '-h' || argv[i] === '--help') {
      console.log('usage: node scripts/package-vscode.mjs [--out FILE.vsix]');
      process.exit(0);
    } else fail(`unknown argument ${argv[i]}`);
  }
  return { manifest, out };
}

/** Node's lookup of package `name` from directory `from`: from/node_modules/name, then each parent's. */
function findPackage(name, from, stopAt) {
  let dir = from;
  for (;;) {
    const candidate = join(dir, 'node_modules', name);
    if (existsSync(join(candidate, 'package.json'))) return candidate;
    if (dir === stopAt || dirname(dir) === dir) return null;
    dir = dirname(dir);
  }
}

/** Where a package found at `path` (in the workspace) goes in the staging directory. */
function stagedPath(path, stage) {
  const real = realpathSync(path);
  if (real === WASM) return join(stage, 'node_modules', '@idguard', 'idguard');
  const places = [
    [join(ROOT, 'node_modules'), join(stage, 'node_modules')],
    [join(EXT, 'node_modules'), join(stage, 'node_modules')],
    [join(WASM, 'node_modules'), join(stage, 'node_modules', '@idguard', 'idguard', 'node_modules')],
  ];
  for (const [from, to] of places) {
    if (path.startsWith(from + sep)) return join(to, relative(from, path));
  }
  fail(`${path} is outside the workspace's node_modules`);
}

/**
 * The production dependency closure of the extension: [{ name, version,
 * source (directory in the workspace), staged (directory in the staging
 * directory), requires: [names] }].
 */
function dependencyClosure(manifest, stage) {
  const seen = new Map(); // source path → entry
  const queue = Object.keys(manifest.dependencies ?? {}).map((name) => ({ name, from: EXT }));
  while (queue.length) {
    const { name, from } = queue.shift();
    const found = findPackage(name, realpathSync(from), ROOT);
    if (!found) fail(`${name} (needed by ${relative(ROOT, from) || 'the root'}) is not installed: run npm ci at the repository root`);
    if (seen.has(found)) continue;
    const pkg = readJson(join(found, 'package.json'));
    const requires = Object.keys(pkg.dependencies ?? {});
    const entry = { name, version: pkg.version, source: found, staged: stagedPath(found, stage), requires };
    seen.set(found, entry);
    for (const dep of requires) queue.push({ name: dep, from: found });
    // Optional dependencies that are installed are used when present.
    for (const dep of Object.keys(pkg.optionalDependencies ?? {})) {
      if (findPackage(dep, realpathSync(found), ROOT)) queue.push({ name: dep, from: found });
    }
  }
  const byStaged = new Map();
  for (const entry of seen.values()) {
    const other = byStaged.get(entry.staged);
    if (other) fail(`${other.source} and ${entry.source} would both go to ${entry.staged}`);
    byStaged.set(entry.staged, entry);
  }
  return [...seen.values()];
}

/** The files npm puts in the @idguard/idguard package (its `files`, README, package.json). */
function npmPackageFiles() {
  const run = spawnSync(NPM, ['pack', '--dry-run', '--json', '--ignore-scripts', '-w', 'wasm'], {
    cwd: ROOT,
    encoding: 'utf8',
    shell: process.platform === 'win32',
  });
  if (run.status !== 0) fail(`npm pack --dry-run -w wasm failed: ${run.stderr}`);
  const [info] = JSON.parse(run.stdout);
  return info.files.map((f) => f.path);
}

function main() {
  const { manifest, out } = parseArgs(process.argv.slice(2));
  for (const file of ['pkg/idguard_wasm.js', 'pkg/idguard_wasm_bg.wasm']) {
    if (!existsSync(join(WASM, file))) fail(`wasm/${file} is missing: run npm run build first (or npm run package:vscode, which does)`);
  }
  if (!manifest.dependencies?.['@idguard/idguard']) fail('wasm/vscode/package.json must depend on @idguard/idguard (the bundled server)');
  const started = performance.now();
  const stage = mkdtempSync(join(tmpdir(), 'idguard-vsix-'));
  try {
    // The extension itself.
    for (const file of ['extension.js', 'README.md', '.vscodeignore', manifest.icon]) {
      cpSync(join(EXT, file), join(stage, file));
    }
    cpSync(join(ROOT, 'LICENSE'), join(stage, 'LICENSE'));
    const staged = { ...manifest };
    delete staged.private; // vsce packages it either way; it keeps npm from publishing the workspace
    delete staged.devDependencies;
    writeFileSync(join(stage, 'package.json'), `${JSON.stringify(staged, null, 2)}\n`);

    // Its dependencies.
    const closure = dependencyClosure(manifest, stage);
    const packageFiles = npmPackageFiles();
    for (const entry of closure) {
      mkdirSync(entry.staged, { recursive: true });
      if (realpathSync(entry.source) === WASM) {
        for (const file of packageFiles) {
          mkdirSync(dirname(join(entry.staged, file)), { recursive: true });
          cpSync(join(WASM, file), join(entry.staged, file));
        }
      } else {
        cpSync(entry.source, entry.staged, {
          recursive: true,
          dereference: true,
          filter: (src) => relative(entry.source, src).split(sep)[0] !== 'node_modules',
        });
      }
    }
    // Node, from each staged package, finds what the workspace found.
    for (const entry of closure) {
      for (const dep of entry.requires) {
        const want = closure.find((e) => e.source === findPackage(dep, realpathSync(entry.source), ROOT));
        const got = findPackage(dep, entry.staged, stage);
        if (!want || !got || resolve(got) !== resolve(want.staged)) {
          fail(`from the staged ${entry.name}, ${dep} resolves to ${got ?? 'nothing'} instead of ${want?.staged}`);
        }
      }
    }
    const server = join(stage, 'node_modules', '@idguard', 'idguard', 'lsp', 'server.js');
    if (!existsSync(server)) fail(`the staged package has no lsp/server.js (${server})`);
    say(`staged ${closure.length} packages`);

    // vsce: lists the production dependencies with npm and writes the vsix.
    mkdirSync(dirname(out), { recursive: true });
    rmSync(out, { force: true });
    const vsce = join(ROOT, 'node_modules', '@vscode', 'vsce', 'vsce');
    if (!existsSync(vsce)) fail('@vscode/vsce is not installed: run npm ci at the repository root');
    const run = spawnSync(process.execPath, [vsce, 'package', '--out', out], { cwd: stage, stdio: ['ignore', 'inherit', 'inherit'] });
    if (run.status !== 0) fail(`vsce package failed (exit ${run.status})`);
    const ms = Math.round(performance.now() - started);
    say(`${out}: ${statSync(out).size} bytes in ${ms} ms`);
    console.log(out);
  } finally {
    rmSync(stage, { recursive: true, force: true });
  }
}

main();
