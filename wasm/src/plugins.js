// idguard policy-plugin host for JavaScript (browsers and Node), used by
// the package's check() and checkAsync() (core.js) and usable on its own.
//
// Runs the same plugins as the `idguard` CLI (docs/plugin-abi.md): a core
// WebAssembly module with no imports, JSON in and out through its linear
// memory. What a JavaScript host can and cannot enforce:
//
// * imports: none are given; a module that declares any is refused before
//   it is instantiated.
// * memory: the module's memory section is rewritten so that its maximum
//   is the cap (memory.grow beyond it fails inside the plugin, as under
//   wasmtime's limiter); a module whose initial memory is already above the
//   cap is refused, and the size is checked again after the call. A refused
//   memory.grow is invisible to JavaScript, so a trap with the memory above
//   three quarters of the cap is reported as "exceeded its memory cap".
// * time: a call on the calling thread cannot be interrupted. `runPlugin`
//   and `callPluginSync` report a call that took longer than `timeoutMs`
//   as a failure after the fact; a `WorkerHost` runs each call in a worker
//   (Node: worker_threads, browsers: a module Web Worker) and terminates it
//   at the deadline.
// * fuel: JavaScript engines have no instruction metering; `fuel` is
//   accepted for symmetry with the CLI and ignored. Use the deadline.
//
// The output is validated exactly as the CLI validates it
// (policies/plugin-findings.schema.json).

export const ABI_VERSION = 1;
export const DEFAULT_TIMEOUT_MS = 2000;
export const DEFAULT_MEMORY_MIB = 64;
export const MAX_FINDINGS = 10000;

const PAGE = 65536;

/** A plugin failure: `kind` is one of not-wasm, imports, exports, abi,
 * memory, deadline, trap, output, error. */
export class PluginError extends Error {
  constructor(kind, message) {
    super(message);
    this.name = 'PluginError';
    this.kind = kind;
  }
}

function readUleb(bytes, at) {
  let result = 0;
  let shift = 0;
  for (;;) {
    if (at >= bytes.length) throw new PluginError('not-wasm', 'is truncated');
    const b = bytes[at++];
    result += (b & 0x7f) * 2 ** shift;
    shift += 7;
    if ((b & 0x80) === 0) return [result, at];
    if (shift > 35) throw new PluginError('not-wasm', 'has a malformed LEB128 number');
  }
}

function uleb(n) {
  const out = [];
  do {
    let b = n % 128;
    n = Math.floor(n / 128);
    if (n > 0) b |= 0x80;
    out.push(b);
  } while (n > 0);
  return out;
}

/**
 * Checks the header and rewrites the memory section so that every memory's
 * maximum is at most `capPages`. Returns the new bytes.
 */
export function capMemory(input, capPages) {
  const bytes = input instanceof Uint8Array ? input : new Uint8Array(input);
  const header = [0x00, 0x61, 0x73, 0x6d];
  if (bytes.length < 8 || header.some((b, i) => bytes[i] !== b)) {
    throw new PluginError('not-wasm', 'is not a WebAssembly module (no \\0asm header)');
  }
  if (bytes[4] !== 1 || bytes[5] !== 0 || bytes[6] !== 0 || bytes[7] !== 0) {
    throw new PluginError(
      'not-wasm',
      bytes[6] === 1 ? 'is a WebAssembly component; plugins are core modules' : 'is not a version 1 WebAssembly module',
    );
  }
  const parts = [bytes.subarray(0, 8)];
  let at = 8;
  while (at < bytes.length) {
    const start = at;
    const id = bytes[at++];
    let size;
    [size, at] = readUleb(bytes, at);
    const end = at + size;
    if (end > bytes.length) throw new PluginError('not-wasm', 'has a section past its end');
    if (id !== 5) {
      parts.push(bytes.subarray(start, end));
      at = end;
      continue;
    }
    let count;
    let p;
    [count, p] = readUleb(bytes, at);
    const body = [...uleb(count)];
    for (let i = 0; i < count; i++) {
      const flag = bytes[p++];
      if (flag !== 0 && flag !== 1) {
        throw new PluginError('not-wasm', 'declares a shared or 64-bit memory; the ABI is a plain 32-bit memory');
      }
      let min;
      [min, p] = readUleb(bytes, p);
      let max = capPages;
      if (flag === 1) {
        let declared;
        [declared, p] = readUleb(bytes, p);
        max = Math.min(declared, capPages);
      }
      if (min > capPages) {
        throw new PluginError(
          'memory',
          `exceeded its memory cap of ${capPages / 16} MiB (its initial memory is ${Math.ceil(min / 16)} MiB)`,
        );
      }
      body.push(0x01, ...uleb(min), ...uleb(max));
    }
    if (p !== end) throw new PluginError('not-wasm', 'has a malformed memory section');
    parts.push(new Uint8Array([5, ...uleb(body.length), ...body]));
    at = end;
  }
  const total = parts.reduce((n, b) => n + b.length, 0);
  const out = new Uint8Array(total);
  let o = 0;
  for (const b of parts) {
    out.set(b, o);
    o += b.length;
  }
  return out;
}

