// The verdict playground: static files only, on the package's browser entry. Served from
// the root of a checkout (any static server: `python3 -m http.server`), it loads
// ../src/browser.mjs, which fetches ../verdict.wasm, and the shipped policies and samples
// from ../../policies and ../../samples. Nothing else is fetched; nothing is sent.
import { createEngine } from '../src/browser.mjs';

const repo = new URL('../../', import.meta.url);
const $ = (id) => document.getElementById(id);

// The shipped policies, the data each is tested with, a document to start with and a `now`.
const POLICIES = [
  { id: 'triage', label: 'TriageRouting: triage/default.json', path: 'policies/triage/default.json',
    data: ['samples/cmdb.json'], doc: 'servicenow-incident', now: '2025-03-14T09:00:00Z' },
  { id: 'rules', label: 'Rules: rules/incident-basics.json', path: 'policies/rules/incident-basics.json',
    data: ['samples/cmdb.json'], doc: 'inc-104211', now: '2025-03-14T09:00:00Z' },
  { id: 'change', label: 'ChangeRisk: change/default.json', path: 'policies/change/default.json',
    data: ['samples/cmdb.json', 'samples/change/schedule.ndjson', 'samples/change/windows.json', 'samples/change/budget-status.json'],
    doc: 'chg-5004', now: '2025-03-17T12:00:00Z' },
];

const DATA_FILES = ['samples/cmdb.json', 'samples/change/schedule.ndjson', 'samples/change/windows.json', 'samples/change/budget-status.json'];

const DOCUMENTS = [
  { id: 'servicenow-incident', label: 'ServiceNow incident INC0010231', path: 'samples/servicenow-incident.json' },
  { id: 'jira-ops-1425', label: 'Jira issue OPS-1425', path: 'samples/tickets/jira-ops-1425.json' },
  { id: 'alert-postgres-down', label: 'Alert: PostgresDown', path: 'samples/tickets/alert-postgres-down.json' },
  { id: 'alert-kube-node', label: 'Alert: KubeNodeNotReady', path: 'samples/tickets/alert-kube-node-not-ready.json' },
  { id: 'inc-104211', label: 'Native incident INC-104211 (line 1 of incidents.ndjson)', path: 'samples/incidents.ndjson', line: 1 },
  { id: 'incidents', label: 'All 16 native incidents (incidents.ndjson, NDJSON)', path: 'samples/incidents.ndjson' },
  { id: 'chg-5004', label: 'Change CHG-5004', path: 'samples/tickets/change-chg-5004.json' },
  { id: 'servicenow-change', label: 'ServiceNow change request', path: 'samples/servicenow-change.json' },
  { id: 'pipeline-change', label: 'Pipeline change (CI/CD)', path: 'samples/pipeline-change.json' },
];

const files = new Map();
function text(path) {
  if (!files.has(path)) {
    files.set(path, fetch(new URL(path, repo)).then((r) => {
      if (!r.ok) throw new Error(`cannot load ${path}: HTTP ${r.status}`);
      return r.text();
    }));
  }
  return files.get(path);
}

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null) continue;
    if (k === 'class') node.className = v;
    else node.setAttribute(k, v);
  }
  for (const c of children.flat(Infinity)) if (c !== null && c !== undefined) node.append(c);
  return node;
}

// ---- the editors: a textarea with a line-number gutter and a marker on the error line ----

class Editor {
  constructor(name) {
    this.textarea = $(name);
    this.gutter = $(`${name}-gutter`);
    this.mark = $(`${name}-mark`);
    this.box = $(`${name}-editor`);
    this.lines = 0;
    this.errorLine = 0;
    this.textarea.addEventListener('scroll', () => this.sync());
    this.textarea.addEventListener('input', () => this.renumber());
  }

  get value() { return this.textarea.value; }
  set value(v) { this.textarea.value = v; this.renumber(); this.textarea.scrollTop = 0; this.sync(); }

  renumber() {
    const n = this.textarea.value.split('\n').length;
    if (n !== this.lines) {
      this.lines = n;
      const frag = document.createDocumentFragment();
      for (let i = 1; i <= n; i++) frag.append(el('div', { 'data-line': String(i) }, String(i)));
      this.gutter.replaceChildren(frag);
      this.showError(this.errorLine);
    }
  }

  sync() {
    this.gutter.scrollTop = this.textarea.scrollTop;
    if (this.errorLine) this.placeMark();
  }

  lineHeight() { return parseFloat(getComputedStyle(this.textarea).lineHeight); }

  placeMark() {
    const pad = parseFloat(getComputedStyle(this.textarea).paddingTop);
    this.mark.style.top = `${pad + (this.errorLine - 1) * this.lineHeight() - this.textarea.scrollTop}px`;
  }

