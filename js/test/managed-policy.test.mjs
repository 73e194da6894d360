// The extension under a real enterprise policy: Chromium reads an extension's managed
// storage (chrome.storage.managed, shaped by managed_schema.json) from the machine's policy
// folder, /etc/chromium/policies/managed/*.json, under "3rdparty" > "extensions" > the
// extension's id. This test writes such a file for its own unpacked extension (an id no
// other test uses, derived from its own folder), starts Chromium, and checks that the panel
// decides with the administrator's policy and refuses the agent's own. It needs root to
// write /etc (CI runs as root); elsewhere it is skipped and says why. The development
// build's stand-in (`devManaged`, extension.test.mjs) is not set here, so the extension
// reads the real chrome.storage.managed.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync, accessSync, constants } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { assemble } from '../extension/assemble.mjs';
import { launchWithExtension, panelOf, serveRepo, unpackedExtensionId } from './browser-helpers.mjs';
import { repoDir, requireArtifacts } from './helpers.mjs';

const policyDir = '/etc/chromium/policies/managed';

function cannotWritePolicies() {
  if (typeof process.getuid === 'function' && process.getuid() !== 0) return 'not root: cannot write Chromium\'s machine policy folder';
  try {
    mkdirSync(policyDir, { recursive: true });
    accessSync(policyDir, constants.W_OK);
  } catch (e) {
    return `cannot write ${policyDir}: ${e.message}`;
  }
  return null;
}

// The default policy with the payments database CIs routed to `team` (it routes them to dba-team).
function policyWithTeam(team) {
  const policy = readFileSync(path.join(repoDir, 'policies/triage/default.json'), 'utf8')
    .replace('{"name": "payments-db", "any": ["ci=~\\"(postgres|mysql|redis)-.*\\"", "cmdb_ci=~\\"(postgres|mysql|redis)-.*\\""], "team": "dba-team"}',
      `{"name": "payments-db", "any": ["ci=~\\"(postgres|mysql|redis)-.*\\""], "team": "${team}"}`);
  assert.ok(policy.includes(team));
  return policy;
}

const why = cannotWritePolicies();

test('a real enterprise policy (chrome.storage.managed from /etc/chromium/policies) sets the policy, and forbids local changes', { skip: why ?? false }, async () => {
  requireArtifacts();
  const tmp = realpathSync(mkdtempSync(path.join(os.tmpdir(), 'verdict-managed-')));
  const extDir = assemble(path.join(tmp, 'extension'), { dev: true });
  const extId = await unpackedExtensionId(extDir);
  const policyFile = path.join(policyDir, `verdict-test-${extId}.json`);
  writeFileSync(policyFile, JSON.stringify({ '3rdparty': { extensions: { [extId]: {
    policy: policyWithTeam('managed-team'), policyName: 'northwind.json', allowLocalOverrides: false } } } }));
  const { server, base } = await serveRepo();
  const context = await launchWithExtension(extDir, path.join(tmp, 'profile'));
  after(async () => {
    await context.close();
    server.close();
    rmSync(policyFile, { force: true });
    rmSync(tmp, { recursive: true, force: true });
  });

  // The agent's own policy, which the administrator does not allow.
  const setup = await context.newPage();
  await setup.goto(`chrome-extension://${extId}/options.css`);
  const managed = await setup.evaluate(async (p) => {
    await chrome.storage.local.set({ policy: p, policyName: 'mine.json' });
    return chrome.storage.managed.get(null);
  }, policyWithTeam('my-own-team'));
  assert.equal(managed.allowLocalOverrides, false, 'Chromium gives the extension the machine policy');
  await setup.close();

  const page = await context.newPage();
  await page.goto(`${base}/samples/tickets/servicenow-incident.html`);
  const panel = await panelOf(page);
  const end = Date.now() + 90000;
  while ((await panel.text('[data-field=team]')) == null && (await panel.text('[data-field=error]')) == null) {
    assert.ok(Date.now() < end, 'the panel shows a decision or an error');
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.equal(await panel.text('[data-field=error]'), null);
  assert.equal(await panel.text('[data-field=team]'), 'managed-team');
  assert.match(await panel.text('[data-field=provenance]'), /\(set by your administrator\)/);
  assert.match(await panel.text('[data-field=notices]'), /are not used: your administrator does not allow local changes/);
  await page.close();
});
