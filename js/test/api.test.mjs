// The package's API mirrors the command line: triage, change, budget, explain, an alert
// stream, lint; each checks that the policy is of its kind.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';

import { createEngine, load, VerdictError } from '../src/node.mjs';
import { nativeBin, repoDir, requireArtifacts, wasmPath } from './helpers.mjs';

requireArtifacts();
process.env.VERDICT_WASM = wasmPath;
const file = (p) => readFileSync(path.join(repoDir, p));

test('initialisation happens once: load() gives the same module to every caller', async () => {
  assert.equal(await load(), await load());
  const [a, b] = await Promise.all([createEngine(), createEngine()]);
  assert.equal(a.module, b.module);
});

test('triage(), change(), budget() decide with a policy of their kind', async () => {
  const engine = await createEngine();
  engine.loadPolicy(file('policies/triage/default.json'), 'triage.json');
  engine.loadPolicy(file('policies/change/default.json'), 'change.json');
  engine.loadPolicy(file('policies/budget/default.json'), 'budget.json');
  engine.loadData(file('samples/cmdb.json'), 'cmdb.json');
  const now = '2025-03-17T12:00:00Z';
  const t = engine.triage(file('samples/tickets/alert-postgres-down.json'), { policy: 'default-triage', now });
  assert.equal(t.policy.kind, 'TriageRouting');
  assert.equal(typeof t.decision.team, 'string');
  const c = engine.change(file('samples/ci/changes/approved.json'), { policy: 'default-change-risk', now });
  assert.equal(c.decision.status, 'approved');
  // SLO definitions and SLI data in one input, as `verdict budget` joins its files.
  const lines = file('samples/slo/sli-5m.ndjson').toString().split('\n').filter(Boolean);
  const input = `[${file('samples/slo/northwind-slos.json')},${file('samples/slo/checkout-web.openslo.json')},${lines.join(',')}]`;
  const b = engine.budget(input, { policy: 'default-budget', now: '2025-03-14T10:00:00Z' });
  assert.equal(b.policy.kind, 'ErrorBudget');
  assert.equal(b.decision.kind, 'error_budget_status');
  const cli = spawnSync(nativeBin, ['budget', '-p', 'policies/budget/default.json', '--now', '2025-03-14T10:00:00Z', '--format', 'json',
    'samples/slo/northwind-slos.json', 'samples/slo/checkout-web.openslo.json', 'samples/slo/sli-5m.ndjson'], { cwd: repoDir, encoding: 'utf8' });
  assert.ok([0, 1, 2].includes(cli.status), cli.stderr);
  assert.deepEqual(b.decision.slos.map((x) => [x.slo, x.status, x.budget_remaining]),
    JSON.parse(cli.stdout).slos.map((x) => [x.slo, x.status, x.budget_remaining]));
  assert.ok(b.decision.slos.length >= 2);
  assert.throws(() => engine.change(file('samples/ci/changes/approved.json'), { policy: 'default-triage', now }),
    (e) => e instanceof VerdictError && e.code === 'invalid_argument' && /TriageRouting policy, not ChangeRisk/.test(e.message));
});

test('explain() returns the decision and its explanation', async () => {
  const engine = await createEngine();
  engine.loadPolicy(file('policies/change/default.json'), 'change.json');
  const x = engine.explain(file('samples/ci/changes/needs-approval.json'), { now: '2025-03-17T12:00:00Z' });
  assert.equal(x.decision.status, 'needs_approval');
  assert.ok(Array.isArray(x.explain.factors) && x.explain.factors.length > 5);
  assert.ok(x.explain.gates.every((g) => typeof g.applies === 'boolean'));
});

test('errors are VerdictErrors with the code and position', async () => {
  const engine = await createEngine();
  assert.throws(() => engine.loadPolicy('{"apiVersion": "verdict/v1", "kind": "ChangeRisk",\n "metadata": {"name": "x"}, "spec": {"classes": 3}}', 'bad.json'),
    (e) => e instanceof VerdictError && e.code === 'invalid_policy' && e.line === 2 && e.message.startsWith('bad.json:2:'));
});
