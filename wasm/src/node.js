// Node entry: the module is loaded synchronously from the package directory
// at import, so the API is ready at once; init() exists for code shared with
// the browser entry.
import { readFileSync } from 'node:fs';
import * as raw from '../pkg/idguard_wasm.js';
import { makeApi } from './core.js';

export { IdguardError, todayString } from './core.js';

raw.initSync({ module: readFileSync(new URL('../pkg/idguard_wasm_bg.wasm', import.meta.url)) });

/** Already done at import in Node; resolves at once. */
export function init() {
  return Promise.resolve();
}

/** Already done at import in Node. */
export function initSync() {}

const api = makeApi(() => raw);

export const { check, rules, explain, validatePolicy, version } = api;
