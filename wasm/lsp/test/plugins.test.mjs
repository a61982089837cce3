// The language server runs the policy's plugins over real LSP stdio: the
// plugin's findings are diagnostics of the template, a plugin that never
// returns is stopped at its deadline (the server stays responsive) and
// reported in a window/showMessage.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { FIXTURES, pluginTools } from '../../test/helpers.mjs';
import { LOOP, module } from '../../test/wasm-module.mjs';
import { LspClient, uriOf } from './client.mjs';

test('editor diagnostics include plugin findings; a looping plugin is stopped and reported', { timeout: 60_000 }, async (t) => {
  const tools = pluginTools();
  const root = mkdtempSync(join(tmpdir(), 'idguard-lsp-plugins-'));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  mkdirSync(join(root, 'plugins'));
  copyFileSync(tools.wasmPath('required-cost-center'), join(root, 'plugins', 'cost.wasm'));
  writeFileSync(join(root, 'plugins', 'loop.wasm'), module({ check: LOOP }));
  writeFileSync(
    join(root, 'idguard.json'),
    JSON.stringify({
      plugins: [
        { path: 'plugins/cost.wasm', name: 'cost', config: { pattern: '^CC-[0-9]{4}$' } },
        { path: 'plugins/loop.wasm', limits: { timeoutMs: 300 } },
      ],
    }),
  );
  const text = readFileSync(join(FIXTURES, 'plugins', 'cost-center.json'), 'utf8');
  writeFileSync(join(root, 'main.json'), text);

  const client = new LspClient({ settings: { debounceMs: 10 } });
  t.after(() => client.kill());
  const messages = [];
  const onMessage = client.onMessage.bind(client);
  client.onMessage = (msg) => {
    if (msg.method === 'window/showMessage') messages.push(msg.params.message);
    onMessage(msg);
  };
  await client.initialize({ rootUri: uriOf(root) });
  const main = uriOf(join(root, 'main.json'));
  const pending = client.nextDiagnostics(main, undefined, 20_000);
  const started = Date.now();
  client.open(main, text, 1);
  const d = await pending;
  const codes = d.diagnostics.map((x) => x.code);
  assert.ok(codes.some((c) => c === 'cost/CC001'), codes.join(' '));
  assert.ok(codes.some((c) => c === 'cost/CC002'), codes.join(' '));
  assert.ok(codes.some((c) => /^MI\d+$/.test(c)), 'built-in findings too');
  assert.ok(Date.now() - started < 15_000);
  assert.ok(
    messages.some((m) => /plugin 'loop' \(plugins\/loop\.wasm\) exceeded its deadline of 300 ms/.test(m)),
    messages.join('\n'),
  );
  // Still responsive: a hover request is answered.
  const hover = await client.request('textDocument/hover', { textDocument: { uri: main }, position: { line: 0, character: 0 } });
  assert.ok(hover === null || typeof hover === 'object');
});
