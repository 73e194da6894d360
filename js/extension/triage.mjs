// The extension's work on a ticket page: find the preset that applies, read the ticket
// into a native incident document, run the TriageRouting policy in verdict.wasm (loaded
// once per page from the extension's own files) and show the decision in the panel.
// Nothing is sent anywhere: the only fetches are of the extension's own files.
import { load } from './lib/browser.mjs';
import { detectPreset, readTicket, urlMatches } from './ticket.mjs';
import { DEFAULT_FILES, bundled, effectiveNow, loadSettings } from './settings.mjs';
import { isOpen, showDecision, showError } from './panel.mjs';

let modulePromise;

/** verdict.wasm, compiled and instantiated once per page. */
function wasm() {
  modulePromise ??= load(chrome.runtime.getURL('verdict.wasm'));
  return modulePromise;
}

let engine;

function describe(err) {
  if (err?.errors?.length > 1) return err.errors.map((e) => [e.source, e.line, e.column].filter((x) => x !== undefined && x !== '').join(':') + `: ${e.message}`).join('\n');
  return err?.message ?? String(err);
}

// Single-page ticket tools (the ServiceNow Workspace) render their form after the page has
// loaded. When a preset's addresses match the page but its marker is not there yet, the first
// run looks again every second, for at most MARKER_WAIT_MS.
const MARKER_WAIT_MS = 30000;

/**
 * Reads, decides and shows; returns what it showed (for the Re-run button and tests).
 * `until`: a time (Date.now()) up to which a missing marker is looked for again.
 */
export async function run({ until = 0 } = {}) {
  const rerun = () => run().catch((err) => console.error('verdict triage:', err));
  let presets;
  let presetsText;
  try {
    presetsText = (await loadSettings(['presets'])).presets;
  } catch (err) {
    // The settings cannot be read (storage, the administrator's settings, the central
    // configuration): on a page the bundled presets know, the panel says why.
    const fallback = detectPreset(JSON.parse(await bundled(DEFAULT_FILES.presets)), location.href, document);
    if (fallback) showError(describe(err), { onRerun: rerun });
    return null;
  }
  try {
    presets = JSON.parse(presetsText);
  } catch (err) {
    showError(`The selector presets are not valid JSON: ${err.message}`, { onRerun: rerun });
    return null;
  }
  const preset = detectPreset(presets, location.href, document);
  if (!preset) {
    // Not a ticket page this extension knows (show nothing), or not yet one.
    if (Date.now() < until && presets.presets?.some((p) => p.marker && p.urls?.some((u) => urlMatches(u, location.href)))) {
      await new Promise((resolve) => setTimeout(resolve, 1000));
      return run({ until });
    }
    return null;
  }
  const ticket = readTicket(preset, document);
  try {
    const settings = await loadSettings(['policy', 'cmdb']);
    const module = await wasm();
    engine ??= module.createEngine();
    engine.clear();
    const loaded = engine.loadPolicy(settings.policy, settings.policyName);
    engine.loadData(settings.cmdb, settings.cmdbName);
    const now = effectiveNow(settings.now);
    const result = engine.eval(JSON.stringify(ticket.document), { policy: loaded.loaded[0], now, explain: true });
    if (result.policy?.kind !== 'TriageRouting') {
      showError(`The policy "${result.policy?.name}" is a ${result.policy?.kind} policy; the extension needs a TriageRouting policy.`, { onRerun: rerun });
      return null;
    }
    if (!result.ok || !result.decision) {
      showError(describe({ errors: result.errors, message: 'no decision' }), { onRerun: rerun });
      return null;
    }
    const info = {
      preset: preset.name ?? preset.id,
      policy: `${result.policy.name}${result.policy.version ? ` ${result.policy.version}` : ''}`,
      origin: settings.origin.policy,
      now,
      fixedNow: Boolean(settings.now),
    };
    showDecision({ result, ticket, info, notices: settings.notices, onRerun: rerun });
    return { preset: preset.id, document: ticket.document, decision: result.decision };
  } catch (err) {
    showError(describe(err), { onRerun: rerun });
    return null;
  }
}

let started = false;

/** Called once by content.js: runs now, and again when the options are saved. */
export async function start() {
  if (started) return;
  started = true;
  chrome.storage.onChanged.addListener((changes, area) => {
    if ((area === 'local' || area === 'managed') && isOpen()) run().catch((err) => console.error('verdict triage:', err));
  });
  await run({ until: Date.now() + MARKER_WAIT_MS });
}
