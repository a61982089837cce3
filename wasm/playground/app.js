// The idguard playground: a template editor with findings, checked as you
// type by the WebAssembly build of idguard. Static files only; the state
// (template, parameter files, policy) lives in the URL hash.
import { init, check, graph, validatePolicy, version } from '../src/browser.js';
import { SAMPLE_BICEP, SAMPLE_POLICY, SAMPLE_TEMPLATE } from './sample.js';

const $ = (sel) => document.querySelector(sel);
const SEVERITY_RANK = { error: 3, warning: 2, info: 1 };
const PAD_TOP = 10;
const PAD_LEFT = 12;

/** Splits text into the UTF-16 index of each line start. */
function lineStarts(text) {
  const starts = [0];
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  return starts;
}

/** A textarea with a line-number gutter and a layer of line marks behind it. */
class Editor {
  constructor(root) {
    this.root = root;
    this.ta = root.querySelector('textarea');
    this.gutter = root.querySelector('.gutter');
    this.gutterInner = document.createElement('div');
    this.gutter.append(this.gutterInner);
    this.marksInner = document.createElement('div');
    this.marksInner.className = 'marks-inner';
    root.querySelector('.marks').append(this.marksInner);
    this.lines = 0;
    this.markedLines = new Map();
    this.marks = [];
    this.lineHeight = 20;
    this.charWidth = this.measureChar();
    this.ta.addEventListener('scroll', () => this.sync());
    this.ta.addEventListener('input', () => this.refreshGutter());
    new ResizeObserver(() => this.sync()).observe(this.ta);
    this.refreshGutter();
  }

  measureChar() {
    const probe = document.createElement('span');
    probe.textContent = 'M'.repeat(100);
    probe.style.cssText = 'position:absolute;visibility:hidden;white-space:pre;font:inherit';
    this.root.append(probe);
    const w = probe.getBoundingClientRect().width / 100 || 7.8;
    const lh = parseFloat(getComputedStyle(this.ta).lineHeight);
    if (lh > 0) this.lineHeight = lh;
    probe.remove();
    return w;
  }

  get value() {
    return this.ta.value;
  }

  set value(text) {
    this.ta.value = text;
    this.ta.scrollTop = 0;
    this.refreshGutter();
  }

  sync() {
    const y = this.ta.scrollTop;
    const x = this.ta.scrollLeft;
    this.gutterInner.style.transform = `translateY(${-y}px)`;
    this.marksInner.style.transform = `translate(${-x}px, ${-y}px)`;
  }

  refreshGutter(force = false) {
    let n = 1;
    const text = this.ta.value;
    for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) n++;
    if (n === this.lines && !force) return;
    this.lines = n;
    const parts = [];
    for (let i = 1; i <= n; i++) {
      const sev = this.markedLines.get(i);
      parts.push(sev ? `<span class="g-${sev}">${i}</span>` : String(i));
    }
    this.gutterInner.innerHTML = parts.join('\n');
    this.sync();
  }

  /** Marks: [{line, severity, startCol, endLine, endCol, key}]; columns in UTF-16 units. */
  setMarks(marks) {
    this.marks = marks;
    this.markedLines = new Map();
    const frag = document.createDocumentFragment();
    const byLine = new Map();
    for (const m of marks) {
      const cur = this.markedLines.get(m.line);
      if (!cur || SEVERITY_RANK[m.severity] > SEVERITY_RANK[cur]) this.markedLines.set(m.line, m.severity);
      byLine.set(m.line, (byLine.get(m.line) ?? []).concat(m));
    }
    for (const [line, severity] of this.markedLines) {
      const bar = document.createElement('div');
      bar.className = `mark ${severity}`;
      bar.dataset.line = line;
      bar.style.top = `${PAD_TOP + (line - 1) * this.lineHeight}px`;
      frag.append(bar);
    }
    const textLines = this.ta.value.split('\n');
    for (const m of marks) {
      const lineText = textLines[m.line - 1] ?? '';
      const end = m.endLine === m.line ? m.endCol : lineText.length + 1;
      const width = Math.max(1, end - m.startCol) * this.charWidth;
      const sq = document.createElement('div');
      sq.className = `squiggle ${m.severity}`;
      sq.style.left = `${PAD_LEFT + (m.startCol - 1) * this.charWidth}px`;
      sq.style.width = `${width}px`;
      sq.style.top = `${PAD_TOP + m.line * this.lineHeight - 4}px`;
      frag.append(sq);
    }
    this.marksInner.replaceChildren(frag);
    this.refreshGutter(true);
  }

  /** Selects a range (1-based line, UTF-16 columns) and scrolls it into view. */
  jumpTo(line, col = 1, endLine = line, endCol = col) {
    const text = this.ta.value;
    const starts = lineStarts(text);
    const at = (l, c) => Math.min(text.length, (starts[Math.max(0, Math.min(starts.length - 1, l - 1))] ?? 0) + Math.max(0, c - 1));
    const start = at(line, col);
    const end = Math.max(start, at(endLine, endCol));
    this.ta.focus({ preventScroll: true });
    this.ta.setSelectionRange(start, end);
    const target = PAD_TOP + (line - 1) * this.lineHeight - this.ta.clientHeight / 3;
    this.ta.scrollTop = Math.max(0, target);
    const x = PAD_LEFT + (col - 1) * this.charWidth;
    if (x < this.ta.scrollLeft || x > this.ta.scrollLeft + this.ta.clientWidth - 40) this.ta.scrollLeft = Math.max(0, x - 40);
    this.sync();
    for (const bar of this.marksInner.querySelectorAll('.mark.active')) bar.classList.remove('active');
    const bar = this.marksInner.querySelector(`.mark[data-line="${line}"]`);
    if (bar) {
      void bar.offsetWidth;
      bar.classList.add('active');
    }
  }
}

