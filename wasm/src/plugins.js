// idguard policy-plugin host for JavaScript (browsers and Node).
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
//   reports a call that took longer than `timeoutMs` as a failure after the
//   fact; `runPluginInWorker` (Node, worker_threads) runs the call in a
//   worker and terminates it at the deadline. In browsers the same is done
//   with a module Web Worker and `worker.terminate()`.
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

/** Compiles a plugin under a memory cap and checks its imports and exports. */
export async function compilePlugin(bytes, { memoryMiB = DEFAULT_MEMORY_MIB } = {}) {
  const capped = capMemory(bytes, Math.floor(memoryMiB * 16));
  let module;
  try {
    module = await WebAssembly.compile(capped);
  } catch (e) {
    throw new PluginError('not-wasm', `does not compile: ${e.message}`);
  }
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
 * Runs a plugin on one model (an object or its JSON text) with its config,
 * on the calling thread. Returns the plugin's findings (codes not yet
 * prefixed with the plugin's name). Throws a PluginError.
 */
export async function runPlugin(bytes, modelJson, config, limits = {}) {
  const memoryMiB = limits.memoryMiB ?? DEFAULT_MEMORY_MIB;
  const timeoutMs = limits.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const capBytes = Math.floor(memoryMiB * 16) * PAGE;
  const module = bytes instanceof WebAssembly.Module ? bytes : await compilePlugin(bytes, { memoryMiB });
  const started = Date.now();
  let instance;
  try {
    instance = await WebAssembly.instantiate(module, {});
  } catch (e) {
    throw new PluginError('trap', describeTrap(e));
  }
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
    const model = typeof modelJson === 'string' ? modelJson : JSON.stringify(modelJson);
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

/**
 * Node only: runs the plugin in a worker thread and terminates it at the
 * deadline, so an endless loop is stopped. Same result as `runPlugin`.
 */
export async function runPluginInWorker(bytes, modelJson, config, limits = {}) {
  const { Worker } = await import('node:worker_threads');
  const timeoutMs = limits.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const model = typeof modelJson === 'string' ? modelJson : JSON.stringify(modelJson);
  const copy = new Uint8Array(bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes)).slice();
  const worker = new Worker(new URL('./worker.mjs', import.meta.url), {
    workerData: { bytes: copy, model, config: config ?? null, limits: { ...limits, timeoutMs: Number.MAX_SAFE_INTEGER } },
    transferList: [copy.buffer],
  });
  return await new Promise((resolve, reject) => {
    let done = false;
    const finish = (f) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      worker.terminate();
      f();
    };
    const timer = setTimeout(
      () => finish(() => reject(new PluginError('deadline', `exceeded its deadline of ${timeoutMs} ms`))),
      timeoutMs,
    );
    worker.on('message', (m) =>
      finish(() => (m.ok ? resolve(m.findings) : reject(new PluginError(m.kind, m.message)))),
    );
    worker.on('error', (e) => finish(() => reject(new PluginError('trap', describeTrap(e)))));
    worker.on('exit', (code) =>
      finish(() => reject(new PluginError('trap', `its worker exited with code ${code}`))),
    );
  });
}

/**
 * Runs several plugins (`[{name, bytes, config, limits}]`) on one model
 * and returns their findings with prefixed codes (`name/CODE`) and the
 * failures, as the CLI does: one plugin's failure never hides another's
 * findings.
 */
export async function runPlugins(plugins, modelJson, { worker = false } = {}) {
  const findings = [];
  const errors = [];
  for (const p of plugins) {
    try {
      const run = worker ? runPluginInWorker : runPlugin;
      const got = await run(p.bytes, modelJson, p.config, p.limits ?? {});
      for (const f of got) findings.push({ ...f, code: `${p.name}/${f.code}` });
    } catch (e) {
      errors.push({ plugin: p.name, kind: e.kind ?? 'trap', message: `plugin '${p.name}' ${e.message}` });
    }
  }
  return { findings, errors };
}