  /** Marks `line` (1-based) as the error line, or clears the mark with 0. */
  showError(line) {
    this.gutter.querySelector('.error')?.classList.remove('error');
    this.errorLine = line && line <= this.lines ? line : 0;
    this.box.classList.toggle('invalid', Boolean(line));
    this.textarea.setAttribute('aria-invalid', line ? 'true' : 'false');
    if (this.errorLine) {
      this.gutter.querySelector(`[data-line="${this.errorLine}"]`)?.classList.add('error');
      this.mark.hidden = false;
      this.mark.dataset.line = String(this.errorLine);
      this.placeMark();
    } else {
      this.mark.hidden = true;
      delete this.mark.dataset.line;
    }
  }

  /** Puts the caret at line:column and scrolls there. */
  reveal(line, column = 1) {
    const lines = this.textarea.value.split('\n');
    let pos = 0;
    for (let i = 0; i < Math.min(line - 1, lines.length); i++) pos += lines[i].length + 1;
    const lineText = lines[line - 1] ?? '';
    this.textarea.focus();
    this.textarea.setSelectionRange(pos + Math.min(column - 1, lineText.length), pos + lineText.length);
    this.textarea.scrollTop = Math.max(0, (line - 3) * this.lineHeight());
    this.sync();
  }
}

const where = (e) => [e.source, e.line, e.column].filter((x) => x !== undefined && x !== '').join(':');

function showStatus(box, editor, { errors = [], warnings = [], ok = '' }) {
  box.replaceChildren();
  const items = [...errors.map((e) => [e, 'error']), ...warnings.map((w) => [w, 'warning'])];
  if (items.length) {
    box.append(el('ul', {}, items.map(([e, kind]) => {
      const li = el('li', { class: kind });
      if (e.line) {
        const b = el('button', { type: 'button', class: 'pos', title: 'Go to this line' }, where(e));
        b.addEventListener('click', () => editor.reveal(e.line, e.column));
        li.append(b, `: ${kind === 'warning' ? 'warning: ' : ''}${e.message}${e.code ? ` [${e.code}]` : ''}`);
      } else {
        li.append(`${where(e) ? `${where(e)}: ` : ''}${e.message}`);
      }
      return li;
    })));
  }
  if (ok) box.append(el('span', { class: 'ok' }, ok));
  editor.showError(errors.find((e) => e.line)?.line ?? 0);
}

// ---- the decision, by kind ----

function pairs(list) {
  return el('dl', {}, list.filter(([, v]) => v !== undefined && v !== null && v !== '').map(([k, v]) =>
    [el('dt', {}, k), el('dd', { 'data-field': k }, typeof v === 'object' ? JSON.stringify(v) : String(v))]));
}

function summarize(r, kind) {
  const box = el('div', { class: 'decision' });
  if (r.line !== undefined) box.append(el('h4', {}, `line ${r.line}`));
  const d = r.decision;
  if (!d) {
    box.append(el('p', { class: 'failed' }, (r.errors ?? []).map((e) => `${where(e) ? `${where(e)}: ` : ''}${e.message}`).join('\n') || 'no decision'));
    return box;
  }
  if (kind === 'TriageRouting') {
    box.append(pairs([['priority', d.priority?.name], ['team', d.team], ['escalation', d.escalation], ['notify', d.notify],
      ['runbook', d.runbook], ['route', (d.route?.path ?? []).join(' › ')]]));
  } else if (kind === 'Rules') {
    box.append(pairs([['matched', (d.matched ?? []).map((m) => m.rule).join(', ') || '(none)'], ...Object.entries(d.outputs ?? {})]));
  } else if (kind === 'ChangeRisk') {
    box.append(pairs([['status', d.status], ['outcome', d.outcome], ['risk', d.risk ? `${d.risk.score} (${d.risk.class})` : undefined],
      ['findings', (d.findings ?? []).length]]));
  } else {
    box.append(pairs(Object.entries(d).filter(([, v]) => v === null || typeof v !== 'object')));
  }
  return box;
}

function explain(r, kind) {
  const d = r.decision;
  if (!d) return null;
  const items = [];
  if (kind === 'TriageRouting') {
    items.push(`route ${(d.route?.path ?? []).join(' › ')}`, ...(d.reasons ?? []));
    for (const t of r.explain?.routes ?? []) items.push(`${t.matched ? '✓' : '✗'} tried ${t.path.join(' › ')}`);
  } else if (kind === 'Rules') {
    for (const m of d.matched ?? []) items.push(`${m.rule}: ${m.reason ?? ''}`);
  } else if (kind === 'ChangeRisk') {
    for (const f of d.risk?.factors ?? []) items.push(`+${f.points} ${f.name}: ${f.reason}`);
    for (const f of d.findings ?? []) items.push(`${f.action}: ${f.message}`);
  }
  if (!items.length) items.push(...(d.reasons ?? []));
  return el('div', {}, r.line !== undefined ? el('h4', {}, `line ${r.line}`) : null, el('ul', {}, items.map((i) => el('li', {}, i))));
}

// ---- the page ----

