// A tiny LSP client for the tests and the bench: spawns the server over
// stdio and speaks JSON-RPC with Content-Length framing.
import { spawn } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const SERVER = fileURLToPath(new URL('../server.js', import.meta.url));

export const uriOf = (path) => pathToFileURL(path).href;

export class LspClient {
  /**
   * @param {object} [opts]
   * @param {object} [opts.settings] what workspace/configuration answers for section `idguard`
   * @param {string[]} [opts.args]
   * @param {string} [opts.server] the server script (default: ../server.js)
   */
  constructor({ settings = {}, args = ['--stdio'], env, server = SERVER } = {}) {
    this.settings = settings;
    this.child = spawn(process.execPath, [server, ...args], { stdio: ['pipe', 'pipe', 'pipe'], env: env ?? process.env });
    this.nextId = 1;
    this.pending = new Map();
    this.buffer = Buffer.alloc(0);
    this.diagnostics = new Map();
    this.diagnosticEvents = [];
    this.waiters = [];
    this.messages = [];
    this.requestsFromServer = [];
    this.stderr = '';
    this.exited = new Promise((resolve) => this.child.on('exit', (code, signal) => resolve({ code, signal })));
    this.child.stdout.on('data', (chunk) => this.onData(chunk));
    this.child.stderr.on('data', (chunk) => {
      this.stderr += chunk;
    });
  }

  onData(chunk) {
    this.buffer = Buffer.concat([this.buffer, chunk]);
    for (;;) {
      const headerEnd = this.buffer.indexOf('\r\n\r\n');
      if (headerEnd < 0) return;
      const header = this.buffer.subarray(0, headerEnd).toString('ascii');
      const m = /Content-Length: *(\d+)/i.exec(header);
      if (!m) throw new Error(`bad header: ${header}`);
      const len = Number(m[1]);
      if (this.buffer.length < headerEnd + 4 + len) return;
      const body = this.buffer.subarray(headerEnd + 4, headerEnd + 4 + len).toString('utf8');
      this.buffer = this.buffer.subarray(headerEnd + 4 + len);
      this.onMessage(JSON.parse(body));
    }
  }

  onMessage(msg) {
    if ('id' in msg && !('method' in msg)) {
      const p = this.pending.get(msg.id);
      this.pending.delete(msg.id);
      if (!p) return;
      if (msg.error) p.reject(Object.assign(new Error(msg.error.message), { code: msg.error.code }));
      else p.resolve(msg.result);
      return;
    }
    if ('id' in msg) {
      // A request from the server.
      this.requestsFromServer.push(msg);
      let result = null;
      if (msg.method === 'workspace/configuration') {
        result = msg.params.items.map((item) => (item.section === 'idguard' ? this.settings : null));
      }
      this.send({ jsonrpc: '2.0', id: msg.id, result });
      return;
    }
    if (msg.method === 'textDocument/publishDiagnostics') {
      const event = { ...msg.params, at: performance.now() };
      this.diagnostics.set(msg.params.uri, event);
      this.diagnosticEvents.push(event);
      this.waiters = this.waiters.filter((w) => !w(event));
    } else if (msg.method === 'window/showMessage') {
      this.messages.push(msg.params);
    }
  }

  send(msg) {
    const body = Buffer.from(JSON.stringify(msg), 'utf8');
    this.child.stdin.write(`Content-Length: ${body.length}\r\n\r\n`);
    this.child.stdin.write(body);
  }

  request(method, params) {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.send({ jsonrpc: '2.0', id, method, params });
    });
  }

  notify(method, params) {
    this.send({ jsonrpc: '2.0', method, params });
  }

  /** Resolves with the next publishDiagnostics for `uri` that satisfies `pred` (default: any). */
  nextDiagnostics(uri, pred = () => true, timeoutMs = 10000) {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no diagnostics for ${uri} within ${timeoutMs} ms; stderr: ${this.stderr}`)), timeoutMs);
      this.waiters.push((event) => {
        if (event.uri !== uri || !pred(event)) return false;
        clearTimeout(timer);
        resolve(event);
        return true;
      });
    });
  }

  async initialize({ rootUri = null, capabilities, initializationOptions } = {}) {
    const result = await this.request('initialize', {
      processId: process.pid,
      rootUri,
      workspaceFolders: rootUri ? [{ uri: rootUri, name: 'ws' }] : null,
      initializationOptions,
      capabilities: capabilities ?? {
        workspace: { configuration: true, didChangeWatchedFiles: { dynamicRegistration: true } },
        textDocument: {
          publishDiagnostics: { relatedInformation: true, versionSupport: true, codeDescriptionSupport: true, tagSupport: { valueSet: [1, 2] } },
          hover: { contentFormat: ['markdown', 'plaintext'] },
          codeAction: { codeActionLiteralSupport: { codeActionKind: { valueSet: ['quickfix'] } } },
        },
      },
    });
    this.notify('initialized', {});
    return result;
  }

  open(uri, text, version = 1, languageId = 'json') {
    this.notify('textDocument/didOpen', { textDocument: { uri, languageId, version, text } });
  }

  change(uri, text, version) {
    this.notify('textDocument/didChange', { textDocument: { uri, version }, contentChanges: [{ text }] });
  }

  /** An incremental change: `edits` are `{ range, text }` as in TextDocumentContentChangeEvent. */
  edit(uri, edits, version) {
    this.notify('textDocument/didChange', { textDocument: { uri, version }, contentChanges: edits });
  }

  close(uri) {
    this.notify('textDocument/didClose', { textDocument: { uri } });
  }

  async shutdown() {
    await this.request('shutdown', null);
    this.notify('exit', null);
    return this.exited;
  }

  kill() {
    if (this.child.exitCode === null) this.child.kill();
  }
}

/** Applies LSP TextEdits (all against the original text) to `text`. */
export function applyEdits(text, edits) {
  const lineStarts = [0];
  for (let i = 0; i < text.length; i++) if (text[i] === '\n') lineStarts.push(i + 1);
  const offsetOf = (p) => Math.min(text.length, (lineStarts[p.line] ?? text.length) + p.character);
  const sorted = edits
    .map((e) => ({ start: offsetOf(e.range.start), end: offsetOf(e.range.end), newText: e.newText }))
    .sort((a, b) => b.start - a.start);
  let out = text;
  for (const e of sorted) out = out.slice(0, e.start) + e.newText + out.slice(e.end);
  return out;
}
