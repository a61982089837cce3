#!/usr/bin/env node
// `idguard check`: the native CLI's check, from the npm package, for
// machines with Node and no idguard binary (`npx @idguard/idguard check
// infra/`). This file reads the disk (walks directories as the CLI does,
// honouring hidden files and .gitignore, refusing what a checked file names
// outside the checked tree), classifies and pairs files through the core's
// `project`, and runs policy plugins through the package's host. Checking,
// assembling the report and rendering it run in the wasm core: the same
// Rust as the CLI's (crates/idguard-render, the bridge's `cliCheck` and
// `cliCall`), so the outputs are the CLI's byte for byte and the exit codes
// the same. See docs/wasm.md ("The idguard command") for what differs.
import { closeSync, constants, fstatSync, lstatSync, openSync, readSync, readdirSync, realpathSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join, resolve, sep } from 'node:path';
import { parseArgs } from 'node:util';

import * as raw from '../pkg/idguard_wasm.js';
import { WorkerHost, loadAsync, resolvePlugins, runEvaluationAsync } from '../src/plugins.js';
import { project, policyPlugins, validatePolicy, version } from '../src/node.js';
import { spawnNodeWorker } from '../src/node-plugins.js';

/** A failure that stops the run with exit code 2; the message goes to standard error as is. */
class Fatal extends Error {}

const MAX_FILE_BYTES = 64 * 1024 * 1024;
const MAX_FRAME_SOURCE = 4 << 20;
const POLICY_FILE_NAME = 'idguard.json';
const FORMATS = ['text', 'json', 'sarif', 'junit', 'github'];
const FAIL_ON = ['error', 'warning', 'info', 'never'];
const COLORS = ['auto', 'always', 'never'];

const HELP = `idguard: check managed-identity design in Bicep and ARM templates (npm package ${version()})

Usage: idguard [--color <WHEN>] check [OPTIONS] [PATH]...

Arguments:
  [PATH]...  Files and directories to check (default \`.\`). Directories are walked
             honouring .gitignore; only *.json, *.jsonc, *.bicep and *.bicepparam
             files are read.

Options:
  -f, --format <FORMAT>     Report format (repeatable, paired in order with --output)
                            [possible values: text, json, sarif, junit, github]
  -o, --output <FILE>       Write the report to FILE (repeatable; \`-\` is standard output)
      --fail-on <LEVEL>     Lowest severity that fails the run (exit code 1) [default: error]
                            [possible values: error, warning, info, never]
      --policy <FILE>       Policy file. Default: the first idguard.json found upward from
                            the first PATH, else the built-in default policy
      --baseline <FILE>     A previous JSON report or SARIF file: findings whose fingerprint
                            is in it are left out of the output and never fail the run
      --parameters <FILE>   Evaluate the template with this parameter file instead of the
                            ones found by naming convention (repeatable; one template)
      --exclude <GLOB>      Skip walked files and directories matching this glob (repeatable)
      --root <DIR>          The directory tree linked templates, symlinks in walked
                            directories, a discovered policy and its plugins must stay inside
                            (default: the current directory, or a checked path outside it)
      --no-plugins          Do not run the policy's WebAssembly plugins
  -q, --quiet               With --output, do not also print the text report to the terminal
      --color <WHEN>        When to colour terminal output (NO_COLOR and CLICOLOR_FORCE are
                            honoured in \`auto\`) [default: auto] [possible values: auto,
                            always, never]
  -h, --help                Print help
  -V, --version             Print version

Outputs:
  Without --output, the one --format (default text) goes to standard output.
  With --output, each --format is written to the --output at the same position
  (\`--format sarif --output idguard.sarif --format junit --output junit.xml\`); a
  missing --format is inferred from the file extension (.sarif, .json, .xml, .txt).
  The text report still goes to the terminal unless --quiet is given or an
  --output is \`-\` (standard output).

Exit codes:
  0  no findings at or above --fail-on (suppressed and baselined findings never count)
  1  findings at or above --fail-on
  2  usage error, a path that does not exist or is not a regular file, an unreadable
     or invalid template or parameter file, a refused linked template, an invalid
     policy or baseline, a policy plugin that failed, a failed write to standard output

The npm package runs \`check\` only; the other commands (baseline, rules, explain,
init, --fix) are the native CLI's (docs/install.md).
`;

// ---------------------------------------------------------------------------
// The bridge.

function unwrap(text) {
  const out = JSON.parse(text);
  if (out.error) {
    const e = new Error(out.error.message);
    e.kind = out.error.kind;
    e.problems = out.error.problems;
    throw e;
  }
  return out.ok;
}

const cliCall = (op, request) => unwrap(raw.cliCall(op, JSON.stringify(request)));

/** A message for standard error, escaped as the CLI escapes it. */
function eprintln(text) {
  let safe;
  try {
    safe = cliCall('message', `${text}\n`);
  } catch {
    safe = `${text}\n`;
  }
  try {
    writeSync(2, safe);
  } catch {
    // Nowhere left to say so.
  }
}

// ---------------------------------------------------------------------------
// Paths and the messages the CLI gives for them.

/** Rust's io::Error text for a Node error. */
function ioMessage(e) {
  const known = {
    ENOENT: 'No such file or directory (os error 2)',
    EACCES: 'Permission denied (os error 13)',
    EPERM: 'Operation not permitted (os error 1)',
    EISDIR: 'Is a directory (os error 21)',
    ENOTDIR: 'Not a directory (os error 20)',
    ELOOP: 'Too many levels of symbolic links (os error 40)',
    ENOSPC: 'No space left on device (os error 28)',
    EPIPE: 'Broken pipe (os error 32)',
    EEXIST: 'File exists (os error 17)',
    EROFS: 'Read-only file system (os error 30)',
    ENAMETOOLONG: 'File name too long (os error 36)',
    EIO: 'Input/output error (os error 5)',
  };
  return known[e?.code] ?? e?.message ?? String(e);
}

/** The CLI's OpenError, as a sentence after "it" / "the file". */
class OpenError {
  constructor(kind, detail) {
    this.kind = kind;
    this.detail = detail;
  }
  static from(e) {
    if (e?.code === 'ENOENT') return new OpenError('notFound');
    if (e?.code === 'ELOOP') return new OpenError('loop');
    return new OpenError('io', ioMessage(e));
  }
  toString() {
    switch (this.kind) {
      case 'notFound':
        return 'does not exist';
      case 'notRegular':
        return `is ${this.detail}, not a regular file`;
      case 'tooLarge':
        return `is larger than the ${MAX_FILE_BYTES / 1024 / 1024} MiB limit (${this.detail} bytes)`;
      case 'absolute':
        return 'is an absolute path; a checked file may only name relative paths';
      case 'outside':
        return `leads outside the checked tree ${this.detail} (use --root to name a wider one)`;
      case 'loop':
        return 'is a symlink loop';
      default:
        return `cannot be read: ${this.detail}`;
    }
  }
}

