// Figures for docs/wasm.md: the .wasm size (raw, gzip), the time to load
// and instantiate it in Node, and check time per template (smallest,
// median and largest of ../shared/corpus) next to native: the same
// bridge::check compiled for the host (crates/idguard-wasm/examples/
// native_bench.rs), so both sides run identical code.
//
//   node wasm/bench/bench.mjs [--runs N] [--no-native]     (npm run bench)
import { spawnSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { gzipSync } from 'node:zlib';

import { CORPUS, REPO, jsonFiles } from '../test/helpers.mjs';

const args = process.argv.slice(2);
const runsArg = args.indexOf('--runs');
const RUNS = runsArg >= 0 ? Number(args[runsArg + 1]) : 15;
const NATIVE = !args.includes('--no-native');
const WASM = join(REPO, 'wasm', 'pkg', 'idguard_wasm_bg.wasm');

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const fmt = (ms) => (ms < 1 ? ms.toFixed(3) : ms < 100 ? ms.toFixed(2) : ms.toFixed(0));

// 1. Size.
const bytes = readFileSync(WASM);
const gz = gzipSync(bytes, { level: 9 }).length;
console.log(`wasm size: ${(bytes.length / 1024).toFixed(0)} KiB raw, ${(gz / 1024).toFixed(0)} KiB gzipped`);

// 2. Instantiation in a fresh Node process (compile + instantiate), and the
//    whole import of the package entry.
const probe = `
const t0 = performance.now();
const { readFileSync } = await import('node:fs');
const bytes = readFileSync(${JSON.stringify(WASM)});
const t1 = performance.now();
const raw = await import(${JSON.stringify(join(REPO, 'wasm', 'pkg', 'idguard_wasm.js'))});
raw.initSync({ module: bytes });
const t2 = performance.now();
raw.version();
console.log(JSON.stringify({ instantiate: t2 - t1 }));
`;
const inst = [];
const imports = [];
for (let i = 0; i < 7; i++) {
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', probe], { encoding: 'utf8' });
  inst.push(JSON.parse(r.stdout).instantiate);
  const r2 = spawnSync(process.execPath, ['--input-type=module', '-e', `const t=performance.now(); await import(${JSON.stringify(join(REPO, 'wasm', 'src', 'node.js'))}); console.log(performance.now()-t)`], { encoding: 'utf8' });
  imports.push(Number(r2.stdout));
}
console.log(`instantiate (Node ${process.version}): ${fmt(median(inst))} ms (compile + instantiate); import of the package entry: ${fmt(median(imports))} ms`);

// 3. Check time.
const idguard = await import('../src/node.js');
const templates = jsonFiles(CORPUS)
  .filter((p) => idguard.fileKind(p, readFileSync(p, 'utf8')) === 'template')
  .map((p) => ({ path: p, size: statSync(p).size }))
  .sort((a, b) => a.size - b.size);
if (templates.length === 0) {
  console.log(`no corpus at ${CORPUS}: no check times`);
  process.exit(0);
}
const picks = [
  ['smallest', templates[0]],
  ['median', templates[Math.floor(templates.length / 2)]],
  ['largest', templates[templates.length - 1]],
];

function timeWasm(path) {
  const text = readFileSync(path, 'utf8');
  const opts = { fileName: path, today: '2026-01-01' };
  idguard.check(text, opts);
  const times = [];
  for (let i = 0; i < RUNS; i++) {
    const t = performance.now();
    idguard.check(text, opts);
    times.push(performance.now() - t);
  }
  return median(times);
}

let native = {};
if (NATIVE) {
  const r = spawnSync('cargo', ['run', '--quiet', '--release', '-p', 'idguard-wasm', '--example', 'native_bench', '--', '--runs', String(RUNS), ...picks.map(([, p]) => p.path)], {
    cwd: REPO,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  if (r.status === 0) {
    for (const line of r.stdout.trim().split('\n')) {
      const j = JSON.parse(line);
      native[j.file] = j.medianMs;
    }
  } else {
    console.log('native bench failed; wasm figures only');
  }
}

// Whole corpus, wasm.
let total = 0;
const t0 = performance.now();
for (const { path } of templates) {
  idguard.check(readFileSync(path, 'utf8'), { fileName: path, today: '2026-01-01' });
}
total = performance.now() - t0;

console.log(`\n| template | size | wasm (Node) | native | wasm / native |`);
console.log(`|---|---:|---:|---:|---:|`);
for (const [label, { path, size }] of picks) {
  const w = timeWasm(path);
  const n = native[path];
  const name = relative(CORPUS, path);
  console.log(`| ${label}: \`${name}\` | ${(size / 1024).toFixed(1)} KiB | ${fmt(w)} ms | ${n === undefined ? '–' : `${fmt(n)} ms`} | ${n ? `${(w / n).toFixed(2)}×` : '–'} |`);
}
console.log(`\nwhole corpus in wasm (${templates.length} templates, one thread, reading included): ${(total / 1000).toFixed(1)} s`);
