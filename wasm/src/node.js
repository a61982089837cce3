// Node entry: the module is loaded synchronously from the package directory
// at import, so the API is ready at once; init() exists for code shared with
// the browser entry.
import { readFileSync } from 'node:fs';
import * as raw from '../pkg/idguard_wasm.js';
import { makeApi } from './core.js';
import { readPolicyPlugins, spawnNodeWorker } from './node-plugins.js';

export { IdguardError, todayString } from './core.js';

raw.initSync({ module: readFileSync(new URL('../pkg/idguard_wasm_bg.wasm', import.meta.url)) });

/** Already done at import in Node; resolves at once. */
export function init() {
  return Promise.resolve();
}

/** Already done at import in Node. */
export function initSync() {}

const api = makeApi(() => raw, { spawnWorker: spawnNodeWorker });

export const { check, checkAsync, graph, preparePlugins, policyPlugins, project, fileKind, rules, explain, validatePolicy, version } = api;

/**
 * Reads the plugins a policy file lists (their `.wasm` relative to the
 * policy file) for `options.plugins`: `[{name, path, bytes, config,
 * limits}]`, in the policy's order. A file that cannot be read becomes
 * `{name, path, error}`, reported by check() as a plugin failure of kind
 * `read` (nothing is thrown for it). Throws an IdguardError (kind
 * `policy`) when the policy is invalid, and the fs error when the policy
 * file itself cannot be read. `policyText`, when given, is used instead
 * of the file's text (an editor's unsaved buffer).
 */
export function loadPolicyPlugins(policyPath, policyText) {
  const text = policyText ?? readFileSync(policyPath, 'utf8');
  return readPolicyPlugins(policyPath, policyPlugins(text));
}
