// The options page: edit or upload the policy, the CMDB and the selector presets, checked
// as you type with the engine itself (lint with line:column), and saved to
// chrome.storage.local only when everything checks.
import { load } from './lib/browser.mjs';
import { checkPresets } from './ticket.mjs';
import { DEFAULT_FILES, DEFAULT_NAMES, MANAGED_KEYS, bundled, loadSettings } from './settings.mjs';

const $ = (id) => document.getElementById(id);
const module = await load(new URL('verdict.wasm', import.meta.url).href);
const engine = module.createEngine();

const state = {
  policyName: DEFAULT_NAMES.policyName,
  cmdbName: DEFAULT_NAMES.cmdbName,
  ok: { policy: false, cmdb: false, presets: false, now: false },
  inherited: {}, // the texts that came from the administrator's settings, not from the agent's
  readOnly: false,
};

function where(e) {
  return [e.source, e.line, e.column].filter((x) => x !== undefined && x !== '').join(':');
}

// Selects line:column in a textarea (columns are bytes in the engine; equal for ASCII).
function reveal(textarea, line, column) {
  const lines = textarea.value.split('\n');
  let pos = 0;
  for (let i = 0; i < Math.min(line - 1, lines.length); i++) pos += lines[i].length + 1;
  const lineText = lines[line - 1] ?? '';
  textarea.focus();
  textarea.setSelectionRange(pos + Math.max(0, Math.min((column ?? 1) - 1, lineText.length)), pos + lineText.length);
}

function showStatus(id, textarea, { errors = [], warnings = [], ok }) {
  const box = $(id);
  box.replaceChildren();
  if (textarea) textarea.setAttribute('aria-invalid', errors.length ? 'true' : 'false');
  if (errors.length || warnings.length) {
    const ul = document.createElement('ul');
    for (const [e, kind] of [...errors.map((e) => [e, 'error']), ...warnings.map((w) => [w, 'warning'])]) {
      const li = document.createElement('li');
      li.className = kind;
      if (typeof e === 'string') {
        li.textContent = e;
      } else {
        if (e.line && textarea) {
          const b = document.createElement('button');
          b.type = 'button';
          b.className = 'pos';
          b.textContent = where(e);
          b.title = 'Show this line';
          b.addEventListener('click', () => reveal(textarea, e.line, e.column));
          li.append(b, `: ${kind === 'warning' ? 'warning: ' : ''}${e.message}${e.code ? ` [${e.code}]` : ''}`);
        } else {
          li.textContent = `${where(e) ? `${where(e)}: ` : ''}${e.message}`;
        }
      }
      ul.append(li);
    }
    box.append(ul);
  }
  if (ok) {
    const p = document.createElement('span');
    p.className = 'ok';
    p.textContent = ok;
    box.append(p);
  }
}

function checkPolicy() {
  const text = $('policy').value;
  const lint = engine.lint(text, state.policyName);
  let ok = '';
  const errors = [...lint.errors];
  if (lint.ok) {
    // The kind is what the engine reports when it decides: load it alone and decide once.
    engine.clear();
    try {
      const loaded = engine.loadPolicy(text, state.policyName);
      const probe = JSON.parse(engine.evalRaw('{"kind":"incident"}', { policy: loaded.loaded[0], now: '2025-01-01T00:00:00Z' }).json);
      if (probe.policy?.kind !== 'TriageRouting') errors.push(`the policy "${loaded.loaded[0]}" is a ${probe.policy?.kind ?? 'unknown'} policy; the extension needs a TriageRouting policy`);
      else ok = `OK: ${loaded.loaded.join(', ')} (TriageRouting)`;
    } catch (err) {
      errors.push(...(err.errors ?? [{ message: err.message }]));
    }
  }
  state.ok.policy = errors.length === 0;
  showStatus('policy-status', $('policy'), { errors, warnings: lint.warnings ?? [], ok });
}

function checkCmdb() {
  const text = $('cmdb').value;
  engine.clear();
  try {
    const report = engine.loadData(text, state.cmdbName);
    state.ok.cmdb = true;
    showStatus('cmdb-status', $('cmdb'), { warnings: report.warnings ?? [], ok: `OK: ${report.loaded.join(', ')}` });
  } catch (err) {
    state.ok.cmdb = false;
    showStatus('cmdb-status', $('cmdb'), { errors: err.errors ?? [{ message: err.message }] });
  }
}

