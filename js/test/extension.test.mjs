// The browser extension, loaded unpacked into headless Chromium (Debian's, through
// playwright-core) from the folder js/extension/assemble.mjs builds: on the served
// ServiceNow and Jira sample pages the panel must show exactly the decision the native
// CLI gives for the document the content script built; the options page must show lint
// errors with their line; and no request may leave the local server or the extension.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { assemble } from '../extension/assemble.mjs';
import { checkPresets, normalizeText, toIncident, urlMatches } from '../extension/ticket.mjs';
import { launchWithExtension, serveRepo, unpackedExtensionId } from './browser-helpers.mjs';
import { nativeBin, repoDir, requireArtifacts } from './helpers.mjs';

requireArtifacts();
const NOW = '2025-03-14T09:00:00Z';
const artifacts = path.join(repoDir, 'test-artifacts');
mkdirSync(artifacts, { recursive: true });

const tmp = realpathSync(mkdtempSync(path.join(os.tmpdir(), 'verdict-ext-')));
const extDir = assemble(path.join(tmp, 'extension'));
const extId = await unpackedExtensionId(extDir);
const { server, base } = await serveRepo();
const context = await launchWithExtension(extDir, path.join(tmp, 'profile'));
const requests = [];
context.on('request', (r) => requests.push(r.url()));
after(async () => {
  await context.close();
  server.close();
  rmSync(tmp, { recursive: true, force: true });
});

function native(args, input) {
  const r = spawnSync(nativeBin, args, { encoding: 'utf8', input });
  return r;
}

async function openOptions() {
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e));
  await page.goto(`chrome-extension://${extId}/options.html`);
  await page.waitForSelector('body[data-ready="true"]', { timeout: 20000 });
  return { page, errors };
}

test('match patterns, preset checks and the incident mapping (no browser)', () => {
  assert.ok(urlMatches('https://*.service-now.com/*', 'https://northwind.service-now.com/incident.do?sys_id=1'));
  assert.ok(urlMatches('https://*.service-now.com/*', 'https://service-now.com/x'));
  assert.ok(!urlMatches('https://*.service-now.com/*', 'https://evil-service-now.com/x'));
  assert.ok(!urlMatches('https://*.service-now.com/*', 'http://northwind.service-now.com/x'));
  assert.ok(urlMatches('http://127.0.0.1/*', 'http://127.0.0.1:8080/samples/tickets/jira-issue.html'), 'no port in the pattern: any port');
  assert.ok(!urlMatches('http://127.0.0.1:9/*', 'http://127.0.0.1:8080/'));
  assert.ok(urlMatches('*://*/browse/*', 'https://northwind.atlassian.net/browse/OPS-1431'));
  const bundled = JSON.parse(readFileSync(path.join(repoDir, 'js/extension/presets.json'), 'utf8'));
  assert.deepEqual(checkPresets(bundled), []);
  const typo = structuredClone(bundled);
  typo.presets[0].fields.titel = { selector: 'h1' };
  typo.presets[1].fields.title.selectr = 'h1';
  assert.deepEqual(checkPresets(typo), [
    'presets[0].fields.titel: unknown field (known: id, title, description, service, ci, impact, urgency, severity, team, category, environment, status, created, region, reporter, affected_users, labels, components, tags)',
    'presets[1].fields.title: unknown key "selectr" (expected selector, attribute, option, list, map, replace)',
  ]);
  assert.deepEqual(toIncident({ title: 'x', labels: ['a', 'b'], affected_users: '1,200' }),
    { document: { kind: 'incident', title: 'x', affected_users: 1200, labels: { a: 'true', b: 'true' } }, problems: [] });
  assert.deepEqual(toIncident({ affected_users: 'many' }).problems, ['affected_users: "many" is not a whole number']);
  assert.equal(normalizeText('  a \t b\n\n\n\n  c  '), 'a b\n\nc');
});

test('the options page sets a fixed now, and saves', async () => {
  const { page, errors } = await openOptions();
  await page.fill('#now', 'not a time');
  await page.waitForFunction(() => document.querySelector('#save').disabled);
  assert.match(await page.textContent('#now-status'), /not an RFC 3339 time/);
  await page.fill('#now', NOW);
  await page.waitForFunction(() => !document.querySelector('#save').disabled);
  await page.click('#save');
  await page.waitForFunction(() => /Saved/.test(document.querySelector('#save-status').textContent));
  assert.deepEqual(errors, []);
  await page.close();
});