function describe(st) {
  if (st.isDirectory()) return 'a directory';
  if (st.isSymbolicLink()) return 'a symlink';
  if (st.isFIFO()) return 'a FIFO';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  if (st.isSocket()) return 'a socket';
  return 'not a regular file';
}

const NONBLOCK = (constants.O_NONBLOCK ?? 0) | (constants.O_NOCTTY ?? 0);

/** Opens a regular file without blocking (a FIFO opens at once); the fd and its stats. */
function openRegular(path) {
  let fd;
  try {
    if (NONBLOCK === 0) {
      const st = statSync(path);
      if (!st.isFile()) throw new OpenError('notRegular', describe(st));
    }
    fd = openSync(path, constants.O_RDONLY | NONBLOCK);
  } catch (e) {
    if (e instanceof OpenError) throw e;
    throw OpenError.from(e);
  }
  let st;
  try {
    st = fstatSync(fd);
  } catch (e) {
    closeSync(fd);
    throw OpenError.from(e);
  }
  if (!st.isFile()) {
    closeSync(fd);
    throw new OpenError('notRegular', describe(st));
  }
  return { fd, st };
}

/** The bytes of the regular file at `path`, at most MAX_FILE_BYTES (throws an OpenError). */
function readBytes(path) {
  const { fd, st } = openRegular(path);
  try {
    if (st.size > MAX_FILE_BYTES) throw new OpenError('tooLarge', st.size);
    const chunks = [];
    let total = 0;
    const buf = Buffer.allocUnsafe(Math.min(Math.max(st.size + 1, 65536), MAX_FILE_BYTES + 1));
    for (;;) {
      let n;
      try {
        n = readSync(fd, buf, 0, buf.length, null);
      } catch (e) {
        if (e?.code === 'EAGAIN') continue;
        throw OpenError.from(e);
      }
      if (n === 0) break;
      chunks.push(Buffer.from(buf.subarray(0, n)));
      total += n;
      if (total > MAX_FILE_BYTES) throw new OpenError('tooLarge', Math.max(total, st.size));
    }
    return Buffer.concat(chunks, total);
  } finally {
    closeSync(fd);
  }
}

/** Rust's `Utf8Error::valid_up_to`: where the first invalid sequence starts, or -1. */
function utf8ValidUpTo(b) {
  let i = 0;
  const n = b.length;
  while (i < n) {
    const c = b[i];
    if (c < 0x80) {
      i++;
      continue;
    }
    let need;
    let lo = 0x80;
    let hi = 0xbf;
    if (c >= 0xc2 && c <= 0xdf) need = 1;
    else if (c === 0xe0) (need = 2), (lo = 0xa0);
    else if (c >= 0xe1 && c <= 0xec) need = 2;
    else if (c === 0xed) (need = 2), (hi = 0x9f);
    else if (c >= 0xee && c <= 0xef) need = 2;
    else if (c === 0xf0) (need = 3), (lo = 0x90);
    else if (c >= 0xf1 && c <= 0xf3) need = 3;
    else if (c === 0xf4) (need = 3), (hi = 0x8f);
    else return i;
    if (i + 1 >= n || b[i + 1] < lo || b[i + 1] > hi) return i;
    for (let k = 2; k <= need; k++) {
      if (i + k >= n || b[i + k] < 0x80 || b[i + k] > 0xbf) return i;
    }
    i += need + 1;
  }
  return -1;
}

const utf8Strict = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const utf8Lossy = new TextDecoder('utf-8', { ignoreBOM: true });

/** Decodes file bytes as the CLI does: UTF-8 (a BOM kept) or UTF-16 with a BOM. Throws a message string. */
function decode(bytes) {
  const utf16 = (le, body) => {
    let out = '';
    const units = new Uint16Array(Math.ceil(body.length / 2));
    for (let i = 0; i < units.length; i++) {
      const a = body[2 * i];
      const b = body[2 * i + 1];
      units[i] = b === undefined ? 0xfffd : le ? a | (b << 8) : (a << 8) | b;
    }
    for (let i = 0; i < units.length; i++) {
      const u = units[i];
      if (u >= 0xd800 && u <= 0xdbff) {
        const v = units[i + 1];
        if (v === undefined || v < 0xdc00 || v > 0xdfff) throw 'the file is not valid UTF-16';
        i++;
      } else if (u >= 0xdc00 && u <= 0xdfff) {
        throw 'the file is not valid UTF-16';
      }
    }
    for (let i = 0; i < units.length; i += 8192) out += String.fromCharCode(...units.subarray(i, i + 8192));
    return out;
  };
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return utf16(true, bytes.subarray(2));
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return utf16(false, bytes.subarray(2));
  try {
    return utf8Strict.decode(bytes);
  } catch {
    throw `the file is not valid UTF-8 (first bad byte at offset ${utf8ValidUpTo(bytes)})`;
  }
}

/** UTF-8 text without a BOM (policies, baselines); throws a sentence after "it". */
function utf8(bytes) {
  const body = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? bytes.subarray(3) : bytes;
  try {
    return utf8Strict.decode(body);
  } catch {
    throw `is not valid UTF-8 (first bad byte at offset ${utf8ValidUpTo(body)})`;
  }
}

/** Whether a too-large file mentions an ARM template or parameters schema (read in chunks). */
function mentionsArmSchema(path) {
  const markers = ['deploymenttemplate.json', 'deploymentparameters.json'];
  const keep = Math.max(...markers.map((m) => m.length)) - 1;
  const { fd } = openRegular(path);
  try {
    const chunk = Buffer.allocUnsafe(1 << 20);
    let window = '';
    for (;;) {
      const n = readSync(fd, chunk, 0, chunk.length, null);
      if (n === 0) return false;
      window += chunk.subarray(0, n).toString('latin1').toLowerCase();
      if (markers.some((m) => window.includes(m))) return true;
      window = window.slice(Math.max(0, window.length - keep));
    }
  } finally {
    closeSync(fd);
  }
}

/** The path as shown: as given, with a leading `./` removed. */
function displayPath(p) {
  let s = p;
  while (s.startsWith('./') || s.startsWith('.\\')) s = s.slice(2);
  return s;
}

/** Rust's `Path::join` for a relative name (no normalisation). */
function joinPath(dir, name) {
  if (dir === '') return name;
  return dir.endsWith('/') || dir.endsWith(sep) ? dir + name : `${dir}/${name}`;
}

/** Rust's `Path::parent` as a string ('' for a bare name). */
function parentOf(p) {
  const i = Math.max(p.lastIndexOf('/'), sep === '\\' ? p.lastIndexOf('\\') : -1);
  if (i < 0) return '';
  return i === 0 ? '/' : p.slice(0, i);
}

