// AlertDedup state in Wasm under Node, on the same input as bench_alert_state (native):
// N events that each create an alert, then the same N firing again (repeats); snapshot
// and restore. Each repetition instantiates a fresh module, so every run starts from a
// fresh linear memory; the first is the cold one. Memory per alert is the growth of the
// linear memory while the N alerts are ingested (Wasm memory never shrinks: it is the peak).
// Time is the process CPU time (process.cpuUsage), as natively.
//   node bench/bench_alert_state.mjs POLICY.json STATE.ndjson [REPEATS]
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

import { instantiate } from '../js/src/core.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const [policyPath, inputPath] = process.argv.slice(2, 4);
const repeats = Math.max(1, Number(process.argv[4] ?? 5));
const wasmBytes = readFileSync(process.env.VERDICT_WASM ?? path.join(root, 'js', 'verdict.wasm'));
const policy = readFileSync(policyPath);
const input = readFileSync(inputPath);

let lines = 0;
for (const b of input) if (b === 10) lines++;
const n = Math.floor(lines / 2);
let half = 0;
for (let i = 0, seen = 0; i < input.length; i++) {
  if (input[i] === 10 && ++seen === n) {
    half = i + 1;
    break;
  }
}
function batchesOf(buf) {
  const out = [];
  let start = 0;
  for (let i = 0, k = 0; i < buf.length; i++) {
    if (buf[i] === 10 && ++k === 10000) {
      out.push(buf.subarray(start, i + 1));
      start = i + 1;
      k = 0;
    }
  }
  if (start < buf.length) out.push(buf.subarray(start));
  return out;
}
const fresh = batchesOf(input.subarray(0, half));
const repeat = batchesOf(input.subarray(half));
const cpu = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};

for (let r = 0; r < repeats; r++) {
  const mod = await instantiate(wasmBytes);
  const engine = mod.createEngine();
  engine.loadPolicy(policy, policyPath);
  const x = mod.exports;
  const bufSize = Math.max(...fresh.map((b) => b.length), ...repeat.map((b) => b.length));
  const ptr = x.verdict_alloc(bufSize);
  let outBytes = 0;
  const push = (list) => {
    for (const b of list) {
      mod.bytes().set(b, ptr);
      x.verdict_alerts_push(engine.ptr, 0, 0, ptr, b.length, 0, 0, 4 /* EVAL_NDJSON */);
      outBytes += x.verdict_result_size(engine.ptr);
    }
  };
  const mem0 = x.memory.buffer.byteLength;
  let c0 = cpu();
  push(fresh);
  const newS = cpu() - c0;
  const mem1 = x.memory.buffer.byteLength;
  c0 = cpu();
  push(repeat);
  const repeatS = cpu() - c0;
  x.verdict_free(ptr);
  c0 = cpu();
  const snapshot = engine.alertsSnapshot();
  const snapS = cpu() - c0;
  const other = mod.createEngine();
  other.loadPolicy(policy, policyPath);
  c0 = cpu();
  other.alertsRestore(snapshot);
  const restoreS = cpu() - c0;
  if (other.alertsSnapshot() !== snapshot) throw new Error('the restored state\'s snapshot differs from the one restored');
  const per = (s) => (s * 1e6) / n;
  console.log(JSON.stringify({ target: 'wasm', run: r, alerts: n, new_us: per(newS), repeat_us: per(repeatS),
    snapshot_us: per(snapS), restore_us: per(restoreS), peak_bytes_per_alert: (mem1 - mem0) / n,
    snapshot_bytes: Buffer.byteLength(snapshot), out_bytes: outBytes }));
}