const EXPORTS = ['memory', 'idguard_abi_version', 'idguard_alloc', 'idguard_free', 'idguard_check'];

/** Checks a compiled plugin's imports (none) and exports; returns it. */
export function checkShape(module) {
  const imports = WebAssembly.Module.imports(module);
  if (imports.length > 0) {
    const names = imports.map((i) => `${i.module}::${i.name}`).join(', ');
    throw new PluginError('imports', `imports ${names} — plugins may import nothing (no WASI, no host functions)`);
  }
  const exports = new Map(WebAssembly.Module.exports(module).map((e) => [e.name, e.kind]));
  for (const name of EXPORTS) {
    const want = name === 'memory' ? 'memory' : 'function';
    if (exports.get(name) !== want) throw new PluginError('exports', `does not export \`${name}\``);
  }
  return module;
}

const capPagesOf = (memoryMiB) => Math.floor(memoryMiB * 16);

/** Compiles a plugin under a memory cap and checks its imports and exports. */
export async function compilePlugin(bytes, { memoryMiB = DEFAULT_MEMORY_MIB } = {}) {
  const capped = capMemory(bytes, capPagesOf(memoryMiB));
  let module;
  try {
    module = await WebAssembly.compile(capped);
  } catch (e) {
    throw new PluginError('not-wasm', `does not compile: ${e.message}`);
  }
  return checkShape(module);
}

/**
 * `compilePlugin` on the calling thread. Browsers refuse to compile more
 * than 4 KB synchronously on their main thread: that is reported as a
 * `config` failure telling to use checkAsync() or preparePlugins().
 */
export function compilePluginSync(bytes, { memoryMiB = DEFAULT_MEMORY_MIB } = {}) {
  const capped = capMemory(bytes, capPagesOf(memoryMiB));
  let module;
  try {
    module = new WebAssembly.Module(capped);
  } catch (e) {
    if (e instanceof RangeError && /main thread/i.test(e.message)) {
      throw new PluginError(
        'config',
        `cannot be compiled synchronously on the browser's main thread (${e.message}): use checkAsync(), or await preparePlugins(plugins) before check()`,
      );
    }
    throw new PluginError('not-wasm', `does not compile: ${e.message}`);
  }
  return checkShape(module);
}

const CODE = /^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$/;
const NAME = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;
const POINTER = /^(\/([^~]|~[01])*)*$/;
const SEVERITIES = new Set(['error', 'warning', 'info']);