// ---------------------------------------------------------------- state

const template = new Editor($('#template-editor'));
const policy = new Editor($('#policy-editor'));
const fileNameInput = $('#filename');
/** Parameter files: [{name, text, el}] */
let params = [];
let lastReport = null;
/** The last graph result ({report, graphs, svg, mermaid}). */
let lastGraph = null;
let policyCache = { text: null, validation: null };

function fileName() {
  return fileNameInput.value.trim() || 'main.json';
}

/**
 * Whether pasted text is Bicep rather than JSON: JSON (a template, even a
 * broken one) starts with `{` once comments and a byte-order mark are
 * skipped; Bicep starts with a declaration, a decorator or a comment.
 */
export function looksLikeBicep(text) {
  const head = text.replace(/^\uFEFF/, '').replace(/^(\s|\/\/[^\n]*\n?|\/\*[\s\S]*?\*\/)*/, '');
  return head.length > 0 && head[0] !== '{' && head[0] !== '[';
}

/** The language of the template pane: by the file name's extension, else by the text. */
function languageOf(name, text) {
  if (/\.bicep$/i.test(name)) return 'bicep';
  if (/\.jsonc?$/i.test(name)) return 'json';
  return looksLikeBicep(text) ? 'bicep' : 'json';
}

/**
 * Pasted text of the other language under a default name: rename it
 * (main.json ↔ main.bicep), so the findings, the link and a download say
 * what it is. A name the user typed is kept.
 */
function followLanguage(text) {
  const name = fileName();
  if (!/^main\.(json|bicep)$/i.test(name) || !text.trim()) return;
  const want = looksLikeBicep(text) ? 'main.bicep' : 'main.json';
  if (name !== want) fileNameInput.value = want;
}

function state() {
  return {
    v: 1,
    n: fileName(),
    t: template.value,
    p: policy.value,
    f: params.map((p) => [p.name, p.text]),
  };
}

function isEmptyState(s) {
  return !s.t && !s.p && s.f.length === 0;
}

// ---------------------------------------------------------------- URL hash

function toBase64Url(bytes) {
  let bin = '';
  for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(bin).replaceAll('+', '-').replaceAll('/', '_').replace(/=+$/, '');
}

