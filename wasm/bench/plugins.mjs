// Warm cost of policy plugins in the npm package, per template: check
// without plugins, check (sync, one pass) and checkAsync (models pass,
// each call in the worker, check pass) with the two example plugins.
// Medians of N runs after a warm-up. Usage: node wasm/bench/plugins.mjs [N]
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import * as idguard from '../src/node.js';
import { CORPUS, FIXTURES, pluginTools } from '../test/helpers.mjs';

const N = Number(process.argv[2] ?? 15);
const tools = pluginTools();
const plugins = [
  { name: 'cost', bytes: tools.wasm('required-cost-center'), config: { pattern: '^CC-[0-9]{4}$' } },
  { name: 'prod-scope', bytes: tools.wasm('prod-scope-token'), config: { tokens: ['prod'] } },
];
const templates = [
  join(FIXTURES, 'plugins', 'cost-center.json'),
  join(FIXTURES, 'plugins', 'prod-scope.json'),
  join(CORPUS, 'bicep-registry-modules', 'avm__ptn__aca-lza__hosting-environment__main.json'),
];
const median = (xs) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)];
async function time(f) {
  await f();
  const xs = [];
  for (let i = 0; i < N; i++) {
    const t = performance.now();
    await f();
    xs.push(performance.now() - t);
  }
  return median(xs);
}
for (const path of templates) {
  const text = readFileSync(path, 'utf8');
  const o = { fileName: 'main.json', today: '2030-01-01' };
  const base = await time(() => idguard.check(text, { ...o, plugins: false }));
  const sync = await time(() => idguard.check(text, { ...o, plugins }));
  const one = await time(() => idguard.check(text, { ...o, plugins: [plugins[0]] }));
  const asyncT = await time(() => idguard.checkAsync(text, { ...o, plugins }));
  const r = idguard.check(text, { ...o, plugins });
  console.log(
    `${path.split('/').pop()} (${(text.length / 1024).toFixed(0)} KiB, ${r.findings.filter((f) => f.code.includes('/')).length} plugin findings): ` +
      `no plugins ${base.toFixed(2)} ms; check + cost ${one.toFixed(2)} ms; check + both ${sync.toFixed(2)} ms (+${(sync - base).toFixed(2)}); ` +
      `checkAsync + both ${asyncT.toFixed(2)} ms (+${(asyncT - base).toFixed(2)})`,
  );
}
