// The triage panel, in a closed Shadow DOM attached to its own host element: the page's CSS
// cannot reach it, and neither can the page's scripts. The decision, the routes tried and
// the document are the agent's (they come from a private policy and CMDB): with a closed
// root, host.shadowRoot is null for the page, its querySelector stops at the host, events
// it dispatches on the host do not reach the buttons inside, and the shadow root exists only
// in this module (the content script's isolated world, whose DOM prototypes the page cannot
// patch). Re-run answers only trusted clicks (the agent's), never a script's click().
// Built with DOM calls only (no innerHTML of page or policy text). Accessible: a labelled
// complementary region with headings, a close button, Escape closes it.

const HOST_ID = 'verdict-triage-host';

const CSS = `
:host { all: initial; }
.panel { position: fixed; top: 12px; right: 12px; z-index: 2147483647; width: 360px; max-height: calc(100vh - 24px);
  overflow: auto; box-sizing: border-box; background: #fff; color: #1d2330; border: 1px solid #9aa3b5; border-radius: 8px;
  box-shadow: 0 6px 24px rgba(0,0,0,.25); font: 13px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif; }
header { display: flex; align-items: center; justify-content: space-between; padding: 8px 12px; background: #20304f; color: #fff; border-radius: 8px 8px 0 0; }
h2 { font-size: 14px; margin: 0; font-weight: 600; }
h3 { font-size: 13px; margin: 12px 0 4px; }
button { font: inherit; cursor: pointer; border-radius: 4px; }
button.close { background: transparent; color: #fff; border: 1px solid transparent; font-size: 18px; line-height: 1; padding: 0 6px; }
button.close:focus-visible, button:focus-visible, a:focus-visible, summary:focus-visible { outline: 2px solid #f5b700; outline-offset: 1px; }
.body { padding: 8px 12px 12px; }
.ticket { margin: 0 0 8px; color: #4b5568; }
dl { display: grid; grid-template-columns: 90px 1fr; gap: 4px 8px; margin: 0; }
dt { color: #4b5568; }
dd { margin: 0; font-weight: 600; overflow-wrap: anywhere; }
.prio { display: inline-block; min-width: 24px; text-align: center; padding: 0 6px; border-radius: 4px; color: #fff; background: #5b6b86; }
.prio.p1 { background: #c0172b; } .prio.p2 { background: #d9480f; } .prio.p3 { background: #b08800; }
.muted { color: #4b5568; font-weight: 400; }
ul { margin: 0; padding-left: 18px; }
li { margin: 2px 0; }
details { margin-top: 8px; }
summary { cursor: pointer; color: #20304f; }
pre { white-space: pre-wrap; overflow-wrap: anywhere; background: #f3f5f9; padding: 6px; border-radius: 4px; font: 12px/1.4 ui-monospace, monospace; margin: 4px 0 0; }
table { border-collapse: collapse; width: 100%; font-size: 12px; }
td, th { text-align: left; vertical-align: top; border-top: 1px solid #e3e7ee; padding: 2px 4px; overflow-wrap: anywhere; }
.error { color: #a1121f; background: #fdecee; border: 1px solid #f3b7be; border-radius: 4px; padding: 6px 8px; margin: 0 0 8px; white-space: pre-wrap; }
footer { margin-top: 10px; display: flex; gap: 8px; align-items: center; justify-content: space-between; color: #4b5568; font-size: 12px; }
.differs { color: #7a4100; background: #fff4d6; border: 1px solid #f0c36d; border-radius: 4px; padding: 6px 8px; margin: 0 0 8px; white-space: pre-wrap; font-weight: 600; }
button.copy { background: #eef1f6; border: 1px solid #9aa3b5; padding: 2px 8px; }
footer button { white-space: nowrap; background: #eef1f6; border: 1px solid #9aa3b5; padding: 2px 8px; }
`;

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null) continue;
    if (k === 'class') node.className = v;
    else if (k === 'text') node.textContent = v;
    else node.setAttribute(k, v);
  }
  for (const c of children.flat()) if (c !== null && c !== undefined) node.append(c);
  return node;
}

// The host and its closed shadow root; the reference to the root is kept only here.
let current = null;

/** Whether the panel is on the page. */
export function isOpen() {
  return Boolean(current?.host.isConnected);
}

