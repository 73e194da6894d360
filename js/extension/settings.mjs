// The extension's settings, from four places, in this order of precedence (README.md,
// "Rollout"), key by key:
//   1. the agent's own settings (the options page, chrome.storage.local), unless the
//      administrator sets allowLocalOverrides: false;
//   2. the administrator's enterprise policy (chrome.storage.managed, managed_schema.json);
//   3. the central configuration the administrator's configUrl names (fetched, checked and
//      cached in chrome.storage.local under "central");
//   4. the bundled defaults (defaults/policy.json, defaults/cmdb.json, presets.json).
// The texts:
//   policy, policyName   the TriageRouting policy (text) and the name errors are reported under
//   cmdb, cmdbName       the CMDB (JSON or NDJSON text) and its name
//   presets              the selector presets (JSON text, the format of presets.json)
//   now                  "" for the clock, or a fixed RFC 3339 time (replays, tests); local only
// A setting that cannot be read is an error (SettingsError), never a silent fallback.
import { checkPresets } from './ticket.mjs';

export const KEYS = ['policy', 'policyName', 'cmdb', 'cmdbName', 'presets', 'now'];

/** The keys of the enterprise policy (managed_schema.json). */
export const MANAGED_KEYS = ['policy', 'policyName', 'cmdb', 'cmdbName', 'presets', 'configUrl', 'allowLocalOverrides'];

/** The keys of a central configuration file (besides "version": 1). */
export const CENTRAL_KEYS = ['policy', 'policyName', 'cmdb', 'cmdbName', 'presets'];

export const DEFAULT_FILES = {
  policy: 'defaults/policy.json',
  cmdb: 'defaults/cmdb.json',
  presets: 'presets.json',
};

export const DEFAULT_NAMES = { policyName: 'default.json', cmdbName: 'cmdb.json' };

/** A central configuration older than this is fetched again (on the next ticket page or options page). */
export const CENTRAL_MAX_AGE_MS = 10 * 60 * 1000;
/** The largest central configuration read (chrome.storage.local holds 10 MB in all). */
export const CENTRAL_MAX_BYTES = 4 * 1024 * 1024;
const CENTRAL_TIMEOUT_MS = 10000;

/** A setting that cannot be read; the message says which and why. */
export class SettingsError extends Error {
  constructor(message) {
    super(message);
    this.name = 'SettingsError';
  }
}

const why = (err) => err?.message ?? String(err);

/** A file of the extension itself. */
export async function bundled(file) {
  const r = await fetch(chrome.runtime.getURL(file));
  if (!r.ok) throw new Error(`cannot read the extension's ${file}: HTTP ${r.status}`);
  return r.text();
}

let buildInfo;
/** build.json, written by assemble.mjs: {"development": true} in a development build. */
export async function build() {
  buildInfo ??= bundled('build.json').then((t) => JSON.parse(t)).catch(() => ({ development: false }));
  return buildInfo;
}

async function localGet(keys) {
  try {
    return await chrome.storage.local.get(keys);
  } catch (err) {
    throw new SettingsError(`Cannot read the extension's settings (chrome.storage.local): ${why(err)}`);
  }
}

/**
 * The administrator's enterprise policy, as chrome.storage.managed gives it. Test hook,
 * in development builds only (assemble.mjs --dev): the object stored under "devManaged"
 * in chrome.storage.local stands for it, and {"$error": "message"} for a failed read. A
 * shipped build never reads that key.
 */
export async function readManaged() {
  if ((await build()).development) {
    const { devManaged } = await localGet(['devManaged']);
    if (devManaged && typeof devManaged.$error === 'string') {
      throw new SettingsError(`Cannot read your administrator's settings (chrome.storage.managed): ${devManaged.$error}`);
    }
    if (devManaged) return checkManaged(devManaged);
  }
  let value;
  try {
    value = await chrome.storage.managed.get(null);
  } catch (err) {
    throw new SettingsError(`Cannot read your administrator's settings (chrome.storage.managed): ${why(err)}`);
  }
  return checkManaged(value ?? {});
}

