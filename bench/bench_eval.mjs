// Policy evaluation in Wasm under Node, on the same inputs as bench_eval (native).
//   node bench/bench_eval.mjs POLICY.json DATA[,DATA...] INPUTS.ndjson [REPEATS]
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

import { instantiate } from '../js/src/core.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const [policyPath, cmdbPath, inputPath] = process.argv.slice(2, 5);
const repeats = Number(process.argv[5] ?? 3);
const mod = await instantiate(readFileSync(process.env.VERDICT_WASM ?? path.join(root, 'js', 'verdict.wasm')));
const engine = mod.createEngine();
const loadT0 = process.hrtime.bigint();
engine.loadPolicy(readFileSync(policyPath), policyPath);
for (const f of cmdbPath.split(',')) engine.loadData(readFileSync(f), f);
engine.evalRaw(Buffer.from('{}'), { now: '2026-03-02T10:00:00Z', format: 'json' });  // builds the indexes
console.log(JSON.stringify({ target: 'wasm', what: 'load', load_ms: Number(process.hrtime.bigint() - loadT0) / 1e6 }));
const input = readFileSync(inputPath);
const now = '2026-03-02T10:00:00Z';

let best = Infinity;
let decisions = 0;
for (let r = 0; r < repeats; r++) {
  const t0 = process.hrtime.bigint();
  const { json } = engine.evalRaw(input, { now, format: 'ndjson' });
  best = Math.min(best, Number(process.hrtime.bigint() - t0) / 1e9);
  decisions = json.split('\n').length - 1;
}
console.log(JSON.stringify({ target: 'wasm', what: 'evaluate NDJSON stream (one call)', docs: decisions, bytes: input.length,
  seconds: best, docs_per_s: decisions / best, mb_per_s: input.length / best / 1e6 }));

const text = input.toString('utf8');
const lines = text.split('\n').filter(Boolean).slice(0, 20000);
const us = [];
for (const l of lines) {
  const t0 = process.hrtime.bigint();
  engine.evalRaw(l, { now, format: 'json' });
  us.push(Number(process.hrtime.bigint() - t0) / 1e3);
}
us.sort((a, b) => a - b);
const pct = (q) => us[Math.floor(q * (us.length - 1))];
console.log(JSON.stringify({ target: 'wasm', what: 'one decision per call (latency)', p50_us: pct(0.5), p99_us: pct(0.99), n: us.length }));
console.log(JSON.stringify({ target: 'wasm', what: 'peak RSS', max_rss_kb: Math.round(process.resourceUsage().maxRSS) }));
