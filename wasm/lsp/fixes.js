// Quick fixes for the findings whose fix is mechanical. Each takes the
// document text, its parsed tree and the finding, and returns
// `{ title, edits: [{ start, end, newText }] }` (string offsets) or null
// when the text is not what the fix expects: a fix is never a guess.

import { memberOf, parseTree, pathTo } from './jsonc.js';

/** Codes that may have a quick fix. */
export const FIXABLE = new Set(['MI202', 'MI401', 'MI402']);

/**
 * The quick fix for `finding` in `text`, or null. `tree` is
 * `parseTree(text)` (pass it when fixing several findings of one text).
 */
export function quickFix(text, finding, tree = parseTree(text)) {
  if (!tree || !FIXABLE.has(finding.code)) return null;
  switch (finding.code) {
    case 'MI401':
      return fixClientPrincipalId(text, tree, finding);
    case 'MI402':
      return fixPrincipalType(text, tree, finding);
    case 'MI202':
      return fixRequiredTags(text, tree, finding);
    default:
      return null;
  }
}

// ---------------------------------------------------------------- helpers

/** The start of the line holding `offset`. */
function lineStart(text, offset) {
  return text.lastIndexOf('\n', offset - 1) + 1;
}

/** The whitespace before `offset` on its line, or null when something else precedes it there. */
function ownLineIndent(text, offset) {
  const before = text.slice(lineStart(text, offset), offset);
  return /^[ \t]*$/.test(before) ? before : null;
}

/** The line ending the text uses. */
function eol(text) {
  return text.includes('\r\n') ? '\r\n' : '\n';
}

/** One level of indentation as the text uses it (default two spaces). */
function indentUnit(text, objectNode) {
  const outer = ownLineIndent(text, objectNode.offset) ?? indentOfLine(text, objectNode.offset);
  const first = objectNode.members?.[0];
  if (first) {
    const inner = ownLineIndent(text, first.keyOffset);
    if (inner !== null && inner.length > outer.length && inner.startsWith(outer)) return inner.slice(outer.length);
  }
  const m = /\n([ \t]+)"/.exec(text);
  return m ? m[1] : '  ';
}

/** The leading whitespace of the line holding `offset`. */
function indentOfLine(text, offset) {
  const start = lineStart(text, offset);
  return /^[ \t]*/.exec(text.slice(start))[0];
}

const jsonString = (s) => JSON.stringify(s);

/**
 * Edits that add members (`[key, valueText]`) at the end of an object node,
 * keeping the object's layout: one member per line when its members are on
 * their own lines, inline otherwise.
 */
function appendMembers(text, objectNode, members, keyIndentHint) {
  const nl = eol(text);
  const last = objectNode.members.at(-1);
  if (!last) {
    // An empty object: replace `{}` (and anything between, which is
    // whitespace or comments) with a fresh body.
    const inner = text.slice(objectNode.offset + 1, objectNode.end - 1);
    if (inner.trim() !== '') return null;
    const outer = ownLineIndent(text, objectNode.offset) ?? indentOfLine(text, objectNode.offset);
    const unit = keyIndentHint ?? indentUnit(text, objectNode);
    const body = members.map(([k, v]) => `${outer}${unit}${jsonString(k)}: ${v}`).join(`,${nl}`);
    return [{ start: objectNode.offset, end: objectNode.end, newText: `{${nl}${body}${nl}${outer}}` }];
  }
  const indent = ownLineIndent(text, last.keyOffset);
  const sep = indent === null ? ', ' : `,${nl}${indent}`;
  const newText = members.map(([k, v]) => `${sep}${jsonString(k)}: ${v}`).join('');
  return [{ start: last.value.end, end: last.value.end, newText }];
}

/** The object holding the member at `pointer` and that member, or null. */
function parentAndMember(tree, pointer) {
  const chain = pathTo(tree, pointer);
  if (!chain || chain.length < 2) return null;
  const { member } = chain.at(-1);
  const parent = chain.at(-2).node;
  if (!member || parent.type !== 'object') return null;
  return { parent, member, chain };
}

// ------------------------------------------------------------------ MI401

const CLIENT_ID = /\.clientId\b/gi;
const PRINCIPAL_ID = /\.principalId\b/gi;

/**
 * MI401: `.clientId` → `.principalId` in a principal ID expression, or
 * `.principalId` → `.clientId` in a client-ID setting. Only when the value
 * is an ARM expression string with exactly one such property access.
 */
