// Bicep figures for docs/performance.md ("Bicep in wasm and the editor"):
//
// 1. The language server: didChange → publishDiagnostics (minus the
//    debounce) on the corpus's median-size main.bicep, copied into an
//    empty directory (the corpus is flattened: its directories hold
//    hundreds of unrelated files and the modules are not beside it), median
//    of N edits; check() alone on the same text for comparison.
// 2. wasm vs native on every corpus .bicep file: the same bridge::check,
//    in Node (the package) and natively (crates/idguard-wasm/examples/
//    native_bench.rs, built in release), per file medians summed, and the
//    smallest, median and largest file.
//
//   node wasm/bench/bicep.mjs [--runs N] [--native PATH_TO_native_bench]
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { spawnSync } from 'node:child_process';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { check } from '../src/node.js';
import { LspClient, uriOf } from '../lsp/test/client.mjs';

const argv = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : dflt;
};
const RUNS = Number(opt('--runs', 15));
const NATIVE = opt('--native', join(process.env.CARGO_TARGET_DIR ?? 'target', 'release', 'examples', 'native_bench'));
const CORPUS = fileURLToPath(new URL('../../../shared/corpus/', import.meta.url));
const DEBOUNCE_MS = 150;

function bicepFiles(dir, out = []) {
  const { readdirSync } = awaitFs;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) bicepFiles(p, out);
    else if (e.name.endsWith('.bicep')) out.push(p);
  }
  return out;
}
const awaitFs = await import('node:fs');
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const all = bicepFiles(CORPUS)
  .map((p) => ({ path: p, bytes: statSync(p).size }))
  .sort((a, b) => a.bytes - b.bytes);
if (all.length === 0) {
  console.log(`no corpus at ${CORPUS}`);
  process.exit(0);
}

// ---- 1. the language server on the median main.bicep
const mains = all.filter((f) => basename(f.path).endsWith('main.bicep')); // the corpus is flattened: dir__dir__main.bicep
const target = mains[Math.floor(mains.length / 2)];
const text = readFileSync(target.path, 'utf8').replace(/^\ufeff/, '');
const client = new LspClient({ settings: { debounceMs: DEBOUNCE_MS } });
const tmp = mkdtempSync(join(tmpdir(), 'idguard-bicep-bench-'));
const copy = join(tmp, 'main.bicep');
writeFileSync(copy, text);
let lsp;
try {
  await client.initialize({ rootUri: uriOf(tmp) });
  const uri = uriOf(copy);
  let version = 1;
  let pending = client.nextDiagnostics(uri, (e) => e.version === version, 120000);
  client.open(uri, text, version, 'bicep');
  const first = await pending;
  const latencies = [];
  for (let i = 0; i < RUNS; i++) {
    version++;
    const at = { line: 1, character: 0 };
    const change = i % 2 === 0 ? { range: { start: at, end: at }, text: ' ' } : { range: { start: at, end: { line: 1, character: 1 } }, text: '' };
    pending = client.nextDiagnostics(uri, (e) => e.version === version, 120000);
    const t0 = performance.now();
    client.edit(uri, [change], version);
    const event = await pending;
    latencies.push(event.at - t0 - DEBOUNCE_MS);
  }
  lsp = { file: target.path.slice(CORPUS.length), bytes: target.bytes, diagnostics: first.diagnostics.length, median: median(latencies), min: Math.min(...latencies), max: Math.max(...latencies) };
  await client.shutdown();
} finally {
  client.kill();
  rmSync(tmp, { recursive: true, force: true });
}
const alone = [];
for (let i = 0; i < RUNS; i++) {
  const t0 = performance.now();
  check(text, { fileName: 'main.bicep', plugins: false });
  alone.push(performance.now() - t0);
}
console.log(`language server, median-size main.bicep of ${mains.length}: ${lsp.file} (${(lsp.bytes / 1e3).toFixed(1)} kB, ${lsp.diagnostics} diagnostics): didChange → diagnostics ${lsp.median.toFixed(2)} ms median (${lsp.min.toFixed(2)}–${lsp.max.toFixed(2)}), ${RUNS} edits; check() alone ${median(alone).toFixed(2)} ms`);