/** Byte-order comparison (Rust's `str` order). */
function cmpStr(a, b) {
  if (a === b) return 0;
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

function languageOf(path) {
  const lower = path.toLowerCase();
  if (lower.endsWith('.bicep')) return 'bicep';
  if (lower.endsWith('.bicepparam')) return 'bicepparam';
  return 'json';
}

function isCheckedName(path) {
  const name = path.slice(Math.max(path.lastIndexOf('/'), path.lastIndexOf(sep)) + 1);
  const dot = name.lastIndexOf('.');
  if (dot <= 0) return false;
  return ['json', 'jsonc', 'bicep', 'bicepparam'].includes(name.slice(dot + 1).toLowerCase());
}

/** The core's normalize_path. */
function normalizePath(p) {
  const out = [];
  for (const seg of p.split(/[/\\]/)) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') {
      if (out.length > 0 && out[out.length - 1] !== '..') out.pop();
      else out.push('..');
    } else out.push(seg);
  }
  return out.join('/');
}

function isAbsoluteLike(p) {
  return p.startsWith('/') || p.startsWith('\\') || /^[A-Za-z]:/.test(p) || isAbsolute(p);
}

/** A directory tree paths chosen by checked files must stay in (held canonical). */
class Tree {
  constructor(dir) {
    this.root = realpathSync.native(dir);
  }
  contains(canonical) {
    if (canonical === this.root) return true;
    const prefix = this.root.endsWith(sep) ? this.root : this.root + sep;
    return canonical.startsWith(prefix);
  }
  /** The canonical path, if inside the tree (throws an OpenError). */
  confine(path) {
    let canonical;
    try {
      canonical = realpathSync.native(path);
    } catch (e) {
      throw OpenError.from(e);
    }
    if (!this.contains(canonical)) throw new OpenError('outside', this.root);
    return canonical;
  }
  joinConfined(base, relative) {
    if (isAbsoluteLike(relative)) throw new OpenError('absolute');
    return this.confine(joinPath(base, relative));
  }
  readBytes(path) {
    return readBytes(this.confine(path));
  }
}

class Trees {
  constructor(root) {
    this.explicit = null;
    if (root != null) {
      let st;
      try {
        st = statSync(root);
      } catch (e) {
        throw new Fatal(`error: --root ${root}: ${OpenError.from(e)}`);
      }
      if (!st.isDirectory()) throw new Fatal(`error: --root ${root} is ${describe(st)}, not a directory`);
      this.explicit = new Tree(root);
    }
    try {
      this.cwd = new Tree(process.cwd());
    } catch {
      this.cwd = null;
    }
  }
  forPath(path) {
    let canonical;
    try {
      canonical = realpathSync.native(path);
    } catch (e) {
      throw new Fatal(`error: ${path}: ${OpenError.from(e)}`);
    }
    if (this.explicit) {
      if (this.explicit.contains(canonical)) return this.explicit;
      throw new Fatal(`error: ${path} is outside --root ${this.explicit.root}`);
    }
    if (this.cwd?.contains(canonical)) return this.cwd;
    let dir = canonical;
    try {
      if (!statSync(canonical).isDirectory()) dir = dirname(canonical);
    } catch {
      dir = dirname(canonical);
    }
    return new Tree(dir);
  }
  enclosing(path) {
    let canonical;
    try {
      canonical = realpathSync.native(path);
    } catch (e) {
      throw new Fatal(`error: ${path}: ${OpenError.from(e)}`);
    }
    return [this.explicit, this.cwd].find((t) => t?.contains(canonical)) ?? null;
  }
}

// ---------------------------------------------------------------------------
// Globs: --exclude (globset: `*` crosses `/`) and ignore files (gitignore).

function globBody(glob, { literalSeparator }) {
  const star = literalSeparator ? '[^/]*' : '.*';
  const one = literalSeparator ? '[^/]' : '.';
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === '*') {
      if (glob[i + 1] === '*') {
        const atStart = i === 0 || glob[i - 1] === '/';
        const next = glob[i + 2];
        if (atStart && next === '/') {
          re += '(?:.*/)?';
          i += 2;
          continue;
        }
        if (atStart && next === undefined) {
          re += '.*';
          i += 1;
          continue;
        }
        re += star;
        i += 1;
        continue;
      }
      re += star;
    } else if (c === '?') re += one;
    else if (c === '[') {
      const end = glob.indexOf(']', i + 2);
      if (end < 0) {
        re += '\\[';
        continue;
      }
      let cls = glob.slice(i + 1, end);
      if (cls.startsWith('!')) cls = `^${cls.slice(1)}`;
      re += `[${cls.replace(/\\/g, '\\\\')}]`;
      i = end;
    } else if (c === '{' && !literalSeparator) {
      const end = glob.indexOf('}', i);
      if (end < 0) {
        re += '\\{';
        continue;
      }
      re += `(?:${glob
        .slice(i + 1, end)
        .split(',')
        .map((a) => globBody(a, { literalSeparator }))
        .join('|')})`;
      i = end;
    } else if (c === '\\' && i + 1 < glob.length) {
      i++;
      re += glob[i].replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
    } else re += c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  }
  return re;
}

