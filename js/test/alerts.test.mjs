// AlertDedup in Wasm (docs/alerts.md): the alert stream object, replay from a snapshot
// (byte-identical to an uninterrupted run, and to the native CLI with --state), bad
// snapshots, and the exported C ABI functions.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { load } from '../src/node.mjs';
import { VerdictError } from '../src/core.mjs';
import { nativeBin, repoDir, requireArtifacts, wasmPath } from './helpers.mjs';

requireArtifacts();
const mod = await load(wasmPath);
const policyPath = path.join(repoDir, 'policies', 'alerts', 'default.json');
const cmdbPath = path.join(repoDir, 'samples', 'cmdb.json');
const tmp = mkdtempSync(path.join(tmpdir(), 'verdict-alerts-'));

function engineWithPolicy() {
  const e = mod.createEngine();
  e.loadPolicy(readFileSync(policyPath), 'default.json');
  e.loadData(readFileSync(cmdbPath), 'cmdb.json');
  return e;
}

// 600 events over 40 label sets in 1-second steps, with resolves and a broken line.
function stream() {
  const lines = [];
  let x = 7;
  const rnd = () => {
    x = (x * 1103515245 + 12345) % 2147483648;
    return x;
  };
  const sev = ['critical', 'warning', 'info'];
  for (let i = 0; i < 600; i++) {
    const at = new Date(Date.UTC(2025, 2, 14, 10, 0, i)).toISOString().replace('.000Z', 'Z');
    if (i === 250) {
      lines.push('{"labels": ');
      continue;
    }
    const k = rnd() % 40;
    const labels = { alertname: `A${k % 5}`, service: `svc-${k % 8}`, severity: sev[k % 3], instance: `i${k}`, node: `n${k % 4}` };
    lines.push(JSON.stringify({ labels, status: rnd() % 7 === 0 ? 'resolved' : 'firing', at }));
  }
  return lines;
}

const cuts = [[0, 200, '2025-03-14T10:03:30Z'], [200, 201, ''], [201, 450, '2025-03-14T10:08:00Z'], [450, 600, '2025-03-14T10:30:00Z']];

test('the module exports the AlertDedup functions of the C ABI', () => {
  for (const f of ['verdict_alerts_push', 'verdict_alerts_stats', 'verdict_alerts_snapshot', 'verdict_alerts_restore']) {
    assert.equal(typeof mod.exports[f], 'function', f);
  }
});

test('Wasm: a stream replayed from snapshots is byte-identical to an uninterrupted run', () => {
  const lines = stream();
  const whole = engineWithPolicy();
  let expected = '';
  for (const [from, to, now] of cuts) {
    expected += whole.alertsPushRaw(lines.slice(from, to).join('\n') + '\n', { now, format: 'ndjson' }).json;
  }
  assert.match(expected, /"type":"notification"/);
  assert.match(expected, /"decision":"duplicate"/);
  assert.match(expected, /"type":"error","line":/);
  let replay = '';
  let snapshot = '';
  for (const [from, to, now] of cuts) {
    const e = engineWithPolicy();
    if (snapshot) e.alertsRestore(snapshot);
    replay += e.alertsPushRaw(lines.slice(from, to).join('\n') + '\n', { now, format: 'ndjson' }).json;
    snapshot = e.alertsSnapshot();
    e.free();
  }
  assert.equal(replay, expected);
  assert.equal(snapshot, whole.alertsSnapshot());
  whole.free();
});

test('Wasm and native (restarted with --state between pushes) write the same bytes', () => {
  const lines = stream();
  const e = engineWithPolicy();
  const state = path.join(tmp, 'state.json');
  let wasm = '';
  let native = '';
  for (const [i, [from, to, now]] of cuts.entries()) {
    const input = lines.slice(from, to).join('\n') + '\n';
    wasm += e.alertsPushRaw(input, { now, format: 'ndjson' }).json;
    const file = path.join(tmp, `part-${i}.ndjson`);
    writeFileSync(file, input);
    const args = ['alerts', '-q', '--input', 'ndjson', '--source', '', '--state', state, '-p', policyPath, '-d', cmdbPath, file];
    args.push(...(now ? ['--now', now] : ['--event-times']));
    const run = spawnSync(nativeBin, args, { encoding: 'utf8' });
    assert.ok([0, 3].includes(run.status), run.stderr);
    native += run.stdout;
  }
  assert.equal(wasm, native);
  assert.equal(e.alertsSnapshot(), readFileSync(state, 'utf8'));
  e.free();
});

test('alertStream: push parses the lines; stats count them; a bad snapshot throws and keeps the state', () => {
  const e = engineWithPolicy();
  const s = e.alertStream();
  const out = s.push('{"labels":{"alertname":"alert1","severity":"critical"}}', { now: '2025-03-14T10:00:00Z' });
  assert.equal(out[0].type, 'alert');
  assert.equal(out[0].fingerprint, '0223b772b51c29e1');
  assert.equal(out[0].decision, 'new');
  assert.equal(out[0].groups[0].key, '{}/{severity="critical"}:{alertname="alert1"}');
  assert.equal(s.stats().events, 1);
  const before = s.snapshot();
  const bad = JSON.parse(before);
  bad.version = 2;
  assert.throws(() => s.restore(JSON.stringify(bad)), (err) => err instanceof VerdictError && /version 2 is not supported/.test(err.message));
  assert.throws(() => s.restore(before.slice(0, 50)), (err) => err instanceof VerdictError && err.line === 1);
  assert.equal(s.snapshot(), before);
  const again = s.push('{"labels":{"alertname":"alert1","severity":"critical"}}', { now: '2025-03-14T10:00:05Z' });
  assert.equal(again[0].decision, 'duplicate');
  assert.equal(again[0].count, 2);
  e.free();
});

test('push({received}): the receipt time of events without an at, as natively (VERDICT_ALERTS_RECEIVED)', () => {
  // The repro: an API array whose first alert, the Watchdog, started months before the next.
  const input = readFileSync(path.join(repoDir, 'samples', 'alerts.ndjson'));
  const e = engineWithPolicy();
  const before = e.alertsPushRaw(input, { format: 'ndjson' });
  assert.notEqual(before.code, 0);
  assert.match(before.json, /after the stream's clock/);
  e.free();
  const r = engineWithPolicy();
  const received = '2025-03-14T10:00:00Z';
  const { code, json } = r.alertsPushRaw(input, { received, format: 'ndjson' });
  assert.equal(code, 0);
  const lines = json.split('\n').filter(Boolean).map((l) => JSON.parse(l));
  assert.ok(lines.length >= 24);
  assert.deepEqual(lines.filter((l) => l.type === 'error'), []);
  assert.ok(lines.filter((l) => l.type === 'alert').every((l) => l.at === received));
  assert.throws(() => r.alertStream().push(input, { now: received, received }), TypeError);
  r.free();
  // Native: a file before the last one is received at --now (no flush until the last, empty one).
  const file = path.join(tmp, 'received.ndjson');
  writeFileSync(file, input);
  const empty = path.join(tmp, 'empty.ndjson');
  writeFileSync(empty, '');
  const run = spawnSync(nativeBin, ['alerts', '-q', '--input', 'ndjson', '--source', '', '-p', policyPath,
    '-d', cmdbPath, '--now', received, file, empty], { encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
  assert.ok(run.stdout.startsWith(json), 'native and Wasm decide the received batch byte for byte');
});
