// The playground in headless Chromium (Debian's, through playwright-core), served as
// static files from the repository: a picked policy and sample give the native CLI's
// bytes; a broken policy shows its lint error with line:column and marks the line.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { launchChromium, serveRepo } from './browser-helpers.mjs';
import { nativeBin, repoDir, requireArtifacts } from './helpers.mjs';

requireArtifacts();
const artifacts = path.join(repoDir, 'test-artifacts');
mkdirSync(artifacts, { recursive: true });
const tmp = mkdtempSync(path.join(os.tmpdir(), 'verdict-playground-'));
const { server, base } = await serveRepo();
const browser = await launchChromium();
const page = await browser.newPage({ viewport: { width: 1280, height: 1100 } });
const pageErrors = [];
page.on('pageerror', (e) => pageErrors.push(e));
const requests = [];
page.on('request', (r) => requests.push(r.url()));
after(async () => {
  await browser.close();
  server.close();
  rmSync(tmp, { recursive: true, force: true });
});

const updates = () => page.evaluate(() => document.body.dataset.updated);
async function afterUpdate(action) {
  const before = await updates();
  await action();
  await page.waitForFunction((n) => document.body.dataset.updated !== n || document.querySelector('[data-field=blocked]'), before, { timeout: 10000 });
}

function native(command, policy, data, input, now) {
  const args = [command, '-p', path.join(repoDir, policy), ...data.flatMap((d) => ['-d', path.join(repoDir, d)]),
    '--now', now, '--explain', '--format', 'json', input];
  const r = spawnSync(nativeBin, args, { encoding: 'utf8' });
  // verdict change exits 1 or 2 for a change that needs review or is denied (docs/change.md).
  assert.ok([0, 1, 2].includes(r.status) && r.stdout, `${r.status} ${r.stderr}`);
  return r.stdout;
}

test('the playground opens with the triage policy and a ServiceNow incident, and decides as natively', async () => {
  await page.goto(`${base}/js/playground/`);
  await page.waitForSelector('body[data-ready="true"]', { timeout: 20000 });
  const expected = native('triage', 'policies/triage/default.json', ['samples/cmdb.json'],
    path.join(repoDir, 'samples/servicenow-incident.json'), '2025-03-14T09:00:00Z');
  assert.equal(await page.textContent('#output') + '\n', expected);
  const d = JSON.parse(expected).decision;
  assert.equal(await page.textContent('#summary [data-field=priority]'), d.priority.name);
  assert.equal(await page.textContent('#summary [data-field=team]'), d.team);
  assert.equal(await page.textContent('#summary [data-field=route]'), d.route.path.join(' › '));
  const explanation = await page.textContent('#explanation');
  for (const reason of d.reasons) assert.ok(explanation.includes(reason), reason);
  await page.screenshot({ path: path.join(artifacts, 'playground-decision.png') });
});

test('a picked sample document and a picked policy give the native bytes', async () => {
  await afterUpdate(() => page.selectOption('#doc-pick', 'jira-ops-1425'));
  assert.equal(await page.textContent('#output') + '\n', native('triage', 'policies/triage/default.json', ['samples/cmdb.json'],
    path.join(repoDir, 'samples/tickets/jira-ops-1425.json'), '2025-03-14T09:00:00Z'));

  await afterUpdate(() => page.selectOption('#policy-pick', 'rules'));
  const line1 = path.join(tmp, 'inc-104211.json');
  writeFileSync(line1, readFileSync(path.join(repoDir, 'samples/incidents.ndjson'), 'utf8').split('\n')[0] + '\n');
  assert.equal(await page.textContent('#output') + '\n', native('eval', 'policies/rules/incident-basics.json', ['samples/cmdb.json'], line1, '2025-03-14T09:00:00Z'));

  const changeData = ['samples/cmdb.json', 'samples/change/schedule.ndjson', 'samples/change/windows.json', 'samples/change/budget-status.json'];
  await afterUpdate(() => page.selectOption('#policy-pick', 'change'));
  const expected = native('change', 'policies/change/default.json', changeData, path.join(repoDir, 'samples/tickets/change-chg-5004.json'), '2025-03-17T12:00:00Z');
  assert.equal(await page.textContent('#output') + '\n', expected);
  assert.equal(await page.textContent('#summary [data-field=outcome]'), JSON.parse(expected).decision.outcome);

  // now is settable: the decision is taken at the time given.
  await afterUpdate(() => page.fill('#now', '2025-03-18T09:30:00+01:00'));
  assert.equal(JSON.parse(await page.textContent('#output')).now, '2025-03-18T08:30:00Z'); // the engine writes it in UTC
  assert.equal(await page.textContent('#output') + '\n', native('change', 'policies/change/default.json', changeData,
    path.join(repoDir, 'samples/tickets/change-chg-5004.json'), '2025-03-18T09:30:00+01:00'));
});