/** Parses and validates a plugin's output bytes; returns its findings. */
export function parseOutput(bytes) {
  const text = new TextDecoder('utf-8', { fatal: false }).decode(bytes);
  let value;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new PluginError(
      'output',
      `returned output that is not a findings array (${e.message}); it began with ${JSON.stringify(text.slice(0, 80))}`,
    );
  }
  if (value && !Array.isArray(value) && typeof value === 'object') {
    const keys = Object.keys(value);
    if (keys.length === 1 && typeof value.error === 'string') {
      throw new PluginError('error', `reported an error: ${value.error}`);
    }
  }
  if (!Array.isArray(value)) {
    throw new PluginError('output', 'returned output that is not a findings array');
  }
  if (value.length > MAX_FINDINGS) {
    throw new PluginError('output', `returned ${value.length} findings, more than the ${MAX_FINDINGS} allowed`);
  }
  const allowed = new Set(['code', 'name', 'severity', 'message', 'help', 'location']);
  value.forEach((f, i) => {
    const bad = (why) => {
      throw new PluginError('output', `returned a finding that does not match the schema (finding ${i}: ${why})`);
    };
    if (!f || typeof f !== 'object' || Array.isArray(f)) bad('not an object');
    for (const k of Object.keys(f)) if (!allowed.has(k)) bad(`unknown field ${JSON.stringify(k)}`);
    if (typeof f.code !== 'string' || !CODE.test(f.code)) bad(`code ${JSON.stringify(f.code)} is not 1-32 letters, digits, '-' or '_'`);
    if (typeof f.name !== 'string' || !NAME.test(f.name) || f.name.length > 64) bad(`name ${JSON.stringify(f.name)} is not kebab-case`);
    if (!SEVERITIES.has(f.severity)) bad(`severity ${JSON.stringify(f.severity)} is not error, warning or info`);
    if (typeof f.message !== 'string' || f.message.trim() === '') bad('the message is empty');
    if (f.help !== undefined && typeof f.help !== 'string') bad('help is not a string');
    const loc = f.location;
    if (!loc || typeof loc !== 'object' || Array.isArray(loc)) bad('location is not an object');
    for (const k of Object.keys(loc)) if (k !== 'file' && k !== 'pointer') bad(`unknown location field ${JSON.stringify(k)}`);
    if (loc.file !== undefined && typeof loc.file !== 'string') bad('location.file is not a string');
    if (typeof loc.pointer !== 'string' || !POINTER.test(loc.pointer)) bad(`pointer ${JSON.stringify(loc.pointer)} is not a JSON pointer`);
  });
  return value.map((f) => ({ help: '', ...f }));
}

function describeTrap(e) {
  return `trapped: ${e && e.message ? e.message : String(e)}`;
}

/**
 * Calls `idguard_check` of a fresh instance on one model (JSON text) and
 * returns the validated findings. `started` is when the call began (for
 * the after-the-fact deadline). Throws a PluginError.
 */
function invoke(instance, model, config, limits, started) {
  const memoryMiB = limits.memoryMiB ?? DEFAULT_MEMORY_MIB;
  const timeoutMs = limits.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const capBytes = capPagesOf(memoryMiB) * PAGE;
  const x = instance.exports;
  const memory = x.memory;
  const overCap = () => memory.buffer.byteLength > capBytes;
  // A memory.grow refused at the cap is invisible to JavaScript: the
  // plugin sees -1 and (a Rust plugin) aborts. A trap with the memory
  // above three quarters of the cap is reported as the cap's doing.
  const nearCap = () => memory.buffer.byteLength * 4 > capBytes * 3;
  const fail = (e) => {
    if (e instanceof PluginError) return e;
    const mib = (memory.buffer.byteLength / (1 << 20)).toFixed(1);
    if (overCap() || (nearCap() && e instanceof WebAssembly.RuntimeError)) {
      return new PluginError(
        'memory',
        `exceeded its memory cap of ${memoryMiB} MiB (${describeTrap(e)} with ${mib} MiB in use)`,
      );
    }
    return new PluginError('trap', describeTrap(e));
  };
  try {
    const version = x.idguard_abi_version();
    if (version !== ABI_VERSION) {
      throw new PluginError('abi', `speaks ABI version ${version}; this host speaks version ${ABI_VERSION}`);
    }
    const input = new TextEncoder().encode(
      `{"abiVersion":${ABI_VERSION},"model":${model},"config":${JSON.stringify(config ?? null)}}`,
    );
    const ptr = x.idguard_alloc(input.length) >>> 0;
    if (ptr + input.length > memory.buffer.byteLength) {
      throw new PluginError('output', `returned an input buffer outside its memory from idguard_alloc(${input.length}): ${ptr}`);
    }
    new Uint8Array(memory.buffer, ptr, input.length).set(input);
    const packed = BigInt.asUintN(64, BigInt(x.idguard_check(ptr, input.length)));
    const outPtr = Number(packed >> 32n);
    const outLen = Number(packed & 0xffffffffn);
    if (overCap()) throw new PluginError('memory', `exceeded its memory cap of ${memoryMiB} MiB`);
    const elapsed = Date.now() - started;
    if (elapsed > timeoutMs) {
      throw new PluginError('deadline', `exceeded its deadline of ${timeoutMs} ms (took ${elapsed} ms)`);
    }
    if (outPtr + outLen > memory.buffer.byteLength) {
      throw new PluginError(
        'output',
        `returned an output range outside its memory (${outLen} bytes at ${outPtr}, memory is ${memory.buffer.byteLength} bytes)`,
      );
    }
    const out = new Uint8Array(memory.buffer, outPtr, outLen).slice();
    return parseOutput(out);
  } catch (e) {
    throw fail(e);
  }
}