/** The panel's host and shadow root, created once per page (again after it was closed). */
function root() {
  if (!isOpen()) {
    const host = document.createElement('div');
    host.id = HOST_ID;
    // Closed: assistive tools still read it (the accessibility tree ignores the mode).
    const shadow = host.attachShadow({ mode: 'closed' });
    document.documentElement.append(host);
    current = { host, shadow };
  }
  return current;
}

function frame(title, onRerun) {
  const { host, shadow } = root();
  shadow.replaceChildren();
  const style = el('style');
  style.textContent = CSS;
  const close = el('button', { type: 'button', class: 'close', 'aria-label': 'Close the verdict triage panel', title: 'Close (Esc)' }, '\u00d7');
  const body = el('div', { class: 'body' });
  const panel = el('aside', { class: 'panel', role: 'complementary', 'aria-labelledby': 'verdict-title', tabindex: '-1' },
    el('header', {}, el('h2', { id: 'verdict-title' }, title), close), body);
  const remove = () => host.remove();
  close.addEventListener('click', remove);
  panel.addEventListener('keydown', (e) => { if (e.key === 'Escape') { e.stopPropagation(); remove(); } });
  shadow.append(style, panel);
  const footerButton = onRerun ? el('button', { type: 'button', class: 'rerun' }, 'Re-run') : null;
  // isTrusted: a click by the agent, not a script's (the page cannot reach the button, and
  // nothing else of the extension's world clicks it).
  if (footerButton) footerButton.addEventListener('click', (e) => { if (e.isTrusted) onRerun(); });
  return { body, footerButton };
}

/** Shows an error (bad settings, a broken policy, a page the preset cannot read). */
export function showError(message, { onRerun } = {}) {
  const { body, footerButton } = frame('verdict triage', onRerun);
  body.append(el('p', { class: 'error', role: 'alert', 'data-field': 'error' }, message),
    el('footer', {}, el('span', {}, 'Fix it in the extension\u2019s options.'), footerButton));
}

const ORIGINS = { local: 'your settings', managed: 'set by your administrator', central: 'central configuration', bundled: 'bundled default' };

/**
 * Where the decision and the form disagree, in words an agent reads at a glance:
 * "verdict says P2, the form says P3". `form` is what the preset's "form" read.
 */
export function differences(d, form) {
  const out = [];
  const p = d.priority?.name;
  if (form.priority && p && form.priority.toLowerCase() !== p.toLowerCase()) out.push(`Priority: verdict says ${p}, the form says ${form.priority}.`);
  if (form.team && d.team && form.team.toLowerCase() !== d.team.toLowerCase()) out.push(`Assignment group: verdict says ${d.team}, the form says ${form.team}.`);
  return out;
}

/** One sentence on the decision, without the engine's expressions. */
function summary(d) {
  const p = d.priority;
  const rule = d.route?.path?.length ? `the rule "${d.route.path[d.route.path.length - 1]}"` : 'the default route';
  return `${p.name} because the impact is ${p.impact} and the urgency ${p.urgency}; assigned to ${d.team} by ${rule}.`;
}

/** What the copy button puts on the clipboard: a short text, then the decision as JSON. */
export function decisionText(d, ticket, info) {
  const lines = [
    `verdict triage for ${ticket.document.id ?? 'this ticket'}: ${d.priority.name}, ${d.team}`,
    `Escalation: ${d.escalation ?? '-'}; notify: ${d.notify ?? '-'}; runbook: ${d.runbook ?? '-'}`,
    `Why: ${summary(d)}`,
    `Policy: ${info.policy}, now ${info.now}`,
    '',
    JSON.stringify(d, null, 2),
  ];
  return `${lines.join('\n')}\n`;
}

const routePath = (r) => (r?.path ?? []).join(' \u203a ');

/**
 * Shows a decision. `result` is the engine's parsed output for one document; `ticket`
 * is what was read from the page ({document, sources, problems}); `info` has the preset
 * name, policy name and version, and now.
 */
