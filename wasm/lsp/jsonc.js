// A small JSONC parser that keeps offsets: enough for the language server's
// quick fixes to find a value by JSON pointer and edit around it. It accepts
// what the idguard core accepts (comments, trailing and doubled commas) and
// gives up (returns null) on anything else: a quick fix is only offered on a
// document it understands.
//
// Offsets are JavaScript string indices (UTF-16 code units), which is what
// TextDocument.positionAt takes.

/**
 * @typedef {object} Node
 * @property {'object'|'array'|'string'|'number'|'boolean'|'null'} type
 * @property {number} offset   start of the value
 * @property {number} end      end of the value (exclusive)
 * @property {any} [value]     for scalars: the decoded value
 * @property {Member[]} [members]  for objects
 * @property {Node[]} [items]  for arrays
 */

/**
 * @typedef {object} Member
 * @property {string} key
 * @property {number} keyOffset   start of the key's opening quote
 * @property {number} keyEnd      end of the key (after its closing quote)
 * @property {Node} value
 */

class ParseError extends Error {}

/** Parses `text`; returns the root node, or null when it is not JSONC. */
export function parseTree(text) {
  try {
    const p = new Parser(text);
    p.skipTrivia();
    const root = p.value(0);
    p.skipTrivia();
    if (p.pos !== text.length) return null;
    return root;
  } catch (e) {
    if (e instanceof ParseError || e instanceof RangeError) return null;
    throw e;
  }
}

const MAX_DEPTH = 512;

class Parser {
  constructor(text) {
    this.text = text;
    this.pos = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  }

  fail() {
    throw new ParseError(`unexpected input at ${this.pos}`);
  }

  skipTrivia() {
    const t = this.text;
    for (;;) {
      const c = t.charCodeAt(this.pos);
      if (c === 32 || c === 9 || c === 10 || c === 13) {
        this.pos++;
      } else if (c === 47 /* / */ && t.charCodeAt(this.pos + 1) === 47) {
        const nl = t.indexOf('\n', this.pos);
        this.pos = nl < 0 ? t.length : nl;
      } else if (c === 47 && t.charCodeAt(this.pos + 1) === 42 /* * */) {
        const close = t.indexOf('*/', this.pos + 2);
        if (close < 0) this.fail();
        this.pos = close + 2;
      } else {
        return;
      }
    }
  }

  value(depth) {
    if (depth > MAX_DEPTH) this.fail();
    const t = this.text;
    const c = t[this.pos];
    if (c === '{') return this.object(depth);
    if (c === '[') return this.array(depth);
    if (c === '"') {
      const offset = this.pos;
      const value = this.string();
      return { type: 'string', offset, end: this.pos, value };
    }
    const m = /^(?:-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null)/.exec(t.slice(this.pos, this.pos + 400));
    if (!m) this.fail();
    const offset = this.pos;
    this.pos += m[0].length;
    const word = m[0];
    if (word === 'true' || word === 'false') return { type: 'boolean', offset, end: this.pos, value: word === 'true' };
    if (word === 'null') return { type: 'null', offset, end: this.pos, value: null };
    return { type: 'number', offset, end: this.pos, value: Number(word) };
  }

  string() {
    const t = this.text;
    const start = this.pos + 1;
    let i = start;
    let hasEscape = false;
    for (;;) {
      const c = t.charCodeAt(i);
      if (Number.isNaN(c)) this.fail();
      if (c === 34) break;
      if (c === 92) {
        hasEscape = true;
        i += 2;
        continue;
      }
      i++;
    }
    this.pos = i + 1;
    const raw = t.slice(start, i);
    if (!hasEscape) return raw;
    try {
      return JSON.parse(`"${raw.replace(/[\u0000-\u001f]/g, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`)}"`);
    } catch {
      this.fail();
    }
  }

  object(depth) {
    const offset = this.pos;
    this.pos++;
    const members = [];
    for (;;) {
      this.skipTrivia();
      const c = this.text[this.pos];
      if (c === '}') {
        this.pos++;
        return { type: 'object', offset, end: this.pos, members };
      }
      if (c === ',') {
        this.pos++;
        continue;
      }
      if (c !== '"') this.fail();
      const keyOffset = this.pos;
      const key = this.string();
      const keyEnd = this.pos;
      this.skipTrivia();
      if (this.text[this.pos] !== ':') this.fail();
      this.pos++;
      this.skipTrivia();
      const value = this.value(depth + 1);
      members.push({ key, keyOffset, keyEnd, value });
      this.skipTrivia();
      const next = this.text[this.pos];
      if (next !== ',' && next !== '}') this.fail();
    }
  }

  array(depth) {
    const offset = this.pos;
    this.pos++;
    const items = [];
    for (;;) {
      this.skipTrivia();
      const c = this.text[this.pos];
      if (c === ']') {
        this.pos++;
        return { type: 'array', offset, end: this.pos, items };
      }
      if (c === ',') {
        this.pos++;
        continue;
      }
      items.push(this.value(depth + 1));
      this.skipTrivia();
      const next = this.text[this.pos];
      if (next !== ',' && next !== ']') this.fail();
    }
  }
}

/** Splits a JSON pointer (RFC 6901) into its unescaped segments. */
export function pointerSegments(pointer) {
  if (pointer === '') return [];
  if (!pointer.startsWith('/')) return null;
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/**
 * The chain of nodes from the root to the value at `pointer`:
 * `[{node, member?}]`, where `member` is the object member holding the node
 * (absent for the root and array items). Null when the pointer does not
 * resolve. Duplicate keys resolve to the last one, as JSON.parse does.
 */
export function pathTo(root, pointer) {
  const segments = pointerSegments(pointer);
  if (!root || !segments) return null;
  const chain = [{ node: root }];
  let node = root;
  for (const seg of segments) {
    if (node.type === 'object') {
      let found = null;
      for (const m of node.members) if (m.key === seg) found = m;
      if (!found) return null;
      node = found.value;
      chain.push({ node, member: found });
    } else if (node.type === 'array') {
      if (!/^(0|[1-9]\d*)$/.test(seg)) return null;
      const item = node.items[Number(seg)];
      if (!item) return null;
      node = item;
      chain.push({ node });
    } else {
      return null;
    }
  }
  return chain;
}

/** The member named `key` of an object node (the last one), or undefined. */
export function memberOf(node, key) {
  if (!node || node.type !== 'object') return undefined;
  let found;
  for (const m of node.members) if (m.key === key) found = m;
  return found;
}
