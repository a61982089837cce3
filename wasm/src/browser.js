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

const api = makeApi(() => {
  if (!ready) throw new Error('idguard: the WebAssembly module is not loaded yet: `await init()` first');
  return raw;
});

export const { check, rules, explain, validatePolicy, version } = api;
