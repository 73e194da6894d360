// Reads a ticket page into a native verdict incident document, with the CSS selectors of
// a preset (shadow-piercing with ">>>", see queryAll) (presets.json; README.md documents the format and the mapping). Pure functions
// over a DOM root, shared by the content script and the options page; no network.

/** The fields of the native incident document a preset may fill, and how each is typed. */
export const FIELDS = {
  id: 'text', title: 'text', description: 'text', service: 'text', ci: 'text',
  impact: 'text', urgency: 'text', severity: 'text', team: 'text', category: 'text',
  environment: 'text', status: 'text', created: 'text', region: 'text', reporter: 'text',
  affected_users: 'number', labels: 'list', components: 'list', tags: 'list',
};

/**
 * What a preset's "form" reads only to compare with the decision (never given to the
 * engine): the priority the form shows (mapped to the policy's names, P1...) and the
 * assignment group.
 */
export const FORM_FIELDS = ['priority', 'team'];

const SPEC_KEYS = new Set(['selector', 'attribute', 'option', 'list', 'map', 'replace']);

/**
 * Checks a presets object ({version, presets: [...]}) and returns the problems found, each
 * as "presets[0].fields.title: ..." (empty when it is usable). Unknown keys are errors, so
 * that a typo is not silently ignored.
 */
export function checkPresets(value) {
  const errors = [];
  if (!value || typeof value !== 'object' || Array.isArray(value)) return ['the presets must be an object {"version": 1, "presets": [...]}'];
  for (const k of Object.keys(value)) if (k !== 'version' && k !== 'presets') errors.push(`unknown key "${k}" (expected version, presets)`);
  if (value.version !== 1) errors.push('version: must be 1');
  if (!Array.isArray(value.presets) || value.presets.length === 0) {
    errors.push('presets: must be a non-empty array');
    return errors;
  }
  const ids = new Set();
  value.presets.forEach((p, i) => {
    const at = `presets[${i}]`;
    if (!p || typeof p !== 'object' || Array.isArray(p)) { errors.push(`${at}: must be an object`); return; }
    for (const k of Object.keys(p)) if (!['id', 'name', 'urls', 'marker', 'fields', 'form'].includes(k)) errors.push(`${at}: unknown key "${k}"`);
    if (p.form !== undefined) {
      if (!p.form || typeof p.form !== 'object' || Array.isArray(p.form)) errors.push(`${at}.form: must be an object`);
      else {
        for (const [name, spec] of Object.entries(p.form)) {
          if (!FORM_FIELDS.includes(name)) errors.push(`${at}.form.${name}: unknown field (known: ${FORM_FIELDS.join(', ')})`);
          else checkSpec(`${at}.form.${name}`, name, spec, errors, true);
        }
      }
    }
    if (typeof p.id !== 'string' || !p.id) errors.push(`${at}.id: must be a non-empty string`);
    else if (ids.has(p.id)) errors.push(`${at}.id: "${p.id}" is used twice`);
    else ids.add(p.id);
    if (p.name !== undefined && typeof p.name !== 'string') errors.push(`${at}.name: must be a string`);
    if (!Array.isArray(p.urls) || p.urls.length === 0) errors.push(`${at}.urls: must be a non-empty array of match patterns`);
    else p.urls.forEach((u, j) => { const e = patternError(u); if (e) errors.push(`${at}.urls[${j}]: ${e}`); });
    if (p.marker !== undefined) {
      const e = selectorError(p.marker);
      if (e) errors.push(`${at}.marker: ${e}`);
    }
    if (!p.fields || typeof p.fields !== 'object' || Array.isArray(p.fields) || !Object.keys(p.fields).length) {
      errors.push(`${at}.fields: must be an object naming at least one field`);
      return;
    }
    for (const [name, spec] of Object.entries(p.fields)) {
      const fat = `${at}.fields.${name}`;
      if (!(name in FIELDS)) { errors.push(`${fat}: unknown field (known: ${Object.keys(FIELDS).join(', ')})`); continue; }
      checkSpec(fat, name, spec, errors);
    }
  });
  return errors;
}