function fromBase64Url(text) {
  const bin = atob(text.replaceAll('-', '+').replaceAll('_', '/'));
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

async function encodeState(s) {
  const bytes = new TextEncoder().encode(JSON.stringify(s));
  if (typeof CompressionStream === 'function') {
    try {
      const stream = new Blob([bytes]).stream().pipeThrough(new CompressionStream('deflate-raw'));
      return 'z=' + toBase64Url(new Uint8Array(await new Response(stream).arrayBuffer()));
    } catch {
      // fall through to the uncompressed form
    }
  }
  return 'j=' + toBase64Url(bytes);
}

async function decodeState(hash) {
  const h = hash.replace(/^#/, '');
  if (h.startsWith('z=')) {
    const stream = new Blob([fromBase64Url(h.slice(2))]).stream().pipeThrough(new DecompressionStream('deflate-raw'));
    return JSON.parse(await new Response(stream).text());
  }
  if (h.startsWith('j=')) return JSON.parse(new TextDecoder().decode(fromBase64Url(h.slice(2))));
  return null;
}

let hashTimer = 0;
function scheduleHash() {
  clearTimeout(hashTimer);
  hashTimer = setTimeout(saveHash, 400);
}

async function saveHash() {
  const s = state();
  const url = new URL(location.href);
  url.hash = isEmptyState(s) ? '' : await encodeState(s);
  history.replaceState(null, '', url);
}

function applyState(s) {
  fileNameInput.value = typeof s.n === 'string' && s.n ? s.n : 'main.json';
  template.value = typeof s.t === 'string' ? s.t : '';
  policy.value = typeof s.p === 'string' ? s.p : '';
  setParams(Array.isArray(s.f) ? s.f.filter((x) => Array.isArray(x) && typeof x[0] === 'string' && typeof x[1] === 'string') : []);
}

// ---------------------------------------------------------------- parameters

function setParams(list) {
  params = [];
  $('#param-list').replaceChildren();
  for (const [name, text] of list) addParam(name, text);
  updateParamCount();
}

function addParam(name, text = '') {
  const el = document.createElement('div');
  el.className = 'param';
  el.innerHTML = `<div class="param-head"><input spellcheck="false" aria-label="Parameter file name"><button type="button">Remove</button></div><textarea spellcheck="false" wrap="off" aria-label="Parameter file (JSON)" placeholder='{ "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentParameters.json#", "parameters": { } }'></textarea><div class="param-error" hidden></div>`;
  const entry = { name, text, el };
  const [nameInput, removeBtn, ta] = [el.querySelector('input'), el.querySelector('button'), el.querySelector('textarea')];
  nameInput.value = name;
  ta.value = text;
  nameInput.addEventListener('input', () => {
    entry.name = nameInput.value;
    schedule();
  });
  ta.addEventListener('input', () => {
    entry.text = ta.value;
    schedule();
  });
  removeBtn.addEventListener('click', () => {
    params = params.filter((p) => p !== entry);
    el.remove();
    updateParamCount();
    schedule();
  });
  params.push(entry);
  $('#param-list').append(el);
  updateParamCount();
  return entry;
}

function updateParamCount() {
  const c = $('#param-count');
  c.hidden = params.length === 0;
  c.textContent = String(params.length);
}

function defaultParamName() {
  const base = fileName().replace(/\.jsonc?$/i, '');
  const envs = ['dev', 'test', 'prod', 'stage'];
  for (const env of envs) {
    const n = `${base}.${env}.parameters.json`;
    if (!params.some((p) => p.name === n)) return n;
  }
  return `${base}.${params.length + 1}.parameters.json`;
}

// ---------------------------------------------------------------- tabs

function selectTab(id) {
  for (const tab of document.querySelectorAll('.tab')) {
    const on = tab.id === `tab-${id}`;
    tab.setAttribute('aria-selected', String(on));
    $(`#${tab.getAttribute('aria-controls')}`).hidden = !on;
  }
  $('#filename-wrap').style.visibility = id === 'template' ? 'visible' : 'hidden';
}

// ---------------------------------------------------------------- checking

let checkTimer = 0;
function schedule() {
  clearTimeout(checkTimer);
  checkTimer = setTimeout(runCheck, 150);
  scheduleHash();
}

function escapeHtml(s) {
  return String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);
}

/** Inline `code` in messages. */
function inlineMarkup(s) {
  return escapeHtml(s).replace(/`([^`]+)`/g, '<code>$1</code>');
}

function showPolicyStatus(validation, text) {
  const box = $('#policy-status');
  const dot = $('#policy-dot');
  if (!text.trim()) {
    box.className = 'policy-status';
    box.textContent = 'Using the built-in default policy.';
    dot.hidden = true;
    return;
  }
  dot.hidden = validation.valid;
  if (validation.valid) {
    box.className = 'policy-status ok';
    box.textContent = '✓ The policy is valid.';
    return;
  }
  box.className = 'policy-status';
  box.innerHTML = `<strong>The policy has ${validation.problems.length} problem${validation.problems.length === 1 ? '' : 's'}:</strong><ul>${validation.problems
    .map((p) => `<li><span class="problem-line">${escapeHtml(p.pointer || '(policy)')}${p.line ? ` · line ${p.line}${p.column ? `, column ${p.column}` : ''}` : ''}</span> ${escapeHtml(p.message)}</li>`)
    .join('')}</ul>`;
}

function runCheck() {
  const text = template.value;
  const name = fileName();
  const notices = [];
  let policyText = policy.value;
  let validation = { valid: true, problems: [] };
  if (policyText.trim()) {
    if (policyCache.text !== policyText) policyCache = { text: policyText, validation: validatePolicy(policyText) };
    validation = policyCache.validation;
    if (!validation.valid) {
      notices.push({ cls: 'error', html: `The policy is invalid, so the default policy is used. <a href="#" data-tab="policy">Show the problems</a>.` });
      policyText = '';
    }
  }
  showPolicyStatus(validation, policy.value);
  policy.setMarks(validation.problems.filter((p) => p.line).map((p) => ({ line: p.line, severity: 'error', startCol: p.column ?? 1, endLine: p.line, endCol: (p.column ?? 1) + 1 })));

  if (!text.trim()) {
    lastReport = null;
    lastGraph = null;
    renderGraph();
    template.setMarks([]);
    renderEmpty('welcome');
    renderNotices(notices);
    $('#chips').replaceChildren();
    $('#status').textContent = `idguard ${version()} · WebAssembly · ready`;
    return;
  }
  const parameters = {};
  for (const p of params) if (p.name.trim()) parameters[p.name.trim()] = p.text;
  const t0 = performance.now();
  let report;
  try {
    // One call: the report and the identity graph of every evaluation.
    lastGraph = graph(text, { fileName: name, language: languageOf(name, text), parameters, policy: policyText.trim() ? policyText : undefined });
    report = lastGraph.report;
  } catch (e) {
    renderNotices([...notices, { cls: 'error', html: escapeHtml(e.message) }]);
    return;
  }
  const ms = performance.now() - t0;
  lastReport = report;

  const marks = [];
  // A Bicep syntax error carries Bicep's code (BCPxxx): what parsed is
  // still checked, so findings show beside it.
  const invalid = (f) => (/^BCP\d+:/.test(f.error.message) ? 'has a Bicep syntax error' : 'is not valid JSON');
  for (const f of report.files) {
    if (f.error && f.path === name) {
      marks.push({ line: f.error.line, severity: 'error', startCol: f.error.column, endLine: f.error.line, endCol: f.error.column + 1 });
      notices.push({ cls: 'error', html: `<strong>${escapeHtml(f.path)} ${invalid(f)}:</strong> ${escapeHtml(f.error.message)} <a href="#" data-jump="${f.error.line}:${f.error.column}">line ${f.error.line}, column ${f.error.column}</a>` });
    } else if (f.error) {
      notices.push({ cls: 'error', html: `<strong>${escapeHtml(f.path)} ${invalid(f)}:</strong> ${escapeHtml(f.error.message)} (line ${f.error.line}, column ${f.error.column})` });
    }
    // What could not be checked (a module not given, a registry module):
    // said, never a silent pass.
    for (const n of f.notes ?? []) {
      notices.push({ cls: '', html: `<strong>Note:</strong> ${escapeHtml(n.message)} (${escapeHtml(n.file)}, line ${n.line})` });
    }
  }
  for (const f of report.findings) {
    if (f.file === name && !f.suppression) {
      marks.push({ line: f.range.start.line, severity: f.severity, startCol: f.range.start.utf16Column, endLine: f.range.end.line, endCol: f.range.end.utf16Column });
    }
  }
  template.setMarks(marks);
  for (const p of params) {
    const fr = report.files.find((f) => f.path === p.name.trim());
    const err = p.el.querySelector('.param-error');
    err.hidden = !fr?.error;
    if (fr?.error) err.textContent = `Not valid JSON: ${fr.error.message} (line ${fr.error.line}, column ${fr.error.column})`;
  }
  renderNotices(notices);
  renderChips(report.summary);
  renderFindings(report, name);
  renderGraph();
  const lines = template.lines;
  $('#status').textContent = `Checked ${lines.toLocaleString()} line${lines === 1 ? '' : 's'}${params.length ? ` × ${params.length} parameter file${params.length === 1 ? '' : 's'}` : ''} in ${ms < 10 ? ms.toFixed(1) : Math.round(ms)} ms · idguard ${version()} · WebAssembly, in your browser`;
}

function renderNotices(notices) {
  const box = $('#notice');
  box.hidden = notices.length === 0;
  box.className = `notice${notices.some((n) => n.cls === 'error') ? ' error' : ''}`;
  box.innerHTML = notices.map((n) => `<div>${n.html}</div>`).join('');
}

function renderChips(summary) {
  const chips = [];
  const add = (n, cls, word) => n > 0 && chips.push(`<span class="chip ${cls}">${n} ${word}${n === 1 ? '' : 's'}</span>`);
  add(summary.errors, 'error', 'error');
  add(summary.warnings, 'warning', 'warning');
  add(summary.infos, 'info', 'note');
  add(summary.suppressed, '', 'suppressed');
  if (chips.length === 0 && summary.invalidFiles === 0) chips.push('<span class="chip ok">✓ clean</span>');
  $('#chips').innerHTML = chips.join('');
}

function renderEmpty(kind) {
  $('#findings').replaceChildren();
  const box = $('#empty');
  box.hidden = false;
  box.className = `empty${kind === 'clean' ? ' clean' : ''}`;
  box.innerHTML =
    kind === 'clean'
      ? '<div class="big">✓ No findings</div><div>The managed identities in this template follow every rule of the policy.</div>'
      : '<div class="big">Check a template</div><div>Paste a Bicep file or an ARM template on the left, drop files anywhere on the page, or press <strong>Load sample</strong> or <strong>Bicep sample</strong> to see what idguard reports.</div>';
}

function renderFindings(report, name) {
  const list = $('#findings');
  if (report.findings.length === 0) {
    if (report.files.some((f) => f.error)) {
      list.replaceChildren();
      $('#empty').hidden = true;
    } else {
      renderEmpty('clean');
    }
    return;
  }
  $('#empty').hidden = true;
  const items = report.findings.map((f, i) => {
    const li = document.createElement('li');
    li.className = `finding ${f.severity}${f.suppression ? ' suppressed' : ''}`;
    li.tabIndex = 0;
    li.dataset.index = i;
    li.dataset.code = f.code;
    li.dataset.line = f.range.start.line;
    const where = f.file === name ? `line ${f.range.start.line}` : `${f.file}:${f.range.start.line}`;
    const name_ = f.docUrl ? `<a class="f-name" href="${escapeHtml(f.docUrl)}" target="_blank" rel="noopener">${escapeHtml(f.name)}</a>` : `<span class="f-name">${escapeHtml(f.name)}</span>`;
    const extra = [];
    if (f.parametersFile) extra.push(`with ${escapeHtml(f.parametersFile)}`);
    if (f.suppression) extra.push(`suppressed: ${escapeHtml(f.suppression.justification)}`);
    for (const r of f.related ?? []) extra.push(`${escapeHtml(r.message)} (${escapeHtml(r.file)}:${r.range.start.line})`);
    li.innerHTML = `<div class="f-head"><span class="sev ${f.severity}">${f.severity}</span><span class="f-code">${escapeHtml(f.code)}</span>${name_}<span class="f-loc">${escapeHtml(where)}</span></div>
<p class="f-msg">${inlineMarkup(f.message)}</p>
<p class="f-help"><strong>Fix:</strong> ${inlineMarkup(f.help)}</p>${extra.length ? `<p class="f-extra">${extra.join(' · ')}</p>` : ''}${
      f.fix && !f.suppression && f.file === name
        ? `<button type="button" class="f-apply${f.fix.safety === 'safe' ? '' : ' unsafe'}" title="${f.fix.safety === 'safe' ? 'A safe fix: it changes nothing but this mistake' : 'An unsafe fix: review what it writes'}">Apply fix: ${escapeHtml(f.fix.title)}${f.fix.safety === 'safe' ? '' : ' (unsafe)'}</button>`
        : ''
    }`;
    return li;
  });
  list.replaceChildren(...items);
}

/** Applies a finding's fix (from the core) to the template editor and re-checks. */
function applyFix(li) {
  const f = lastReport?.findings[Number(li.dataset.index)];
  if (!f?.fix || f.file !== fileName()) return;
  const text = template.ta.value;
  const starts = lineStarts(text);
  const at = (p) => (starts[p.line - 1] ?? text.length) + p.utf16Column - 1;
  let out = text;
  for (const e of [...f.fix.edits].sort((a, b) => at(b.range.start) - at(a.range.start))) {
    out = out.slice(0, at(e.range.start)) + e.replacement + out.slice(at(e.range.end));
  }
  template.ta.value = out;
  template.ta.dispatchEvent(new Event('input'));
}

function selectFinding(li) {
  const f = lastReport?.findings[Number(li.dataset.index)];
  if (!f) return;
  for (const el of document.querySelectorAll('.finding.selected')) el.classList.remove('selected');
  li.classList.add('selected');
  if (f.file === fileName()) {
    selectTab('template');
    template.jumpTo(f.range.start.line, f.range.start.utf16Column, f.range.end.line, f.range.end.utf16Column);
  } else {
    const p = params.find((x) => x.name.trim() === f.file);
    if (p) {
      selectTab('parameters');
      const ta = p.el.querySelector('textarea');
      const starts = lineStarts(ta.value);
      const s = (starts[f.range.start.line - 1] ?? 0) + f.range.start.utf16Column - 1;
      ta.focus();
      ta.setSelectionRange(s, s);
      p.el.scrollIntoView({ block: 'nearest' });
    }
  }
}

// ---------------------------------------------------------------- graph

function selectResultsTab(id) {
  for (const tab of document.querySelectorAll('.rtab')) {
    const on = tab.id === `rtab-${id}`;
    tab.setAttribute('aria-selected', String(on));
    $(`#${tab.getAttribute('aria-controls')}`).hidden = !on;
  }
}