/** Checks the managed values (Chromium checks them against managed_schema.json too). */
export function checkManaged(value) {
  const errors = [];
  if (!value || typeof value !== 'object' || Array.isArray(value)) errors.push('must be an object');
  else {
    for (const [k, v] of Object.entries(value)) {
      if (!MANAGED_KEYS.includes(k)) errors.push(`unknown key "${k}" (expected ${MANAGED_KEYS.join(', ')})`);
      else if (k === 'allowLocalOverrides' ? typeof v !== 'boolean' : typeof v !== 'string') {
        errors.push(`${k}: must be ${k === 'allowLocalOverrides' ? 'true or false' : 'a string'}`);
      }
    }
  }
  if (errors.length) throw new SettingsError(`Your administrator's settings (chrome.storage.managed) are invalid: ${errors.join('; ')}`);
  return value;
}

/** Whether `url` may be a central configuration address: https, or loopback http in a development build. */
export function configUrlError(url, development) {
  let u;
  try { u = new URL(url); } catch { return `configUrl "${url}" is not an absolute address`; }
  if (u.protocol === 'https:') return null;
  if (development && u.protocol === 'http:' && ['127.0.0.1', 'localhost'].includes(u.hostname)) return null;
  return `configUrl "${url}" must be an https:// address`;
}

/**
 * Checks a central configuration file's text: a JSON object {"version": 1, policy?,
 * policyName?, cmdb?, cmdbName?, presets?}. policy, cmdb and presets may be texts or
 * JSON values (kept as their JSON text); presets must pass checkPresets. Returns
 * {config} or {error}.
 */
export function parseCentral(text) {
  let value;
  try { value = JSON.parse(text); } catch (err) { return { error: `not valid JSON: ${why(err)}` }; }
  if (!value || typeof value !== 'object' || Array.isArray(value)) return { error: 'must be a JSON object {"version": 1, ...}' };
  const errors = [];
  if (value.version !== 1) errors.push('version: must be 1');
  const config = {};
  for (const [k, v] of Object.entries(value)) {
    if (k === 'version') continue;
    if (!CENTRAL_KEYS.includes(k)) { errors.push(`unknown key "${k}" (expected version, ${CENTRAL_KEYS.join(', ')})`); continue; }
    if (k.endsWith('Name')) {
      if (typeof v !== 'string' || !v) errors.push(`${k}: must be a non-empty string`);
      else config[k] = v;
    } else if (typeof v === 'string') config[k] = v;
    else if (v && typeof v === 'object') config[k] = JSON.stringify(v, null, 2);
    else errors.push(`${k}: must be a text or a JSON object`);
  }
  if (typeof config.presets === 'string') {
    let presets;
    try { presets = JSON.parse(config.presets); } catch (err) { errors.push(`presets: not valid JSON: ${why(err)}`); }
    if (presets !== undefined) errors.push(...checkPresets(presets).map((e) => `presets: ${e}`));
  }
  return errors.length ? { error: errors.join('; ') } : { config };
}

/**
 * The central configuration of `url`: the cached copy when it is younger than
 * CENTRAL_MAX_AGE_MS (and `refresh` is false), else fetched, checked and cached. A failed
 * fetch or check keeps the last good copy and records the error. Returns the cache entry
 * {url, config, fetchedAt, error, attemptedAt}.
 */
