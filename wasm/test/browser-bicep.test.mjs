// Bicep in a real browser (Debian's Chromium driven by playwright-core):
// the package checks Bicep text in the page as in Node, and the
// playground takes pasted Bicep (recognised without a file name), has a
// Bicep sample and highlights the finding's Bicep line.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';

import * as idguard from '../src/node.js';
import { SAMPLE_BICEP } from '../playground/sample.js';
import { serve } from '../playground/serve.mjs';
import { IDENTITY, MAIN } from './bicep-samples.mjs';
import { TEST_OUTPUT, ensureChromium, launchChromium, skipOrFail } from './helpers.mjs';

let browser;
let server;
let skipReason = null;

before(async () => {
  skipReason = ensureChromium();
  if (skipReason) return;
  browser = await launchChromium();
  server = await serve({ port: 0 });
  mkdirSync(TEST_OUTPUT, { recursive: true });
});

after(async () => {
  await browser?.close();
  await server?.close();
});

async function openPage(t) {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, deviceScaleFactor: 1 });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  t.after(() => context.close());
  await page.goto(server.url);
  await page.waitForSelector('body[data-ready="true"]', { timeout: 30_000 });
  return { page, errors };
}

const summary = (r) => ({
  files: r.files.map((f) => ({ path: f.path, error: f.error, notes: f.notes ?? [] })),
  findings: r.findings.map((f) => `${f.file}:${f.range.start.line}:${f.range.start.column} ${f.code} ${f.fingerprint}`).sort(),
});

test('the package in Chromium checks Bicep as in Node: module, syntax error, language option', { timeout: 120_000 }, async (t) => {
  if (skipReason) return skipOrFail(t, 'Chromium', skipReason);
  const { page, errors } = await openPage(t);
  const cases = [
    [MAIN, { fileName: 'infra/main.bicep', files: { 'modules/identity.bicep': IDENTITY }, today: '2026-01-01' }],
    [MAIN, { language: 'bicep', today: '2026-01-01' }],
    ["param p string\nresource r 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {\n  name: \n}\n", { fileName: 'x.bicep', today: '2026-01-01' }],
  ];
  const inBrowser = await page.evaluate(async (cases) => {
    const m = await import('/src/browser.js');
    await m.init();
    return cases.map(([text, options]) => m.check(text, options));
  }, cases);
  for (const [i, [text, options]] of cases.entries()) {
    assert.deepEqual(summary(inBrowser[i]), summary(idguard.check(text, options)), `case ${i}`);
  }
  assert.ok(inBrowser[0].findings.some((f) => f.code === 'MI401' && f.range.start.line === 13));
  assert.ok(inBrowser[1].files[0].notes.length > 0, 'the module not given is noted');
  assert.match(inBrowser[2].files[0].error.message, /^BCP\d{3}: /);
  assert.deepEqual(errors, []);
});

test('the playground takes pasted Bicep, highlights the Bicep line, and has a Bicep sample', { timeout: 120_000 }, async (t) => {
  if (skipReason) return skipOrFail(t, 'Chromium', skipReason);
  const { page, errors } = await openPage(t);
  // Pasted under the default name main.json: recognised as Bicep.
  await page.fill('#template', SAMPLE_BICEP);
  const item = page.locator('.finding[data-code="MI101"]').first();
  await item.waitFor({ timeout: 10_000 });
  assert.equal(await page.inputValue('#filename'), 'main.bicep');
  const line = Number(await item.getAttribute('data-line'));
  assert.match(SAMPLE_BICEP.split('\n')[line - 1], /roleDefinitionId/, `MI101 on line ${line}`);
  assert.equal(await page.locator(`#template-editor .mark.error[data-line="${line}"]`).count(), 1, 'the Bicep line is highlighted');
  await page.screenshot({ path: join(TEST_OUTPUT, 'playground-bicep.png') });

  // A Bicep syntax error: Bicep's code and position in the notice.
  await page.fill('#template', "param p string\nresource r 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {\n  name: \n}\n");
  const notice = page.locator('#notice');
  await notice.waitFor({ state: 'visible', timeout: 10_000 });
  assert.match(await notice.innerText(), /Bicep syntax error.*BCP\d{3}.*line 3/s);

  // JSON pasted back: the name follows.
  await page.fill('#template', '{\n  "resources": []\n}\n');
  await page.waitForFunction(() => document.querySelector('#filename').value === 'main.json', null, { timeout: 5_000 });

  // The Bicep sample button.
  await page.click('#load-bicep-sample');
  await page.locator('.finding[data-code="MI401"]').first().waitFor({ timeout: 10_000 });
  assert.equal(await page.inputValue('#filename'), 'main.bicep');
  assert.equal(await page.inputValue('#template'), SAMPLE_BICEP);
  assert.deepEqual(errors, []);
});
