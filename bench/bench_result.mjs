// The Wasm batch path's one-string result (issue 13, item 2), in Node: one batch of NDJSON
// incidents through Engine.evalRaw (every decision in one result string, decoded once), split
// into the call (copy in, evaluate, result) and the decoding of the result (TextDecoder), in CPU
// time, and the Wasm memory the batch needed. With a
// second module (BEFORE.wasm, e.g. an older build) both run in one process, interleaved.
//   node bench/bench_result.mjs POLICY.json CMDB.json INPUTS.ndjson [REPEATS] [BEFORE.wasm]
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

import { instantiate } from '../js/src/core.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const [policyPath, cmdbPath, inputPath] = process.argv.slice(2, 5);
const repeats = Math.max(2, Number(process.argv[5] ?? 5));
const modules = [['this build', process.env.VERDICT_WASM ?? path.join(root, 'js', 'verdict.wasm')]];
if (process.argv[6]) modules.push(['before', process.argv[6]]);
const now = '2026-03-02T10:00:00Z';
const input = readFileSync(inputPath);

const cpu = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1e6; };
const median = (v) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];

const contestants = [];
for (const [label, file] of modules) {
  const mod = await instantiate(readFileSync(file));
  const engine = mod.createEngine();
  engine.loadPolicy(readFileSync(policyPath), policyPath);
  engine.loadData(readFileSync(cmdbPath), cmdbPath);
  contestants.push({ label, mod, engine, total: [], inside: [], decode: [], bytes: 0, docs: 0 });
}
for (let r = 0; r < repeats; r++) {
  for (const c of contestants) {
    const x = c.engine.instance.exports;  // each engine has an instance of its own
    const t0 = cpu();
    // evalRaw (which decodes the result), then the result decoded once more to time that part.
    const { json } = c.engine.evalRaw(input, { now, format: 'ndjson' });
    const t1 = cpu();
    c.engine.instance.readString(x.verdict_result(c.engine.ptr), x.verdict_result_size(c.engine.ptr));
    const t2 = cpu();
    c.inside.push(t1 - t0 - (t2 - t1));
    c.decode.push(t2 - t1);
    c.total.push(t1 - t0);
    c.bytes = json.length;
    let n = 0;
    for (let i = json.indexOf('\n'); i >= 0; i = json.indexOf('\n', i + 1)) n++;
    c.docs = n;
  }
}
for (const c of contestants) {
  const warm = (v) => median(v.slice(1));
  console.log(JSON.stringify({
    target: 'wasm', what: `evalRaw batch, one result string (${c.label})`, docs: c.docs, out_bytes_per_doc: +(c.bytes / c.docs).toFixed(1),
    cold_cpu_s: +c.total[0].toFixed(4), median_cpu_s: +warm(c.total).toFixed(4), call_cpu_s: +warm(c.inside).toFixed(4),
    decode_cpu_s: +warm(c.decode).toFixed(4), docs_per_cpu_s: Math.round(c.docs / warm(c.total)),
    wasm_memory_mib: Math.round(c.mod.state.memory.buffer.byteLength / 1048576),
  }));
}
console.log(JSON.stringify({ target: 'wasm', what: 'peak RSS', max_rss_kb: Math.round(process.resourceUsage().maxRSS) }));