const modelText = (m) => (typeof m === 'string' ? m : JSON.stringify(m));

/**
 * Runs a compiled plugin (from compilePlugin / compilePluginSync) on one
 * model (an object or its JSON text) with its config, synchronously on
 * the calling thread. Returns its findings (codes not yet prefixed).
 * Throws a PluginError.
 */
export function callPluginSync(module, model, config, limits = {}) {
  const started = Date.now();
  let instance;
  try {
    instance = new WebAssembly.Instance(module, {});
  } catch (e) {
    throw new PluginError('trap', describeTrap(e));
  }
  return invoke(instance, modelText(model), config, limits, started);
}

/**
 * Runs a plugin (bytes or a compiled module) on one model (an object or
 * its JSON text) with its config, on the calling thread. Returns the
 * plugin's findings (codes not yet prefixed with the plugin's name).
 * Throws a PluginError.
 */
export async function runPlugin(bytes, model, config, limits = {}) {
  const memoryMiB = limits.memoryMiB ?? DEFAULT_MEMORY_MIB;
  const module = bytes instanceof WebAssembly.Module ? bytes : await compilePlugin(bytes, { memoryMiB });
  const started = Date.now();
  let instance;
  try {
    instance = await WebAssembly.instantiate(module, {});
  } catch (e) {
    throw new PluginError('trap', describeTrap(e));
  }
  return invoke(instance, modelText(model), config, limits, started);
}

/**
 * Runs several plugins (`[{name, bytes, config, limits}]`) on one model
 * and returns their findings with prefixed codes (`name/CODE`) and the
 * failures, as the CLI does: one plugin's failure never hides another's
 * findings.
 */
export async function runPlugins(plugins, modelJson, { workers = null } = {}) {
  const findings = [];
  const errors = [];
  for (const p of plugins) {
    try {
      const got = workers
        ? await workers.run(
            p.bytes instanceof WebAssembly.Module ? p.bytes : await compilePlugin(p.bytes, p.limits ?? {}),
            modelText(modelJson),
            p.config,
            p.limits ?? {},
          )
        : await runPlugin(p.bytes, modelJson, p.config, p.limits ?? {});
      for (const f of got) findings.push({ ...f, code: `${p.name}/${f.code}` });
    } catch (e) {
      errors.push({ plugin: p.name, kind: e.kind ?? 'trap', message: `plugin '${p.name}' ${e.message}` });
    }
  }
  return { findings, errors };
}

// ---- workers: a call terminated at its deadline ---------------------------

/**
 * What a worker entry does with one job `{id, module, model, config,
 * limits}`: the reply to post back. The deadline is the parent's business
 * (it terminates the worker), so it is not also checked here.
 */