// ---- 2. wasm vs native, every .bicep file
const wasmRuns = Math.max(3, Math.min(RUNS, 7));
const wasmMs = new Map();
// One pass over every file first, so that the JavaScript around the module
// is compiled by V8 and the module tiered up before anything is timed (the
// native side has nothing to warm but its caches, which the per-file
// warm-up below covers for both).
for (const f of all) check(readFileSync(f.path, 'utf8'), { fileName: f.path, today: '2026-01-01', plugins: false });
for (const f of all) {
  const t = readFileSync(f.path, 'utf8');
  const options = { fileName: f.path, today: '2026-01-01', plugins: false };
  check(t, options);
  const times = [];
  for (let i = 0; i < wasmRuns; i++) {
    const t0 = performance.now();
    check(t, options);
    times.push(performance.now() - t0);
  }
  wasmMs.set(f.path, median(times));
}
const native = spawnSync(NATIVE, ['--runs', String(wasmRuns), ...all.map((f) => f.path)], { encoding: 'utf8', maxBuffer: 1 << 28 });
if (native.status !== 0) {
  console.log(`native bench not run (${NATIVE}: ${native.error?.message ?? native.stderr}): build it with cargo build --release -p idguard-wasm --example native_bench`);
  process.exit(0);
}
const nativeMs = new Map(native.stdout.trim().split('\n').map((l) => JSON.parse(l)).map((r) => [r.file, r.medianMs]));
const sum = (m) => [...m.values()].reduce((a, b) => a + b, 0);
console.log(`every corpus .bicep (${all.length} files, ${(all.reduce((a, f) => a + f.bytes, 0) / 1e6).toFixed(2)} MB), sum of per-file medians of ${wasmRuns} runs: wasm ${sum(wasmMs).toFixed(0)} ms, native ${sum(nativeMs).toFixed(0)} ms, ratio ${(sum(wasmMs) / sum(nativeMs)).toFixed(2)}x`);
const ratios = all.map((f) => wasmMs.get(f.path) / nativeMs.get(f.path)).sort((a, b) => a - b);
const pct = (q) => ratios[Math.min(ratios.length - 1, Math.floor(q * ratios.length))].toFixed(2);
console.log(`per file, wasm / native: median ${pct(0.5)}x, 90th percentile ${pct(0.9)}x, worst ${ratios.at(-1).toFixed(2)}x; within 2x: ${ratios.filter((r) => r <= 2).length} of ${ratios.length} files`);
if (process.env.WORST) {
  const byRatio = [...all].sort((a, b) => wasmMs.get(b.path) / nativeMs.get(b.path) - wasmMs.get(a.path) / nativeMs.get(a.path));
  for (const f of byRatio.slice(0, Number(process.env.WORST))) console.log(`worst: ${f.path.slice(CORPUS.length)} ${f.bytes} B, wasm ${wasmMs.get(f.path).toFixed(3)} ms, native ${nativeMs.get(f.path).toFixed(3)} ms`);
}
console.log('| file | size | wasm in Node | native | wasm / native |');
console.log('|---|---:|---:|---:|---:|');
for (const [label, f] of [['smallest', all[0]], ['median', all[Math.floor(all.length / 2)]], ['largest', all.at(-1)]]) {
  const w = wasmMs.get(f.path);
  const n = nativeMs.get(f.path);
  console.log(`| ${label}: \`${f.path.slice(CORPUS.length)}\` | ${(f.bytes / 1024).toFixed(1)} KiB | ${w.toFixed(3)} ms | ${n.toFixed(3)} ms | ${(w / n).toFixed(2)}× |`);
}