const tickets = [
  {
    page: 'servicenow-incident.html',
    // What the preset must read from the page (checked independently of the engine).
    document: {
      kind: 'incident', id: 'INC0010231', title: 'Card payments failing with 503 from payments-api',
      service: 'payments-api', ci: 'postgres-payments-01', impact: 'high', urgency: 'high',
      team: 'payments-team', category: 'software', status: 'in_progress', created: '2025-03-14T08:05:19Z',
    },
    expect: { team: 'dba-team', priority: 'P1' },
  },
  {
    page: 'jira-issue.html',
    document: {
      kind: 'incident', id: 'OPS-1431', title: 'Customers logged out every few minutes on the mobile app',
      service: 'auth-service', urgency: 'high', category: 'Incident', environment: 'production',
      created: '2025-03-14T09:52:11.000+0100', labels: { mobile: 'true', login: 'true', 'customer-impact': 'true' },
      components: ['mobile-app', 'auth-service'],
    },
    expect: { team: 'identity-team', priority: 'P2' },
  },
];

for (const t of tickets) {
  test(`the extension's panel on ${t.page} shows the native CLI's decision`, async () => {
    const page = await context.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(e));
    await page.goto(`${base}/samples/tickets/${t.page}`);
    const panel = page.locator('#verdict-triage-host aside');
    await panel.locator('[data-field=team]').waitFor({ timeout: 20000 });

    const built = JSON.parse(await panel.locator('[data-field=document]').textContent());
    for (const [k, v] of Object.entries(t.document)) assert.deepEqual(built[k], v, `document.${k}`);
    assert.ok(built.description && built.description.length > 40, 'the description is read');

    const file = path.join(tmp, `${t.page}.json`);
    writeFileSync(file, JSON.stringify(built));
    const r = native(['triage', '-p', path.join(repoDir, 'policies/triage/default.json'), '-d', path.join(repoDir, 'samples/cmdb.json'),
      '--now', NOW, '--format', 'json', file]);
    assert.equal(r.status, 0, r.stderr);
    const d = JSON.parse(r.stdout).decision;
    assert.equal(d.team, t.expect.team);
    assert.equal(d.priority.name, t.expect.priority);

    assert.equal(await panel.locator('[data-field=team]').textContent(), d.team);
    assert.equal(await panel.locator('[data-field=priority]').textContent(), d.priority.name);
    assert.equal(await panel.locator('[data-field=escalation]').textContent(), d.escalation);
    assert.equal(await panel.locator('[data-field=notify]').textContent(), d.notify);
    assert.equal(await panel.locator('[data-field=runbook]').textContent(), d.runbook);
    assert.equal(await panel.locator('[data-field=route]').textContent(), `Route: ${d.route.path.join(' \u203a ')}`);
    assert.deepEqual(await panel.locator('[data-field=reasons] li').allTextContents(), d.reasons);
    assert.match(await panel.locator('[data-field=provenance]').textContent(), new RegExp(`now ${NOW} \\(fixed\\)`));
    assert.equal(await panel.getAttribute('role'), 'complementary');
    assert.equal(await panel.locator('h2').textContent(), 'verdict triage');
    assert.deepEqual(errors, []);
    await page.screenshot({ path: path.join(artifacts, `extension-${path.basename(t.page, '.html')}.png`) });

    // Keyboard: Tab reaches the close button; Escape inside the panel closes it.
    await panel.locator('button.close').focus();
    await page.keyboard.press('Escape');
    await page.waitForFunction(() => !document.getElementById('verdict-triage-host'));
    await page.close();
  });
}

test('a page no preset applies to gets no panel', async () => {
  const page = await context.newPage();
  const seen = requests.length;
  // The content script runs here too (127.0.0.1 is in the manifest): it reads the presets,
  // finds none that applies, and stops before loading the engine or the policy.
  const presetsRead = context.waitForEvent('request', { predicate: (r) => r.url() === `chrome-extension://${extId}/presets.json`, timeout: 20000 });
  await page.goto(`${base}/js/test/pages/read.html`);
  await presetsRead;
  await page.waitForTimeout(1000);
  assert.equal(await page.locator('#verdict-triage-host').count(), 0);
  const after = requests.slice(seen).filter((u) => u.startsWith('chrome-extension://'));
  assert.ok(after.includes(`chrome-extension://${extId}/presets.json`));
  assert.ok(!after.includes(`chrome-extension://${extId}/verdict.wasm`) && !after.includes(`chrome-extension://${extId}/defaults/policy.json`), after.join(' '));
  await page.close();
});

