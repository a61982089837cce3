// Type declarations of @idguard/idguard. The report types mirror
// crates/idguard-core/src/finding.rs (serde, camelCase): the same JSON the
// CLI prints with `--format json`.

/** Severity of a finding. */
export type Severity = 'error' | 'warning' | 'info';

/** A rule's configured level: a severity, or off. */
export type Level = 'off' | Severity;

/** A 1-based position. */
export interface Position {
  line: number;
  /** Column in characters (what a terminal shows). */
  column: number;
  /** Column in UTF-16 code units (what browsers and LSP count). */
  utf16Column: number;
  /** Byte offset into the file's UTF-8 text. */
  offset: number;
}

/** A start (inclusive) and end (exclusive) position. */
export interface Range {
  start: Position;
  end: Position;
}

/** A secondary location, e.g. the parameter-file line a value came from. */
export interface Related {
  message: string;
  file: string;
  pointer: string;
  range: Range;
}

/** How a finding was silenced: in the template, or by a policy exemption. */
export interface Suppression {
  kind: 'inSource' | 'external';
  justification: string;
}

/** Replace `range` (empty: an insertion) of the finding's file with `replacement`. */
export interface Edit {
  range: Range;
  replacement: string;
}

/** A mechanical fix of a finding, computed by the core from the file's text. */
export interface Fix {
  /** What the fix does, as an editor's code action shows it. */
  title: string;
  /** `safe`: changes nothing but the mistake; `unsafe`: needs review (a new name, placeholder values). */
  safety: 'safe' | 'unsafe';
  /** Non-overlapping edits, sorted by position. */
  edits: Edit[];
}

/** One finding. */
export interface Finding {
  /** Stable rule code, e.g. `MI101`. */
  code: string;
  /** Kebab-case rule name, e.g. `no-broad-privileged-role`. */
  name: string;
  severity: Severity;
  /** What is wrong, in the template's own names. */
  message: string;
  /** How to fix it. */
  help: string;
  /** The file as the caller named it. */
  file: string;
  /** JSON pointer of the offending value. */
  pointer: string;
  range: Range;
  /** Stable across runs: rule + file + pointer. */
  fingerprint: string;
  /** The parameter file this evaluation used, if any. */
  parametersFile?: string;
  related?: Related[];
  suppression?: Suppression;
  /** URL of the rule's documentation. */
  docUrl?: string;
  /** A mechanical fix, when the rule knows one for this exact text. */
  fix?: Fix;
}

/** Why a file could not be read (parsed). */
export interface FileError {
  message: string;
  line: number;
  column: number;
}

/** The languages idguard reads. */
export type Language = 'json' | 'bicep' | 'bicepparam';

/** What a file is: a template, a parameter file, or neither. */
export type FileKind = 'template' | 'parameters' | 'other';

/** A checked file. */
export interface FileReport {
  path: string;
  kind: FileKind;
  /** Set when the file is not valid JSON (JSONC): no findings then. */
  error: FileError | null;
  /** Parameter files the template was evaluated with (templates only). */
  parameterFiles?: string[];
  /** What the check could not do, and why (a Bicep module not read, an absent `load*Content()` file…): never a silent pass. */
  notes?: FileNote[];
}

/** Something a check of a file could not do. */
export interface FileNote {
  /** The file it is about: the checked file or one of its modules. */
  file: string;
  line: number;
  column: number;
  message: string;
}

/** Counts over the report. */
export interface Summary {
  files: number;
  templates: number;
  errors: number;
  warnings: number;
  infos: number;
  suppressed: number;
  /** Files that could not be read. */
  invalidFiles: number;
}

/** What kind of failure a {@link PluginError} is. */
export type PluginErrorKind =
  | 'read'
  | 'config'
  | 'not-wasm'
  | 'imports'
  | 'exports'
  | 'abi'
  | 'fuel'
  | 'deadline'
  | 'memory'
  | 'trap'
  | 'output'
  | 'error';

/**
 * A policy plugin that failed (to load, or on one evaluation). The
 * built-in rules and the other plugins still ran. Shown as
 * `<file> with <parameterFile>: plugin '<plugin>' (<path>) <message>`.
 */
