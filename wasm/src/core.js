// The public API over the raw wasm-bindgen exports. The raw functions take
// and return JSON text ({"ok": value} or {"error": {...}}); this layer
// serializes the options, parses the result and throws real Errors.
// Shared by the browser entry (browser.js) and the Node entry (node.js).

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

function isRecordOfStrings(v) {
  return v != null && typeof v === 'object' && !Array.isArray(v);
}

/**
 * Builds the API over a function that returns the raw bindings module,
 * instantiated, or throws.
 */
export function makeApi(ready) {
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

  function check(templateText, options = {}) {
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
    request.today = options.today === undefined ? todayString() : options.today;
    const json = JSON.stringify(request);
    return call((raw) => raw.check(templateText, json));
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

  function version() {
    return ready().version();
  }

  return { check, rules, explain, validatePolicy, version };
}