export async function central(url, { refresh = false, now = Date.now() } = {}) {
  const { central: cached } = await localGet(['central']);
  const entry = cached?.url === url ? cached : { url, config: null, fetchedAt: null };
  if (!refresh && entry.attemptedAt && now - entry.attemptedAt < CENTRAL_MAX_AGE_MS) return entry;
  let error = null;
  let config = null;
  try {
    const r = await fetch(url, { cache: 'no-store', credentials: 'omit', redirect: 'error', signal: AbortSignal.timeout(CENTRAL_TIMEOUT_MS) });
    if (!r.ok) throw new Error(`HTTP ${r.status}${r.statusText ? ` ${r.statusText}` : ''}`);
    const text = await r.text();
    if (text.length > CENTRAL_MAX_BYTES) throw new Error(`larger than ${CENTRAL_MAX_BYTES} bytes`);
    const parsed = parseCentral(text);
    if (parsed.error) throw new Error(parsed.error);
    config = parsed.config;
  } catch (err) {
    error = why(err);
  }
  const next = config
    ? { url, config, fetchedAt: now, attemptedAt: now, error: null }
    : { ...entry, attemptedAt: now, error };
  try {
    await chrome.storage.local.set({ central: next });
  } catch (err) {
    // The copy is used for this page; saying so is better than failing the decision.
    next.error = [next.error, `the copy could not be kept (chrome.storage.local): ${why(err)}`].filter(Boolean).join('; ');
  }
  return next;
}

/**
 * The settings in effect. `which` limits the texts read (the content script reads the
 * presets first, the rest only on a ticket page). Returns the values, and:
 *   origin: {policy, cmdb, presets} -> "local" | "managed" | "central" | "bundled"
 *   notices: problems that did not stop the settings (a stale central copy, ignored local settings)
 *   managed, central (the cache entry or null), localAllowed, customized (the local keys in effect)
 * Throws SettingsError when a setting cannot be read.
 */
export async function loadSettings(which = Object.keys(DEFAULT_FILES), { refresh = false } = {}) {
  const [stored, managed, info] = await Promise.all([localGet(KEYS), readManaged(), build()]);
  const localAllowed = managed.allowLocalOverrides !== false;
  const notices = [];
  let centralEntry = null;
  if (managed.configUrl) {
    const bad = configUrlError(managed.configUrl, info.development);
    if (bad) throw new SettingsError(`Your administrator's settings are invalid: ${bad}`);
    centralEntry = await central(managed.configUrl, { refresh });
    if (!centralEntry.config) {
      throw new SettingsError(`The central configuration ${managed.configUrl} could not be read: ${centralEntry.error}`);
    }
    if (centralEntry.error) {
      notices.push(`The central configuration ${managed.configUrl} could not be read (${centralEntry.error}); using the copy of ${new Date(centralEntry.fetchedAt).toISOString()}.`);
    }
  }
  const local = localAllowed ? stored : {};
  const ignored = localAllowed ? [] : KEYS.filter((k) => typeof stored[k] === 'string' && stored[k] !== '');
  if (ignored.length) notices.push(`Your own settings (${ignored.join(', ')}) are not used: your administrator does not allow local changes.`);
  const out = { now: typeof local.now === 'string' ? local.now : '', origin: {}, notices, managed, central: centralEntry, localAllowed };
  const layers = [['local', local], ['managed', managed], ['central', centralEntry?.config ?? {}]];
  for (const key of Object.keys(DEFAULT_FILES)) {
    const layer = layers.find(([, values]) => typeof values[key] === 'string');
    const nameKey = `${key}Name`;
    if (layer) {
      out.origin[key] = layer[0];
      if (which.includes(key)) out[key] = layer[1][key];
      if (nameKey in DEFAULT_NAMES) {
        out[nameKey] = layer[1][nameKey] || (layer[0] === 'central' ? managed.configUrl : layer[0] === 'managed' ? `managed ${key}` : DEFAULT_NAMES[nameKey]);
      }
    } else {
      out.origin[key] = 'bundled';
      if (which.includes(key)) out[key] = await bundled(DEFAULT_FILES[key]);
      if (nameKey in DEFAULT_NAMES) out[nameKey] = DEFAULT_NAMES[nameKey];
    }
  }
  out.customized = Object.keys(DEFAULT_FILES).filter((k) => out.origin[k] === 'local');
  return out;
}

/** `now` as the engine takes it: the fixed time, else the clock to the second. */
export function effectiveNow(now) {
  return now || new Date().toISOString().replace(/\.\d+Z$/, 'Z');
}
