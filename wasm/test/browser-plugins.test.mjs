// Policy plugins in a real browser: headless Chromium (as browser.test.mjs
// starts it) imports the package's browser entry, fetches the example
// cost plugin and runs checkAsync, whose plugin calls run in a module Web
// Worker; the findings equal Node's. An endless loop is stopped at its
// deadline (on the page's thread it would hang the page and the test).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';

import * as idguard from '../src/node.js';
import { serve } from '../playground/serve.mjs';
import { FIXTURES, ensureChromium, launchChromium, pluginTools, skipOrFail } from './helpers.mjs';
import { LOOP, module, returning } from './wasm-module.mjs';

let browser;
let server;
let skipReason = null;

before(async () => {
  skipReason = ensureChromium();
  if (skipReason) return;
  browser = await launchChromium();
  server = await serve({ port: 0 });
});

after(async () => {
  await browser?.close();
  await server?.close();
});

test('checkAsync runs the cost plugin in a Web Worker in Chromium, as in Node', { timeout: 120_000 }, async (t) => {
  if (skipReason) return skipOrFail(t, 'Chromium', skipReason);
  const tools = pluginTools();
  const plugins = {
    'cost.wasm': tools.wasm('required-cost-center'),
    'loop.wasm': module({ check: LOOP }),
    'hello.wasm': module(returning('[{"code":"H1","name":"hello","severity":"info","message":"hi","location":{"pointer":"/resources"}}]')),
  };
  const context = await browser.newContext();
  t.after(() => context.close());
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.route('**/test-plugins/*', (route) => {
    const name = new URL(route.request().url()).pathname.split('/').pop();
    return route.fulfill({ status: 200, contentType: 'application/wasm', body: Buffer.from(plugins[name]) });
  });
  await page.goto(server.url);
  const text = readFileSync(join(FIXTURES, 'plugins', 'cost-center.json'), 'utf8');
  const options = { fileName: 'cost-center.json', today: '2030-01-01', policy: { plugins: [{ path: 'cost.wasm', name: 'cost', config: { pattern: '^CC-[0-9]{4}$' } }] } };

  const got = await page.evaluate(
    async ({ text, options }) => {
      const m = await import('/src/browser.js');
      await m.init();
      const bytes = async (name) => new Uint8Array(await (await fetch(`/test-plugins/${name}`)).arrayBuffer());
      const cost = await bytes('cost.wasm');
      const workers = [];
      const RealWorker = globalThis.Worker;
      globalThis.Worker = class extends RealWorker {
        constructor(url, opts) {
          super(url, opts);
          workers.push({ url: String(url), type: opts?.type });
        }
      };
      const report = await m.checkAsync(text, { ...options, plugins: [cost] });
      // An endless loop, stopped at its deadline; the other plugin still reports.
      const started = performance.now();
      const looped = await m.checkAsync(text, {
        fileName: options.fileName,
        plugins: [{ name: 'loop', bytes: await bytes('loop.wasm'), limits: { timeoutMs: 300 } }, { name: 'hello', bytes: await bytes('hello.wasm') }],
      });
      const took = performance.now() - started;
      // The synchronous check after preparePlugins (compiled off the main thread).
      await m.preparePlugins({ ...options, plugins: [cost] });
      let sync;
      try {
        sync = m.check(text, { ...options, plugins: [cost] });
      } catch (e) {
        sync = { thrown: String(e) };
      }
      // Without preparing (other content: a custom section appended), a
      // large module cannot be compiled synchronously on the page's thread.
      const other = new Uint8Array(cost.length + 4);
      other.set(cost);
      other.set([0, 2, 1, 0x78], cost.length);
      const unprepared = m.check(text, { ...options, plugins: [other] });
      return { report, looped, took, sync, unprepared, workers };
    },
    { text, options },
  );
  const node = idguard.check(text, { ...options, plugins: [tools.wasm('required-cost-center')] });
  assert.ok(node.findings.some((f) => f.code.startsWith('cost/')));
  assert.deepEqual(got.report.findings, node.findings);
  assert.deepEqual(got.report.pluginErrors, []);
  assert.ok(got.workers.length >= 1 && got.workers.every((w) => w.type === 'module' && w.url.endsWith('/src/plugin-worker.js')), JSON.stringify(got.workers));
  assert.deepEqual(got.looped.pluginErrors.map((e) => [e.plugin, e.kind]), [['loop', 'deadline']]);
  assert.ok(got.took >= 300 && got.took < 5000, `stopped after ${got.took} ms`);
  assert.ok(got.looped.findings.some((f) => f.code === 'hello/H1'));
  assert.deepEqual(got.sync.findings, node.findings, JSON.stringify(got.sync.thrown ?? got.sync.pluginErrors));
  t.diagnostic(`unprepared sync check in Chromium: ${JSON.stringify(got.unprepared.pluginErrors.map((e) => [e.kind, e.message.slice(0, 200)]))}`);
  // Either Chromium compiled it, or the failure says what to do.
  const refused = got.unprepared.pluginErrors;
  if (refused.length > 0) {
    assert.deepEqual(refused.map((e) => [e.plugin, e.kind]), [['cost', 'config']]);
    assert.match(refused[0].message, /checkAsync\(\)|preparePlugins/);
    assert.deepEqual(got.unprepared.findings.filter((f) => !f.code.includes('/')), node.findings.filter((f) => !f.code.includes('/')));
  } else {
    assert.deepEqual(got.unprepared.findings, node.findings);
  }
  assert.deepEqual(errors, []);
});
