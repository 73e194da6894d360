// verdict.wasm's start-up cost: compile + instantiate (+ _initialize), in Node and in
// headless Chromium (Debian's, through playwright-core), median of N runs; prints a table.
//   node bench/instantiate.mjs [RUNS]        (scripts/bench.sh instantiate)
// "cold": every run compiles bytes V8 has not seen (a unique custom section is appended,
// which changes nothing else), as a page or a process that starts for the first time;
// "same bytes": the same buffer each run, which V8 may serve from its in-process module cache;
// "cold to first triage decision": what the extension waits for on a ticket page.
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { instantiate } from '../js/src/core.mjs';
import { launchChromium, serveRepo } from '../js/test/browser-helpers.mjs';

const repoDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const runs = Number(process.argv[2] ?? 15);
const bytes = readFileSync(process.env.VERDICT_WASM ?? path.join(repoDir, 'js/verdict.wasm'));

// The measurement, as a string so that Node and the page run the very same code.
const measure = `async (bytes, runs, instantiate, inputs) => {
  const leb = (n) => { const out = []; do { let b = n & 127; n >>>= 7; if (n) b |= 128; out.push(b); } while (n); return out; };
  const unique = (i) => {
    const name = new TextEncoder().encode('verdict-bench-' + i + '-' + Math.random());
    const body = [...leb(name.length), ...name];
    const section = new Uint8Array([0, ...leb(body.length), ...body]);
    const out = new Uint8Array(bytes.length + section.length);
    out.set(bytes); out.set(section, bytes.length);
    return out;
  };
  const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };
  const result = {};
  for (const [name, make] of [['cold', unique], ['same', () => bytes]]) {
    const compile = [], total = [];
    for (let i = 0; i < runs; i++) {
      const b = make(i);
      let t = performance.now();
      await WebAssembly.compile(b);
      compile.push(performance.now() - t);
      const b2 = make(i + runs);
      t = performance.now();
      const m = await instantiate(b2);
      total.push(performance.now() - t);
      if (!m.version()) throw new Error('no version');
    }
    result[name] = { compile: median(compile), total: median(total), min: Math.min(...total), max: Math.max(...total) };
  }
  // What the extension waits for on a ticket page: a cold instance, the default triage
  // policy and the sample CMDB loaded, and the first decision (V8 compiles lazily, so the
  // first calls compile the code they run).
  const first = [];
  for (let i = 0; i < runs; i++) {
    const b = unique(2 * runs + i);
    const t = performance.now();
    const m = await instantiate(b);
    const e = m.createEngine();
    e.loadPolicy(inputs.policy, 'default.json');
    e.loadData(inputs.cmdb, 'cmdb.json');
    const { code, json } = e.evalRaw(inputs.doc, { policy: 'default-triage', now: '2025-03-14T09:00:00Z' });
    first.push(performance.now() - t);
    if (code !== 0 || !json.includes('"team"')) throw new Error('no decision: ' + json);
  }
  result.first = { total: median(first), min: Math.min(...first), max: Math.max(...first) };
  return result;
}`;

const inputs = {
  policy: readFileSync(path.join(repoDir, 'policies/triage/default.json'), 'utf8'),
  cmdb: readFileSync(path.join(repoDir, 'samples/cmdb.json'), 'utf8'),
  doc: readFileSync(path.join(repoDir, 'samples/servicenow-incident.json'), 'utf8'),
};
const run = (0, eval)(measure);
const node = await run(new Uint8Array(bytes), runs, instantiate, inputs);

const { server, base } = await serveRepo();
const browser = await launchChromium();
let chromium;
try {
  const page = await browser.newPage();
  await page.goto(`${base}/bench/instantiate.html`);
  chromium = await page.evaluate(async ({ measure, runs, inputs }) => {
    const { instantiate } = await import('/js/src/core.mjs');
    const bytes = new Uint8Array(await (await fetch('/js/verdict.wasm')).arrayBuffer());
    return (0, eval)(measure)(bytes, runs, instantiate, inputs);
  }, { measure, runs, inputs });
} finally {
  await browser.close();
  server.close();
}

const f = (x) => x.toFixed(1);
console.log(`verdict.wasm: ${bytes.length.toLocaleString('en-US')} bytes, ${gzipSync(bytes, { level: 9 }).length.toLocaleString('en-US')} gzipped; median of ${runs} runs (min-max of compile+instantiate)\n`);
console.log(`| host | cold compile ms | cold compile+instantiate ms | same bytes: compile ms | same bytes: compile+instantiate ms | cold to first triage decision ms |`);
console.log('|---|---:|---:|---:|---:|---:|');
for (const [host, r] of [[`Node ${process.versions.node} (V8 ${process.versions.v8})`, node], [`Chromium ${browser.version()} (headless)`, chromium]]) {
  console.log(`| ${host} | ${f(r.cold.compile)} | ${f(r.cold.total)} (${f(r.cold.min)}-${f(r.cold.max)}) | ${f(r.same.compile)} | ${f(r.same.total)} (${f(r.same.min)}-${f(r.same.max)}) | ${f(r.first.total)} (${f(r.first.min)}-${f(r.first.max)}) |`);
}
console.log('\n"cold to first triage decision": a new instance, policies/triage/default.json and samples/cmdb.json loaded, one decision on samples/servicenow-incident.json.');
