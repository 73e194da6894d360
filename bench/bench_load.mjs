// Document loading throughput in Wasm under Node, on the same bytes as the
// native bench_load. Prints one JSON object per measurement.
//   node bench/bench_load.mjs FILE.ndjson [REPEATS]
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

import { instantiate, READ_NDJSON, READ_COUNT } from '../js/src/core.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..');
const file = process.argv[2];
const repeats = Number(process.argv[3] ?? 5);
const data = readFileSync(file);

function best(run) {
  let secs = Infinity;
  let docs = 0;
  for (let i = 0; i < repeats; i++) {
    const t0 = process.hrtime.bigint();
    docs = run();
    secs = Math.min(secs, Number(process.hrtime.bigint() - t0) / 1e9);
  }
  return { secs, docs };
}

function report(what, { secs, docs }) {
  console.log(JSON.stringify({ target: 'wasm', what, docs, bytes: data.length, seconds: secs,
    docs_per_s: docs / secs, mb_per_s: data.length / secs / 1e6 }));
}

// The ceiling: simdjson parse_many compiled with the same Emscripten, parse only.
{
  const bytes = readFileSync(process.env.VERDICT_BENCH_WASM ?? path.join(root, 'build-wasm', 'bench_parse_only.wasm'));
  let memory;
  const stub = new Proxy({}, { get: () => () => 0 });
  const { instance } = await WebAssembly.instantiate(bytes, {
    env: new Proxy({}, { get: () => () => 0 }),
    wasi_snapshot_preview1: new Proxy({}, {
      get: (_, name) => (name === 'proc_exit' ? (c) => { throw new Error(`exit ${c}`); } : () => 0),
    }),
  });
  void stub;
  const x = instance.exports;
  memory = x.memory;
  if (x._initialize) x._initialize();
  const ptr = x.bench_alloc(data.length);
  new Uint8Array(memory.buffer).set(data, ptr);
  report('simdjson parse_many (parse only, ceiling)', best(() => x.bench_parse_many(ptr, data.length)));
}

const t0 = process.hrtime.bigint();
const mod = await instantiate(readFileSync(process.env.VERDICT_WASM ?? path.join(root, 'js', 'verdict.wasm')));
const instantiateMs = Number(process.hrtime.bigint() - t0) / 1e6;
const engine = mod.createEngine();

report('verdict engine read (count only)', best(() => {
  const { json } = engine.readRaw(data, READ_NDJSON | READ_COUNT);
  return JSON.parse(json).read;
}));
report('verdict engine read (summaries)', best(() => {
  const { json } = engine.readRaw(data, READ_NDJSON);
  return JSON.parse(json).read;
}));
console.log(JSON.stringify({ target: 'wasm', what: 'instantiate', ms: instantiateMs }));
console.log(JSON.stringify({ target: 'wasm', what: 'peak RSS', max_rss_kb: Math.round(process.resourceUsage().maxRSS) }));