const policyEditor = new Editor('policy');
const docEditor = new Editor('doc');
let engine;
let policyName = 'policy.json';

function dataChecks() {
  return [...document.querySelectorAll('#data-files input:checked')].map((c) => c.value);
}

async function update() {
  const lint = engine.lint(policyEditor.value, policyName);
  showStatus($('policy-status'), policyEditor, { errors: lint.errors, warnings: lint.warnings ?? [],
    ok: lint.ok ? `OK: ${lint.loaded.join(', ')}` : '' });
  $('summary').replaceChildren();
  $('explanation').replaceChildren();
  $('output').textContent = '';
  if (!lint.ok) {
    $('summary').append(el('p', { class: 'failed', 'data-field': 'blocked' }, 'Fix the policy to see a decision.'));
    showStatus($('doc-status'), docEditor, {});
    return;
  }
  engine.clear();
  let loaded;
  try {
    loaded = engine.loadPolicy(policyEditor.value, policyName);
    for (const path of dataChecks()) engine.loadData(await text(path), path.split('/').pop());
  } catch (err) {
    $('summary').append(el('p', { class: 'failed' }, err.message));
    return;
  }
  const { json } = engine.evalRaw(docEditor.value, { policy: loaded.loaded[0], now: $('now').value.trim() || new Date().toISOString().replace(/\.\d+Z$/, 'Z'), explain: true });
  $('output').textContent = json;
  const results = json.split('\n').filter(Boolean).map((l) => JSON.parse(l));
  const kind = results.find((r) => r.policy)?.policy.kind;
  // A document that cannot be read (or a bad `now`) is an error of the document.
  const docErrors = results.length === 1 && !results[0].decision ? results[0].errors : [];
  const lineErrors = results.filter((r) => r.line !== undefined && !r.decision).flatMap((r) => r.errors.map((e) => ({ ...e, line: e.line ?? r.line })));
  showStatus($('doc-status'), docEditor, { errors: [...docErrors, ...lineErrors],
    ok: docErrors.length || lineErrors.length ? '' : `${results.length} ${results.length === 1 ? 'decision' : 'decisions'} (${kind})` });
  $('summary').append(...results.map((r) => summarize(r, kind)));
  $('explanation').append(...results.map((r) => explain(r, kind)).filter(Boolean));
  document.body.dataset.updated = String(Number(document.body.dataset.updated ?? 0) + 1);
}

let timer;
let running = Promise.resolve();
function schedule(ms = 250) {
  clearTimeout(timer);
  timer = setTimeout(() => { running = running.then(update).catch((err) => console.error(err)); }, ms);
}

async function pickPolicy(id, { withDocument = true } = {}) {
  const p = POLICIES.find((x) => x.id === id);
  policyName = p.path.split('/').pop();
  policyEditor.value = await text(p.path);
  for (const c of document.querySelectorAll('#data-files input')) c.checked = p.data.includes(c.value);
  $('now').value = p.now;
  if (withDocument) {
    $('doc-pick').value = p.doc;
    await pickDocument(p.doc);
  }
}

async function pickDocument(id) {
  const d = DOCUMENTS.find((x) => x.id === id);
  let t = await text(d.path);
  if (d.line) t = `${t.split('\n')[d.line - 1]}\n`;
  docEditor.value = t;
}

async function main() {
  for (const p of POLICIES) $('policy-pick').append(el('option', { value: p.id }, p.label));
  $('policy-pick').append(el('option', { value: 'custom' }, 'Your own (edited or pasted)'));
  for (const d of DOCUMENTS) $('doc-pick').append(el('option', { value: d.id }, d.label));
  $('doc-pick').append(el('option', { value: 'custom' }, 'Your own (edited or pasted)'));
  for (const f of DATA_FILES) {
    $('data-files').append(el('label', {}, el('input', { type: 'checkbox', value: f }), ` ${f}`));
  }
  try {
    engine = await createEngine();
  } catch (err) {
    $('engine-version').textContent = `the engine did not load: ${err.message}`;
    return;
  }
  $('engine-version').textContent = `verdict ${engine.module.version()}`;

  $('policy-pick').addEventListener('change', async (e) => {
    if (e.target.value === 'custom') return;
    await pickPolicy(e.target.value);
    schedule(0);
  });
  $('doc-pick').addEventListener('change', async (e) => {
    if (e.target.value === 'custom') return;
    await pickDocument(e.target.value);
    schedule(0);
  });
  policyEditor.textarea.addEventListener('input', () => {
    $('policy-pick').value = 'custom';
    policyName = 'policy.json';
    schedule();
  });
  docEditor.textarea.addEventListener('input', () => { $('doc-pick').value = 'custom'; schedule(); });
  $('now').addEventListener('input', () => schedule());
  $('data-files').addEventListener('change', () => schedule(0));

  await pickPolicy('triage');
  await update();
  document.body.dataset.ready = 'true';
}

main();
