// The extension's settings, in chrome.storage.local (never synced, never sent anywhere):
//   policy, policyName   the TriageRouting policy (text) and the name errors are reported under
//   cmdb, cmdbName       the CMDB (JSON or NDJSON text) and its name
//   presets              the selector presets (JSON text, the format of presets.json)
//   now                  "" for the clock, or a fixed RFC 3339 time (replays, tests)
// A setting that was never saved is the bundled default (defaults/policy.json,
// defaults/cmdb.json, presets.json), read from the extension's own files.
export const KEYS = ['policy', 'policyName', 'cmdb', 'cmdbName', 'presets', 'now'];

export const DEFAULT_FILES = {
  policy: 'defaults/policy.json',
  cmdb: 'defaults/cmdb.json',
  presets: 'presets.json',
};

export const DEFAULT_NAMES = { policyName: 'default.json', cmdbName: 'cmdb.json' };

/** A file of the extension itself (the only thing the extension ever fetches). */
export async function bundled(file) {
  const r = await fetch(chrome.runtime.getURL(file));
  if (!r.ok) throw new Error(`cannot read the extension's ${file}: HTTP ${r.status}`);
  return r.text();
}

/**
 * The settings in effect: stored values, else the bundled defaults. `which` limits the
 * texts read (the content script reads the presets first, the rest only on a ticket page).
 */
export async function loadSettings(which = Object.keys(DEFAULT_FILES)) {
  const stored = await chrome.storage.local.get(KEYS);
  const out = { now: stored.now ?? '', ...DEFAULT_NAMES };
  for (const key of which) {
    out[key] = typeof stored[key] === 'string' ? stored[key] : await bundled(DEFAULT_FILES[key]);
  }
  if (typeof stored.policy === 'string' && stored.policyName) out.policyName = stored.policyName;
  if (typeof stored.cmdb === 'string' && stored.cmdbName) out.cmdbName = stored.cmdbName;
  out.customized = Object.keys(DEFAULT_FILES).filter((k) => typeof stored[k] === 'string');
  return out;
}

/** `now` as the engine takes it: the fixed time, else the clock to the second. */
export function effectiveNow(now) {
  return now || new Date().toISOString().replace(/\.\d+Z$/, 'Z');
}