test('a broken policy shows its lint error with line:column as you type, and the line is marked', async () => {
  await afterUpdate(() => page.selectOption('#policy-pick', 'triage'));
  const lines = readFileSync(path.join(repoDir, 'policies/triage/default.json'), 'utf8').split('\n');
  const at = lines.findIndex((l) => l.includes('"matrix":'));
  lines[at] = lines[at].replace('"matrix":', '"matrix"');
  const broken = lines.join('\n');
  const file = path.join(tmp, 'policy.json');
  writeFileSync(file, broken);
  const lint = JSON.parse(spawnSync(nativeBin, ['lint', '--format', 'json', file], { encoding: 'utf8' }).stdout);
  const { line, column } = lint.errors[0];
  assert.equal(line, at + 1);

  await page.fill('#policy', broken);
  const first = page.locator('#policy-status li.error').first();
  await first.waitFor({ timeout: 10000 });
  assert.equal(await first.locator('button.pos').textContent(), `policy.json:${line}:${column}`);
  assert.ok((await first.textContent()).includes(lint.errors[0].message));
  assert.equal(await page.textContent('#policy-gutter .error'), String(line));
  assert.equal(await page.getAttribute('#policy-mark', 'data-line'), String(line));
  assert.equal(await page.getAttribute('#policy', 'aria-invalid'), 'true');
  assert.equal(await page.textContent('[data-field=blocked]'), 'Fix the policy to see a decision.');
  await first.locator('button.pos').click();
  assert.ok(await page.isVisible('#policy-mark'));
  await page.screenshot({ path: path.join(artifacts, 'playground-lint-error.png') });

  // An error of the expression language, found by lint (not by the JSON reader).
  const badExpr = readFileSync(path.join(repoDir, 'policies/triage/default.json'), 'utf8')
    .replace("cmdb.tier(incident.ci) == 1", "cmdb.tier(incident.ci) == ");
  writeFileSync(file, badExpr);
  const lint2 = JSON.parse(spawnSync(nativeBin, ['lint', '--format', 'json', file], { encoding: 'utf8' }).stdout);
  await page.fill('#policy', badExpr);
  await page.waitForFunction((want) => document.querySelector('#policy-status button.pos')?.textContent === want,
    `policy.json:${lint2.errors[0].line}:${lint2.errors[0].column}`, { timeout: 10000 });
  assert.equal(await page.textContent('#policy-gutter .error'), String(lint2.errors[0].line));

  // Fixed again: the mark goes, the decision comes back.
  await afterUpdate(() => page.selectOption('#policy-pick', 'triage'));
  assert.equal(await page.locator('#policy-gutter .error').count(), 0);
  assert.ok(!(await page.isVisible('#policy-mark')));
  assert.equal(await page.locator('#summary [data-field=team]').count(), 1);
});

test('a broken document shows its error with line:column', async () => {
  await afterUpdate(() => page.fill('#doc', '{\n  "kind": "incident",\n  "title": "x",\n  "service" "payments-api"\n}\n'));
  const err = page.locator('#doc-status li.error').first();
  await err.waitFor({ timeout: 10000 });
  assert.match(await err.locator('button.pos').textContent(), /^4:\d+$/);
  assert.equal(await page.textContent('#doc-gutter .error'), '4');
});

test('the playground fetches nothing but the local server', () => {
  assert.deepEqual(pageErrors, []);
  assert.deepEqual(requests.filter((u) => !u.startsWith(`${base}/`) && !u.startsWith('data:')), []);
  assert.ok(requests.includes(`${base}/js/verdict.wasm`));
});