function buildExcludes(globs) {
  const res = [];
  for (const g of globs) {
    res.push(new RegExp(`^${globBody(g, { literalSeparator: false })}$`));
    if (!g.endsWith('/**')) res.push(new RegExp(`^${globBody(`${g.replace(/\/+$/, '')}/**`, { literalSeparator: false })}$`));
  }
  return res;
}

/** One ignore file's patterns, matched relative to its directory. */
function parseIgnoreFile(dir, text) {
  const rules = [];
  for (let line of text.split(/\r?\n/)) {
    if (line === '' || line.startsWith('#')) continue;
    // Trailing spaces go unless escaped.
    line = line.replace(/(?<!\\)\s+$/, '');
    if (line === '') continue;
    let negate = false;
    if (line.startsWith('!')) {
      negate = true;
      line = line.slice(1);
    } else if (line.startsWith('\\!') || line.startsWith('\\#')) line = line.slice(1);
    let dirOnly = false;
    if (line.endsWith('/') && line.length > 1) {
      dirOnly = true;
      line = line.slice(0, -1);
    }
    const anchored = line.includes('/');
    if (line.startsWith('/')) line = line.slice(1);
    const body = globBody(line, { literalSeparator: true });
    const re = anchored ? new RegExp(`^${body}$`) : new RegExp(`^(?:.*/)?${body}$`);
    rules.push({ re, negate, dirOnly });
  }
  return { dir, rules };
}

/** Ignore files by directory (read once), as the `ignore` crate reads them. */
class Ignores {
  constructor() {
    this.cache = new Map();
    this.global = null;
    const xdg = process.env.XDG_CONFIG_HOME;
    const file = xdg ? join(xdg, 'git', 'ignore') : join(homedir(), '.config', 'git', 'ignore');
    try {
      this.global = parseIgnoreFile('', readBytes(file).toString('utf8'));
    } catch {
      this.global = null;
    }
  }
  /** `{ignore, gitignore, exclude}` of an absolute directory. */
  of(dir) {
    let got = this.cache.get(dir);
    if (got) return got;
    const read = (name) => {
      try {
        return parseIgnoreFile(dir, readBytes(join(dir, name)).toString('utf8'));
      } catch {
        return null;
      }
    };
    got = { ignore: read('.ignore'), gitignore: read('.gitignore'), exclude: read(join('.git', 'info', 'exclude')) };
    this.cache.set(dir, got);
    return got;
  }
  /** Whether the absolute `path` is ignored (`isDir` for directories). */
  ignored(path, isDir) {
    const dirs = [];
    for (let d = dirname(path); ; d = dirname(d)) {
      dirs.push(d);
      if (dirname(d) === d) break;
    }
    const decide = (file) => {
      if (!file) return null;
      let rel = path.slice(file.dir.length).replace(/^[/\\]+/, '');
      if (sep === '\\') rel = rel.replace(/\\/g, '/');
      let verdict = null;
      for (const r of file.rules) {
        if (r.dirOnly && !isDir) continue;
        if (r.re.test(rel)) verdict = !r.negate;
      }
      return verdict;
    };
    for (const kind of ['ignore', 'gitignore', 'exclude']) {
      for (const d of dirs) {
        const v = decide(this.of(d)[kind]);
        if (v !== null) return v;
      }
    }
    if (this.global) {
      const rel = path.replace(/\\/g, '/');
      let verdict = null;
      for (const r of this.global.rules) {
        if (r.dirOnly && !isDir) continue;
        if (r.re.test(rel) || r.re.test(rel.slice(rel.lastIndexOf('/') + 1))) verdict = !r.negate;
      }
      if (verdict !== null) return verdict;
    }
    return false;
  }
}

// ---------------------------------------------------------------------------
// Finding the files (the CLI's discover, companions, load, classify).

function addCandidate(out, c) {
  const same = (a, b) => {
    try {
      return realpathSync.native(a) === realpathSync.native(b);
    } catch {
      return a === b;
    }
  };
  let n = 1;
  const base = c.display;
  for (;;) {
    const existing = out.get(c.display);
    if (!existing) break;
    if (same(existing.path, c.path)) return;
    n++;
    c.display = `${base} [${n}]`;
  }
  out.set(c.display, c);
}

/** What a walked entry that is not a regular file becomes (see the CLI's walked_special). */
function walkedSpecial(path, lst, tree) {
  if (lst.isDirectory()) return null;
  if (!lst.isSymbolicLink()) return { error: `the file is ${describe(lst)}, not a regular file` };
  let target;
  try {
    target = tree.confine(path);
  } catch (e) {
    if (e.kind === 'notFound') return { error: 'the file is a broken symlink' };
    if (e.kind === 'loop') return { error: 'the file is a symlink loop' };
    return { error: `the file is a symlink that ${e}` };
  }
  try {
    const st = statSync(target);
    if (st.isFile()) return { ok: true };
    if (st.isDirectory()) return null;
    return { error: `the file is a symlink to ${describe(st)}, not to a regular file` };
  } catch (e) {
    return { error: `the file is a symlink that ${OpenError.from(e)}` };
  }
}

function discover(paths, excludes, trees, ignores) {
  const out = new Map();
  for (const root of paths) {
    let st;
    try {
      st = statSync(root);
    } catch (e) {
      const err = OpenError.from(e);
      if (err.kind === 'notFound') throw new Fatal(`error: path ${root} does not exist`);
      throw new Fatal(`error: path ${root} ${err}`);
    }
    const tree = trees.forPath(root);
    if (st.isFile()) {
      addCandidate(out, { path: root, display: displayPath(root), role: 'named', tree, refused: null });
      continue;
    }
    if (!st.isDirectory()) throw new Fatal(`error: path ${root} is ${describe(st)}, not a file or directory`);
    const candidate = (path, refused) => ({ path, display: displayPath(path), role: 'walked', tree, refused });
    const excluded = (path) => {
      if (excludes.length === 0) return false;
      const rel = path.startsWith(root) ? path.slice(root.length).replace(/^[/\\]+/, '') : path;
      const shown = displayPath(path);
      return excludes.some((re) => re.test(rel) || re.test(shown));
    };
    const walk = (dir) => {
      let entries;
      try {
        entries = readdirSync(dir, { withFileTypes: true });
      } catch (e) {
        addCandidate(out, candidate(dir, `cannot be walked: ${ioMessage(e)}`));
        return;
      }
      entries.sort((a, b) => cmpStr(a.name, b.name));
      for (const ent of entries) {
        if (ent.name.startsWith('.')) continue;
        const path = joinPath(dir, ent.name);
        if (excluded(path)) continue;
        const abs = resolve(path);
        if (ent.isDirectory()) {
          if (ignores.ignored(abs, true)) continue;
          walk(path);
          continue;
        }
        if (ignores.ignored(abs, false)) continue;
        if (!isCheckedName(path)) continue;
        let refused = null;
        if (!ent.isFile()) {
          let lst;
          try {
            lst = lstatSync(path);
          } catch (e) {
            addCandidate(out, candidate(path, `cannot be walked: ${ioMessage(e)}`));
            continue;
          }
          const special = walkedSpecial(path, lst, tree);
          if (special === null) continue;
          if (special.error) refused = special.error;
        }
        addCandidate(out, candidate(path, refused));
      }
    };
    walk(root);
  }
  return [...out.values()].sort((a, b) => cmpStr(a.display, b.display));
}

/** Files next to named files, not already candidates, as companions. */
function companions(candidates) {
  const known = new Set(candidates.map((c) => c.display));
  const dirs = new Map();
  for (const c of candidates.filter((c) => c.role === 'named')) {
    const d = parentOf(c.path);
    if (!dirs.has(d)) dirs.set(d, c.tree);
  }
  const out = [];
  for (const dir of [...dirs.keys()].sort(cmpStr)) {
    const tree = dirs.get(dir);
    let entries;
    try {
      entries = readdirSync(dir === '' ? '.' : dir, { withFileTypes: true });
    } catch {
      continue;
    }
    const found = entries
      .filter((e) => {
        if (e.isFile()) return true;
        if (!e.isSymbolicLink()) return false;
        const p = joinPath(dir, e.name);
        try {
          return walkedSpecial(p, lstatSync(p), tree)?.ok === true;
        } catch {
          return false;
        }
      })
      .map((e) => joinPath(dir, e.name))
      .filter((p) => isCheckedName(p) && !known.has(displayPath(p)))
      .sort(cmpStr);
    for (const path of found) out.push({ path, display: displayPath(path), role: 'companion', tree, refused: null });
  }
  return out;
}

/** The kind of a JSON file's text ($schema), from the core. */
function sniffKind(path, text) {
  return project({ files: [{ path: languageOf(path) === 'json' ? path : `${path}.json`, text }] }).files[0].kind;
}

/** Reads and classifies one file (the CLI's load). */
function load(c) {
  const error = (message, kind) => ({ c, error: { message, line: 1, column: 1 }, kind });
  if (c.refused) return error(c.refused, 'other');
  const lang = languageOf(c.display);
  if (lang !== 'json') {
    const kind = lang === 'bicep' ? 'template' : 'parameters';
    try {
      return { c, text: decode(readBytes(c.path)), kind };
    } catch (e) {
      return error(e instanceof OpenError ? `the file ${e}` : String(e), kind);
    }
  }
  let bytes;
  try {
    bytes = readBytes(c.path);
  } catch (e) {
    if (e instanceof OpenError && e.kind === 'tooLarge' && (c.role === 'walked' || c.role === 'companion')) {
      let mentions = null;
      try {
        mentions = mentionsArmSchema(c.path);
      } catch {
        mentions = null;
      }
      if (mentions === false) return { c, text: '', kind: 'other' };
    }
    return error(e instanceof OpenError ? `the file ${e}` : String(e), 'other');
  }
  const lossyKind = () => sniffKind(c.display, utf8Lossy.decode(bytes));
  let text;
  try {
    text = decode(bytes);
  } catch (message) {
    const kind = lossyKind();
    if (c.role === 'named' || kind !== 'other') return error(String(message), kind);
    return { c, text: '', kind: 'other' };
  }
  return { c, text, kind: sniffKind(c.display, text) };
}

function generatedByBicep(text) {
  if (!text.includes('"_generator"')) return false;
  try {
    const v = JSON.parse(text.replace(/^\ufeff+/, ''));
    const name = v?.metadata?._generator?.name;
    return typeof name === 'string' && name.toLowerCase() === 'bicep';
  } catch {
    return false;
  }
}

function classify(l) {
  const { role, display } = l.c;
  const listed = (kind, error) => ({ listed: { path: display, kind, error: error ?? null, parameterFiles: [], notes: [] } });
  if (l.text !== undefined && role === 'parameters') return { params: [display, { text: l.text, role }] };
  if ((l.kind === 'other' || l.error) && role === 'companion') return { dropped: true };
  if (l.error) return listed(l.kind, l.error);
  if (l.kind === 'template') {
    return {
      template: {
        display,
        path: l.c.path,
        role,
        tree: l.c.tree,
        size: Buffer.byteLength(l.text),
        generatedByBicep: languageOf(display) === 'json' && generatedByBicep(l.text),
      },
    };
  }
  if (l.kind === 'parameters') return { params: [display, { text: l.text, role }] };
  return listed('other', null);
}

function stemKey(display) {
  const nameStart = Math.max(display.lastIndexOf('/'), display.lastIndexOf('\\')) + 1;
  const dot = display.lastIndexOf('.');
  return dot > nameStart ? display.slice(0, dot) : display;
}

function leaveOutCompiled(templates) {
  const sources = new Map(templates.filter((t) => languageOf(t.display) === 'bicep').map((t) => [stemKey(t.display), t.display]));
  const leftOut = [];
  for (const t of templates) {
    if (t.role === 'named' || !t.generatedByBicep) continue;
    // `X.json`, or another name Bicep's tools give the JSON they compile
    // from `X.bicep` (`X.symbolicnames.json`).
    const stem = stemKey(t.display);
    const source = sources.get(stem) ?? sources.get(stemKey(stem));
    if (source !== undefined) leftOut.push([t.display, source, t.role]);
  }
  const gone = new Set(leftOut.map(([p]) => p));
  const kept = templates.filter((t) => !gone.has(t.display));
  templates.length = 0;
  templates.push(...kept);
  return leftOut
    .filter(([, , role]) => role === 'walked')
    .map(([path, source]) => ({
      path,
      kind: 'other',
      error: null,
      parameterFiles: [],
      notes: [
        {
          file: path,
          line: 1,
          column: 1,
          message: `left out: Bicep generated this file from ${source}, which is checked instead (name the file on the command line to check it too)`,
        },
      ],
    }));
}

/** The parameter files of each template, from the core's `project` (as the CLI pairs them). */
function pairAll(templates, params) {
  const files = [
    ...templates.map((t) => ({ path: t.display, kind: 'template' })),
    ...[...params].map(([name, p]) => (languageOf(name) === 'bicepparam' ? { path: name, kind: 'parameters', text: p.text } : { path: name, kind: 'parameters' })),
  ];
  const plan = project({ files });
  return plan.templates.map((t) => t.parameterFiles);
}

// ---------------------------------------------------------------------------
// The policy, plugins and the baseline.

function findPolicyUpward(start) {
  let dir;
  try {
    const abs = realpathSync.native(start);
    dir = statSync(abs).isDirectory() ? abs : dirname(abs);
  } catch {
    return null;
  }
  for (;;) {
    const candidate = join(dir, POLICY_FILE_NAME);
    try {
      lstatSync(candidate);
      return candidate;
    } catch {
      // Not here.
    }
    const up = dirname(dir);
    if (up === dir) return null;
    dir = up;
  }
}

function loadPolicy(explicit, paths, trees) {
  let path;
  let confine = null;
  if (explicit != null) path = explicit;
  else {
    const found = paths.length > 0 ? findPolicyUpward(paths[0]) : null;
    if (found === null) return { text: null, path: null, shown: null };
    path = found;
    confine = [trees.explicit, trees.cwd].find((t) => t?.contains(dirname(found))) ?? null;
  }
  let text;
  try {
    text = utf8(confine ? confine.readBytes(path) : readBytes(path));
  } catch (e) {
    throw new Fatal(`error: cannot read policy ${path}: it ${e}`);
  }
  const shown = displayPath(path);
  const validation = validatePolicy(text);
  if (!validation.valid) {
    const n = validation.problems.length;
    let msg = `error: invalid policy ${shown} (${n} problem${n === 1 ? '' : 's'})`;
    for (const p of validation.problems) {
      const at = p.line != null && p.column != null ? `${shown}:${p.line}:${p.column}` : p.line != null ? `${shown}:${p.line}` : shown;
      msg += `\n  ${at}: ${p.message}${p.pointer ? ` at ${p.pointer}` : ''}`;
    }
    throw new Fatal(msg);
  }
  return { text, path, shown };
}

/** The policy's plugins, read (relative to the policy file; confined to the tree of a policy inside it). */
async function loadPlugins(policy, trees, noPlugins) {
  if (noPlugins || policy.text === null) return null;
  const entries = policyPlugins(policy.text);
  if (entries.length === 0) return null;
  const base = dirname(resolve(policy.path));
  const confine = trees.enclosing(policy.path);
  const supplied = entries.map((e) => {
    const file = resolve(base, e.path);
    try {
      const bytes = confine ? confine.readBytes(file) : readBytes(file);
      return { name: e.name, path: e.path, bytes: new Uint8Array(bytes), config: e.config, limits: e.limits };
    } catch (err) {
      return { name: e.name, path: e.path, error: `it ${err}` };
    }
  });
  const resolved = resolvePlugins(supplied, entries);
  const { ready, errors } = await loadAsync(resolved.plugins);
  return { ready, errors: [...resolved.errors, ...errors], workers: null };
}

function loadBaseline(path) {
  let text;
  try {
    text = utf8(readBytes(path));
  } catch (e) {
    throw new Fatal(`error: cannot read baseline ${path}: it ${e}`);
  }
  try {
    return cliCall('baseline', { path, text });
  } catch (e) {
    throw new Fatal(e.message);
  }
}

// ---------------------------------------------------------------------------
// Linked templates and Bicep modules (the CLI's Linker).

function bicepCacheDir() {
  const env = process.env.IDGUARD_BICEP_CACHE;
  if (env) return env;
  const home = process.env.HOME || process.env.USERPROFILE;
  return home ? join(home, '.bicep') : null;
}

function bicepCachePath(reference) {
  const dir = bicepCacheDir();
  if (!dir || !reference.startsWith('br:')) return null;
  const rest = reference.slice(3);
  const slash = rest.indexOf('/');
  if (slash < 0) return null;
  const registry = rest.slice(0, slash);
  const after = rest.slice(slash + 1);
  const colon = after.lastIndexOf(':');
  if (colon < 0) return null;
  const repository = after.slice(0, colon);
  const tag = after.slice(colon + 1);
  const partOk = (p) => p !== '' && !p.startsWith('.') && /^[A-Za-z0-9._-]+$/.test(p);
  const tagOk = partOk(tag) && !/[A-Z]/.test(tag);
  if (!(partOk(registry) && repository.split('/').every(partOk) && tagOk)) return null;
  return join(dir, 'br', registry, repository.replace(/\//g, '$'), `${tag}$`, 'main.json');
}

/** Line and column (in characters) of the first `needle` in `text`, or 1:1. */
function positionOf(text, needle) {
  const at = needle === '' ? -1 : text.indexOf(needle);
  if (at < 0) return [1, 1];
  const before = text.slice(0, at);
  const line = before.split('\n').length;
  const lineStart = before.lastIndexOf('\n') + 1;
  return [line, [...before.slice(lineStart)].length + 1];
}

/**
 * The files one template's check reads, by the path the core asks for
 * (the core's `project` says which, transitively): `{files, refusals,
 * modules}`, read as the CLI's linker reads them.
 */
function linkedFiles(t, text, params) {
  const dir = parentOf(t.path);
  const shownDir = (() => {
    const i = Math.max(t.display.lastIndexOf('/'), t.display.lastIndexOf('\\'));
    return i < 0 ? '' : `${t.display.slice(0, i)}/`;
  })();
  const given = new Map(); // host path → text
  const results = new Map(); // relativePath → {text} | {refused} | {missing}
  const order = [];
  const read = (relative) => {
    if (results.has(relative)) return results.get(relative);
    order.push(relative);
    let r;
    if (relative.startsWith('br:')) {
      const p = bicepCachePath(relative);
      let text = null;
      if (p) {
        try {
          text = decode(readBytes(p));
        } catch {
          text = null;
        }
      }
      r = text === null ? { missing: true } : { text, shown: relative };
    } else if (relative.startsWith('br/')) {
      r = { missing: true };
    } else {
      try {
        const path = t.tree.joinConfined(dir, relative);
        r = { text: decode(readBytes(path)), shown: `${shownDir}${relative}` };
      } catch (e) {
        const why = String(e);
        if (why === 'does not exist') r = { missing: true };
        else {
          const what = languageOf(relative) === 'json' ? 'linked template' : 'file';
          r = { refused: `${what} '${relative}' was not read: it ${why}` };
        }
      }
    }
    results.set(relative, r);
    return r;
  };
  const paramFiles = params.map(([name, p]) => ({ path: name, kind: 'parameters', text: p.text }));
  for (;;) {
    const files = [{ path: t.display, text, kind: 'template' }, ...paramFiles, ...[...given].map(([path, tx]) => ({ path, text: tx, kind: 'other' }))];
    let links;
    try {
      links = project({ files }).templates[0]?.links ?? [];
    } catch {
      links = [];
    }
    let more = false;
    for (const l of links) {
      if (l.given || results.has(l.relativePath)) continue;
      const r = read(l.relativePath);
      if (r.text !== undefined && l.path !== null && !given.has(l.path)) {
        given.set(l.path, r.text);
        more = true;
      }
    }
    if (!more) {
      const out = {};
      for (const l of links) {
        const r = results.get(l.relativePath);
        if (r?.text !== undefined) out[l.relativePath] = r.text;
      }
      const asked = order.filter((rel) => results.get(rel).refused !== undefined);
      const refusals = asked.map((rel) => [rel, results.get(rel).refused]);
      const modules = order
        .filter((rel) => !rel.startsWith('br:') && results.get(rel).text !== undefined)
        .map((rel) => {
          const name = `${shownDir}${rel}`;
          const normal = normalizePath(name);
          return name.startsWith('/') ? `/${normal}` : normal;
        });
      return { files: out, refusals, modules };
    }
  }
}

// ---------------------------------------------------------------------------
// The run.

function mergeFrames(a, b) {
  const la = a.split('\n');
  const lb = b.split('\n');
  const out = [];
  la.forEach((x, i) => {
    const y = lb[i] ?? '';
    const tx = x.replace(/\r+$/, '');
    const ty = y.replace(/\r+$/, '');
    if (ty === '') out.push(x);
    else if (tx === '') out.push(y);
    else {
      const cx = [...tx];
      const cy = [...ty];
      if (cx.length === cy.length) out.push(cx.map((c, k) => (c === '*' || cy[k] === '*' ? '*' : c)).join('') + (x.endsWith('\r') ? '\r' : ''));
      else out.push(x.endsWith('\r') ? '\r' : '');
    }
  });
  return out.join('\n');
}

function todayUtc() {
  return new Date().toISOString().slice(0, 10);
}

async function runCheck(opts, frames) {
  const started = performance.now();
  const excludes = (() => {
    try {
      return buildExcludes(opts.exclude);
    } catch (e) {
      throw new Fatal(`error: invalid --exclude glob: ${e.message}`);
    }
  })();
  const trees = new Trees(opts.root);
  const policy = loadPolicy(opts.policy, opts.paths, trees);
  const plugins = await loadPlugins(policy, trees, opts.noPlugins);
  const baseline = opts.baseline != null ? loadBaseline(opts.baseline) : null;
  const today = todayUtc();

  // The plan.
  let candidates = discover(opts.paths, excludes, trees, new Ignores());
  if (opts.parameters.length === 0) candidates.push(...companions(candidates));
  else {
    const named = [];
    for (const p of opts.parameters) {
      let st;
      try {
        st = statSync(p);
      } catch (e) {
        throw new Fatal(`error: parameter file ${p} ${OpenError.from(e)}`);
      }
      if (!st.isFile()) throw new Fatal(`error: parameter file ${p} is ${describe(st)}, not a regular file`);
      named.push({ path: p, display: displayPath(p), role: 'parameters', tree: trees.forPath(p), refused: null });
    }
    candidates = candidates.filter((c) => !named.some((n) => n.display === c.display));
    candidates.push(...named);
  }
  const files = [];
  const templates = [];
  const params = new Map();
  for (const c of candidates) {
    const k = classify(load(c));
    if (k.template) templates.push(k.template);
    else if (k.params) params.set(k.params[0], k.params[1]);
    else if (k.listed) files.push(k.listed);
  }
  templates.sort((a, b) => cmpStr(a.display, b.display));
  files.push(...leaveOutCompiled(templates));
  const sortedParams = new Map([...params].sort((a, b) => cmpStr(a[0], b[0])));
  let pairing;
  if (opts.parameters.length === 0) pairing = pairAll(templates, sortedParams);
  else {
    if (templates.length !== 1) {
      throw new Fatal(`error: --parameters needs exactly one template to apply to, but ${templates.length} templates were found`);
    }
    pairing = [[...sortedParams.keys()]];
  }
  const keep = templates.map((t, i) => t.role !== 'companion' || pairing[i].some((p) => sortedParams.get(p)?.role !== 'companion'));
  const kept = templates.filter((_, i) => keep[i]);
  pairing = pairing.filter((_, i) => keep[i]);
  templates.length = 0;
  templates.push(...kept);
  const paired = new Set(pairing.flat());
  for (const name of paired) files.push({ path: name, kind: 'parameters', error: null, parameterFiles: [], notes: [] });
  for (const [path, p] of sortedParams) {
    if (!paired.has(path) && p.role !== 'companion') files.push(cliCall('unpaired', { path, text: p.text }));
  }

  // The checks, largest first (the order the CLI collects its outcomes in).
  const jobs = templates.map((t, i) => ({ t, params: pairing[i] }));
  jobs.sort((a, b) => b.t.size * Math.max(1, b.params.length) - a.t.size * Math.max(1, a.params.length));
  const outcomes = [];
  for (const { t, params: names } of jobs) {
    let text;
    try {
      text = decode(readBytes(t.path));
    } catch (e) {
      outcomes.push({
        files: [{ path: t.display, kind: 'template', error: { message: e instanceof OpenError ? `the file ${e}` : String(e), line: 1, column: 1 }, parameterFiles: names, notes: [] }],
        findings: [],
        pluginErrors: [],
        frames: [],
        role: t.role,
        modules: [],
      });
      continue;
    }
    const paramList = names.filter((n) => sortedParams.has(n)).map((n) => [n, sortedParams.get(n)]);
    // A JSON template links only through a literal templateLink.relativePath.
    const mayLink = languageOf(t.display) !== 'json' || /relativepath/i.test(text);
    const linked = mayLink ? linkedFiles(t, text, paramList) : { files: {}, refusals: [], modules: [] };
    const request = {
      policy: policy.text,
      parameters: Object.fromEntries(paramList.map(([n, p]) => [n, p.text])),
      fileName: t.display,
      today,
      files: linked.files,
    };
    const pluginErrors = [];
    if (plugins && plugins.ready.length > 0) {
      const models = unwrap(raw.models(text, JSON.stringify(request)));
      const external = [];
      plugins.workers ??= new WorkerHost(spawnNodeWorker);
      for (const m of models) {
        const r = await runEvaluationAsync(plugins.ready, m.model, m.template, m.parameterFile ?? null, plugins.workers);
        external.push(r.findings);
        pluginErrors.push(...r.errors);
      }
      request.external = external;
    }
    const extra = [];
    if (linked.refusals.length > 0) {
      const [line, column] = positionOf(text, linked.refusals[0][0]);
      extra.push({ path: t.display, kind: 'template', error: { message: linked.refusals.map(([, m]) => m).join('; '), line, column }, parameterFiles: [], notes: [] });
    }
    const checked = unwrap(raw.cliCheck(text, JSON.stringify(request), frames, JSON.stringify(extra), null));
    checked.pluginErrors.push(...pluginErrors);
    checked.role = t.role;
    // Only those it deployed: one whose deployment's condition is false
    // with these values is still checked on its own.
    const deployed = new Set((checked.deployed ?? []).map(normalizePath));
    checked.modules = checked.files[0] && !checked.files[0].error ? linked.modules.filter((m) => deployed.has(normalizePath(m))) : [];
    outcomes.push(checked);
  }
  plugins?.workers?.close();

  // A walked module or linked template checked through the template that
  // uses it.
  const usedBy = new Map();
  for (const o of outcomes) {
    const user = o.files[0];
    if (!user) continue;
    for (const m of o.modules) {
      const was = usedBy.get(m);
      if (was === undefined || cmpStr(user.path, was) < 0) usedBy.set(m, user.path);
    }
  }
  const findings = [];
  const pluginErrors = [...(plugins?.errors ?? [])];
  const sources = new Map();
  for (const o of outcomes) {
    const first = o.files[0];
    const user = first && o.role === 'walked' ? usedBy.get(first.path) : undefined;
    if (user !== undefined) {
      const what = languageOf(first.path) === 'bicep' ? 'a module' : 'a linked template';
      (first.notes ??= []).push({
        file: first.path,
        line: 1,
        column: 1,
        message: `checked as ${what} of ${user}, with the scope and values it gives, not on its own (name the file on the command line to check it on its own)`,
      });
      o.findings = [];
    }
    for (const [path, text] of o.frames) {
      const earlier = sources.get(path);
      sources.set(path, earlier === undefined ? text : mergeFrames(earlier, text));
    }
    files.push(...o.files);
    findings.push(...o.findings);
    pluginErrors.push(...o.pluginErrors);
  }
  let assembled;
  try {
    assembled = cliCall('assemble', { files, findings, pluginErrors, policy: policy.text, policyFile: policy.shown, today, baseline });
  } catch (e) {
    throw new Fatal(`error: ${e.message}`);
  }
  return {
    report: assembled.report,
    baselined: assembled.baselined,
    sources: Object.fromEntries(sources),
    parameterFiles: pairing.reduce((n, p) => n + p.length, 0),
    elapsedMs: performance.now() - started,
  };
}

// ---------------------------------------------------------------------------
// Arguments and outputs.

function formatFromExtension(path) {
  const dot = path.lastIndexOf('.');
  if (dot < 0 || dot < Math.max(path.lastIndexOf('/'), path.lastIndexOf(sep))) return null;
  return { sarif: 'sarif', json: 'json', xml: 'junit', txt: 'text', log: 'text' }[path.slice(dot + 1).toLowerCase()] ?? null;
}

function planOutputs(formats, outputs) {
  const dest = (p) => (p === '-' ? { stdout: true } : { file: p });
  if (outputs.length === 0) {
    if (formats.length === 0) return [['text', { stdout: true }]];
    if (formats.length === 1) return [[formats[0], { stdout: true }]];
    throw new Fatal('error: several --format options need as many --output options (paired in order)');
  }
  if (formats.length === 0) {
    return outputs.map((p) => {
      const f = formatFromExtension(p);
      if (f === null) throw new Fatal(`error: cannot tell the format of --output ${p} from its extension; add --format`);
      return [f, dest(p)];
    });
  }
  if (formats.length !== outputs.length) {
    throw new Fatal(
      `error: ${formats.length} --format option(s) but ${outputs.length} --output option(s): give one --format per --output (paired in order), or none to infer formats from the file extensions`,
    );
  }
  const plan = formats.map((f, i) => [f, dest(outputs[i])]);
  if (plan.filter(([, d]) => d.stdout).length > 1) throw new Fatal('error: only one --output can be `-`');
  return plan;
}

/** Whether standard output gets colour (anstream's rules for `auto`). */
function colorFor(when) {
  if (when === 'always') return true;
  if (when === 'never') return false;
  const env = process.env;
  if (env.NO_COLOR) return false;
  if (env.CLICOLOR_FORCE && env.CLICOLOR_FORCE !== '0') return true;
  if (env.CLICOLOR === '0') return false;
  if (!process.stdout.isTTY) return false;
  const termOk = env.TERM !== undefined && env.TERM !== 'dumb';
  return termOk || env.CLICOLOR !== undefined || !!env.CI;
}

function writeStdout(text) {
  try {
    const buf = Buffer.from(text);
    let off = 0;
    while (off < buf.length) {
      try {
        off += writeSync(1, buf, off);
      } catch (e) {
        if (e?.code === 'EAGAIN') continue;
        throw e;
      }
    }
  } catch (e) {
    throw new Fatal(`error: cannot write to standard output: ${ioMessage(e)}`);
  }
}

function usageError(message) {
  eprintln(`error: ${message}\n\nUsage: idguard check [OPTIONS] [PATH]...\n\nFor more information, try '--help'.`);
  return 2;
}

function checkChoice(name, value, allowed) {
  if (value !== undefined && !allowed.includes(value)) {
    throw Object.assign(new Error(`invalid value '${value}' for '--${name} <${name === 'color' ? 'WHEN' : name === 'fail-on' ? 'LEVEL' : 'FORMAT'}>'\n  [possible values: ${allowed.join(', ')}]`), { usage: true });
  }
}

async function main(argv) {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        format: { type: 'string', short: 'f', multiple: true },
        output: { type: 'string', short: 'o', multiple: true },
        'fail-on': { type: 'string' },
        policy: { type: 'string' },
        baseline: { type: 'string' },
        parameters: { type: 'string', multiple: true },
        exclude: { type: 'string', multiple: true },
        root: { type: 'string' },
        'no-plugins': { type: 'boolean' },
        quiet: { type: 'boolean', short: 'q' },
        color: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean', short: 'V' },
      },
    });
  } catch (e) {
    const m = /'([^']+)'/.exec(e.message);
    if (e.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') return usageError(`unexpected argument '${m ? m[1] : e.message}' found`);
    if (e.code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') return usageError(`a value is required for ${m ? `'${m[1]}'` : 'an option'} but none was supplied`);
    return usageError(e.message);
  }
  const { values, positionals } = parsed;
  if (values.version) {
    writeStdout(`idguard ${version()}\n`);
    return 0;
  }
  if (values.help || positionals.length === 0) {
    if (!values.help) {
      eprintln(HELP);
      return 2;
    }
    writeStdout(HELP);
    return 0;
  }
  const [command, ...paths] = positionals;
  if (command !== 'check') {
    const native = ['baseline', 'rules', 'explain', 'init', 'completions', 'debug'];
    if (native.includes(command)) return usageError(`'idguard ${command}' is a command of the native CLI only; the npm package runs 'idguard check' (docs/install.md)`);
    return usageError(`unrecognized subcommand '${command}'`);
  }
  try {
    checkChoice('color', values.color, COLORS);
    checkChoice('fail-on', values['fail-on'], FAIL_ON);
    for (const f of values.format ?? []) checkChoice('format', f, FORMATS);
  } catch (e) {
    return usageError(e.message);
  }
  const opts = {
    paths: paths.length > 0 ? paths : ['.'],
    formats: values.format ?? [],
    outputs: values.output ?? [],
    failOn: values['fail-on'] ?? 'error',
    policy: values.policy,
    baseline: values.baseline,
    parameters: values.parameters ?? [],
    exclude: values.exclude ?? [],
    root: values.root,
    noPlugins: !!values['no-plugins'],
    quiet: !!values.quiet,
    color: values.color ?? 'auto',
  };
  try {
    const plan = planOutputs(opts.formats, opts.outputs);
    const stdoutTaken = plan.some(([, d]) => d.stdout);
    const frames = plan.some(([f]) => f === 'text') || (!stdoutTaken && !opts.quiet);
    const run = await runCheck(opts, frames);
    const color = colorFor(opts.color);
    let exitCode = 0;
    const render = (format, withColor) => {
      const out = cliCall('render', {
        report: run.report,
        sources: format === 'text' ? run.sources : {},
        format,
        color: withColor,
        failOn: opts.failOn,
        elapsedMs: run.elapsedMs,
        baselined: run.baselined,
        parameterFiles: run.parameterFiles,
        root: process.cwd(),
      });
      exitCode = out.exitCode;
      return out.text;
    };
    for (const [format, dest] of plan) {
      if (dest.stdout) writeStdout(render(format, color));
      else {
        const text = render(format, false);
        try {
          writeFileSync(dest.file, text);
        } catch (e) {
          throw new Fatal(`error: cannot write ${dest.file}: ${ioMessage(e)}`);
        }
      }
    }
    if (!stdoutTaken && !opts.quiet) writeStdout(render('text', color));
    for (const e of run.report.pluginErrors ?? []) eprintln(`error: ${pluginErrorText(e)}`);
    return exitCode;
  } catch (e) {
    if (e instanceof Fatal) {
      eprintln(e.message);
      return 2;
    }
    throw e;
  }
}

/** The core's `Display` of a plugin failure. */
function pluginErrorText(e) {
  let s = '';
  if (e.file != null) {
    s += e.file;
    if (e.parameterFile != null) s += ` with ${e.parameterFile}`;
    s += ': ';
  }
  s += `plugin '${e.plugin}'`;
  if (e.path != null) s += ` (${e.path})`;
  return `${s} ${e.message}`;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e) => {
    eprintln(`error: idguard internal error: ${e?.stack ?? e}`);
    process.exitCode = 2;
  },
);