function checkPresetsText() {
  const text = $('presets').value;
  const pick = $('preset-pick');
  let value;
  try {
    // The engine's reader gives the position of a syntax error; JSON.parse then reads it.
    engine.read(text, { format: 'json' });
    value = JSON.parse(text);
  } catch (err) {
    state.ok.presets = false;
    showStatus('presets-status', $('presets'), { errors: err.errors ?? [{ message: err.message }] });
    pick.replaceChildren();
    $('preset-summary').textContent = '';
    return;
  }
  const errors = checkPresets(value);
  state.ok.presets = errors.length === 0;
  showStatus('presets-status', $('presets'), { errors, ok: errors.length ? '' : `OK: ${value.presets.length} presets` });
  const selected = pick.value;
  pick.replaceChildren(...(Array.isArray(value?.presets) ? value.presets : []).map((p, i) => {
    const o = document.createElement('option');
    o.value = String(i);
    o.textContent = `${p?.name ?? p?.id ?? `preset ${i + 1}`}`;
    return o;
  }));
  if (selected && pick.querySelector(`option[value="${selected}"]`)) pick.value = selected;
  summarize(value);
}

// Describes the picked preset and selects it in the editor.
function summarize(value, select = false) {
  const i = Number($('preset-pick').value);
  const p = value?.presets?.[i];
  if (!p) { $('preset-summary').textContent = ''; return; }
  const fields = p.fields && typeof p.fields === 'object' ? Object.keys(p.fields) : [];
  $('preset-summary').textContent = `${p.id}: applies on ${(p.urls ?? []).join(', ')}${p.marker ? ` where ${p.marker} exists` : ''}; reads ${fields.join(', ')}.`;
  if (select) {
    const text = $('presets').value;
    const at = text.indexOf(`"id": ${JSON.stringify(p.id)}`);
    if (at >= 0) {
      const line = text.slice(0, at).split('\n').length;
      reveal($('presets'), line, 1);
    }
  }
}

function checkNow() {
  const v = $('now').value.trim();
  const rfc3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;
  state.ok.now = v === '' || (rfc3339.test(v) && !Number.isNaN(Date.parse(v)));
  showStatus('now-status', $('now'), state.ok.now
    ? { ok: v ? `decisions use ${v}` : 'decisions use the clock' }
    : { errors: [`"${v}" is not an RFC 3339 time like 2025-03-14T09:00:00Z`] });
}

function refreshSave() {
  const bad = Object.entries(state.ok).filter(([, ok]) => !ok).map(([k]) => k);
  $('save').disabled = bad.length > 0 || Boolean(state.readOnly);
  $('save-status').className = '';
  $('save-status').textContent = state.readOnly ? 'Saving is off: your administrator sets these settings.'
    : bad.length ? `Fix the ${bad.join(', ')} before saving.` : '';
}

function debounce(fn, ms = 250) {
  let t;
  return () => { clearTimeout(t); t = setTimeout(() => { fn(); refreshSave(); }, ms); };
}

const checks = { policy: checkPolicy, cmdb: checkCmdb, presets: checkPresetsText, now: checkNow };
for (const [id, fn] of Object.entries(checks)) $(id).addEventListener('input', debounce(fn));

function names() {
  $('policy-name').textContent = `checked as ${state.policyName}`;
  $('cmdb-name').textContent = `checked as ${state.cmdbName}`;
}

for (const key of ['policy', 'cmdb']) {
  $(`${key}-file`).addEventListener('change', async (e) => {
    const file = e.target.files?.[0];
    if (!file) return;
    $(key).value = await file.text();
    state[`${key}Name`] = file.name;
    names();
    checks[key]();
    refreshSave();
  });
}

for (const key of ['policy', 'cmdb', 'presets']) {
  $(`${key}-default`).addEventListener('click', async () => {
    $(key).value = await bundled(DEFAULT_FILES[key]);
    if (key !== 'presets') state[`${key}Name`] = DEFAULT_NAMES[`${key}Name`];
    names();
    checks[key]();
    refreshSave();
  });
}

$('preset-pick').addEventListener('change', () => {
  try { summarize(JSON.parse($('presets').value), true); } catch { /* the status already says why */ }
});