/** Draws the last graph result: the SVG the core rendered (its labels escaped there). */
function renderGraph() {
  const view = $('#graph-view');
  const detail = $('#graph-detail');
  detail.hidden = true;
  if (!lastGraph || lastGraph.graphs.length === 0) {
    view.replaceChildren();
    $('#graph-info').textContent = lastGraph ? 'No graph: the template could not be checked.' : 'Check a template to see who can do what, where.';
    return;
  }
  view.innerHTML = lastGraph.svg;
  const nodes = lastGraph.graphs.reduce((n, g) => n + g.nodes.length, 0);
  const edges = lastGraph.graphs.reduce((n, g) => n + g.edges.length, 0);
  const envs = lastGraph.graphs.length;
  $('#graph-info').textContent = `${nodes} node${nodes === 1 ? '' : 's'}, ${edges} edge${edges === 1 ? '' : 's'}${envs > 1 ? `, ${envs} environments side by side` : ''} · click a node`;
}

/** Highlights a node, its edges, its template lines and its findings. */
function selectGraphNode(el) {
  const g = lastGraph?.graphs[Number(el.dataset.graph)];
  const node = g?.nodes.find((n) => n.id === el.dataset.id);
  if (!node) return;
  const view = $('#graph-view');
  const near = new Set([node.id]);
  for (const e of view.querySelectorAll(`.edge[data-graph="${el.dataset.graph}"]`)) {
    const on = e.dataset.from === node.id || e.dataset.to === node.id;
    e.classList.toggle('highlight', on);
    e.classList.toggle('dim', !on);
    if (on) near.add(e.dataset.from).add(e.dataset.to);
  }
  for (const n of view.querySelectorAll('.node')) {
    const same = n.dataset.graph === el.dataset.graph;
    n.classList.toggle('highlight', same && n.dataset.id === node.id);
    n.classList.toggle('dim', !(same && near.has(n.dataset.id)));
  }
  // Its lines in the template, and the lines of the edges' sources.
  const name = fileName();
  const marks = [];
  const edges = g.edges.filter((e) => e.from === node.id || e.to === node.id);
  for (const s of [node.source, ...edges.map((e) => e.source)]) {
    if (s && s.file === name) marks.push({ line: s.range.start.line, severity: 'info', startCol: s.range.start.utf16Column, endLine: s.range.end.line, endCol: s.range.end.utf16Column });
  }
  const findings = [...(node.findings ?? []), ...edges.flatMap((e) => e.findings ?? [])];
  for (const f of lastReport?.findings ?? []) {
    if (f.file === name && findings.some((m) => m.fingerprint === f.fingerprint)) {
      marks.push({ line: f.range.start.line, severity: f.severity, startCol: f.range.start.utf16Column, endLine: f.range.end.line, endCol: f.range.end.utf16Column });
    }
  }
  template.setMarks(marks);
  if (node.source && node.source.file === name) {
    const r = node.source.range;
    selectTab('template');
    template.jumpTo(r.start.line, r.start.utf16Column, r.end.line, r.end.utf16Column);
  }
  for (const li of document.querySelectorAll('.finding')) {
    const f = lastReport?.findings[Number(li.dataset.index)];
    li.classList.toggle('graph-selected', !!f && findings.some((m) => m.fingerprint === f.fingerprint));
  }
  const label = (id) => g.nodes.find((n) => n.id === id)?.label ?? id;
  const edgeText = (e) => {
    const what = e.kind === 'hasRoleAt' ? `${e.label} at ${label(e.to)}` : e.kind === 'attachedTo' ? `${label(e.from)} uses ${label(e.to)}` : `${label(e.from)} feeds ${e.label} of ${label(e.to)}`;
    return `<li>${escapeHtml(what)}${e.source ? ` <span class="f-loc">line ${e.source.range.start.line}</span>` : ''}</li>`;
  };
  const detail = $('#graph-detail');
  detail.hidden = false;
  detail.innerHTML = `<h3>${escapeHtml(node.label)}</h3><div>${escapeHtml(node.detail ?? node.kind)}${node.source ? ` · ${escapeHtml(node.source.file)} lines ${node.source.range.start.line}–${node.source.range.end.line}` : ''}</div>${
    edges.length ? `<ul>${edges.map(edgeText).join('')}</ul>` : ''
  }${
    findings.length
      ? `<ul class="graph-findings">${findings.map((m) => `<li><span class="sev ${m.severity}">${m.severity}</span><strong>${escapeHtml(m.code)}</strong> ${inlineMarkup(m.message)} <span class="f-loc">line ${m.line}</span></li>`).join('')}</ul>`
      : '<div>No findings.</div>'
  }`;
}

