// Type-checked (tsc --noEmit) by types.test.mjs: the declarations cover
// what a user writes. Imports the package by name, as a user would.
import {
  check,
  graph,
  type Graph,
  type GraphResult,
  checkAsync,
  loadPolicyPlugins,
  policyPlugins,
  preparePlugins,
  type PluginError,
  type PluginInput,
  explain,
  fileKind,
  IdguardError,
  init,
  project,
  rules,
  validatePolicy,
  version,
  type FileKind,
  type Language,
  type Finding,
  type Project,
  type Report,
  type RuleMeta,
  type Severity,
} from '@idguard/idguard';

await init();
const report: Report = check('{}', {
  fileName: 'main.json',
  parameters: { 'main.dev.parameters.json': '{}' },
  policy: { rules: { MI101: 'warning' } },
  today: '2026-01-01',
});
const first: Finding | undefined = report.findings[0];
const sev: Severity | undefined = first?.severity;
const line: number | undefined = first?.range.start.utf16Column;
const error = report.files[0]?.error;
if (error) console.log(error.line, error.column, error.message);
const catalog: RuleMeta[] = rules();
const md: string = explain(catalog[0]?.code ?? 'MI101');
const v = validatePolicy('{}');
if (!v.valid) console.log(v.problems.map((p) => `${p.pointer} ${p.line ?? ''}`));
try {
  check('{}', { policy: '{ bad' });
} catch (e) {
  if (e instanceof IdguardError && e.kind === 'policy') console.log(e.problems?.length);
}
console.log(version(), sev, line, md.length, report.summary.invalidFiles);

const plugins: PluginInput[] = [
  new Uint8Array([0, 97, 115, 109]),
  new ArrayBuffer(8),
  { name: 'cost', bytes: new Uint8Array(8), config: { tag: 'cc' }, limits: { timeoutMs: 500, memoryMiB: 16 } },
  ...loadPolicyPlugins('idguard.json'),
];
await preparePlugins({ plugins });
const withPlugins: Report = await checkAsync('{}', { policy: '{}', plugins });
const failures: PluginError[] = withPlugins.pluginErrors;
for (const f of failures) if (f.kind === 'deadline') console.log(f.plugin, f.file ?? '', f.message);
console.log(check('{}', { plugins: false }).pluginErrors.length, policyPlugins('{}').map((p) => `${p.name} ${p.path} ${p.limits.timeoutMs ?? ''}`));

const kind: FileKind = fileKind('main.json', '{}');
const plan: Project = project({ files: [{ path: 'main.json', text: '{}' }, { path: 'main.parameters.json', kind: 'parameters' }] });
for (const t of plan.templates) {
  const files: Record<string, string> = {};
  for (const l of t.links ?? []) if (l.given && l.path !== null) files[l.relativePath] = l.path;
  console.log(kind, t.path, t.parameterFiles.join(','), Object.keys(files).length);
}

const lang: Language = 'bicep';
const bicepReport: Report = check("param p string\n", { fileName: 'main.bicep', language: lang });
console.log(bicepReport.files[0]?.notes);

const g: GraphResult = graph('{}', { fileName: 'main.json' });
const firstGraph: Graph | undefined = g.graphs[0];
const svgText: string = g.svg;
console.log(firstGraph?.nodes.map((n) => `${n.kind} ${n.label} ${n.privilege ?? 0}`), firstGraph?.edges[0]?.label, svgText.length, g.mermaid, g.report.summary);
