// Which documents are templates, which are parameter files, and which
// parameter files belong to which template: a JavaScript port of
// crates/idguard-core/src/project.rs (sniff_kind and pair_parameter_files),
// which the wasm package does not export. Keep the two in step.

const STRUCTURAL_SCAN_LIMIT = 8 << 20;
const TEXTUAL_SCAN_LIMIT = 64 << 10;

/**
 * 'template', 'parameters' or 'other', by the top-level `$schema`, without
 * parsing the text: skips a BOM, whitespace and comments, walks the
 * top-level members (skipping values) until `$schema`. When the top of the
 * text is not well-formed, falls back to the first `"$schema": "…"` in the
 * first 64 KiB, so a broken template is still a template.
 */
export function sniffKind(text) {
  const limited = text.length > STRUCTURAL_SCAN_LIMIT ? text.slice(0, STRUCTURAL_SCAN_LIMIT) : text;
  let schema;
  try {
    schema = topLevelSchema(limited);
  } catch {
    schema = textualSchema(limited.slice(0, TEXTUAL_SCAN_LIMIT));
  }
  return schema == null ? 'other' : classifySchema(schema);
}

function classifySchema(raw) {
  const value = raw.toLowerCase().replaceAll('\\/', '/');
  if (value.includes('deploymenttemplate.json')) return 'template';
  if (value.includes('deploymentparameters.json')) return 'parameters';
  return 'other';
}

class Bad extends Error {}

class Cursor {
  constructor(text, pos = 0) {
    this.t = text;
    this.pos = pos === 0 && text.charCodeAt(0) === 0xfeff ? 1 : pos;
  }
  peek(ahead = 0) {
    return this.t[this.pos + ahead];
  }
  skipTrivia() {
    for (;;) {
      const c = this.peek();
      if (c === ' ' || c === '\t' || c === '\n' || c === '\r') this.pos++;
      else if (c === '/' && this.peek(1) === '/') {
        const nl = this.t.indexOf('\n', this.pos);
        this.pos = nl < 0 ? this.t.length : nl;
      } else if (c === '/' && this.peek(1) === '*') {
        const close = this.t.indexOf('*/', this.pos + 2);
        if (close < 0) throw new Bad();
        this.pos = close + 2;
      } else return;
    }
  }
  /** At a quote: the raw string content (escapes undecoded). */
  string() {
    if (this.peek() !== '"') throw new Bad();
    const start = ++this.pos;
    for (;;) {
      const c = this.peek();
      if (c === undefined) throw new Bad();
      if (c === '"') {
        const raw = this.t.slice(start, this.pos);
        this.pos++;
        return raw;
      }
      this.pos += c === '\\' ? 2 : 1;
    }
  }
  skipValue() {
    const c = this.peek();
    if (c === undefined) throw new Bad();
    if (c === '"') {
      this.string();
      return;
    }
    if (c === '{' || c === '[') {
      let depth = 0;
      for (;;) {
        this.skipTrivia();
        const d = this.peek();
        if (d === undefined) throw new Bad();
        if (d === '"') this.string();
        else if (d === '{' || d === '[') {
          depth++;
          this.pos++;
        } else if (d === '}' || d === ']') {
          this.pos++;
          depth--;
          if (depth < 0) throw new Bad();
          if (depth === 0) return;
        } else this.pos++;
      }
    }
    if (c === '}' || c === ']' || c === ',' || c === ':') throw new Bad();
    while (this.pos < this.t.length && !',}] \t\n\r/'.includes(this.peek())) this.pos++;
  }
}

function topLevelSchema(text) {
  const c = new Cursor(text);
  c.skipTrivia();
  if (c.peek() !== '{') return null;
  c.pos++;
  for (;;) {
    c.skipTrivia();
    const ch = c.peek();
    if (ch === undefined) throw new Bad();
    if (ch === '}') return null;
    if (ch === ',') {
      c.pos++;
      continue;
    }
    if (ch !== '"') throw new Bad();
    const key = c.string();
    c.skipTrivia();
    if (c.peek() !== ':') throw new Bad();
    c.pos++;
    c.skipTrivia();
    if (key === '$schema') return c.peek() === '"' ? c.string() : null;
    c.skipValue();
  }
}

function textualSchema(text) {
  const at = text.indexOf('"$schema"');
  if (at < 0) return null;
  try {
    const c = new Cursor(text, at + '"$schema"'.length);
    c.skipTrivia();
    if (c.peek() !== ':') return null;
    c.pos++;
    c.skipTrivia();
    return c.string();
  } catch {
    return null;
  }
}

/** A file name without `.json`/`.jsonc`, lowercased. */
export function stemLower(name) {
  const lower = name.toLowerCase();
  if (lower.endsWith('.jsonc')) return lower.slice(0, -6);
  if (lower.endsWith('.json')) return lower.slice(0, -5);
  return lower;
}

/** Whether parameter stem `base` belongs to template stem `stem`: `X.parameters`, `X.<env>.parameters`, `X.parameters.<env>`. */
export function belongsTo(base, stem) {
  if (!base.startsWith(`${stem}.`)) return false;
  const rest = base.slice(stem.length + 1);
  if (rest === 'parameters') return true;
  if (rest.endsWith('.parameters')) return rest.length > '.parameters'.length;
  if (rest.startsWith('parameters.')) return rest.length > 'parameters.'.length;
  return false;
}

const ENVIRONMENT_NAMES = new Set([
  'dev', 'development', 'dv', 'test', 'tst', 'qa', 'int', 'integration', 'stage', 'stg',
  'staging', 'preprod', 'uat', 'prod', 'prd', 'production', 'live', 'sandbox', 'sbx', 'local',
]);

/** `parameters`, `parameters.<env>` or `<env>.parameters` with a common environment name. */
export function isGenericParametersName(base) {
  if (base === 'parameters') return true;
  if (base.startsWith('parameters.')) {
    const env = base.slice('parameters.'.length);
    return env.length > 0 && !env.includes('.');
  }
  if (base.endsWith('.parameters')) return ENVIRONMENT_NAMES.has(base.slice(0, -'.parameters'.length));
  return false;
}

/**
 * The template (by file name, from `templateNames`, all in one directory)
 * a parameter file `paramName` belongs to, or null: the longest template
 * name it belongs to by convention; else, for a generic name, the only
 * template of the directory.
 */
export function templateForParameters(paramName, templateNames) {
  const base = stemLower(paramName);
  let best = null;
  for (const t of templateNames) {
    const stem = stemLower(t);
    if (belongsTo(base, stem) && (best === null || stem.length > stemLower(best).length)) best = t;
  }
  if (best !== null) return best;
  if (isGenericParametersName(base) && templateNames.length === 1) return templateNames[0];
  return null;
}
