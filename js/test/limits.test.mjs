// Limits that protect the Wasm instance (1 MB of stack, memory up to its cap): the
// highest syntax tree the language accepts evaluates in Wasm as natively, one level more
// is a load error, and running out of memory is an error, not a dead instance.
import { test } from 'node:test';
import assert from 'node:assert/strict';

import { readFileSync } from 'node:fs';
import path from 'node:path';

import { load, READ_NDJSON, VerdictError } from '../src/node.mjs';
import { repoDir, requireArtifacts, wasmPath } from './helpers.mjs';

requireArtifacts();
const mod = await load(wasmPath);

const rules = (when) => Buffer.from(JSON.stringify({
  apiVersion: 'verdict/v1', kind: 'Rules', metadata: { name: 'deep' },
  spec: { input: 'incident', rules: [{ name: 'r', when }] },
}));

test('a 256-level expression (a chain of 253 additions, ==, &&) evaluates in Wasm', () => {
  const engine = mod.createEngine();
  engine.loadPolicy(rules(`1${' + 1'.repeat(253)} == 254 && incident.title == null`), 'deep.json');
  const { json } = engine.evalRaw(Buffer.from('{"kind":"incident"}'), { now: '2026-01-01T00:00:00Z', format: 'json' });
  const d = JSON.parse(json);
  assert.equal(d.ok, true);
  assert.deepEqual(d.decision.matched, [{ rule: 'r' }]);
});

test('one level more is a load error with its position, and the engine stays usable', () => {
  const engine = mod.createEngine();
  assert.throws(() => engine.loadPolicy(rules(`1${' + 1'.repeat(254)} == 255 && incident.title == null`), 'deep.json'),
    (e) => e.code === 'limit_exceeded' && /more than 256 levels high/.test(e.message) && e.line === 1);
  engine.loadPolicy(rules('incident.title == null'), 'ok.json');
  const { json } = engine.evalRaw(Buffer.from('{"kind":"incident"}'), { now: '2026-01-01T00:00:00Z', format: 'json' });
  assert.equal(JSON.parse(json).ok, true);
});

test('running out of memory (the 1 GiB cap) is a VerdictError; the engine is restarted with its policy and data and decides again', () => {
  const engine = mod.createEngine();
  engine.loadPolicy(readFileSync(path.join(repoDir, 'policies/triage/default.json')), 'default.json');
  engine.loadData(readFileSync(path.join(repoDir, 'samples/cmdb.json')), 'cmdb.json');
  const incident = readFileSync(path.join(repoDir, 'samples/tickets/alert-postgres-down.json'));
  const options = { now: '2025-03-14T09:00:00Z', format: 'json' };
  const before = engine.evalRaw(incident, options).json;
  const other = mod.createEngine();
  other.loadPolicy(readFileSync(path.join(repoDir, 'policies/triage/default.json')), 'default.json');
  // Four 150 MB lines: the 600 MB input fits, but not with what reading it needs.
  const line = Buffer.from(`{"kind":"incident","title":"${'x'.repeat(150e6)}"}\n`);
  const huge = Buffer.concat([line, line, line, line]);
  const restarts = mod.restarts;
  // Read as NDJSON: with the format left to detection, the first line's trial parse fails for
  // want of memory (a nothrow allocation) and the input is then refused as one too-large document.
  assert.throws(() => engine.readRaw(huge, READ_NDJSON), (e) => e instanceof VerdictError && e.code === 'out_of_memory' && /cap is 1024 MiB/.test(e.message));
  assert.equal(mod.restarts, restarts + 1);
  assert.equal(engine.restarts, 1);
  assert.equal(engine.evalRaw(incident, options).json, before);
  // Another engine has an instance of its own: it was not restarted.
  assert.equal(other.restarts, 0);
  assert.equal(JSON.parse(other.evalRaw('{"kind":"incident","id":"INC-1","title":"x"}', options).json).ok, true);
  assert.equal(JSON.parse(mod.createEngine().readRaw('{"kind":"incident","id":"INC-1"}').json).read, 1);
});

// Issue 17 item 9: an out-of-memory in one engine used to restart the shared instance and wipe
// every engine's alert streams. Each engine now has an instance (and a memory cap) of its own.
test('an engine that runs out of its memoryCap fails alone: another engine keeps its alert state and decides as if nothing happened', () => {
  const policy = readFileSync(path.join(repoDir, 'policies/alerts/default.json'));
  const withPolicy = (options) => {
    const e = mod.createEngine(options);
    e.loadPolicy(policy, 'default.json');
    return e;
  };
  const events = (from, to, at) => Array.from({ length: to - from }, (_, i) =>
    JSON.stringify({ labels: { alertname: `A${(from + i) % 7}`, service: `svc-${(from + i) % 5}`, severity: 'critical', instance: `i${from + i}` }, status: 'firing' })).join('\n') + '\n';
  const push = (e, input, now) => e.alertsPushRaw(input, { now, format: 'ndjson' }).json;
  const kept = withPolicy();
  const reference = withPolicy();   // never sees the out-of-memory
  const failing = withPolicy({ memoryCap: 64 * 1048576 });
  const first = events(0, 200);
  for (const e of [kept, reference, failing]) push(e, first, '2025-03-14T10:00:00Z');
  assert.match(push(failing, events(0, 1), '2025-03-14T10:00:10Z'), /"decision":"duplicate"/);
  // 40 MB: the host's copy fits under 64 MiB, the engine's padded copy of it does not.
  const huge = Buffer.from(`{"labels":{"alertname":"big","blob":"${'x'.repeat(40e6)}"}}\n`);
  assert.throws(() => failing.alertsPushRaw(huge, { now: '2025-03-14T10:00:20Z' }), (e) =>
    e instanceof VerdictError && e.code === 'out_of_memory' && /this engine's cap is 64 MiB/.test(e.message) &&
    /alert stream state since the last snapshot was lost/.test(e.message) && e.lostAlertState === true);
  assert.equal(failing.restarts, 1);
  assert.equal(kept.restarts, 0);
  // The engine that did nothing wrong: the same decisions and state as the reference.
  const next = events(150, 260);
  const out = push(kept, next, '2025-03-14T10:05:00Z');
  assert.equal(out, push(reference, next, '2025-03-14T10:05:00Z'));
  assert.match(out, /"decision":"duplicate"/);
  assert.equal(kept.alertsSnapshot(), reference.alertsSnapshot());
  // The failed engine decides again, from an empty stream (its state was lost, as it said).
  assert.match(push(failing, events(0, 1), '2025-03-14T10:05:00Z'), /"decision":"new"/);
  // A cap below what an instance starts with (16 MiB) and needs to work is refused.
  assert.throws(() => mod.createEngine({ memoryCap: 1e6 }), (e) => e instanceof VerdictError && e.code === 'invalid_argument');
  for (const e of [kept, reference, failing]) e.free();
});
