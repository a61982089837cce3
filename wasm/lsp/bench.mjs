// Latency of the language server: time from a didChange notification to
// the publishDiagnostics it causes, minus the debounce, for a small
// template (typing: incremental changes), the corpus's median-size template, one of about 1 MB and the
// largest. Also the core's check() alone on the same text, for comparison.
//
//   node wasm/lsp/bench.mjs [--runs N]
//
// The corpus (../shared/corpus next to the repository) is optional: without
// it only the small template is measured.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { check } from '../src/node.js';
import { LspClient, uriOf } from './test/client.mjs';

const DEBOUNCE_MS = 150;
const runsArg = process.argv.indexOf('--runs');
const RUNS = runsArg > 0 ? Number(process.argv[runsArg + 1]) : 15;
const CORPUS = fileURLToPath(new URL('../../../shared/corpus/', import.meta.url));

const SMALL = `{
  "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
  "contentVersion": "1.0.0.0",
  "resources": [
    { "type": "Microsoft.ManagedIdentity/userAssignedIdentities", "apiVersion": "2023-01-31", "name": "id-orders-prod", "location": "westeurope" },
    {
      "type": "Microsoft.Authorization/roleAssignments",
      "apiVersion": "2022-04-01",
      "name": "[guid(resourceGroup().id, 'orders', 'contributor')]",
      "properties": {
        "roleDefinitionId": "[subscriptionResourceId('Microsoft.Authorization/roleDefinitions', 'b24988ac-6180-42a0-ab88-20f7382dd24c')]",
        "principalId": "[reference(resourceId('Microsoft.ManagedIdentity/userAssignedIdentities', 'id-orders-prod'), '2023-01-31').clientId]"
      }
    }
  ]
}
`;

function corpusTemplates() {
  const manifest = `${CORPUS}MANIFEST.tsv`;
  if (!existsSync(manifest)) return [];
  const rows = readFileSync(manifest, 'utf8')
    .split('\n')
    .slice(1)
    .map((l) => l.split('\t'))
    .filter((c) => c[8] === 'array' || c[8] === 'symbolic')
    .map((c) => ({ file: c[0], bytes: Number(c[5]) }))
    .sort((a, b) => a.bytes - b.bytes);
  if (rows.length === 0) return [];
  const median = rows[Math.floor(rows.length / 2)];
  const nearMb = rows.reduce((best, r) => (Math.abs(r.bytes - 1_000_000) < Math.abs(best.bytes - 1_000_000) ? r : best));
  const largest = rows.at(-1);
  return [
    ['median', median],
    ['~1 MB', nearMb],
    ['largest', largest],
  ].map(([label, r]) => ({ label, file: r.file, text: readFileSync(`${CORPUS}${r.file}`, 'utf8').replace(/^\ufeff/, '') }));
}

const stats = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return { median: s[Math.floor(s.length / 2)], min: s[0], max: s.at(-1) };
};

async function measure(client, dir, { label, file, text }) {
  const path = join(dir, `${label.replace(/\W+/g, '-')}.json`);
  writeFileSync(path, text);
  const uri = uriOf(path);
  let version = 1;
  let pending = client.nextDiagnostics(uri, (e) => e.version === version, 120000);
  client.open(uri, text, version);
  const first = await pending;
  const latencies = [];
  // Incremental edits, as editors send them: a space typed at the start of
  // the second line, then deleted.
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
  client.close(uri);
  const direct = [];
  for (let i = 0; i < Math.min(RUNS, 7); i++) {
    const t0 = performance.now();
    check(text, { fileName: 'main.json' });
    direct.push(performance.now() - t0);
  }
  return { label, file, bytes: Buffer.byteLength(text), diagnostics: first.diagnostics.length, lsp: stats(latencies), check: stats(direct) };
}

const dir = mkdtempSync(join(tmpdir(), 'idguard-lsp-bench-'));
const client = new LspClient({ settings: { debounceMs: DEBOUNCE_MS } });
try {
  await client.initialize({ rootUri: uriOf(dir) });
  const cases = [{ label: 'small', file: '(inline)', text: SMALL }, ...corpusTemplates()];
  if (cases.length === 1) console.log('(corpus not found: only the small template)');
  const rows = [];
  for (const c of cases) rows.push(await measure(client, dir, c));
  const ms = (x) => x.toFixed(1);
  console.log(`didChange → publishDiagnostics, minus the ${DEBOUNCE_MS} ms debounce; median (min–max) of ${RUNS} edits; check() alone for comparison`);
  console.log('| template | size | diagnostics | didChange → diagnostics | check() alone |');
  console.log('|---|---:|---:|---:|---:|');
  for (const r of rows) {
    const kb = r.bytes >= 1e6 ? `${(r.bytes / 1e6).toFixed(2)} MB` : `${(r.bytes / 1e3).toFixed(1)} kB`;
    console.log(`| ${r.label}: ${r.file} | ${kb} | ${r.diagnostics} | ${ms(r.lsp.median)} ms (${ms(r.lsp.min)}–${ms(r.lsp.max)}) | ${ms(r.check.median)} ms |`);
  }
  await client.shutdown();
} finally {
  client.kill();
  rmSync(dir, { recursive: true, force: true });
}