// Checks one field spec (or a list of alternatives) into `errors`.
function checkSpec(fat, name, spec, errors, form = false) {
  const alternatives = Array.isArray(spec) ? spec : [spec];
  if (!alternatives.length) errors.push(`${fat}: an empty list of alternatives`);
  alternatives.forEach((s, j) => {
    const sat = Array.isArray(spec) ? `${fat}[${j}]` : fat;
    if (!s || typeof s !== 'object' || Array.isArray(s)) { errors.push(`${sat}: must be an object with a selector`); return; }
    for (const k of Object.keys(s)) if (!SPEC_KEYS.has(k)) errors.push(`${sat}: unknown key "${k}" (expected ${[...SPEC_KEYS].join(', ')})`);
    const e = typeof s.selector === 'string' ? selectorError(s.selector) : 'must be a string';
    if (e) errors.push(`${sat}.selector: ${e}`);
    if (s.attribute !== undefined && typeof s.attribute !== 'string') errors.push(`${sat}.attribute: must be a string`);
    if (s.option !== undefined && s.option !== 'value' && s.option !== 'text') errors.push(`${sat}.option: must be "value" or "text"`);
    if (s.list !== undefined && typeof s.list !== 'boolean') errors.push(`${sat}.list: must be true or false`);
    if (s.list && (form || FIELDS[name] !== 'list')) errors.push(`${sat}.list: ${name} holds one value`);
    if (s.map !== undefined && (!s.map || typeof s.map !== 'object' || Array.isArray(s.map) || Object.values(s.map).some((v) => typeof v !== 'string'))) {
      errors.push(`${sat}.map: must be an object of strings`);
    }
    if (s.replace !== undefined) {
      if (!Array.isArray(s.replace) || s.replace.length !== 2 || s.replace.some((x) => typeof x !== 'string')) errors.push(`${sat}.replace: must be [regex, replacement]`);
      else { try { new RegExp(s.replace[0]); } catch (err) { errors.push(`${sat}.replace: ${err.message}`); } }
    }
  });
}

function selectorError(selector) {
  if (typeof selector !== 'string' || !selector.trim()) return 'must be a non-empty CSS selector';
  const steps = selector.split(PIERCE).map((s) => s.trim());
  // Only the first step may be empty (">>> x": x anywhere in the page, shadow roots included).
  if (steps.slice(1).some((s) => !s)) return `an empty step after ">>>": ${selector}`;
  if (typeof document === 'undefined') return null;
  for (const step of steps) {
    if (!step) continue;
    try { document.createDocumentFragment().querySelector(step); } catch (err) { return `not a valid CSS selector: ${step}`; }
  }
  return null;
}

// Shadow-piercing selectors: "a >>> b >>> c". Each step is an ordinary CSS selector; the
// step after ">>>" is looked for below each element the previous step found, in its light
// children and inside every *open* shadow root beneath it, however deeply nested (the
// element's own shadow root, the shadow roots of the elements in it, and so on). A selector
// that starts with ">>>" looks below the page itself. A step's combinators stay within one
// tree (CSS cannot cross a shadow boundary); ">>>" is the only thing that does. Closed
// shadow roots cannot be entered (element.shadowRoot is null for them, in the content
// script's world as in the page's), so what is inside one cannot be read. Without ">>>" a
// selector is exactly document.querySelectorAll.
const PIERCE = />>>/;

// The roots to search below `node`: its own tree, then every open shadow root beneath it,
// in the order of their hosts (depth first).
function scopes(node, out = []) {
  out.push(node);
  if (node.shadowRoot) scopes(node.shadowRoot, out);
  for (const el of node.querySelectorAll('*')) if (el.shadowRoot) scopes(el.shadowRoot, out);
  return out;
}

/** Every element the (possibly shadow-piercing) selector finds below `root`, in order, once each. */
export function queryAll(root, selector) {
  const steps = selector.split(PIERCE).map((s) => s.trim());
  let current = steps[0] ? [...root.querySelectorAll(steps[0])] : [root];
  for (const step of steps.slice(1)) {
    const found = new Set();
    for (const node of current) {
      for (const scope of scopes(node)) {
        for (const el of scope.querySelectorAll(step)) found.add(el);
      }
    }
    current = [...found];
  }
  return current;
}

/** The first element the (possibly shadow-piercing) selector finds below `root`, or null. */
export function query(root, selector) {
  if (!PIERCE.test(selector)) return root.querySelector(selector);
  return queryAll(root, selector)[0] ?? null;
}

