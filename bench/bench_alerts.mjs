// AlertDedup throughput in Wasm under Node, on the same inputs as bench_alerts (native):
// the stream pushed in batches of 10,000 lines through the C ABI (the output stays in the
// engine; only its size is read, as the native sink counts bytes), then snapshot and restore.
//   node bench/bench_alerts.mjs POLICY.json ALERTS.ndjson [REPEATS] [BATCH_LINES]
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

import { instantiate } from '../js/src/core.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const [policyPath, inputPath] = process.argv.slice(2, 4);
const repeats = Number(process.argv[4] ?? 3);
const batchLines = Number(process.argv[5] ?? 10000);
const wasmBytes = readFileSync(process.env.VERDICT_WASM ?? path.join(root, 'js', 'verdict.wasm'));
const policy = readFileSync(policyPath);
const input = readFileSync(inputPath);

// Batches of whole lines, as byte ranges of the input.
const batches = [];
let events = 0;
for (let start = 0, n = 0, i = 0; i < input.length; i++) {
  if (input[i] === 10) {
    events++;
    if (++n === batchLines) {
      batches.push(input.subarray(start, i + 1));
      start = i + 1;
      n = 0;
    }
  }
  if (i + 1 === input.length && start < input.length) batches.push(input.subarray(start));
}

let best = Infinity;
let outBytes = 0;
for (let r = 0; r < repeats; r++) {
  const mod = await instantiate(wasmBytes);
  const engine = mod.createEngine();
  engine.loadPolicy(policy, policyPath);
  const x = engine.instance.exports;  // each engine has an instance of its own
  const bufSize = Math.max(...batches.map((b) => b.length));
  const ptr = x.verdict_alloc(bufSize);
  let bytes = 0;
  const t0 = process.hrtime.bigint();
  for (const b of batches) {
    engine.instance.bytes().set(b, ptr);
    x.verdict_alerts_push(engine.ptr, 0, 0, ptr, b.length, 0, 0, 4 /* EVAL_NDJSON */);
    bytes += x.verdict_result_size(engine.ptr);
  }
  best = Math.min(best, Number(process.hrtime.bigint() - t0) / 1e9);
  outBytes = bytes;
  x.verdict_free(ptr);
  if (r + 1 === repeats) {
    let t = process.hrtime.bigint();
    const snapshot = engine.alertsSnapshot();
    const snapMs = Number(process.hrtime.bigint() - t) / 1e6;
    const other = mod.createEngine();
    other.loadPolicy(policy, policyPath);
    t = process.hrtime.bigint();
    other.alertsRestore(snapshot);
    const restoreMs = Number(process.hrtime.bigint() - t) / 1e6;
    console.log(JSON.stringify({ target: 'wasm', what: 'snapshot and restore', snapshot_ms: snapMs, restore_ms: restoreMs,
      snapshot_bytes: Buffer.byteLength(snapshot) }));
  }
}
console.log(JSON.stringify({ target: 'wasm', what: 'alerts_push (batches of 10,000 lines)', docs: events, bytes: input.length,
  seconds: best, docs_per_s: events / best, mb_per_s: input.length / best / 1e6, out_bytes: outBytes, batches: batches.length }));
console.log(JSON.stringify({ target: 'wasm', what: 'peak RSS', max_rss_kb: Math.round(process.resourceUsage().maxRSS) }));
