// The public API over the raw wasm-bindgen exports. The raw functions take
// and return JSON text ({"ok": value} or {"error": {...}}); this layer
// serializes the options, parses the result and throws real Errors.
// Shared by the browser entry (browser.js) and the Node entry (node.js).
//
// Policy plugins (options.plugins) run here, in JavaScript (plugins.js),
// on the model of each evaluation the bridge hands over; their findings go
// back into the core, which places, fingerprints and suppresses them as
// the CLI's. check() does it in one pass on the calling thread
// (checkWith); checkAsync() gets the models first (models), runs every
// call in a worker terminated at its deadline, and checks with the
// findings (check with options.external). See docs/wasm.md.

import { WorkerHost, loadAsync, loadSync, resolvePlugins, runEvaluationAsync, runEvaluationSync } from './plugins.js';

/** An Error thrown by idguard; `kind` is `policy`, `options`, `unknownRule` or `internal`. */
export class IdguardError extends Error {
  constructor(body) {
    super(body.message);
    this.name = 'IdguardError';
    this.kind = body.kind;
    if (body.problems) this.problems = body.problems;
  }
}

/** Today's date as YYYY-MM-DD in local time (for exemption expiry). */
export function todayString(now = new Date()) {
  const pad = (n) => String(n).padStart(2, '0');
  return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
}

function unwrap(text) {
  const out = JSON.parse(text);
  if (out.error) throw new IdguardError(out.error);
  return out.ok;
}

const LANGUAGES = new Set(['json', 'bicep', 'bicepparam']);

function isRecordOfStrings(v) {
  return v != null && typeof v === 'object' && !Array.isArray(v);
}

/**
 * Builds the API over a function that returns the raw bindings module,
 * instantiated, or throws. `platform.spawnWorker`, when given, starts a
 * plugin worker (see WorkerHost in plugins.js) for checkAsync.
 */