$('save').addEventListener('click', async () => {
  for (const fn of Object.values(checks)) fn();
  refreshSave();
  if ($('save').disabled) return;
  const values = {
    policy: $('policy').value, policyName: state.policyName,
    cmdb: $('cmdb').value, cmdbName: state.cmdbName,
    presets: $('presets').value, now: $('now').value.trim(),
  };
  // What equals the bundled default, or what the administrator's settings gave this page
  // (state.inherited), is stored as "not set", so that an update of the extension's
  // defaults or of the central configuration reaches agents who never changed them.
  const remove = [];
  for (const key of ['policy', 'cmdb', 'presets']) {
    if (values[key] === state.inherited[key] || values[key] === await bundled(DEFAULT_FILES[key])) {
      remove.push(key, ...(key === 'presets' ? [] : [`${key}Name`]));
      delete values[key];
      delete values[`${key}Name`];
    }
  }
  const box = $('save-status');
  try {
    await chrome.storage.local.set(values);
    if (remove.length) await chrome.storage.local.remove(remove);
  } catch (err) {
    // Quota exceeded (chrome.storage.local holds QUOTA_BYTES in all) or a broken profile:
    // nothing of this save is kept, and the agent is told so.
    const quota = chrome.storage.local.QUOTA_BYTES;
    box.className = 'error';
    box.setAttribute('role', 'alert');
    box.textContent = `Not saved: the browser refused to store the settings (${err?.message ?? err}).` +
      (/quota/i.test(String(err?.message)) && quota ? ` The extension's storage holds at most ${quota} bytes in all; use a smaller CMDB or policy.` : '');
    return;
  }
  box.className = '';
  box.setAttribute('role', 'status');
  box.textContent = `Saved at ${new Date().toLocaleTimeString()}.`;
});

const ORIGINS = { local: 'your settings', managed: 'set by your administrator', central: 'the central configuration', bundled: 'the bundled default' };

// What the administrator set (chrome.storage.managed, the central configuration), and
// whether local changes are allowed.
function showAdministration(settings) {
  const lines = [];
  const managedKeys = MANAGED_KEYS.filter((k) => k in (settings.managed ?? {}));
  if (managedKeys.length) lines.push(`Your administrator sets: ${managedKeys.join(', ')}.`);
  if (settings.central) {
    const c = settings.central;
    lines.push(`Central configuration: ${c.url}${c.fetchedAt ? `, fetched ${new Date(c.fetchedAt).toISOString()}` : ''}.`);
  }
  for (const key of Object.keys(DEFAULT_FILES)) lines.push(`The ${key} in use: ${ORIGINS[settings.origin[key]]}.`);
  if (!settings.localAllowed) lines.push('Your administrator does not allow local changes: these settings are read-only.');
  $('admin').textContent = lines.join(' ');
  if (settings.notices.length) showSettingsError(settings.notices.join('\n'));
  if (!settings.localAllowed) {
    for (const id of ['policy', 'cmdb', 'presets', 'now']) $(id).readOnly = true;
    for (const id of ['policy-file', 'cmdb-file', 'policy-default', 'cmdb-default', 'presets-default']) $(id).disabled = true;
    state.readOnly = true;
  }
}

function showSettingsError(message) {
  const box = $('settings-status');
  box.hidden = false;
  box.textContent = message;
}

let settings;
try {
  settings = await loadSettings(undefined, { refresh: true });
} catch (err) {
  // The settings cannot be read: say so, and show the bundled defaults (what Save would replace).
  showSettingsError(`${err.message}\nThe fields below show the bundled defaults.`);
  settings = { now: '', ...DEFAULT_NAMES, notices: [], origin: {}, localAllowed: true };
  for (const key of Object.keys(DEFAULT_FILES)) settings[key] = await bundled(DEFAULT_FILES[key]);
}
if (settings.managed) showAdministration(settings);
for (const key of Object.keys(DEFAULT_FILES)) if (settings.origin[key] === 'managed' || settings.origin[key] === 'central') state.inherited[key] = settings[key];
$('policy').value = settings.policy;
$('cmdb').value = settings.cmdb;
$('presets').value = settings.presets;
$('now').value = settings.now;
state.policyName = settings.policyName;
state.cmdbName = settings.cmdbName;
names();
for (const fn of Object.values(checks)) fn();
refreshSave();
document.body.dataset.ready = 'true';