export interface PluginError {
  /** The plugin's name (the prefix of its codes). */
  plugin: string;
  /** The plugin's path as the policy wrote it, when it came from a policy entry. */
  path?: string;
  /** The template being checked; absent when the plugin failed to load. */
  file?: string;
  /** The parameter file of that evaluation, if any. */
  parameterFile?: string;
  kind: PluginErrorKind;
  /** What happened, as a sentence after the plugin's name. */
  message: string;
}

/** The result of a check (the CLI's `--format json` shape). */
export interface Report {
  version: 1;
  files: FileReport[];
  findings: Finding[];
  summary: Summary;
  /** Policy plugins that failed (sorted). Any entry should fail a CI gate. */
  pluginErrors: PluginError[];
}

/** Per-call limits of a plugin (the policy entry's `limits`). */
export interface PluginLimits {
  /** Wall-clock deadline per call (default 2000). Real in {@link checkAsync}; after the fact in {@link check}. */
  timeoutMs?: number;
  /** Cap of the plugin's linear memory (default 64). */
  memoryMiB?: number;
  /** Accepted for the CLI's sake; JavaScript engines have no instruction metering. */
  fuelMillions?: number;
}

/** A plugin's code: its `.wasm` bytes, or a compiled module (used as is: its memory is then checked after each call only). */
export type PluginCode = Uint8Array | ArrayBuffer | WebAssembly.Module;

/**
 * A plugin to run: its code alone, or with a name, config and limits.
 * Unset fields come from the policy entry of the same name (a plugin
 * without a name takes the name of the policy entry at its index, else
 * `plugin`, `plugin-2`, ...).
 */
export type PluginInput =
  | PluginCode
  | {
      name?: string;
      bytes?: PluginCode;
      module?: PluginCode;
      config?: unknown;
      limits?: PluginLimits;
      /** The path shown in failures (set by {@link loadPolicyPlugins}). */
      path?: string;
      /** The file could not be read: reported as a `read` failure. */
      error?: string;
    };

/** A policy's plugin entry, resolved ({@link policyPlugins}). */
export interface PolicyPlugin {
  /** The effective name: `name`, else the file stem in kebab-case. */
  name: string;
  /** The `.wasm` path, relative to the policy file. */
  path: string;
  /** The entry's JSON pointer in the policy (`/plugins/0`). */
  pointer: string;
  config: unknown;
  limits: PluginLimits;
}

/** A plugin read by {@link loadPolicyPlugins}. */
export interface LoadedPlugin {
  name: string;
  path: string;
  bytes?: Uint8Array;
  config?: unknown;
  limits?: PluginLimits;
  /** Why the file could not be read (then there are no bytes). */
  error?: string;
}

/** A policy: its JSON value, or its text (JSON with comments allowed). */
export type Policy = Record<string, unknown> | string;

/** Options of {@link check}. */
export interface CheckOptions {
  /** The policy (default: the built-in default policy). */
  policy?: Policy;
  /** Parameter files, name → text (JSON or `.bicepparam`, by the name's extension); the template is evaluated once per file. */
  parameters?: Record<string, string>;
  /**
   * Other files by path relative to the template's directory: linked templates
   * (`templateLink.relativePath`), and for Bicep its local modules, `load*Content()`
   * files and imports ({@link project} names them).
   */
  files?: Record<string, string>;
  /** The name the template is reported under (default `template.json`, or `main.bicep` for Bicep); its extension picks the language unless `language` is given. */
  fileName?: string;
  /**
   * The language of the text: `json` (ARM), `bicep`, or `bicepparam` (a parameter file,
   * checked with the template its `using` names, given in `files`). Default: by
   * `fileName`'s extension (`.bicep`, `.bicepparam`), else JSON.
   */
  language?: Language;
  /** Today's date `YYYY-MM-DD` for exemption expiry (default: today, local time); `null`: exemptions never expire. */
  today?: string | null;
  /**
   * Policy plugins to run. Every plugin the policy lists must be passed
   * (else it is a `read` failure in `pluginErrors`); `false` runs none.
   */
  plugins?: PluginInput[] | false;
}

