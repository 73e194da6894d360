// The cost of crossing the JS/Wasm boundary per call, with a policy that decides nothing (a
// Rules policy without rules) on `{}`: what evalRaw adds to the engine's own work.
//   node bench/peers/boundary.mjs [CALLS]
// Rows: evalRaw as the package does it (policy name and now kept in the call buffer, the input
// encoded into it, one call, one read of the result); the same as before this change (three
// TextEncoder.encode, three verdict_alloc/free, then the call), rebuilt here from the ABI;
// and the floor: verdict_eval alone on bytes already in Wasm memory.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { instantiate } from '../../js/src/core.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const calls = Number(process.argv[2] ?? 200000);
const mod = await instantiate(readFileSync(process.env.VERDICT_WASM ?? path.join(root, 'js', 'verdict.wasm')));
const engine = mod.createEngine();
engine.loadPolicy(JSON.stringify({ apiVersion: 'verdict/v1', kind: 'Rules', metadata: { name: 'empty' },
  spec: { input: 'doc', rules: [] } }), 'empty.json');
const x = engine.instance.exports;  // each engine has an instance of its own
const now = '2026-03-02T10:00:00Z';
const input = '{}';
const encoder = new TextEncoder();

function before() {
  const code = engine.withInput(encoder.encode('empty'), (pp, pl) =>
    engine.withInput(input, (ip, il) =>
      engine.withInput(encoder.encode(now), (np, nl) => x.verdict_eval(engine.ptr, pp, pl, ip, il, np, nl, 2))));
  return { code, json: engine.result() };
}
function after() {
  return engine.evalRaw(input, { policy: 'empty', now, format: 'json' });
}
// The floor: the bytes stay in place, only the call and nothing read back.
const bytes = encoder.encode('empty' + now + input);
const at = x.verdict_alloc(bytes.length);
engine.instance.bytes().set(bytes, at);
function floor() {
  return x.verdict_eval(engine.ptr, at, 5, at + 5 + now.length, input.length, at + 5, now.length, 2);
}
if (before().json !== after().json) throw new Error('the two boundaries give different results');

const rows = [['evalRaw (call buffer, encodeInto, one call)', after], ['before: 3 x encode + alloc/free, then the call', before],
  ['verdict_eval alone (bytes in place, result not read)', floor]];
const results = new Map(rows.map(([n]) => [n, []]));
for (let rep = 0; rep < 5; rep++) {
  for (const [name, fn] of rows) {
    const t0 = process.hrtime.bigint();
    for (let k = 0; k < calls; k++) fn();
    results.get(name).push(Number(process.hrtime.bigint() - t0) / calls);
  }
}
const median = (a) => [...a].sort((p, q) => p - q)[Math.floor(a.length / 2)];
const floorNs = median(results.get(rows[2][0]));
console.log(`\n## The JS/Wasm boundary per call: an empty Rules policy on {}, ${calls.toLocaleString('en-US')} calls x 5 interleaved runs (median)\n`);
console.log('| call | ns per call | over verdict_eval alone |');
console.log('|---|---:|---:|');
for (const [name] of rows) {
  const ns = median(results.get(name));
  console.log(`| ${name} | ${ns.toFixed(0)} | ${name.startsWith('verdict_eval alone') ? '-' : `${(ns - floorNs).toFixed(0)} ns`} |`);
}
