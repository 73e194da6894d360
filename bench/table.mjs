// Joins the JSON lines of bench_load (native) and bench_load.mjs (wasm) into one
// Markdown table. Reads stdin.
import { readFileSync } from 'node:fs';

const rows = readFileSync(0, 'utf8').split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l));
const byWhat = new Map();
for (const r of rows) {
  if (!byWhat.has(r.what)) byWhat.set(r.what, {});
  byWhat.get(r.what)[r.target] = r;
}
const fmt = (n, d = 0) => (n === undefined ? '-' : Number(n).toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d }));
const any = rows.find((r) => r.docs);
if (any) console.log(`input: ${fmt(any.docs)} documents, ${fmt(any.bytes / 1e6, 1)} MB (${fmt(any.bytes / any.docs)} bytes/doc); best of the runs\n`);
console.log('| measurement | native docs/s | native MB/s | Wasm docs/s | Wasm MB/s | Wasm/native |');
console.log('|---|---:|---:|---:|---:|---:|');
for (const [what, t] of byWhat) {
  if (!t.native?.docs && !t.wasm?.docs) continue;
  const ratio = t.native && t.wasm ? `${(t.wasm.docs_per_s / t.native.docs_per_s).toFixed(2)}x` : '-';
  console.log(`| ${what} | ${fmt(t.native?.docs_per_s)} | ${fmt(t.native?.mb_per_s)} | ${fmt(t.wasm?.docs_per_s)} | ${fmt(t.wasm?.mb_per_s)} | ${ratio} |`);
}
const lat = [...byWhat].filter(([, t]) => t.native?.p50_us !== undefined || t.wasm?.p50_us !== undefined);
if (lat.length) {
  console.log('\n| latency | native p50 us | native p99 us | Wasm p50 us | Wasm p99 us |');
  console.log('|---|---:|---:|---:|---:|');
  for (const [what, t] of lat) {
    console.log(`| ${what} | ${fmt(t.native?.p50_us, 1)} | ${fmt(t.native?.p99_us, 1)} | ${fmt(t.wasm?.p50_us, 1)} | ${fmt(t.wasm?.p99_us, 1)} |`);
  }
}
const load = byWhat.get('load');
if (load) console.log(`\nloading the policy and data (checked, indexed): native ${fmt(load.native?.load_ms, 1)} ms, Wasm ${fmt(load.wasm?.load_ms, 1)} ms`);
const rss = byWhat.get('peak RSS') ?? {};
const inst = byWhat.get('instantiate')?.wasm;
console.log(`\npeak RSS: native ${fmt((rss.native?.max_rss_kb ?? 0) / 1024)} MiB, Node+Wasm ${fmt((rss.wasm?.max_rss_kb ?? 0) / 1024)} MiB` +
  (inst ? `; verdict.wasm instantiate ${fmt(inst.ms, 1)} ms` : ''));