/** A file of a {@link project} request: its path and its text, its kind, or both. */
export interface ProjectFile {
  /** The path the host reads the file by (relative or absolute, `/` or `\\`). */
  path: string;
  /** Its text: classifies it; for a template, gives its links; for a linked file, lets its links be followed. */
  text?: string;
  /** Its kind, when already known (from an earlier answer): then the text is not read to classify it. */
  kind?: FileKind;
}

/** The request of {@link project}. */
export interface ProjectRequest {
  files: ProjectFile[];
}

/** A file a template links to (`templateLink.relativePath`), as its check asks for it. */
export interface ProjectLink {
  /** The key to give the file's text under in {@link CheckOptions.files}: relative to the template's directory, normalised (an absolute path as written). */
  relativePath: string;
  /** Where to read it: the host's own path when the request gave the file, else the template's directory joined with `relativePath`; `null` for an absolute path, which a host must not read. */
  path: string | null;
  /** Whether the request gave the file's text (then its own links were followed too). */
  given: boolean;
}

/** A template of a project and the files its check needs. */
export interface ProjectTemplate {
  path: string;
  /** Its parameter files, paired by name as the CLI pairs them. */
  parameterFiles: string[];
  /** Present when the template's text was given: the linked templates its check asks for. */
  links?: ProjectLink[];
}

/** The answer of {@link project}. */
export interface Project {
  /** Every file of the request, in order, with its kind. */
  files: { path: string; kind: FileKind }[];
  /** Every template, in request order. */
  templates: ProjectTemplate[];
}

/** One rule of the catalog. */
export interface RuleMeta {
  code: string;
  name: string;
  /** e.g. `scope-and-privilege`. */
  family: string;
  defaultLevel: Level;
  /** One sentence: what the rule checks. */
  summary: string;
  /** The rule's documentation, Markdown. */
  docs: string;
  docUrl: string;
}

/** A problem of a policy. `line`/`column` are set for policy text. */
export interface PolicyProblem {
  /** JSON pointer of the offending value (`""`: the whole policy). */
  pointer: string;
  message: string;
  line?: number;
  column?: number;
}

/** The result of {@link validatePolicy}. */
export interface PolicyValidation {
  valid: boolean;
  problems: PolicyProblem[];
}

/** The Error idguard throws. */
export class IdguardError extends Error {
  /** `policy` (invalid policy), `options` (bad options), `unknownRule`, or `internal`. */
  kind: 'policy' | 'options' | 'unknownRule' | 'internal';
  /** For `policy` errors: every problem. */
  problems?: PolicyProblem[];
}

/**
 * Loads the WebAssembly module (browser entry: required once before any
 * other call; Node entry: already done at import, resolves at once).
 * `input`: the .wasm's URL, a Response, its bytes or a compiled module.
 */
export function init(
  input?: string | URL | Request | Response | BufferSource | WebAssembly.Module,
): Promise<void>;

/** Instantiates synchronously from the .wasm bytes or a compiled module (a no-op in Node). */
export function initSync(module?: BufferSource | WebAssembly.Module): void;

/**
 * Checks one template. A template that is not valid JSON is not thrown:
 * it comes back as `files[i].error`. Throws {@link IdguardError} for an
 * invalid policy (`kind: 'policy'`) or options.
 */
export function check(templateText: string, options?: CheckOptions): Report;

/** What a graph node stands for. */
export type GraphNodeKind =
  | 'userIdentity' | 'systemIdentity' | 'externalIdentity' | 'principal' | 'workload'
  | 'tenant' | 'managementGroup' | 'subscription' | 'resourceGroup' | 'resource' | 'scope' | 'customRole';

/** What a graph edge says. */
export type GraphEdgeKind = 'attachedTo' | 'hasRoleAt' | 'feedsClientId';

/** How an edge or node changed (`idguard graph --diff`). */
export type GraphChange = 'added' | 'removed' | 'widened';

/** Where a node or edge was read from. */
export interface GraphSource {
  file: string;
  pointer: string;
  range: Range;
}