// ---------------------------------------------------------------- files

function looksLikePolicy(text) {
  try {
    const v = JSON.parse(text.replace(/^\s*\/\/.*$/gm, ''));
    return v && typeof v === 'object' && !Array.isArray(v) && ('rules' in v || 'extends' in v || 'exemptions' in v || 'naming' in v) && !('resources' in v);
  } catch {
    return false;
  }
}

async function loadFiles(fileList) {
  let templateSet = false;
  for (const file of fileList) {
    const text = await file.text();
    const head = text.slice(0, 4096).toLowerCase();
    if (/\.bicep$/i.test(file.name) && !templateSet) {
      template.value = text;
      fileNameInput.value = file.name;
      templateSet = true;
    } else if (head.includes('deploymentparameters.json') || /\.bicepparam$/i.test(file.name)) {
      const existing = params.find((p) => p.name === file.name);
      if (existing) {
        existing.text = text;
        existing.el.querySelector('textarea').value = text;
      } else {
        addParam(file.name, text);
      }
    } else if (!head.includes('deploymenttemplate.json') && looksLikePolicy(text)) {
      policy.value = text;
    } else if (!templateSet) {
      template.value = text;
      fileNameInput.value = file.name;
      templateSet = true;
    }
  }
  selectTab(templateSet || params.length === 0 ? 'template' : 'parameters');
  runCheck();
  scheduleHash();
}

