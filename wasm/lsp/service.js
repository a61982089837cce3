// The idguard language server: diagnostics, hovers and quick fixes for ARM
// templates, over any vscode-languageserver connection. server.js is the
// executable that runs it over stdio.

import lsp from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { basename, dirname, isAbsolute, join, resolve, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { checkAsync, explain, fileKind, loadPolicyPlugins, project, validatePolicy, version } from '../src/node.js';
import { kindCache, textCache, jsonFilesIn, stamp, SOURCE_NAME } from './files.js';

const {
  CodeActionKind,
  DiagnosticSeverity,
  DiagnosticTag,
  DidChangeConfigurationNotification,
  DidChangeWatchedFilesNotification,
  MarkupKind,
  MessageType,
  ShowMessageNotification,
  TextDocuments,
  TextDocumentSyncKind,
} = lsp;

/** The settings the server reads (section `idguard`), with their defaults. */
export const DEFAULT_SETTINGS = Object.freeze({
  /** Check documents at all. */
  enable: true,
  /** Policy file (absolute, or relative to the workspace folder); empty: the nearest idguard.json upward. */
  policyPath: '',
  /** Show suppressed findings as faded hints instead of hiding them. */
  showSuppressed: false,
  /** Milliseconds to wait after the last change before checking. */
  debounceMs: 150,
});

const POLICY_FILE_NAME = 'idguard.json';

const SEVERITY = {
  error: DiagnosticSeverity.Error,
  warning: DiagnosticSeverity.Warning,
  info: DiagnosticSeverity.Information,
};

/** The file-system path of a `file:` URI, or null. */
function uriToPath(uri) {
  if (!uri.startsWith('file:')) return null;
  try {
    return fileURLToPath(uri);
  } catch {
    return null;
  }
}

const pathToUri = (path) => pathToFileURL(path).href;

/** LSP position of a report position (1-based line, 1-based UTF-16 column). */
const toPosition = (p) => ({ line: Math.max(0, p.line - 1), character: Math.max(0, p.utf16Column - 1) });

/** Whether LSP position `p` lies in `range` (end inclusive, so a hover at the end still counts). */
function contains(range, p) {
  const after = (a, b) => a.line > b.line || (a.line === b.line && a.character >= b.character);
  return after(p, range.start) && after(range.end, p);
}

function overlaps(a, b) {
  const before = (x, y) => x.line < y.line || (x.line === y.line && x.character < y.character);
  return !before(a.end, b.start) && !before(b.end, a.start);
}

/** The UTF-16 column (0-based) of 1-based character column `column` on `lineText`. */
/** An LSP position from a core position (1-based line, UTF-16 column). */
function lspPosition(p) {
  return { line: Math.max(0, p.line - 1), character: Math.max(0, p.utf16Column - 1) };
}

/** The end of the JSON token that starts at `at` in `line`: a string up to its closing quote, else up to a delimiter. */
function tokenEnd(line, at) {
  if (line[at] === '"') {
    for (let i = at + 1; i < line.length; i++) {
      if (line[i] === '\\') i++;
      else if (line[i] === '"') return i + 1;
    }
    return line.length;
  }
  const m = /^[^\s,:{}\[\]]+/.exec(line.slice(at));
  return m ? at + m[0].length : line.length;
}

function charColumnToUtf16(lineText, column) {
  let units = 0;
  let chars = 1;
  for (const ch of lineText) {
    if (chars >= column) break;
    units += ch.length;
    chars++;
  }
  return units;
}

/**
 * The rule's documentation trimmed for a hover: the summary and the
 * "What it does" and "Why is this bad?" sections (no metadata table, no
 * example, no fix: the finding's own help says how to fix it).
 */
export function trimExplanation(markdown) {
  const lines = markdown.replace(/<!--[\s\S]*?-->/g, '').split('\n');
  const out = [];
  for (const line of lines) {
    if (/^## (Example|Fix|Options|Configuration)/i.test(line)) break;
    if (/^# /.test(line) || /^\|/.test(line)) continue;
    out.push(line.replace(/^## /, '#### '));
  }
  return out.join('\n').replace(/\n{3,}/g, '\n\n').trim();
}

/**
 * Starts the language server on `connection` (from
 * `vscode-languageserver/node`'s createConnection) and returns it listening.
 */
export function startServer(connection) {
  const documents = new TextDocuments(TextDocument);

  let hasConfiguration = false;
  let hasDynamicWatch = false;
  let hasDynamicConfiguration = false;
  let workspaceFolders = [];
  let globalSettings = { ...DEFAULT_SETTINGS };
  const settingsByUri = new Map();

  /** uri → timer of a pending check. */
  const pending = new Map();
  /** uri → { version, entries: [{ finding, diagnostic }] } of the last published diagnostics. */
  const published = new Map();
  /** Policy texts already reported as invalid (path + text), so the message shows once. */
  const reportedPolicies = new Set();
  /** Policy files that currently carry diagnostics. */
  const policyDiagnosed = new Set();
  const explanations = new Map();
  /** Every policy path a check resolved (for policyPath settings naming a file not called idguard.json). */
  const knownPolicyPaths = new Set();

  // ------------------------------------------------------------ settings

  function mergeSettings(raw) {
    const s = { ...DEFAULT_SETTINGS };
    if (raw && typeof raw === 'object') {
      if (typeof raw.enable === 'boolean') s.enable = raw.enable;
      if (typeof raw.policyPath === 'string') s.policyPath = raw.policyPath;
      if (typeof raw.showSuppressed === 'boolean') s.showSuppressed = raw.showSuppressed;
      if (Number.isFinite(raw.debounceMs) && raw.debounceMs >= 0) s.debounceMs = raw.debounceMs;
    }
    return s;
  }

  async function settingsFor(uri) {
    if (!hasConfiguration) return globalSettings;
    let s = settingsByUri.get(uri);
    if (!s) {
      s = connection.workspace
        .getConfiguration({ scopeUri: uri, section: 'idguard' })
        .then(mergeSettings, () => globalSettings);
      settingsByUri.set(uri, s);
    }
    return s;
  }

  // ------------------------------------------------------------ files

  /** The text of a path: the open document's, else the disk's (null when unreadable). */
  function textOf(path) {
    const doc = documents.get(pathToUri(path));
    return doc ? doc.getText() : textCache.get(path);
  }

  /** The kind of a path: by the open document's text, else by the disk's first 64 KiB. */
  function kindOf(path) {
    const doc = documents.get(pathToUri(path));
    return doc ? fileKind(path, doc.getText()) : kindCache.get(path) ?? 'other';
  }

  /** Names of the JSON and Bicep files of a directory: on disk and open in the editor, sorted. */
  function namesIn(dir) {
    const names = new Set(jsonFilesIn(dir));
    for (const doc of documents.all()) {
      const p = uriToPath(doc.uri);
      if (p && dirname(p) === dir && SOURCE_NAME.test(p)) names.add(basename(p));
    }
    return [...names].sort();
  }

  /**
   * The files the check of template `path` needs, as the core (the
   * package's `project`) decides for the CLI: its parameter files (names,
   * paired among the JSON files of its directory, each classified by its
   * cached kind) and its linked templates (`{ relativePath: text }`, read
   * from the editor or disk, transitively: the core names the files its
   * check will ask for, the server reads them and asks again). `text` is
   * the template's text (the editor's); `only`, when given, replaces the
   * parameter files' texts (a parameter file being edited is checked
   * alone, with its unsaved text).
   */
  function filesFor(path, text, only) {
    const dir = dirname(path);
    const entries = new Map();
    for (const e of entriesIn(dir)) entries.set(e.path, e);
    entries.set(path, { path, kind: 'template', text });
    const texts = new Map();
    const tried = new Set();
    for (;;) {
      const plan = project({ files: [...entries.values()] });
      const t = plan.templates.find((x) => x.path === path);
      if (!t) return { parameters: {}, files: {} };
      const missing = (t.links ?? []).filter((l) => !l.given && l.path !== null && !tried.has(l.path));
      if (missing.length === 0) {
        const files = {};
        for (const l of t.links ?? []) if (l.given && texts.has(l.path)) files[l.relativePath] = texts.get(l.path);
        // What the check reads besides the template: a change to any of
        // these re-checks it (dependents).
        linksOf.set(path, new Set([...(t.links ?? []).map((l) => l.path).filter(Boolean), ...t.parameterFiles]));
        const parameters = {};
        if (only) Object.assign(parameters, only);
        else for (const p of t.parameterFiles) {
          const pt = textOf(p);
          if (pt != null) parameters[basename(p)] = pt;
        }
        return { parameters, files };
      }
      for (const l of missing) {
        tried.add(l.path);
        const content = textOf(l.path);
        if (content == null) continue;
        texts.set(l.path, content);
        const known = entries.get(l.path);
        if (known) known.text = content;
        // Kind 'other': a file read only as a link (not of this directory)
        // needs no plan of its own, only its text for the template's.
        else entries.set(l.path, { path: l.path, kind: 'other', text: content });
      }
    }
  }

  /**
   * The files of a directory for `project`: each with its kind, and a
   * `.bicepparam` with its text (it pairs by the template its `using`
   * names, not by name).
   */
  function entriesIn(dir) {
    return namesIn(dir).map((n) => {
      const p = join(dir, n);
      const entry = { path: p, kind: kindOf(p) };
      if (/\.bicepparam$/i.test(n)) {
        const t = textOf(p);
        if (t != null) entry.text = t;
      }
      return entry;
    });
  }

  /** Per template path: the files (paths) its last check read, for `dependents`. */
  const linksOf = new Map();

  /** The parameter files (paths) that belong to template `path`, as the CLI pairs them. */
  function parameterFilesOf(path) {
    return project({ files: entriesIn(dirname(path)) }).templates.find((t) => t.path === path)?.parameterFiles ?? [];
  }

  /** The template (path) a parameter file belongs to, or null. */
  function templateOfParameters(path) {
    return project({ files: entriesIn(dirname(path)) }).templates.find((t) => t.parameterFiles.includes(path))?.path ?? null;
  }

  // ------------------------------------------------------------ policy

  function workspaceFolderOf(path) {
    let best = null;
    for (const f of workspaceFolders) {
      if ((path === f || path.startsWith(f.endsWith(sep) ? f : f + sep)) && (!best || f.length > best.length)) best = f;
    }
    return best ?? workspaceFolders[0] ?? null;
  }

  /** The policy file for a document: the setting, else the nearest idguard.json upward. */
  function policyPathFor(docPath, settings) {
    if (settings.policyPath) {
      if (isAbsolute(settings.policyPath)) return settings.policyPath;
      const base = (docPath && workspaceFolderOf(docPath)) ?? (docPath ? dirname(docPath) : process.cwd());
      return resolve(base, settings.policyPath);
    }
    if (!docPath) return null;
    let dir = dirname(docPath);
    for (;;) {
      const candidate = join(dir, POLICY_FILE_NAME);
      if (documents.get(pathToUri(candidate)) || stamp(candidate)) return candidate;
      const up = dirname(dir);
      if (up === dir) return null;
      dir = up;
    }
  }

  let lastValidation = { text: null, result: null };
  function validate(text) {
    if (lastValidation.text !== text) {
      let result;
      try {
        result = validatePolicy(text);
      } catch (e) {
        result = { valid: false, problems: [{ pointer: '', message: String(e.message ?? e) }] };
      }
      lastValidation = { text, result };
    }
    return lastValidation.result;
  }

  /** Diagnostics of a policy text's problems. */
  function policyDiagnostics(doc, problems) {
    const text = doc.getText();
    const lines = text.split('\n');
    return problems.map((p) => {
      let range;
      // The problem's line and column point at the key or the value that
      // is wrong (`unknown rule` vs `not one of …`); the range is that
      // JSON token.
      if (p.line) {
        const line = Math.max(0, p.line - 1);
        const lineText = (lines[line] ?? '').replace(/\r$/, '');
        const character = charColumnToUtf16(lineText, p.column ?? 1);
        const end = tokenEnd(lineText, character);
        range = { start: { line, character }, end: { line, character: Math.max(character + 1, end) } };
      } else {
        range = { start: { line: 0, character: 0 }, end: { line: 0, character: 1 } };
      }
      return {
        range,
        severity: DiagnosticSeverity.Error,
        source: 'idguard',
        code: 'policy',
        message: p.pointer ? `${p.message} (at ${p.pointer})` : p.message,
      };
    });
  }

  /**
   * The policy text to check with (undefined: the default policy). An
   * invalid policy is reported once (window/showMessage) and on the policy
   * file if it is open, and the default policy is used.
   */
  function policyFor(docPath, settings) {
    const path = policyPathFor(docPath, settings);
    if (!path) return undefined;
    knownPolicyPaths.add(path);
    const text = textOf(path);
    if (text == null) {
      if (settings.policyPath) notifyOnce(`missing:${path}`, `idguard: the policy file ${path} (idguard.policyPath) cannot be read; using the default policy.`);
      return undefined;
    }
    const result = validate(text);
    publishPolicyDiagnostics(path, result);
    if (result.valid) return text;
    const first = result.problems[0];
    const where = first?.line ? `:${first.line}:${first.column ?? 1}` : '';
    notifyOnce(
      `${path}\u0000${text}`,
      `idguard: the policy ${path} is invalid (${result.problems.length} problem${result.problems.length === 1 ? '' : 's'}; first: ${path}${where}: ${first?.message ?? ''}); using the default policy.`,
    );
    return undefined;
  }

  /**
   * The policy's plugins for options.plugins, read from disk relative to
   * the policy file; re-read when the policy text or a plugin file
   * changes (the package caches the compiled modules by content).
   */
  const pluginCache = new Map();
  function pluginsFor(docPath, settings, policyText) {
    const path = policyPathFor(docPath, settings);
    if (!path || policyText === undefined) return undefined;
    const hit = pluginCache.get(path);
    const fresh = (list) => list.every((p) => JSON.stringify(stamp(p.file)) === JSON.stringify(p.stamp));
    if (hit && hit.text === policyText && fresh(hit.files)) return hit.plugins;
    let plugins;
    try {
      plugins = loadPolicyPlugins(path, policyText);
    } catch {
      return undefined;
    }
    const files = plugins.map((p) => {
      const file = resolve(dirname(path), p.path);
      return { file, stamp: stamp(file) };
    });
    pluginCache.set(path, { text: policyText, files, plugins });
    return plugins;
  }

  /** Tells the user about plugin failures (each once). */
  function reportPluginErrors(report) {
    for (const e of report.pluginErrors ?? []) {
      const where = e.file ? `${e.file}${e.parameterFile ? ` with ${e.parameterFile}` : ''}: ` : '';
      const text = `idguard: ${where}plugin '${e.plugin}'${e.path ? ` (${e.path})` : ''} ${e.message}`;
      notifyOnce(`plugin\u0000${text}`, text);
      connection.console.error(text);
    }
  }

  function notifyOnce(key, message) {
    if (reportedPolicies.has(key)) return;
    reportedPolicies.add(key);
    // A notification (window/showMessage), not a request: nothing to wait for.
    connection.sendNotification(ShowMessageNotification.type, { type: MessageType.Warning, message });
  }

  function publishPolicyDiagnostics(path, result) {
    const uri = pathToUri(path);
    const doc = documents.get(uri);
    if (doc && !result.valid) {
      policyDiagnosed.add(uri);
      connection.sendDiagnostics({ uri, version: doc.version, diagnostics: policyDiagnostics(doc, result.problems) });
    } else if (policyDiagnosed.has(uri)) {
      policyDiagnosed.delete(uri);
      connection.sendDiagnostics({ uri, diagnostics: [] });
    }
  }

  /** Whether `path` is a policy file: an idguard.json, or a file a check resolved as its policy. */
  function isPolicyDocument(path) {
    if (!path) return false;
    return basename(path).toLowerCase() === POLICY_FILE_NAME || knownPolicyPaths.has(path);
  }

  // ------------------------------------------------------------ checking

  function clear(uri) {
    if (published.has(uri)) {
      published.delete(uri);
      connection.sendDiagnostics({ uri, diagnostics: [] });
    }
  }

  /** Schedules a check of an open document after the debounce. */
  function schedule(uri, delay) {
    clearTimeout(pending.get(uri));
    pending.set(
      uri,
      setTimeout(() => {
        pending.delete(uri);
        run(uri).catch((e) => connection.console.error(`idguard: checking ${uri} failed: ${e?.stack ?? e}`));
      }, delay),
    );
  }

  async function scheduleDebounced(uri) {
    const settings = await settingsFor(uri);
    schedule(uri, settings.debounceMs);
  }

  function scheduleAll() {
    for (const doc of documents.all()) scheduleDebounced(doc.uri);
  }

  /** Checks one open document and publishes its diagnostics. */
  async function run(uri) {
    const doc = documents.get(uri);
    if (!doc) return;
    const settings = await settingsFor(uri);
    const path = uriToPath(uri);
    if (isPolicyDocument(path)) {
      const result = validate(doc.getText());
      publishPolicyDiagnostics(path, result);
      return;
    }
    if (!settings.enable) {
      clear(uri);
      return;
    }
    const text = doc.getText();
    const kind = fileKind(path ?? (basename(uri) || 'template.json'), text);
    if (kind === 'template') {
      const name = path ? basename(path) : basename(uri) || 'template.json';
      const { parameters, files } = path ? filesFor(path, text) : { parameters: {}, files: {} };
      const report = await checkWith(text, { fileName: name, parameters, files }, path, settings);
      // Plugins run in a worker: a newer edit may have been checked meanwhile.
      if (documents.get(uri)?.version !== doc.version) return;
      publish(doc, report, name, settings);
    } else if (kind === 'parameters' && path) {
      const templatePath = templateOfParameters(path);
      const templateText = templatePath ? textOf(templatePath) : null;
      if (templateText == null) {
        clear(uri);
        return;
      }
      const name = basename(path);
      const { parameters, files } = filesFor(templatePath, templateText, { [name]: text });
      const report = await checkWith(templateText, { fileName: basename(templatePath), parameters, files }, templatePath, settings);
      if (documents.get(uri)?.version !== doc.version) return;
      publish(doc, report, name, settings);
    } else {
      clear(uri);
    }
  }

  /**
   * Checks with the document's policy and its plugins (each call in a
   * worker terminated at its deadline, so a plugin that never returns
   * cannot hang the server); plugin failures are shown to the user.
   */
  async function checkWith(text, options, path, settings) {
    const policy = policyFor(path, settings);
    let report;
    try {
      report = await checkAsync(text, { ...options, policy, plugins: pluginsFor(path, settings, policy) });
    } catch (e) {
      if (e?.kind === 'policy' && policy !== undefined) return checkAsync(text, options);
      throw e;
    }
    reportPluginErrors(report);
    return report;
  }

  /** Publishes the findings of `report` that are in file `name` on `doc`. */
  function publish(doc, report, name, settings) {
    const entries = [];
    const fileReport = report.files.find((f) => f.path === name);
    if (fileReport?.error) {
      const e = fileReport.error;
      const line = Math.max(0, e.line - 1);
      const lineText = doc.getText({ start: { line, character: 0 }, end: { line: line + 1, character: 0 } }).replace(/\r?\n$/, '');
      const character = charColumnToUtf16(lineText, e.column);
      const bcp = /^(BCP\d+): ([\s\S]*)$/.exec(e.message);
      entries.push({
        finding: null,
        diagnostic: {
          range: { start: { line, character }, end: { line, character: Math.max(character, Math.min(lineText.length, character + 1)) } },
          severity: DiagnosticSeverity.Error,
          source: 'idguard',
          // A Bicep syntax error carries Bicep's own code.
          ...(bcp ? { code: bcp[1], message: bcp[2] } : { code: 'parse', message: `not valid JSON: ${e.message}` }),
        },
      });
    }
    // What the check could not do in this file (a module not read, an
    // absent load*Content() file): shown, never a silent pass.
    for (const n of fileReport?.notes ?? []) {
      if (n.file !== name && n.file !== fileReport.path) continue;
      const line = Math.max(0, n.line - 1);
      const lineText = doc.getText({ start: { line, character: 0 }, end: { line: line + 1, character: 0 } }).replace(/\r?\n$/, '');
      const character = charColumnToUtf16(lineText, n.column);
      entries.push({
        finding: null,
        diagnostic: {
          range: { start: { line, character }, end: { line, character: Math.max(character, lineText.length) } },
          severity: DiagnosticSeverity.Information,
          source: 'idguard',
          code: 'note',
          message: n.message,
        },
      });
    }
    const docPath = uriToPath(doc.uri);
    const relatedLocations = (f) =>
      (f.related ?? [])
        .filter(() => docPath)
        .map((r) => ({
          location: { uri: pathToUri(join(dirname(docPath), r.file)), range: { start: toPosition(r.range.start), end: toPosition(r.range.end) } },
          message: r.message,
        }));
    const seen = new Set();
    const add = (f, range, message, relatedInformation) => {
      // The core reports a finding once however many parameter files it
      // was evaluated with; this only guards against exact repeats.
      const key = `${f.code}\u0000${range.start.line}:${range.start.character}\u0000${message}`;
      if (seen.has(key)) return;
      seen.add(key);
      const diagnostic = {
        range,
        severity: f.suppression ? DiagnosticSeverity.Hint : SEVERITY[f.severity] ?? DiagnosticSeverity.Warning,
        code: f.code,
        source: 'idguard',
        message: f.suppression ? `${message} (suppressed: ${f.suppression.justification})` : message,
      };
      if (f.docUrl) diagnostic.codeDescription = { href: f.docUrl };
      if (f.suppression) diagnostic.tags = [DiagnosticTag.Unnecessary];
      if (relatedInformation.length > 0) diagnostic.relatedInformation = relatedInformation;
      entries.push({ finding: f, diagnostic });
    };
    for (const f of report.findings) {
      if (f.suppression && !settings.showSuppressed) continue;
      if (f.file === name) {
        add(f, { start: toPosition(f.range.start), end: toPosition(f.range.end) }, f.message, relatedLocations(f));
        continue;
      }
      // A finding in the template that a value of this file (a parameter
      // file) leads to: shown where the value is set.
      for (const r of f.related ?? []) {
        if (r.file !== name) continue;
        const range = { start: toPosition(r.range.start), end: toPosition(r.range.end) };
        const templateLocation = docPath
          ? [{ location: { uri: pathToUri(join(dirname(docPath), f.file)), range: { start: toPosition(f.range.start), end: toPosition(f.range.end) } }, message: f.message }]
          : [];
        add(f, range, `${f.message} (${r.message})`, templateLocation);
      }
    }
    published.set(doc.uri, { version: doc.version, entries });
    connection.sendDiagnostics({ uri: doc.uri, version: doc.version, diagnostics: entries.map((e) => e.diagnostic) });
  }

  /** What else to re-check when `path` changed: the template of a parameter file, the parameter files of a template. */
  function dependents(path) {
    if (!path) return [];
    const out = [];
    const kind = kindOf(path);
    if (kind === 'parameters') {
      const t = templateOfParameters(path);
      if (t) out.push(pathToUri(t));
    } else if (kind === 'template') {
      for (const p of parameterFilesOf(path)) out.push(pathToUri(p));
    }
    // Templates that read it: a Bicep module, a linked template, a
    // load*Content() file, wherever it is.
    for (const [template, read] of linksOf) if (read.has(path)) out.push(pathToUri(template));
    return [...new Set(out)].filter((u) => documents.get(u));
  }

  // ------------------------------------------------------------ hover & fixes

  function explanationOf(code) {
    if (!explanations.has(code)) {
      let md = '';
      try {
        md = trimExplanation(explain(code));
      } catch {
        md = '';
      }
      explanations.set(code, md);
    }
    return explanations.get(code);
  }

  function hoverMarkdown(f) {
    const parts = [`**${f.code}** \`${f.name}\` · ${f.suppression ? `${f.severity}, suppressed` : f.severity}`, f.message, `**Fix:** ${f.help}`];
    const doc = explanationOf(f.code);
    if (doc) parts.push('---', doc);
    if (f.docUrl) parts.push(`[Documentation of ${f.code}](${f.docUrl})`);
    return parts.join('\n\n');
  }

  connection.onHover(({ textDocument, position }) => {
    const entry = published.get(textDocument.uri);
    if (!entry) return null;
    const hits = entry.entries.filter((e) => e.finding && contains(e.diagnostic.range, position));
    if (hits.length === 0) return null;
    return {
      contents: { kind: MarkupKind.Markdown, value: hits.map((e) => hoverMarkdown(e.finding)).join('\n\n---\n\n') },
      range: hits[0].diagnostic.range,
    };
  });

  connection.onCodeAction(({ textDocument, range, context }) => {
    const doc = documents.get(textDocument.uri);
    const entry = published.get(textDocument.uri);
    if (!doc || !entry || entry.version !== doc.version) return [];
    if (context.only && !context.only.some((k) => k === CodeActionKind.QuickFix || CodeActionKind.QuickFix.startsWith(`${k}.`) || k === CodeActionKind.Empty)) {
      return [];
    }
    const actions = [];
    for (const { finding, diagnostic } of entry.entries) {
      // Fixes come from the core (`finding.fix`): edits of this file with
      // 1-based lines and UTF-16 columns, as LSP counts.
      const fix = finding?.fix;
      if (!fix || finding.suppression || !overlaps(diagnostic.range, range)) continue;
      const safe = fix.safety === 'safe';
      actions.push({
        title: safe ? fix.title : `${fix.title} (unsafe: review it)`,
        kind: CodeActionKind.QuickFix,
        diagnostics: [diagnostic],
        isPreferred: safe,
        edit: {
          changes: {
            [doc.uri]: fix.edits.map((e) => ({ range: { start: lspPosition(e.range.start), end: lspPosition(e.range.end) }, newText: e.replacement })),
          },
        },
      });
    }
    return actions;
  });

  // ------------------------------------------------------------ lifecycle

  connection.onInitialize((params) => {
    const caps = params.capabilities ?? {};
    hasConfiguration = !!caps.workspace?.configuration;
    hasDynamicWatch = !!caps.workspace?.didChangeWatchedFiles?.dynamicRegistration;
    hasDynamicConfiguration = !!caps.workspace?.didChangeConfiguration?.dynamicRegistration;
    workspaceFolders = (params.workspaceFolders ?? [])
      .map((f) => uriToPath(f.uri))
      .filter(Boolean);
    if (workspaceFolders.length === 0 && params.rootUri) {
      const root = uriToPath(params.rootUri);
      if (root) workspaceFolders = [root];
    }
    const init = params.initializationOptions;
    globalSettings = mergeSettings(init?.idguard ?? init);
    return {
      capabilities: {
        textDocumentSync: TextDocumentSyncKind.Incremental,
        hoverProvider: true,
        codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix] },
      },
      serverInfo: { name: 'idguard-language-server', version: version() },
    };
  });

  connection.onInitialized(() => {
    if (hasDynamicWatch) {
      connection.client.register(DidChangeWatchedFilesNotification.type, {
        watchers: [{ globPattern: '**/*.{json,jsonc,bicep,bicepparam}' }],
      });
    }
    if (hasDynamicConfiguration) {
      connection.client.register(DidChangeConfigurationNotification.type, { section: 'idguard' });
    }
  });

  connection.onDidChangeConfiguration((change) => {
    settingsByUri.clear();
    if (!hasConfiguration) globalSettings = mergeSettings(change.settings?.idguard ?? globalSettings);
    reportedPolicies.clear();
    scheduleAll();
  });

  connection.onDidChangeWatchedFiles(({ changes }) => {
    let all = false;
    const dirs = new Set();
    const changed = changes.map((c) => uriToPath(c.uri)).filter(Boolean);
    for (const c of changes) {
      const p = uriToPath(c.uri);
      if (!p) continue;
      textCache.invalidate(p);
      kindCache.invalidate(p);
      if (basename(p).toLowerCase() === POLICY_FILE_NAME || isPolicyDocument(p)) all = true;
      else dirs.add(dirname(p));
    }
    for (const doc of documents.all()) {
      const p = uriToPath(doc.uri);
      if (all || (p && (dirs.has(dirname(p)) || changed.some((c) => linksOf.get(p)?.has(c))))) scheduleDebounced(doc.uri);
    }
  });

  documents.onDidChangeContent(({ document }) => {
    scheduleDebounced(document.uri);
    const path = uriToPath(document.uri);
    if (isPolicyDocument(path)) {
      // A policy edit re-checks everything open (after the debounce).
      for (const doc of documents.all()) if (doc.uri !== document.uri) scheduleDebounced(doc.uri);
      return;
    }
    for (const uri of dependents(path)) scheduleDebounced(uri);
  });

  documents.onDidClose(({ document }) => {
    clearTimeout(pending.get(document.uri));
    pending.delete(document.uri);
    clear(document.uri);
    if (policyDiagnosed.delete(document.uri)) connection.sendDiagnostics({ uri: document.uri, diagnostics: [] });
    const path = uriToPath(document.uri);
    if (path) {
      // The disk version takes over: re-check what depended on the editor's.
      textCache.invalidate(path);
      kindCache.invalidate(path);
      if (isPolicyDocument(path)) scheduleAll();
      else for (const uri of dependents(path)) scheduleDebounced(uri);
    }
  });

  documents.listen(connection);
  connection.listen();
  return connection;
}