function fixClientPrincipalId(text, tree, finding) {
  const chain = pathTo(tree, finding.pointer);
  if (!chain) return null;
  const node = chain.at(-1).node;
  if (node.type !== 'string' || !/^\s*\[/.test(node.value)) return null;
  const toClientId = /\.clientId\b/.test(finding.help) && !/\.principalId\b/.test(finding.help);
  const wrong = toClientId ? PRINCIPAL_ID : CLIENT_ID;
  const raw = text.slice(node.offset, node.end);
  const hits = [...raw.matchAll(wrong)];
  if (hits.length !== 1) return null;
  const at = node.offset + hits[0].index;
  const replacement = toClientId ? '.clientId' : '.principalId';
  return {
    title: `Use ${replacement} instead of ${hits[0][0]}`,
    edits: [{ start: at, end: at + hits[0][0].length, newText: replacement }],
  };
}

// ------------------------------------------------------------------ MI402

/**
 * MI402: add `"principalType": "ServicePrincipal"` after `principalId` in
 * the role assignment's properties, or set an existing literal
 * `principalType` to it.
 */
function fixPrincipalType(text, tree, finding) {
  if (!/\/properties\/principalId$/.test(finding.pointer)) return null;
  const found = parentAndMember(tree, finding.pointer);
  if (!found) return null;
  const { parent: properties, member: principalId } = found;
  const title = 'Set "principalType": "ServicePrincipal"';
  const existing = memberOf(properties, 'principalType');
  if (existing) {
    const v = existing.value;
    if (v.type !== 'string' || v.value.trimStart().startsWith('[')) return null;
    if (v.value === 'ServicePrincipal') return null;
    return { title, edits: [{ start: v.offset, end: v.end, newText: '"ServicePrincipal"' }] };
  }
  const indent = ownLineIndent(text, principalId.keyOffset);
  const nl = eol(text);
  const sep = indent === null ? ', ' : `,${nl}${indent}`;
  return {
    title: 'Add "principalType": "ServicePrincipal"',
    edits: [{ start: principalId.value.end, end: principalId.value.end, newText: `${sep}"principalType": "ServicePrincipal"` }],
  };
}

// ------------------------------------------------------------------ MI202

/** The tag names a MI202 message lists: `lacks tag 'a'` / `lacks tags 'a', 'b'` and `has tag(s) … empty`. */
export function tagsFromMessage(message) {
  const list = (re) => {
    const m = re.exec(message);
    return m ? [...m[1].matchAll(/'([^']*)'/g)].map((x) => x[1]) : [];
  };
  return {
    missing: list(/lacks tags? ((?:'[^']*'(?:, )?)+)/),
    empty: list(/has tags? ((?:'[^']*'(?:, )?)+) empty/),
  };
}

/**
 * MI202: add the missing required tags with a `TODO` value to the
 * identity's `tags` object (or add a `tags` object after `type`), and fill
 * empty ones with `TODO`.
 */
function fixRequiredTags(text, tree, finding) {
  const { missing, empty } = tagsFromMessage(finding.message);
  if (missing.length === 0 && empty.length === 0) return null;
  const placeholder = jsonString('TODO');
  const found = parentAndMember(tree, finding.pointer);
  if (!found) return null;
  const { parent: resource, member } = found;
  const names = [...missing, ...empty].map((t) => `'${t}'`).join(', ');
  const title = `Add required tag${missing.length + empty.length > 1 ? 's' : ''} ${names} (TODO values)`;
  if (member.key === 'tags') {
    const tags = member.value;
    if (tags.type !== 'object') return null;
    const edits = [];
    for (const name of empty) {
      const m = memberOf(tags, name);
      if (!m) continue;
      if (m.value.type === 'null' || (m.value.type === 'string' && m.value.value.trim() === '' )) {
        edits.push({ start: m.value.offset, end: m.value.end, newText: placeholder });
      }
    }
    const toAdd = missing.filter((name) => !memberOf(tags, name));
    if (toAdd.length > 0) {
      const add = appendMembers(text, tags, toAdd.map((k) => [k, placeholder]));
      if (!add) return null;
      edits.push(...add);
    }
    return edits.length > 0 ? { title, edits } : null;
  }
  if (member.key === 'type') {
    if (memberOf(resource, 'tags') || missing.length === 0) return null;
    // After `location` (where tags usually go), else after `type`.
    const anchor = memberOf(resource, 'location') ?? member;
    const indent = ownLineIndent(text, anchor.keyOffset);
    const nl = eol(text);
    let newText;
    if (indent === null) {
      newText = `, "tags": { ${missing.map((k) => `${jsonString(k)}: ${placeholder}`).join(', ')} }`;
    } else {
      const unit = indentUnit(text, resource);
      const body = missing.map((k) => `${indent}${unit}${jsonString(k)}: ${placeholder}`).join(`,${nl}`);
      newText = `,${nl}${indent}"tags": {${nl}${body}${nl}${indent}}`;
    }
    return { title, edits: [{ start: anchor.value.end, end: anchor.value.end, newText }] };
  }
  return null;
}