export function makeApi(ready, platform = {}) {
  // A wasm trap would be a bug (the core is panic-free by design and the
  // tests feed it garbage): surface it as an IdguardError of kind
  // `internal` rather than a bare RuntimeError.
  function call(fn) {
    const raw = ready();
    try {
      return unwrap(fn(raw));
    } catch (e) {
      if (e instanceof IdguardError) throw e;
      if (typeof WebAssembly !== 'undefined' && e instanceof WebAssembly.RuntimeError) {
        throw new IdguardError({ kind: 'internal', message: `idguard internal error (${e.message}); please report it with the input` });
      }
      throw e;
    }
  }

  function buildRequest(templateText, options) {
    if (typeof templateText !== 'string') {
      throw new TypeError('check(templateText, options): templateText must be a string');
    }
    if (options == null || typeof options !== 'object') {
      throw new TypeError('check(templateText, options): options must be an object');
    }
    const request = {};
    if (options.policy != null) request.policy = options.policy;
    if (options.parameters != null) {
      if (!isRecordOfStrings(options.parameters)) throw new TypeError('options.parameters must be an object of name → text');
      request.parameters = options.parameters;
    }
    if (options.files != null) {
      if (!isRecordOfStrings(options.files)) throw new TypeError('options.files must be an object of path → text');
      request.files = options.files;
    }
    if (options.fileName != null) request.fileName = String(options.fileName);
    if (options.language != null) {
      if (!LANGUAGES.has(options.language)) throw new TypeError("options.language must be 'json', 'bicep' or 'bicepparam'");
      request.language = options.language;
    }
    request.today = options.today === undefined ? todayString() : options.today;
    return request;
  }

  // The policy's resolved plugin entries, for the last policy seen.
  let lastPolicy = { key: undefined, entries: [] };
  function policyEntries(policy) {
    if (policy == null) return [];
    if (lastPolicy.key === policy) return lastPolicy.entries;
    const entries = call((raw) => raw.policyPlugins(JSON.stringify({ policy })));
    lastPolicy = { key: policy, entries };
    return entries;
  }

  /** The plugins to run, or null when there are none (nor any missing). */
  function plan(options) {
    const supplied = options.plugins;
    if (supplied === false) return null;
    if (supplied != null && !Array.isArray(supplied)) {
      throw new TypeError('options.plugins must be an array of plugins (or false to run none)');
    }
    const entries = policyEntries(options.policy);
    if (entries.length === 0 && (supplied == null || supplied.length === 0)) return null;
    return resolvePlugins(supplied, entries);
  }

  let workers = null;
  function workerHost() {
    if (!platform.spawnWorker) return null;
    if (!workers) workers = new WorkerHost(platform.spawnWorker);
    return workers;
  }

  function check(templateText, options = {}) {
    const request = buildRequest(templateText, options);
    const plugins = plan(options);
    if (plugins === null) return call((raw) => raw.check(templateText, JSON.stringify(request)));
    const { ready: loaded, errors } = loadSync(plugins.plugins);
    request.pluginErrors = [...plugins.errors, ...errors];
    if (loaded.length === 0) return call((raw) => raw.check(templateText, JSON.stringify(request)));
    // Called by the bridge for every evaluation; it must not throw.
    const runner = {
      run(model, template, parameterFile) {
        try {
          return JSON.stringify(runEvaluationSync(loaded, model, template, parameterFile ?? null));
        } catch (e) {
          const errs = loaded.map((p) => ({ plugin: p.name, file: template, kind: 'trap', message: `failed in the host: ${e?.message ?? e}` }));
          return JSON.stringify({ findings: [], errors: errs });
        }
      },
    };
    return call((raw) => raw.checkWith(templateText, JSON.stringify(request), runner));
  }

  async function checkAsync(templateText, options = {}) {
    const request = buildRequest(templateText, options);
    const plugins = plan(options);
    if (plugins === null) return call((raw) => raw.check(templateText, JSON.stringify(request)));
    const { ready: loaded, errors } = await loadAsync(plugins.plugins);
    const pluginErrors = [...plugins.errors, ...errors];
    if (loaded.length > 0) {
      const models = call((raw) => raw.models(templateText, JSON.stringify(request)));
      const external = [];
      for (const m of models) {
        const r = await runEvaluationAsync(loaded, m.model, m.template, m.parameterFile ?? null, workerHost());
        external.push(r.findings);
        pluginErrors.push(...r.errors);
      }
      request.external = external;
    }
    request.pluginErrors = pluginErrors;
    return call((raw) => raw.check(templateText, JSON.stringify(request)));
  }

  /**
   * The identity graph of a template: the check's report, the graph of
   * every evaluation (nodes, edges, findings marked), and the graphs drawn
   * as SVG and Mermaid (capped). Options as for check(); plugins are not
   * run (their findings can be passed in options.external).
   */
  function graph(templateText, options = {}) {
    const request = buildRequest(templateText, options);
    if (options.external != null) request.external = options.external;
    return call((raw) => raw.graph(templateText, JSON.stringify(request)));
  }

  async function preparePlugins(options = {}) {
    const plugins = plan(options);
    if (plugins !== null) await loadAsync(plugins.plugins);
  }

  function policyPlugins(policy) {
    return policyEntries(policy ?? null);
  }

  function rules() {
    return call((raw) => raw.rules());
  }

  function explain(code) {
    return call((raw) => raw.explain(String(code)));
  }

  function validatePolicy(policy) {
    const json = JSON.stringify({ policy: policy ?? null });
    return call((raw) => raw.validatePolicy(json));
  }

  const KINDS = new Set(['template', 'parameters', 'other']);

  function project(request) {
    if (request == null || typeof request !== 'object' || !Array.isArray(request.files)) {
      throw new TypeError('project(request): request must be an object with a `files` array');
    }
    const files = request.files.map((f, i) => {
      if (f == null || typeof f !== 'object' || typeof f.path !== 'string') {
        throw new TypeError(`project(request): files[${i}] must be an object with a string \`path\``);
      }
      const out = { path: f.path };
      if (f.text != null) {
        if (typeof f.text !== 'string') throw new TypeError(`project(request): files[${i}].text must be a string`);
        out.text = f.text;
      }
      if (f.kind != null) {
        if (!KINDS.has(f.kind)) throw new TypeError(`project(request): files[${i}].kind must be 'template', 'parameters' or 'other'`);
        out.kind = f.kind;
      }
      return out;
    });
    const json = JSON.stringify({ files });
    return call((raw) => raw.project(json));
  }

  function fileKind(path, text) {
    if (typeof path !== 'string' || typeof text !== 'string') throw new TypeError('fileKind(path, text): path and text must be strings');
    return project({ files: [{ path, text }] }).files[0].kind;
  }

  function version() {
    return ready().version();
  }

  return { check, checkAsync, graph, preparePlugins, policyPlugins, project, fileKind, rules, explain, validatePolicy, version };
}
