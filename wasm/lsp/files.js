// Reading files the way the CLI does (UTF-8 with or without BOM, UTF-16
// with a BOM), cached by path, modification time and size so that a check
// on every keystroke does not re-read the disk.

import { readFileSync, readdirSync, statSync, openSync, readSync, closeSync } from 'node:fs';
import { fileKind } from '../src/node.js';

/** Decodes file bytes: UTF-8 (BOM dropped) or UTF-16 LE/BE with a BOM. */
export function decode(buf) {
  if (buf.length >= 2 && buf[0] === 0xff && buf[1] === 0xfe) return new TextDecoder('utf-16le').decode(buf.subarray(2));
  if (buf.length >= 2 && buf[0] === 0xfe && buf[1] === 0xff) return new TextDecoder('utf-16be').decode(buf.subarray(2));
  const text = new TextDecoder('utf-8').decode(buf);
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/** `{ mtimeMs, size }` of a file, or null when it is not a readable file. */
export function stamp(path) {
  try {
    const st = statSync(path);
    return st.isFile() ? { mtimeMs: st.mtimeMs, size: st.size } : null;
  } catch {
    return null;
  }
}

const same = (a, b) => a && b && a.mtimeMs === b.mtimeMs && a.size === b.size;

/** A per-path cache of something derived from a file, keyed by its stamp. */
export class FileCache {
  constructor(derive) {
    this.derive = derive;
    this.entries = new Map();
  }

  /** The derived value for `path` (null when the file is missing). */
  get(path) {
    const st = stamp(path);
    if (!st) {
      this.entries.delete(path);
      return null;
    }
    const hit = this.entries.get(path);
    if (hit && same(hit.stamp, st)) return hit.value;
    let value;
    try {
      value = this.derive(path, st);
    } catch {
      value = null;
    }
    this.entries.set(path, { stamp: st, value });
    return value;
  }

  /** Forgets `path` (all paths when omitted). */
  invalidate(path) {
    if (path === undefined) this.entries.clear();
    else this.entries.delete(path);
  }
}

/** Whole-file text, decoded. */
export const textCache = new FileCache((path) => decode(readFileSync(path)));

const SNIFF_BYTES = 64 << 10;

/**
 * The kind of a JSON file on disk ('template', 'parameters', 'other'),
 * from its first 64 KiB.
 */
export const kindCache = new FileCache((path) => {
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.alloc(SNIFF_BYTES);
    const n = readSync(fd, buf, 0, SNIFF_BYTES, 0);
    return fileKind(path, decode(buf.subarray(0, n)));
  } finally {
    closeSync(fd);
  }
});

/** The `*.json` / `*.jsonc` file names of a directory (empty when unreadable). */
/** The names of the files idguard reads: JSON (JSONC), Bicep and Bicep parameter files. */
export const SOURCE_NAME = /\.(jsonc?|bicep|bicepparam)$/i;

export function jsonFilesIn(dir) {
  try {
    return readdirSync(dir, { withFileTypes: true })
      .filter((e) => e.isFile() && SOURCE_NAME.test(e.name))
      .map((e) => e.name);
  } catch {
    return [];
  }
}
