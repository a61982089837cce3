#!/usr/bin/env node
// The numbers behind docs/corpus-findings.md, from idguard's JSON report on
// the public corpus:
//
//   idguard check ../shared/corpus --format json --fail-on never -o after.json
//   node scripts/corpus-report.mjs after.json [--before before.json] [--sample N --seed S]
//
// Prints (Markdown):
// - findings per rule: count, files, severities (and the count before);
// - with --before: every finding removed and every finding added, keyed by
//   rule, file and JSON pointer (messages that changed at the same key are
//   listed apart);
// - with --sample: a seeded sample of N warning/error findings, drawn so
//   that every rule that fires is in it at least twice (where it fires that
//   often), for the hand review; the same seed gives the same sample.
import { readFileSync } from 'node:fs';

const argv = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : dflt;
};
const positional = argv.filter((a, i) => !a.startsWith('--') && !(i > 0 && argv[i - 1].startsWith('--')));
if (positional.length !== 1) {
  console.error('usage: node scripts/corpus-report.mjs after.json [--before before.json] [--sample N --seed S]');
  process.exit(2);
}
const load = (path) => JSON.parse(readFileSync(path, 'utf8'));
const after = load(positional[0]);
const beforePath = opt('--before');
const before = beforePath ? load(beforePath) : null;
const sampleSize = Number(opt('--sample', 0));
const seed = Number(opt('--seed', 1));

// Paths relative to the corpus directory, whatever the run's cwd was.
const rel = (p) => p.replace(/^.*?corpus\//, '');
const line = (f) => f.range?.start?.line ?? 0;
const key = (f) => `${f.code}\u0000${rel(f.file)}\u0000${f.pointer}`;
const md = (s) => String(s).replace(/\|/g, '\\|').replace(/\n/g, ' ');

function perRule(report) {
  const rules = new Map();
  for (const f of report.findings) {
    const r = rules.get(f.code) ?? { name: f.name, count: 0, files: new Set(), severities: new Map() };
    r.count += 1;
    r.files.add(f.file);
    r.severities.set(f.severity, (r.severities.get(f.severity) ?? 0) + 1);
    rules.set(f.code, r);
  }
  return rules;
}

const now = perRule(after);
const then = before ? perRule(before) : new Map();
const codes = [...new Set([...now.keys(), ...then.keys()])].sort();
const templates = after.files.filter((f) => f.kind === 'template');
const params = after.files.filter((f) => f.kind === 'parameters');
const errors = after.files.filter((f) => f.error);
console.log(`Templates ${templates.length}, parameter files ${params.length}, files with an error ${errors.length}.\n`);
console.log(`| code | name | ${before ? 'before | ' : ''}after | files | severity |`);
console.log(`|---|---|${before ? '---:|' : ''}---:|---:|---|`);
let total = 0;
let totalBefore = 0;
for (const c of codes) {
  const r = now.get(c);
  const b = then.get(c);
  total += r?.count ?? 0;
  totalBefore += b?.count ?? 0;
  const sev = r ? [...r.severities].map(([s, n]) => `${n} ${s}`).join(', ') : '—';
  console.log(`| ${c} | ${r?.name ?? b?.name} | ${before ? `${b?.count ?? 0} | ` : ''}${r?.count ?? 0} | ${r?.files.size ?? 0} | ${sev} |`);
}
console.log(`| | **total** | ${before ? `**${totalBefore}** | ` : ''}**${total}** | | |\n`);

if (before) {
  const a = new Map(after.findings.map((f) => [key(f), f]));
  const b = new Map(before.findings.map((f) => [key(f), f]));
  const removed = [...b.values()].filter((f) => !a.has(key(f)));
  const added = [...a.values()].filter((f) => !b.has(key(f)));
  const changed = [...a.values()].filter((f) => b.has(key(f)) && b.get(key(f)).message !== f.message);
  const list = (title, items, msg) => {
    console.log(`### ${title} (${items.length})\n`);
    for (const f of items.sort((x, y) => key(x).localeCompare(key(y)))) {
      console.log(`- ${f.code} ${md(rel(f.file))}:${line(f)} — ${md(msg(f))}`);
    }
    console.log('');
  };
  list('Removed', removed, (f) => f.message);
  list('Added', added, (f) => f.message);
  list('Message changed', changed, (f) => `${b.get(key(f)).message} → ${f.message}`);
}

if (sampleSize > 0) {
  // mulberry32: a small seeded generator, so a sample can be drawn again.
  let s = seed >>> 0;
  const random = () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const pool = after.findings.filter((f) => f.severity === 'error' || f.severity === 'warning');
  const byRule = new Map();
  for (const f of pool) byRule.set(f.code, [...(byRule.get(f.code) ?? []), f]);
  const picked = new Set();
  const take = (list) => {
    const left = list.filter((f) => !picked.has(f));
    if (left.length) picked.add(left[Math.floor(random() * left.length)]);
  };
  for (const code of [...byRule.keys()].sort()) {
    take(byRule.get(code));
    take(byRule.get(code));
  }
  while (picked.size < Math.min(sampleSize, pool.length)) take(pool);
  console.log(`### Sample: ${picked.size} of ${pool.length} warning/error findings (seed ${seed})\n`);
  console.log('| # | finding | message | verdict |');
  console.log('|---|---|---|---|');
  [...picked]
    .sort((x, y) => key(x).localeCompare(key(y)))
    .forEach((f, i) => console.log(`| ${i + 1} | ${f.code} ${md(rel(f.file))}:${line(f)} | ${md(f.message)} | |`));
}
