// ErrorBudget in Wasm under Node: the same in-memory inputs as bench_budget.cc (the same
// xorshift32 generator), one evaluation per SLO. Prints JSON lines for bench/budget_table.mjs.
//   node bench/bench_budget.mjs POLICY.json [SLOS] [POINTS] [BIG_POINTS]
// BIG_POINTS defaults to 0 here: ten million samples as NDJSON (about 400 MB of text, and
// the series) do not fit the module's 1 GB memory (docs/budget.md, "Performance").
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

import { instantiate } from '../js/src/core.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const [policyPath] = process.argv.slice(2, 3);
const slos = Number(process.argv[3] ?? 1000);
const points = Number(process.argv[4] ?? 43200);
const big = Number(process.argv[5] ?? 0);
const mod = await instantiate(readFileSync(process.env.VERDICT_WASM ?? path.join(root, 'js', 'verdict.wasm')));
const engine = mod.createEngine();
engine.loadPolicy(readFileSync(policyPath), policyPath);
const now = '2026-03-02T10:00:00Z';
const kNow = 1772445600;

function rng(seed) {
  let s = seed >>> 0;
  return () => {
    s = (s ^ (s << 13)) >>> 0;
    s = (s ^ (s >>> 17)) >>> 0;
    s = (s ^ (s << 5)) >>> 0;
    return s;
  };
}

function makeSlo(i) {
  const head = `{"kind":"slo","name":"slo-${i}","service":"svc-${i % 97}","objective":99.9,"window":"30d"}\n` +
    `{"slo":"slo-${i}","start":${kNow - 60 * (points - 1)},"step":"1m","total":[`;
  const next = rng(Math.imul(2654435761 | 0, i + 1) >>> 0);
  const totals = new Array(points);
  const bad = new Array(points);
  for (let k = 0; k < points; k++) {
    const x = next();
    const total = 500 + (x % 1000);
    totals[k] = total;
    bad[k] = ((x >>> 12) % 997 === 0) ? Math.floor(total / 20) : ((x >>> 22) % 2);
  }
  return head + totals.join(',') + '],"bad":[' + bad.join(',') + ']}\n';
}

function fnv(s, h) {
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619) >>> 0;
  return h;
}

const enc = new TextEncoder();
const each = [];
let total = 0;
let bytes = 0;
let sum = 2166136261;
for (let i = 0; i < slos; i++) {
  const input = enc.encode(makeSlo(i));
  const t0 = process.hrtime.bigint();
  const { json } = engine.evalRaw(input, { now });
  const dt = Number(process.hrtime.bigint() - t0) / 1e9;
  if (!json.startsWith('{"ok":true')) {
    console.error(json.slice(0, 400));
    process.exit(3);
  }
  each.push(dt);
  total += dt;
  bytes += input.length;
  sum = fnv(json, sum);
}
each.sort((a, b) => a - b);
console.log(JSON.stringify({ target: 'wasm', what: `${slos} SLOs x ${points} points`, slos, points, seconds: total, bytes,
  p50_ms: each[each.length >> 1] * 1e3, p99_ms: each[Math.floor(each.length * 99 / 100)] * 1e3, checksum: sum,
  max_rss_kb: Math.round(process.resourceUsage().maxRSS) }));
if (big > 0) {
  const next = rng(12345);
  const parts = ['{"kind":"slo","name":"big","service":"svc","objective":99.9,"window":"7000d"}\n'];
  for (let k = big - 1; k >= 0; k--) {
    const x = next();
    const tot = 500 + (x % 1000);
    parts.push(`{"t":${kNow - 60 * k},"good":${tot - ((x >>> 22) % 2)},"total":${tot}}\n`);
  }
  const input = enc.encode(parts.join(''));
  const t0 = process.hrtime.bigint();
  const { json } = engine.evalRaw(input, { now });
  const dt = Number(process.hrtime.bigint() - t0) / 1e9;
  console.log(JSON.stringify({ target: 'wasm', what: `one SLO x ${big} points (NDJSON)`, points: big, seconds: dt, bytes: input.length,
    ok: json.startsWith('{"ok":true'), max_rss_kb: Math.round(process.resourceUsage().maxRSS) }));
}