// Chrome's match patterns (https://developer.chrome.com/docs/extensions/develop/concepts/match-patterns):
// SCHEME://HOST/PATH, scheme "*" is http or https, host "*" or "*.example.com", a host
// without a port matches every port, "*" in the path matches anything.
const PATTERN = /^(\*|https?):\/\/(\*|(?:\*\.)?[^/*:]+)(:\d+)?(\/.*)$/;

function patternError(pattern) {
  if (typeof pattern !== 'string') return 'must be a string';
  if (pattern === '<all_urls>') return null;
  return PATTERN.test(pattern) ? null : `not a match pattern (like https://*.service-now.com/*): ${pattern}`;
}

const escapeRe = (s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&');

/** Whether `url` matches the match pattern. */
export function urlMatches(pattern, url) {
  if (pattern === '<all_urls>') return /^https?:/.test(url);
  const m = PATTERN.exec(pattern);
  if (!m) return false;
  let u;
  try { u = new URL(url); } catch { return false; }
  const [, scheme, host, port, path] = m;
  const uScheme = u.protocol.slice(0, -1);
  if (scheme === '*' ? !['http', 'https'].includes(uScheme) : scheme !== uScheme) return false;
  if (host !== '*') {
    if (host.startsWith('*.')) {
      const base = host.slice(2).toLowerCase();
      if (u.hostname !== base && !u.hostname.endsWith(`.${base}`)) return false;
    } else if (u.hostname !== host.toLowerCase()) return false;
  }
  if (port && u.port !== port.slice(1)) return false;
  const pathRe = new RegExp(`^${path.split('*').map(escapeRe).join('.*')}$`);
  return pathRe.test(u.pathname + u.search);
}

/** The first preset whose URL patterns match and whose marker (when it has one) is on the page. */
export function detectPreset(presets, url, root) {
  for (const p of presets.presets) {
    if (!p.urls.some((pattern) => urlMatches(pattern, url))) continue;
    if (p.marker && !query(root, p.marker)) continue;
    return p;
  }
  return null;
}

// Trims every line, collapses runs of blanks inside a line and of empty lines.
export function normalizeText(text) {
  return String(text)
    .replace(/\r\n?/g, '\n')
    .split('\n')
    .map((line) => line.replace(/[ \t\u00a0]+/g, ' ').trim())
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

function elementValue(el, spec) {
  if (spec.attribute) return el.getAttribute(spec.attribute) ?? '';
  const tag = el.tagName;
  if (tag === 'SELECT') {
    const option = el.selectedOptions?.[0] ?? el.options?.[el.selectedIndex];
    if (!option) return '';
    return spec.option === 'text' ? option.textContent : option.value;
  }
  if (tag === 'INPUT' || tag === 'TEXTAREA') return el.value;
  // innerText keeps the paragraphs of rich text as lines; textContent is the fallback
  // for nodes that are not rendered.
  const text = el.innerText;
  return typeof text === 'string' && text.trim() ? text : el.textContent ?? '';
}

function mapValue(value, spec) {
  let v = normalizeText(value);
  if (spec.replace) v = v.replace(new RegExp(spec.replace[0]), spec.replace[1]);
  if (spec.map) {
    const key = Object.keys(spec.map).find((k) => k.toLowerCase() === v.toLowerCase());
    if (key !== undefined) v = spec.map[key];
  }
  return v;
}

/**
 * Reads one field: the first alternative that finds a non-empty value. Returns
 * {value, selector} (value is a string, or an array for list fields) or null.
 */
export function readField(name, spec, root) {
  for (const s of Array.isArray(spec) ? spec : [spec]) {
    if (FIELDS[name] === 'list' || s.list) {
      const values = queryAll(root, s.selector).map((el) => mapValue(elementValue(el, s), s)).filter(Boolean);
      if (values.length) return { value: FIELDS[name] === 'list' ? values : values[0], selector: s.selector };
    } else {
      const el = query(root, s.selector);
      if (!el) continue;
      const v = mapValue(elementValue(el, s), s);
      if (v) return { value: v, selector: s.selector };
    }
  }
  return null;
}

/**
 * Builds the native incident document from the values read: {kind: "incident", ...}.
 * A field that is empty on the page is left out (the engine reads it as missing);
 * labels become the map {label: "true"}, as the engine does with Jira's labels;
 * affected_users must be a whole number, or it is reported as a problem.
 * Returns {document, sources, problems}.
 */
export function toIncident(values) {
  const document = { kind: 'incident' };
  const problems = [];
  for (const name of Object.keys(FIELDS)) {
    if (!(name in values)) continue;
    const v = values[name];
    if (name === 'labels') {
      document.labels = Object.fromEntries(v.map((l) => [l, 'true']));
    } else if (FIELDS[name] === 'number') {
      const n = Number(String(v).replace(/[,\s]/g, ''));
      if (Number.isInteger(n)) document[name] = n;
      else problems.push(`${name}: "${v}" is not a whole number`);
    } else {
      document[name] = v;
    }
  }
  return { document, problems };
}

/**
 * Reads the page with a preset: {document, sources: {field: selector}, problems, form},
 * form holding what the preset's "form" read (the priority and team the form shows).
 */
export function readTicket(preset, root) {
  const form = {};
  for (const [name, spec] of Object.entries(preset.form ?? {})) {
    // A form field is one value, whatever FIELDS says of a field of the same name.
    const r = readField('form', spec, root);
    if (r) form[name] = r.value;
  }
  const values = {};
  const sources = {};
  for (const [name, spec] of Object.entries(preset.fields)) {
    const r = readField(name, spec, root);
    if (r) { values[name] = r.value; sources[name] = r.selector; }
  }
  const { document, problems } = toIncident(values);
  return { document, sources, problems, form };
}
