// Browser and bundler entry: call `await init()` once, then use the API.
// The .wasm is fetched from next to the glue (`new URL(..., import.meta.url)`,
// which bundlers such as Vite, webpack 5 and esbuild understand), or from
// what you pass to init().
import initWasm, * as raw from '../pkg/idguard_wasm.js';
import { makeApi } from './core.js';

export { IdguardError, todayString } from './core.js';

let ready = false;
let pending = null;

/**
 * Loads and instantiates the WebAssembly module. Idempotent. `input` is
 * anything wasm-bindgen accepts: a URL or path of the .wasm, a Response,
 * bytes or a WebAssembly.Module.
 */
export function init(input) {
  if (ready) return Promise.resolve();
  if (!pending) {
    pending = initWasm(input === undefined ? undefined : { module_or_path: input }).then(
      () => {
        ready = true;
      },
      (e) => {
        pending = null;
        throw e;
      },
    );
  }
  return pending;
}

/** Instantiates synchronously from bytes or a compiled WebAssembly.Module. */
export function initSync(module) {
  if (ready) return;
  raw.initSync({ module });
  ready = true;
}

/** Starts a module Web Worker for plugin calls (checkAsync). */
function spawnBrowserWorker() {
  const w = new Worker(new URL('./plugin-worker.js', import.meta.url), { type: 'module' });
  return {
    post: (m) => w.postMessage(m),
    onMessage: (f) => w.addEventListener('message', (e) => f(e.data)),
    onError: (f) => {
      w.addEventListener('error', (e) => {
        e.preventDefault?.();
        f(new Error(e.message || 'the plugin worker failed'));
      });
      w.addEventListener('messageerror', () => f(new Error('a message to the plugin worker could not be read')));
    },
    terminate: () => w.terminate(),
  };
}

const api = makeApi(
  () => {
    if (!ready) throw new Error('idguard: the WebAssembly module is not loaded yet: `await init()` first');
    return raw;
  },
  { spawnWorker: typeof Worker === 'undefined' ? null : spawnBrowserWorker },
);

export const { check, checkAsync, graph, preparePlugins, policyPlugins, project, fileKind, rules, explain, validatePolicy, version } = api;

/** Node only (it reads files): in browsers, fetch the bytes and pass them in options.plugins. */
export function loadPolicyPlugins() {
  throw new Error('idguard: loadPolicyPlugins reads files and is Node only; in a browser, fetch the .wasm and pass its bytes in options.plugins');
}
