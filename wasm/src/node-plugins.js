// Node-only plugin helpers: the worker_threads WorkerHost, reading a
// policy's plugin files, and runPluginInWorker (one call in its own worker).
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { Worker } from 'node:worker_threads';

import { DEFAULT_MEMORY_MIB, WorkerHost, compilePlugin } from './plugins.js';

/** Starts the Node plugin worker, wrapped for WorkerHost. */
export function spawnNodeWorker() {
  const w = new Worker(new URL('./plugin-worker-node.js', import.meta.url));
  return {
    post: (m) => w.postMessage(m),
    onMessage: (f) => w.on('message', f),
    onError: (f) => {
      w.on('error', f);
      w.on('exit', (code) => f(new Error(`its worker exited with code ${code}`)));
    },
    terminate: () => w.terminate(),
    ref: () => w.ref(),
    unref: () => w.unref(),
  };
}

/**
 * Runs one plugin call (bytes or a module) in a worker thread of its own,
 * terminated at the deadline. Same result as `runPlugin`.
 */
export async function runPluginInWorker(bytes, model, config, limits = {}) {
  const module =
    bytes instanceof WebAssembly.Module ? bytes : await compilePlugin(bytes, { memoryMiB: limits.memoryMiB ?? DEFAULT_MEMORY_MIB });
  const host = new WorkerHost(spawnNodeWorker);
  try {
    return await host.run(module, typeof model === 'string' ? model : JSON.stringify(model), config, limits);
  } finally {
    host.close();
  }
}

/**
 * Reads the `.wasm` of every plugin a policy file lists (paths relative to
 * the policy file) and returns plugin objects for `options.plugins`, in
 * the policy's order: `{name, path, bytes, config, limits}`. `entries` are
 * the policy's resolved entries (the bridge's policyPlugins). A file that
 * cannot be read gives `{name, path, error}`, which check() reports as a
 * plugin failure of kind `read`; nothing is thrown for it.
 */
export function readPolicyPlugins(policyPath, entries) {
  const base = dirname(resolve(policyPath));
  return entries.map((e) => {
    const file = resolve(base, e.path);
    try {
      return { name: e.name, path: e.path, bytes: new Uint8Array(readFileSync(file)), config: e.config, limits: e.limits };
    } catch (err) {
      return { name: e.name, path: e.path, error: `${file}: ${err.code ?? err.message}` };
    }
  });
}
