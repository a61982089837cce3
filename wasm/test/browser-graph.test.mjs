// The playground's Graph tab in a real browser (Debian's Chromium driven
// by playwright-core): the sample template's identity graph is drawn
// offline from the wasm core's SVG — nodes and edges counted in the page
// and seen in the screenshot's pixels, not only the page loaded — and a
// click on a node highlights its edges, its template lines and its
// findings. Screenshots go to test-output/.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { inflateSync } from 'node:zlib';

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

/**
 * Counts the pixels of a PNG (8-bit RGB or RGBA, not interlaced): those
 * not white (fills, strokes, text) and those of a strong colour (severity
 * strokes and edges).
 */
function pixelCounts(png) {
  let pos = 8;
  let width = 0;
  let height = 0;
  let channels = 4;
  const idat = [];
  while (pos < png.length) {
    const len = png.readUInt32BE(pos);
    const type = png.toString('ascii', pos + 4, pos + 8);
    const data = png.subarray(pos + 8, pos + 8 + len);
    if (type === 'IHDR') {
      width = data.readUInt32BE(0);
      height = data.readUInt32BE(4);
      channels = data[9] === 2 ? 3 : 4;
    } else if (type === 'IDAT') idat.push(data);
    pos += 12 + len;
  }
  const raw = inflateSync(Buffer.concat(idat));
  const stride = width * channels;
  const prev = Buffer.alloc(stride);
  const line = Buffer.alloc(stride);
  let coloured = 0;
  let nonWhite = 0;
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)];
    const src = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    for (let i = 0; i < stride; i++) {
      const a = i >= channels ? line[i - channels] : 0;
      const b = prev[i];
      const c = i >= channels ? prev[i - channels] : 0;
      let v = src[i];
      if (filter === 1) v += a;
      else if (filter === 2) v += b;
      else if (filter === 3) v += (a + b) >> 1;
      else if (filter === 4) {
        const p = a + b - c;
        const pa = Math.abs(p - a);
        const pb = Math.abs(p - b);
        const pc = Math.abs(p - c);
        v += pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
      }
      line[i] = v & 0xff;
    }
    for (let x = 0; x < width; x++) {
      const r = line[x * channels];
      const g = line[x * channels + 1];
      const bl = line[x * channels + 2];
      if (Math.max(r, g, bl) - Math.min(r, g, bl) > 60) coloured++;
      if (Math.min(r, g, bl) < 240) nonWhite++;
    }
    line.copy(prev);
  }
  return { coloured, nonWhite, total: width * height };
}

test('the Graph tab draws the identity graph and a click highlights a node', { timeout: 120_000 }, async (t) => {
  if (skipReason) return skipOrFail(t, 'Chromium', skipReason);
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, colorScheme: 'light', deviceScaleFactor: 1 });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  t.after(() => context.close());
  await page.goto(server.url);
  await page.waitForSelector('body[data-ready="true"]', { timeout: 30_000 });

  await page.fill('#template', SAMPLE_TEMPLATE);
  await page.locator('.finding[data-code="MI101"]').first().waitFor({ timeout: 10_000 });
  await page.click('#rtab-graph');
  await page.waitForSelector('#graph-view svg .node', { timeout: 10_000 });
  assert.equal(await page.locator('#results-findings').isHidden(), true, 'the findings are behind their tab');

  // Nodes and edges are drawn: SVG elements with a size on the page.
  const drawn = await page.evaluate(() => {
    const size = (el) => {
      const b = el.getBBox();
      return b.width > 0 && b.height > 0;
    };
    const nodes = [...document.querySelectorAll('#graph-view svg .node')];
    const edges = [...document.querySelectorAll('#graph-view svg .edge path')];
    return {
      nodes: nodes.length,
      nodesSized: nodes.filter(size).length,
      edges: edges.length,
      edgesWithPath: edges.filter((p) => p.getTotalLength() > 10).length,
      labels: nodes.map((n) => n.querySelector('text').textContent),
      marked: document.querySelectorAll('#graph-view svg .sev-error, #graph-view svg .sev-warning').length,
    };
  });
  // The sample: its identity and the subscription it is Contributor on.
  assert.ok(drawn.nodes >= 2, `nodes drawn: ${JSON.stringify(drawn)}`);
  assert.equal(drawn.nodesSized, drawn.nodes, 'every node has a size');
  assert.ok(drawn.edges >= 1, `edges drawn: ${JSON.stringify(drawn)}`);
  assert.ok(drawn.labels.some((l) => l.includes('Contributor') || l.includes('subscription')), JSON.stringify(drawn.labels));
  assert.equal(drawn.edgesWithPath, drawn.edges, 'every edge is a visible path');
  assert.ok(drawn.marked >= 1, 'findings are marked on the graph');

  const shot = await page.locator('#graph-view').screenshot({ path: join(TEST_OUTPUT, 'playground-graph.png') });
  // The pixels: coloured fills and strokes of nodes and edges, not a blank pane.
  const px = pixelCounts(shot);
  assert.ok(px.nonWhite > drawn.nodes * 230 * 30, `nodes are painted: ${JSON.stringify(px)}`);
  assert.ok(px.coloured > 200, `severity colours are painted: ${JSON.stringify(px)}`);

  // Click the node with a finding on its edge (the Contributor's identity):
  // its edges are highlighted, the others dimmed, the detail lists its
  // findings, the template marks its lines and the findings list marks them.
  const from = await page.evaluate(() => {
    const e = document.querySelector('#graph-view svg .edge.sev-error, #graph-view svg .edge.sev-warning');
    return e ? e.dataset.from : document.querySelector('#graph-view svg .node[class*="sev-"]')?.dataset.id;
  });
  assert.ok(from, 'a marked edge or node to click');
  await page.locator(`#graph-view svg .node[data-id="${from}"]`).first().click();
  const state = await page.evaluate(() => ({
    highlighted: document.querySelectorAll('#graph-view .node.highlight').length,
    edges: document.querySelectorAll('#graph-view .edge.highlight').length,
    detail: document.querySelector('#graph-detail').innerText,
    hidden: document.querySelector('#graph-detail').hidden,
    marks: document.querySelectorAll('#template-editor .mark').length,
    selected: document.querySelectorAll('.finding.graph-selected').length,
  }));
  assert.equal(state.highlighted, 1);
  assert.ok(state.edges >= 1, JSON.stringify(state));
  assert.equal(state.hidden, false);
  assert.ok(state.marks >= 1, `template lines marked: ${JSON.stringify(state)}`);
  assert.match(state.detail, /MI\d{3}/, 'its findings are listed');
  assert.ok(state.selected >= 1, 'its findings are marked in the findings list');
  await page.screenshot({ path: join(TEST_OUTPUT, 'playground-graph-selected.png') });
  assert.deepEqual(errors, []);
});