/** A finding marked on a node or edge. */
export interface GraphMark {
  code: string;
  severity: Severity;
  message: string;
  fingerprint: string;
  file: string;
  line: number;
}

export interface GraphNode {
  /** Stable: derived from what the node stands for, not from order. */
  id: string;
  kind: GraphNodeKind;
  /** The name as evaluated; unknown pieces shown as their expression. */
  label: string;
  detail?: string;
  unknown?: boolean;
  /** Resource group, when known. */
  group?: string;
  source?: GraphSource;
  findings?: GraphMark[];
  /** For principals: how much their roles allow (role rank × 10 + scope width). */
  privilege?: number;
  change?: GraphChange;
}

export interface GraphEdge {
  id: string;
  from: string;
  to: string;
  kind: GraphEdgeKind;
  /** The role (hasRoleAt) or the setting (feedsClientId). */
  label?: string;
  roleRank?: number;
  scopeLevel?: 'resource' | 'resourceGroup' | 'subscription' | 'managementGroup' | 'tenant';
  roleNode?: string;
  unknown?: boolean;
  source?: GraphSource;
  findings?: GraphMark[];
  change?: GraphChange;
  was?: string;
}

/** The identity graph of one evaluation (template + parameter file). */
export interface Graph {
  template: string;
  parametersFile?: string;
  environment?: string;
  nodes: GraphNode[];
  edges: GraphEdge[];
  /** Findings that concern no node or edge. */
  findings?: GraphMark[];
  omitted?: { principals: number; nodes: number; edges: number };
}

/** What {@link graph} returns. */
export interface GraphResult {
  report: Report;
  graphs: Graph[];
  /** The graphs drawn as a self-contained SVG (capped at 60 nodes each). */
  svg: string;
  /** The same as a Mermaid flowchart. */
  mermaid: string;
}

/**
 * The identity graph of a template: who can do what, where. Options as
 * for {@link check} (plugins are not run).
 */
export function graph(templateText: string, options?: CheckOptions): GraphResult;

/**
 * {@link check}, with every plugin call in a worker (Node: a worker
 * thread; browsers: a module Web Worker) terminated at its deadline, so a
 * plugin that never returns is stopped. Without plugins, the same as check.
 */
export function checkAsync(templateText: string, options?: CheckOptions): Promise<Report>;

/**
 * Compiles the plugins of `options` off the main thread into the cache,
 * so that a later synchronous {@link check} with the same bytes needs no
 * compiling (browsers refuse to compile modules over 4 KB synchronously on
 * their main thread).
 */
export function preparePlugins(options?: CheckOptions): Promise<void>;

/** The plugin entries of a policy, resolved (names, configs, limits). */
export function policyPlugins(policy: Policy | null): PolicyPlugin[];

/**
 * Node only: reads the `.wasm` of every plugin the policy file lists
 * (relative to the policy file). An unreadable file gives an entry with
 * `error`, which check reports as a `read` failure. `policyText` replaces
 * the file's text (an unsaved editor buffer).
 */
export function loadPolicyPlugins(policyPath: string, policyText?: string): LoadedPlugin[];

/**
 * What a host needs to check its files as the CLI does: each file's kind
 * (by its `$schema`), each template's parameter files, and the linked
 * templates the check of each template whose text is given will ask for.
 * Read the links not `given` (from `path`), add them with their text and
 * ask again until nothing readable is missing; then check with
 * `files: { [link.relativePath]: text }`. Throws {@link IdguardError}
 * (`options`) for a file with neither text nor kind.
 */
export function project(request: ProjectRequest): Project;

/** The kind of one file, from its path and text (`project` for one file). */
export function fileKind(path: string, text: string): FileKind;

/** The rule catalog, in code order. */
export function rules(): RuleMeta[];

/** A rule's documentation as Markdown, by code or name; throws for an unknown rule. */
export function explain(code: string): string;

/** Validates a policy without checking anything. */
export function validatePolicy(policy: Policy): PolicyValidation;

/** The idguard version. */
export function version(): string;

/** Today's date as `YYYY-MM-DD`, local time. */
export function todayString(now?: Date): string;
