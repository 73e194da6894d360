// Joins the JSON lines of bench_budget (native) and bench_budget.mjs (Wasm) into a Markdown table.
import { readFileSync } from 'node:fs';

const rows = readFileSync(0, 'utf8').split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l));
const fmt = (n, d = 0) => (n === undefined ? '-' : Number(n).toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d }));
const by = new Map();
for (const r of rows) {
  if (!by.has(r.what)) by.set(r.what, {});
  by.get(r.what)[r.target] = r;
}
console.log('| measurement | native total s | native points/s | native p50 / p99 ms per SLO | native peak RSS MiB | Wasm total s | Wasm points/s | Wasm p50 / p99 ms per SLO | Node+Wasm peak RSS MiB | Wasm/native |');
console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
for (const [what, t] of by) {
  const n = t.native, w = t.wasm;
  const pts = (r) => (r ? (r.slos ?? 1) * r.points / r.seconds : undefined);
  const lat = (r) => (r && r.p50_ms !== undefined ? `${fmt(r.p50_ms, 2)} / ${fmt(r.p99_ms, 2)}` : '-');
  console.log(`| ${what} | ${fmt(n?.seconds, 2)} | ${fmt(pts(n))} | ${lat(n)} | ${fmt((n?.max_rss_kb ?? 0) / 1024)} | ${fmt(w?.seconds, 2)} | ${fmt(pts(w))} | ${lat(w)} | ${w ? fmt(w.max_rss_kb / 1024) : '-'} | ${n && w ? (n.seconds / w.seconds).toFixed(2) + 'x' : '-'} |`);
  if (n?.checksum !== undefined && w?.checksum !== undefined)
    console.log(`|  decisions' checksum (FNV-1a) | ${n.checksum} | | | | ${w.checksum} | | | | ${n.checksum === w.checksum ? 'identical' : 'DIFFERENT'} |`);
}