test('the options page shows a broken policy\'s lint error with its line, and refuses to save', async () => {
  const broken = '{\n  "apiVersion": "verdict/v1",\n  "kind": "TriageRouting",\n  "metadata": {"name": "broken"}\n  "spec": {}\n}\n';
  const file = path.join(tmp, 'default.json');
  writeFileSync(file, broken);
  const lint = JSON.parse(native(['lint', '--format', 'json', file]).stdout);
  const { line, column } = lint.errors[0];
  assert.equal(line, 5);

  const { page, errors } = await openOptions();
  await page.fill('#policy', broken);
  const status = page.locator('#policy-status li').first();
  await status.waitFor({ timeout: 10000 });
  assert.equal(await status.locator('button.pos').textContent(), `default.json:${line}:${column}`);
  assert.match(await status.textContent(), /invalid JSON/);
  assert.equal(await page.getAttribute('#policy', 'aria-invalid'), 'true');
  assert.ok(await page.isDisabled('#save'));
  // The position is a button that selects the line in the editor.
  await status.locator('button.pos').click();
  const selected = await page.evaluate(() => {
    const t = document.querySelector('#policy');
    return t.value.slice(t.selectionStart, t.selectionEnd);
  });
  assert.equal(selected, broken.split('\n')[line - 1].slice(column - 1));

  // A policy of another kind is refused too; broken presets JSON gets its line.
  await page.fill('#policy', readFileSync(path.join(repoDir, 'policies/change/default.json'), 'utf8'));
  await page.waitForFunction(() => /needs a TriageRouting policy/.test(document.querySelector('#policy-status').textContent));
  await page.fill('#presets', '{\n  "version": 1,\n  "presets": [\n}\n');
  await page.waitForFunction(() => /\b4:\d+/.test(document.querySelector('#presets-status').textContent));
  assert.match(await page.textContent('#presets-status'), /^4:1: /);
  await page.screenshot({ path: path.join(artifacts, 'extension-options-lint.png'), fullPage: true });
  assert.deepEqual(errors, []);
  await page.close();
});

test('a saved policy reaches the ticket pages', async () => {
  const policy = readFileSync(path.join(repoDir, 'policies/triage/default.json'), 'utf8')
    .replace('{"name": "payments-db", "any": ["ci=~\\"(postgres|mysql|redis)-.*\\"", "cmdb_ci=~\\"(postgres|mysql|redis)-.*\\""], "team": "dba-team"}',
      '{"name": "payments-db", "any": ["ci=~\\"(postgres|mysql|redis)-.*\\""], "team": "payments-dba-pairing"}');
  assert.match(policy, /payments-dba-pairing/);
  const { page } = await openOptions();
  await page.fill('#policy', policy);
  await page.waitForFunction(() => /OK: default-triage/.test(document.querySelector('#policy-status').textContent));
  await page.click('#save');
  await page.waitForFunction(() => /Saved/.test(document.querySelector('#save-status').textContent));
  const ticket = await context.newPage();
  await ticket.goto(`${base}/samples/tickets/servicenow-incident.html`);
  const team = ticket.locator('#verdict-triage-host [data-field=team]');
  await team.waitFor({ timeout: 20000 });
  assert.equal(await team.textContent(), 'payments-dba-pairing');
  // Back to the bundled default.
  await page.click('#policy-default');
  await page.waitForFunction(() => /OK: default-triage/.test(document.querySelector('#policy-status').textContent));
  await page.click('#save');
  await page.waitForFunction(() => /Saved/.test(document.querySelector('#save-status').textContent));
  await ticket.close();
  await page.close();
});

test('no request leaves the local server or the extension', () => {
  const allowed = [`${base}/`, `chrome-extension://${extId}/`];
  const outside = requests.filter((u) => !allowed.some((a) => u.startsWith(a)));
  assert.deepEqual(outside, []);
  // The recording does see the extension's own fetches (the engine and the defaults).
  assert.ok(requests.includes(`chrome-extension://${extId}/verdict.wasm`), 'the extension loads verdict.wasm from itself');
  assert.ok(requests.includes(`chrome-extension://${extId}/defaults/policy.json`));
  assert.ok(requests.filter((u) => u.startsWith(`${base}/samples/tickets/`)).length >= 2);
});

test('the extension\'s code fetches nothing but its own files', () => {
  // Every fetch in the extension's sources takes a chrome.runtime.getURL(...) address or
  // an address relative to the module (import.meta.url); there is no XMLHttpRequest,
  // WebSocket, sendBeacon or EventSource.
  for (const f of ['content.js', 'triage.mjs', 'ticket.mjs', 'panel.mjs', 'settings.mjs', 'options.mjs']) {
    const src = readFileSync(path.join(repoDir, 'js/extension', f), 'utf8');
    assert.doesNotMatch(src, /XMLHttpRequest|WebSocket|sendBeacon|EventSource|navigator\.connection/, f);
    for (const m of src.matchAll(/fetch\(([^)]*)\)/g)) assert.match(m[1], /^chrome\.runtime\.getURL\(/, `${f}: fetch(${m[1]})`);
    for (const m of src.matchAll(/load\(([^)]*\)?)\)/g)) assert.match(m[1], /chrome\.runtime\.getURL\(|import\.meta\.url/, `${f}: load(${m[1]})`);
  }
  const manifest = JSON.parse(readFileSync(path.join(repoDir, 'js/extension/manifest.json'), 'utf8'));
  assert.deepEqual(manifest.permissions, ['storage']);
  assert.equal(manifest.host_permissions, undefined);
  // The default CSP of extension pages, plus only 'wasm-unsafe-eval' (the options page compiles verdict.wasm).
  assert.deepEqual(manifest.content_security_policy, { extension_pages: "script-src 'self' 'wasm-unsafe-eval'; object-src 'self'" });
});