export function showDecision({ result, ticket, info, notices = [], onRerun }) {
  const d = result.decision;
  const { body, footerButton } = frame('verdict triage', onRerun);
  const p = d.priority;
  const prio = el('span', { class: `prio p${p.number}`, 'data-field': 'priority' }, p.name);
  const runbook = typeof d.runbook === 'string' && /^https?:\/\//.test(d.runbook)
    ? el('a', { href: d.runbook, target: '_blank', rel: 'noopener noreferrer', 'data-field': 'runbook' }, d.runbook)
    : el('span', { 'data-field': 'runbook' }, d.runbook ?? '-');
  const differs = differences(d, ticket.form ?? {});
  const copy = el('button', { type: 'button', class: 'copy', 'data-field': 'copy' }, 'Copy decision');
  const copied = el('span', { class: 'muted', role: 'status', 'data-field': 'copied' });
  copy.addEventListener('click', async (e) => {
    if (!e.isTrusted) return;
    try {
      await navigator.clipboard.writeText(decisionText(d, ticket, info));
      copied.textContent = 'Copied.';
    } catch (err) {
      copied.textContent = `Not copied: ${err?.message ?? err}`;
    }
  });
  body.append(
    el('p', { class: 'ticket' }, `${ticket.document.id ?? 'this ticket'} \u00b7 ${info.preset}`),
    differs.length ? el('p', { class: 'differs', role: 'alert', 'data-field': 'differs' }, differs.join('\n')) : null,
    el('dl', {},
      el('dt', {}, 'Priority'), el('dd', {}, prio, ' ', el('span', { class: 'muted' }, `impact ${p.impact} (${p.impact_from}), urgency ${p.urgency} (${p.urgency_from})`)),
      el('dt', {}, 'Team'), el('dd', {}, el('span', { 'data-field': 'team' }, d.team), ' ', el('span', { class: 'muted' }, `(${d.team_from})`)),
      el('dt', {}, 'Escalation'), el('dd', { 'data-field': 'escalation' }, d.escalation ?? '-'),
      el('dt', {}, 'Notify'), el('dd', { 'data-field': 'notify' }, d.notify ?? '-'),
      el('dt', {}, 'Runbook'), el('dd', {}, runbook)),
    el('p', {}, copy, ' ', copied),
    el('h3', {}, 'Why'),
    el('p', { 'data-field': 'summary' }, summary(d)),
    el('details', { 'data-field': 'why-details' }, el('summary', {}, 'Details: the rule and the conditions that matched'),
      el('p', { 'data-field': 'route' }, `Route: ${routePath(d.route)}`),
      el('ul', { 'data-field': 'reasons' }, (d.reasons ?? []).map((r) => el('li', {}, r)))),
  );
  if ((d.routes ?? []).length > 1) {
    body.append(el('p', { class: 'muted' }, `Also matched: ${d.routes.slice(1).map(routePath).join('; ')}`));
  }
  const labels = Object.entries(d.labels ?? {});
  if (labels.length) body.append(el('p', { class: 'muted', 'data-field': 'labels' }, `Labels: ${labels.map(([k, v]) => `${k}=${v}`).join(', ')}`));
  if (ticket.problems.length) body.append(el('p', { class: 'error', role: 'alert' }, ticket.problems.join('\n')));
  if (notices.length) body.append(el('p', { class: 'error', role: 'alert', 'data-field': 'notices' }, notices.join('\n')));
  if (result.explain?.routes) {
    body.append(el('details', {}, el('summary', {}, `Routes tried (${result.explain.routes.length})`),
      el('ul', {}, result.explain.routes.map((r) => el('li', {}, `${r.matched ? '\u2713' : '\u2717'} ${routePath(r)}`)))));
  }
  body.append(
    el('details', {}, el('summary', {}, 'Fields read from the page'),
      el('table', {}, el('tr', {}, el('th', {}, 'field'), el('th', {}, 'value'), el('th', {}, 'selector')),
        Object.entries(ticket.sources).map(([f, sel]) => el('tr', {}, el('td', {}, f),
          el('td', {}, JSON.stringify(ticket.document[f] ?? null)), el('td', {}, sel))))),
    el('details', {}, el('summary', {}, 'Document given to the engine'),
      el('pre', { 'data-field': 'document' }, JSON.stringify(ticket.document, null, 2))),
    el('footer', {}, el('span', { 'data-field': 'provenance' },
      `${info.policy}${info.origin ? ` (${ORIGINS[info.origin] ?? info.origin})` : ''} \u00b7 now ${info.now}${info.fixedNow ? ' (fixed)' : ''} \u00b7 decided in this browser`), footerButton),
  );
}
