// The playground in a real browser: Debian's Chromium driven by
// playwright-core. Pastes a template with a subscription-wide Contributor
// assignment, waits for MI101 and its highlighted line, clicks it, checks
// the jump, and saves screenshots into test-output/.
//
// Chromium: /usr/bin/chromium; when missing and running as root, the test
// installs it (apt-get update && apt-get install -y chromium); otherwise it
// skips, saying why.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';

import { SAMPLE_TEMPLATE } from '../playground/sample.js';
import { serve } from '../playground/serve.mjs';
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

async function openPage(t, viewport = { width: 1440, height: 900 }, colorScheme = 'light') {
  const context = await browser.newContext({ viewport, colorScheme, deviceScaleFactor: 1 });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  t.after(() => context.close());
  await page.goto(server.url);
  await page.waitForSelector('body[data-ready="true"]', { timeout: 30_000 });
  return { page, errors };
}

test('the playground finds MI101, highlights its line and jumps to it', { timeout: 120_000 }, async (t) => {
  if (skipReason) return skipOrFail(t, 'Chromium', skipReason);
  const { page, errors } = await openPage(t);

  // Paste the template as a user would (fill fires the input event).
  await page.fill('#template', SAMPLE_TEMPLATE);
  const item = page.locator('.finding[data-code="MI101"]').first();
  await item.waitFor({ timeout: 10_000 });
  const line = Number(await item.getAttribute('data-line'));
  const lineText = SAMPLE_TEMPLATE.split('\n')[line - 1];
  assert.match(lineText, /roleDefinitionId|b24988ac/, `MI101 points at line ${line}: ${lineText}`);
  assert.match(await item.innerText(), /no-broad-privileged-role/);
  assert.match(await item.innerText(), /Fix:/);

  // The line is highlighted (a mark in the layer behind the text).
  const mark = page.locator(`#template-editor .mark.error[data-line="${line}"]`);
  assert.equal(await mark.count(), 1, 'the finding line is highlighted');
  await page.screenshot({ path: join(TEST_OUTPUT, 'playground-findings.png') });

  // Scroll away, then click the finding: the caret lands on the line and
  // the line is in view.
  await page.evaluate(() => {
    document.querySelector('#template').scrollTop = 0;
  });
  await item.click();
  const caret = await page.evaluate(() => {
    const ta = document.querySelector('#template');
    const before = ta.value.slice(0, ta.selectionStart);
    return { line: before.split('\n').length, focused: document.activeElement === ta, scrollTop: ta.scrollTop, height: ta.clientHeight };
  });
  assert.equal(caret.line, line, 'the selection starts on the finding line');
  assert.ok(caret.focused, 'the editor has the focus');
  const box = await mark.boundingBox();
  const editor = await page.locator('#template-editor').boundingBox();
  assert.ok(box.y >= editor.y && box.y + box.height <= editor.y + editor.height, 'the line is scrolled into view');
  assert.equal(await page.locator('.finding.selected[data-code="MI101"]').count(), 1);
  await page.screenshot({ path: join(TEST_OUTPUT, 'playground-jump.png') });

  // The state is in the URL: a fresh page opened on it shows the same.
  await page.waitForFunction(() => location.hash.startsWith('#z=') || location.hash.startsWith('#j='), null, { timeout: 5_000 });
  const url = page.url();
  const second = await page.context().newPage();
  await second.goto(url);
  await second.waitForSelector('.finding[data-code="MI101"]', { timeout: 10_000 });
  assert.equal(await second.inputValue('#template'), SAMPLE_TEMPLATE);
  assert.deepEqual(errors, []);
});

test('the sample button, the narrow layout and the dark theme render', { timeout: 120_000 }, async (t) => {
  if (skipReason) return skipOrFail(t, 'Chromium', skipReason);
  const { page, errors } = await openPage(t, { width: 420, height: 900 }, 'dark');
  await page.click('#load-sample');
  await page.locator('.finding').first().waitFor({ timeout: 10_000 });
  // Stacked: the findings pane is below the editor.
  const input = await page.locator('.input-pane').boundingBox();
  const results = await page.locator('.results-pane').boundingBox();
  assert.ok(results.y >= input.y + input.height - 1, 'stacked on a narrow screen');
  await page.screenshot({ path: join(TEST_OUTPUT, 'playground-narrow-dark.png'), fullPage: true });
  assert.deepEqual(errors, []);
});

test('a malformed template shows the parse error with its position', { timeout: 60_000 }, async (t) => {
  if (skipReason) return skipOrFail(t, 'Chromium', skipReason);
  const { page } = await openPage(t);
  await page.fill('#template', '{\n  "resources": [\n    { "type": }\n');
  const notice = page.locator('#notice');
  await notice.waitFor({ state: 'visible', timeout: 10_000 });
  assert.match(await notice.innerText(), /not valid JSON.*line 3/s);
  await page.click('#notice a[data-jump]');
  const caretLine = await page.evaluate(() => {
    const ta = document.querySelector('#template');
    return ta.value.slice(0, ta.selectionStart).split('\n').length;
  });
  assert.equal(caretLine, 3);
});