export function workerReply({ id, module, model, config, limits }) {
  try {
    const findings = callPluginSync(module, model, config, { ...limits, timeoutMs: Number.MAX_SAFE_INTEGER });
    return { id, ok: true, findings };
  } catch (e) {
    return { id, ok: false, kind: e.kind ?? 'trap', message: e.message ?? String(e) };
  }
}

/**
 * Runs plugin calls in one worker at a time, one call after another, and
 * terminates the worker at a call's deadline (a fresh one is started for
 * the next call). `spawn()` returns a platform worker wrapped as
 * `{post(message), onMessage(fn), onError(fn), terminate(), ref?(), unref?()}`;
 * the worker posts `{ready: true}` once it is listening.
 */
export class WorkerHost {
  constructor(spawn) {
    this.spawn = spawn;
    this.worker = null;
    this.queue = Promise.resolve();
    this.nextId = 1;
  }

  /** Runs `module` on one model text; resolves to its findings, rejects with a PluginError. */
  run(module, model, config, limits = {}) {
    const job = this.queue.then(() => this.#call(module, model, config, limits));
    this.queue = job.catch(() => {});
    return job;
  }

  /** Terminates the worker (a later call starts a new one). */
  close() {
    const w = this.worker;
    this.worker = null;
    if (w) w.then((x) => x.terminate(), () => {});
  }

  #start() {
    if (!this.worker) {
      this.worker = new Promise((resolve, reject) => {
        let w;
        try {
          w = this.spawn();
        } catch (e) {
          reject(new PluginError('trap', `cannot start a worker: ${e.message ?? e}`));
          return;
        }
        // Referenced while starting and during a call; an idle worker
        // does not keep a Node process alive.
        w.handlers = { message: null, error: null };
        w.onMessage((m) => {
          if (m && m.ready) {
            w.unref?.();
            resolve(w);
          } else w.handlers.message?.(m);
        });
        w.onError((e) => {
          if (w.handlers.error) w.handlers.error(e);
          else reject(new PluginError('trap', `its worker failed to start: ${e?.message ?? e}`));
        });
      });
      this.worker.catch(() => {
        this.worker = null;
      });
    }
    return this.worker;
  }

  async #call(module, model, config, limits) {
    const timeoutMs = limits.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const w = await this.#start();
    const id = this.nextId++;
    w.ref?.();
    try {
      return await new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          this.worker = null;
          w.terminate();
          reject(new PluginError('deadline', `exceeded its deadline of ${timeoutMs} ms`));
        }, timeoutMs);
        const done = (f) => {
          clearTimeout(timer);
          w.handlers.message = null;
          w.handlers.error = null;
          f();
        };
        w.handlers.message = (m) => {
          if (m.id !== id) return;
          done(() => (m.ok ? resolve(m.findings) : reject(new PluginError(m.kind, m.message))));
        };
        w.handlers.error = (e) => {
          this.worker = null;
          w.terminate();
          done(() => reject(new PluginError('trap', describeTrap(e))));
        };
        w.post({ id, module, model, config: config ?? null, limits });
      });
    } finally {
      w.unref?.();
    }
  }
}

// ---- plugins of a check: resolution, compile cache, runs -----------------