// ---------------------------------------------------------------- wiring

function wire() {
  for (const tab of document.querySelectorAll('.tab')) tab.addEventListener('click', () => selectTab(tab.id.replace('tab-', '')));
  for (const tab of document.querySelectorAll('.rtab')) tab.addEventListener('click', () => selectResultsTab(tab.id.replace('rtab-', '')));
  $('#graph-view').addEventListener('click', (e) => {
    const node = e.target.closest('.node');
    if (node) selectGraphNode(node);
  });
  $('#graph-mermaid').addEventListener('click', async () => {
    if (!lastGraph) return;
    try {
      await navigator.clipboard.writeText(lastGraph.mermaid);
      $('#graph-info').textContent = 'Mermaid copied.';
    } catch {
      $('#graph-info').textContent = 'Could not copy: the browser refused the clipboard.';
    }
  });
  template.ta.addEventListener('input', () => {
    followLanguage(template.value);
    schedule();
  });
  policy.ta.addEventListener('input', schedule);
  fileNameInput.addEventListener('input', schedule);
  $('#add-param').addEventListener('click', () => {
    const p = addParam(defaultParamName(), '');
    p.el.querySelector('textarea').focus();
    schedule();
  });
  $('#load-sample').addEventListener('click', () => {
    template.value = SAMPLE_TEMPLATE;
    fileNameInput.value = 'main.json';
    if (!policy.value.trim()) policy.value = '';
    selectTab('template');
    runCheck();
    scheduleHash();
  });
  $('#load-bicep-sample').addEventListener('click', () => {
    template.value = SAMPLE_BICEP;
    fileNameInput.value = 'main.bicep';
    selectTab('template');
    runCheck();
    scheduleHash();
  });
  $('#clear').addEventListener('click', () => {
    applyState({ t: '', p: '', f: [] });
    runCheck();
    scheduleHash();
  });
  $('#open-file').addEventListener('click', () => $('#file-input').click());
  $('#file-input').addEventListener('change', (e) => loadFiles([...e.target.files]));
  $('#share').addEventListener('click', async () => {
    await saveHash();
    const btn = $('#share');
    try {
      await navigator.clipboard.writeText(location.href);
      btn.textContent = 'Link copied ✓';
    } catch {
      btn.textContent = 'Link in the address bar';
    }
    setTimeout(() => (btn.textContent = 'Share link'), 1800);
  });
  $('#findings').addEventListener('click', (e) => {
    if (e.target.closest('a')) return;
    if (e.target.closest('.f-apply')) {
      applyFix(e.target.closest('.finding'));
      return;
    }
    const li = e.target.closest('.finding');
    if (li) selectFinding(li);
  });
  $('#findings').addEventListener('keydown', (e) => {
    const li = e.target.closest('.finding');
    if (!li) return;
    if (e.key === 'Enter' || e.key === ' ') {
      e.preventDefault();
      selectFinding(li);
    } else if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      (e.key === 'ArrowDown' ? li.nextElementSibling : li.previousElementSibling)?.focus();
    }
  });
  $('#notice').addEventListener('click', (e) => {
    const a = e.target.closest('a');
    if (!a) return;
    e.preventDefault();
    if (a.dataset.tab) selectTab(a.dataset.tab);
    if (a.dataset.jump) {
      const [l, c] = a.dataset.jump.split(':').map(Number);
      selectTab('template');
      template.jumpTo(l, c);
    }
  });
  let depth = 0;
  document.addEventListener('dragenter', (e) => {
    if (![...(e.dataTransfer?.types ?? [])].includes('Files')) return;
    depth++;
    document.body.classList.add('dragging');
  });
  document.addEventListener('dragleave', () => {
    depth = Math.max(0, depth - 1);
    if (depth === 0) document.body.classList.remove('dragging');
  });
  document.addEventListener('dragover', (e) => e.preventDefault());
  document.addEventListener('drop', (e) => {
    e.preventDefault();
    depth = 0;
    document.body.classList.remove('dragging');
    if (e.dataTransfer?.files?.length) loadFiles([...e.dataTransfer.files]);
  });
  window.addEventListener('hashchange', async () => {
    const s = await decodeState(location.hash).catch(() => null);
    if (s && JSON.stringify(s) !== JSON.stringify(state())) {
      applyState(s);
      runCheck();
    }
  });
}

async function main() {
  wire();
  selectTab('template');
  try {
    await init();
  } catch (e) {
    $('#status').textContent = `Could not load the checker: ${e.message}`;
    return;
  }
  $('#version').textContent = `v${version()}`;
  // The first check pays for compiling the policy and warming the engine:
  // do it now rather than on the first keystroke.
  check('{}');
  if (location.hash.length > 1) {
    try {
      const s = await decodeState(location.hash);
      if (s) applyState(s);
    } catch {
      renderNotices([{ cls: '', html: 'The link’s state could not be read; starting empty.' }]);
    }
  }
  policy.ta.placeholder = SAMPLE_POLICY.trim();
  runCheck();
  document.body.dataset.ready = 'true';
}

main();
