// Engine.decisions(): an NDJSON batch's decisions one at a time, the input handed to the module in
// pieces of whole lines (verdict_eval_lines), memory bounded by a piece whatever the batch's size.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';

import { createEngine, VerdictError } from '../src/node.mjs';
import { repoDir, requireArtifacts, wasmPath } from './helpers.mjs';

requireArtifacts();
process.env.VERDICT_WASM = wasmPath;
const file = (p) => readFileSync(path.join(repoDir, p));
const now = '2026-03-02T10:00:00Z';

function incident(i) {
  const services = ['payments-api', 'checkout-web', 'orders-db', 'search'];
  return JSON.stringify({
    kind: 'incident', id: `INC-${i}`, title: i % 7 ? `Checkout fails — Zahlung abgelehnt ${i}` : 'Disk full on db host',
    service: services[i % services.length], impact: ['high', 'medium', 'low'][i % 3], labels: { n: String(i % 5) },
  });
}

async function triageEngine() {
  const engine = await createEngine();
  engine.loadPolicy(file('policies/triage/default.json'), 'triage.json');
  engine.loadData(file('samples/cmdb.json'), 'cmdb.json');
  return engine;
}

test('decisions() hands out eval()\'s decisions, lines and positions counted from the batch\'s start', async () => {
  const engine = await triageEngine();
  const lines = [];
  for (let i = 0; i < 300; i++) lines.push(incident(i));
  lines.splice(211, 0, '{"kind": "incident", "title": "broken",');  // a broken line, positioned in a later piece
  const batch = lines.join('\n') + '\n';
  const want = engine.eval(batch, { now, format: 'ndjson' });
  assert.equal(want.length, 301);
  for (const input of [batch, new TextEncoder().encode(batch)]) {
    const got = [...engine.decisions(input, { now, pieceBytes: 2000 })];
    assert.deepEqual(got, want);
  }
  const broken = want.find((d) => !d.ok);
  assert.equal(broken.line, 212);
  assert.ok(broken.errors[0].offset > 2000 * 5, 'the error\'s byte offset counts from the batch\'s start');
  // One piece or many: the same.
  assert.deepEqual([...engine.decisions(batch, { now })], want);
});

test('decisions() refuses a call that has no per-line decisions', async () => {
  const engine = await triageEngine();
  assert.throws(() => [...engine.decisions(incident(1), { now, policy: 'nope' })], VerdictError);
  engine.loadPolicy(file('policies/budget/default.json'), 'budget.json');
  assert.throws(() => [...engine.decisions(incident(1), { now, policy: 'default-budget' })], /whole input/);
});

test('decisions() keeps memory bounded for a large batch', async () => {
  const engine = await triageEngine();
  const count = 120000;
  const parts = [];
  for (let i = 0; i < count; i++) parts.push(incident(i));
  const batch = parts.join('\n') + '\n';
  parts.length = 0;
  const memory = engine.instance.state.memory;  // the engine's own instance
  const heap0 = process.memoryUsage().heapUsed;
  const wasm0 = memory.buffer.byteLength;
  let n = 0;
  let peakHeap = 0;
  const teams = new Map();
  for (const d of engine.decisions(batch, { now, pieceBytes: 1 << 20 })) {
    n++;
    teams.set(d.decision.team, (teams.get(d.decision.team) ?? 0) + 1);
    if (n % 5000 === 0) peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed - heap0);
  }
  assert.equal(n, count);
  assert.ok(teams.size > 1);
  const wasmGrowth = memory.buffer.byteLength - wasm0;
  // The batch is about 18 MB of UTF-8 and its decisions about 130 MB of JSON text (one string in the
  // heap, and in Wasm memory, if the batch went in at once), and eval() holds all 120,000 parsed
  // decisions at once. Here: one 1 MiB piece and its decisions at a time; the heap's growth is
  // mostly garbage not yet collected, which is why the bound is loose.
  console.log(`decisions(): ${count} decisions, batch ${(batch.length / 1e6).toFixed(1)}M chars, ` +
    `heap growth at most ${(peakHeap / 1048576).toFixed(1)} MiB, Wasm memory growth ${(wasmGrowth / 1048576).toFixed(1)} MiB`);
  assert.ok(peakHeap < 128 * 1048576, `heap grew by ${peakHeap} bytes`);
  assert.ok(wasmGrowth <= 32 * 1048576, `Wasm memory grew by ${wasmGrowth} bytes`);
});
