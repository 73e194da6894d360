// The snapshot/restore rows of bench_alerts (native) and bench_alerts.mjs (Wasm) as a
// Markdown table (throughput rows go through bench/table.mjs). Reads stdin.
import { readFileSync } from 'node:fs';

const rows = readFileSync(0, 'utf8').split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l))
  .filter((r) => r.what === 'snapshot and restore');
const fmt = (n, d = 1) => (n === undefined ? '-' : Number(n).toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d }));
console.log('\n| state of the run | snapshot ms | restore ms | snapshot MB |');
console.log('|---|---:|---:|---:|');
for (const r of rows) console.log(`| ${r.target} | ${fmt(r.snapshot_ms)} | ${fmt(r.restore_ms)} | ${fmt(r.snapshot_bytes / 1e6)} |`);
