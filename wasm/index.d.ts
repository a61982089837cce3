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
}

/** Why a file could not be read (parsed). */
export interface FileError {
  message: string;
  line: number;
  column: number;
}

/** A checked file. */
export interface FileReport {
  path: string;
  kind: 'template' | 'parameters' | 'other';
  /** Set when the file is not valid JSON (JSONC): no findings then. */
  error: FileError | null;
  /** Parameter files the template was evaluated with (templates only). */
  parameterFiles?: string[];
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

/** The result of a check (the CLI's `--format json` shape). */
export interface Report {
  version: 1;
  files: FileReport[];
  findings: Finding[];
  summary: Summary;
}

/** A policy: its JSON value, or its text (JSON with comments allowed). */
export type Policy = Record<string, unknown> | string;

/** Options of {@link check}. */
export interface CheckOptions {
  /** The policy (default: the built-in default policy). */
  policy?: Policy;
  /** Parameter files, name → text; the template is evaluated once per file. */
  parameters?: Record<string, string>;
  /** Other files by path relative to the template's directory, for `templateLink.relativePath`. */
  files?: Record<string, string>;
  /** The name the template is reported under (default `template.json`). */
  fileName?: string;
  /** Today's date `YYYY-MM-DD` for exemption expiry (default: today, local time); `null`: exemptions never expire. */
  today?: string | null;
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