/** The FNV-1a hash of bytes (a cache key together with the length). */
function fnv1a(bytes) {
  let h = 0x811c9dc5;
  for (let i = 0; i < bytes.length; i++) {
    h ^= bytes[i];
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

const byObject = new WeakMap(); // bytes object or Module → Map(capPages → entry)
const byContent = new Map(); // `${hash}:${length}` → {bytes, caps: Map}
const CONTENT_CACHE_SIZE = 16;

function sameBytes(a, b) {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** The cache slot (capPages → {module} | {error}) of a plugin's code. */
function slotOf(code) {
  let slot = byObject.get(code);
  if (slot) return slot;
  if (!(code instanceof WebAssembly.Module)) {
    const bytes = code instanceof Uint8Array ? code : new Uint8Array(code);
    const key = `${fnv1a(bytes)}:${bytes.length}`;
    const hit = byContent.get(key);
    if (hit && sameBytes(hit.bytes, bytes)) {
      slot = hit.caps;
    } else {
      slot = new Map();
      byContent.set(key, { bytes: bytes.slice(), caps: slot });
      if (byContent.size > CONTENT_CACHE_SIZE) byContent.delete(byContent.keys().next().value);
    }
  } else {
    slot = new Map();
  }
  byObject.set(code, slot);
  return slot;
}

/**
 * The compiled module of a plugin's code (bytes, or a Module used as is),
 * from the cache when it was compiled before with the same memory cap.
 * `sync`: compile on the calling thread. Returns `{module}` or `{error}`.
 */
function compiled(code, memoryMiB, sync) {
  const slot = slotOf(code);
  const cap = capPagesOf(memoryMiB);
  const hit = slot.get(cap);
  if (hit && !(hit.promise && sync)) return hit.promise ?? hit;
  const settle = (f) => {
    try {
      return { module: f() };
    } catch (e) {
      return { error: e instanceof PluginError ? e : new PluginError('not-wasm', String(e?.message ?? e)) };
    }
  };
  if (code instanceof WebAssembly.Module) {
    const entry = settle(() => checkShape(code));
    slot.set(cap, entry);
    return entry;
  }
  if (sync) {
    const entry = settle(() => compilePluginSync(code, { memoryMiB }));
    // A main-thread refusal is not cached: checkAsync may compile it.
    if (!(entry.error && entry.error.kind === 'config')) slot.set(cap, entry);
    return entry;
  }
  const promise = compilePlugin(code, { memoryMiB }).then(
    (module) => ({ module }),
    (e) => ({ error: e instanceof PluginError ? e : new PluginError('not-wasm', String(e?.message ?? e)) }),
  );
  slot.set(cap, { promise });
  promise.then((entry) => slot.set(cap, entry));
  return promise;
}

const isCode = (v) =>
  v instanceof Uint8Array || v instanceof ArrayBuffer || (typeof WebAssembly !== 'undefined' && v instanceof WebAssembly.Module);

/** One supplied plugin, normalized to `{name?, code?, config?, limits?, path?, error?}`. */
function normalize(item, index) {
  if (isCode(item)) return { code: item };
  if (item == null || typeof item !== 'object' || Array.isArray(item)) {
    throw new TypeError(`options.plugins[${index}] must be bytes, a WebAssembly.Module or {name?, bytes | module, config?, limits?}`);
  }
  const code = item.module ?? item.bytes;
  if (code !== undefined && !isCode(code)) {
    throw new TypeError(`options.plugins[${index}].${item.module !== undefined ? 'module' : 'bytes'} must be a Uint8Array, an ArrayBuffer or a WebAssembly.Module`);
  }
  if (item.name !== undefined && (typeof item.name !== 'string' || item.name === '')) {
    throw new TypeError(`options.plugins[${index}].name must be a non-empty string`);
  }
  if (code === undefined && item.error === undefined) {
    throw new TypeError(`options.plugins[${index}] has neither bytes nor module`);
  }
  const out = { code, name: item.name, path: item.path, error: item.error };
  if ('config' in item) out.config = item.config;
  if ('limits' in item) out.limits = item.limits ?? {};
  return out;
}

/**
 * The plugins of a check: the supplied ones, named and configured from the
 * policy's entries (`entries`, from the bridge's policyPlugins), and a
 * failure for every policy entry not supplied. Returns `{plugins:
 * [{name, path, code, config, limits}], errors: [PluginError JSON]}`.
 */
export function resolvePlugins(supplied, entries) {
  const plugins = [];
  const errors = [];
  const byName = new Map(entries.map((e) => [e.name, e]));
  const taken = new Set();
  let unnamed = 0;
  const fresh = () => {
    for (;;) {
      unnamed++;
      const n = unnamed === 1 ? 'plugin' : `plugin-${unnamed}`;
      if (!taken.has(n) && !byName.has(n)) return n;
    }
  };
  (supplied ?? []).forEach((item, i) => {
    const p = normalize(item, i);
    const name = p.name ?? entries[i]?.name ?? fresh();
    const entry = byName.get(name);
    const path = p.path ?? entry?.path;
    if (taken.has(name)) {
      errors.push({ plugin: name, ...(path ? { path } : {}), kind: 'config', message: `has the same name as another plugin in options.plugins; give one a "name"` });
      return;
    }
    taken.add(name);
    if (p.error !== undefined) {
      errors.push({ plugin: name, ...(path ? { path } : {}), kind: 'read', message: `cannot be read: ${p.error}` });
      return;
    }
    plugins.push({
      name,
      path,
      code: p.code,
      config: 'config' in p ? p.config : (entry?.config ?? null),
      limits: { ...(entry?.limits ?? {}), ...(p.limits ?? {}) },
    });
  });
  for (const e of entries) {
    if (!taken.has(e.name)) {
      errors.push({
        plugin: e.name,
        path: e.path,
        kind: 'read',
        message: 'is listed in the policy but was not passed in options.plugins: the npm package reads no files (pass its bytes; in Node, loadPolicyPlugins(policyPath) reads them)',
      });
    }
  }
  return { plugins, errors };
}

const errorJson = (p, e, model) => ({
  plugin: p.name,
  ...(p.path ? { path: p.path } : {}),
  ...(model?.template != null ? { file: model.template } : {}),
  ...(model?.parameterFile != null ? { parameterFile: model.parameterFile } : {}),
  kind: e?.kind ?? 'trap',
  message: e?.message ?? String(e),
});

const external = (p, findings) =>
  findings.map((f) => ({
    code: `${p.name}/${f.code}`,
    name: f.name,
    severity: f.severity,
    message: f.message,
    help: f.help ?? '',
    file: f.location.file,
    pointer: f.location.pointer,
  }));

const memoryOf = (p) => p.limits.memoryMiB ?? DEFAULT_MEMORY_MIB;

/**
 * Compiles the resolved plugins on the calling thread (cached); returns
 * the runnable ones and the load failures (reported once, not run).
 */
export function loadSync(plugins) {
  const ready = [];
  const errors = [];
  for (const p of plugins) {
    const c = compiled(p.code, memoryOf(p), true);
    if (c.error) errors.push(errorJson(p, c.error));
    else ready.push({ ...p, module: c.module });
  }
  return { ready, errors };
}

/** `loadSync`, compiling off the main thread where the platform does. */
export async function loadAsync(plugins) {
  const ready = [];
  const errors = [];
  for (const p of plugins) {
    const c = await compiled(p.code, memoryOf(p), false);
    if (c.error) errors.push(errorJson(p, c.error));
    else ready.push({ ...p, module: c.module });
  }
  return { ready, errors };
}

/**
 * Runs loaded plugins on one evaluation's model text on the calling
 * thread: `{findings: [external finding JSON], errors: [PluginError JSON]}`.
 */
export function runEvaluationSync(ready, model, template, parameterFile) {
  const findings = [];
  const errors = [];
  const where = { template, parameterFile };
  for (const p of ready) {
    try {
      findings.push(...external(p, callPluginSync(p.module, model, p.config, p.limits)));
    } catch (e) {
      errors.push(errorJson(p, e, where));
    }
  }
  return { findings, errors };
}

/** `runEvaluationSync` with every call in a worker of `workers` (a WorkerHost). */
export async function runEvaluationAsync(ready, model, template, parameterFile, workers) {
  const findings = [];
  const errors = [];
  const where = { template, parameterFile };
  for (const p of ready) {
    try {
      const got = workers
        ? await workers.run(p.module, model, p.config, p.limits)
        : callPluginSync(p.module, model, p.config, p.limits);
      findings.push(...external(p, got));
    } catch (e) {
      errors.push(errorJson(p, e, where));
    }
  }
  return { findings, errors };
}
