// Differential run: the same inputs through the native build (the verdict command) and the
// Wasm build (the JS package), failing on any difference in what they read, decide or report.
// The inputs are the fuzz targets' seeds and the shipped samples, each with deterministic
// mutations (a seeded generator: flipped, deleted and inserted bytes, cuts, a repeated slice),
// so most of them are broken in some way. Bounded: a few hundred inputs, one native process
// per kind of run, a few seconds.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { load, READ_AUTO, READ_VALUES } from '../src/node.mjs';
import { nativeBin, repoDir, requireArtifacts, wasmPath } from './helpers.mjs';

requireArtifacts();
const mod = await load(wasmPath);
const tmp = mkdtempSync(path.join(tmpdir(), 'verdict-diff-'));

function list(dir, re) {
  const out = [];
  for (const name of readdirSync(dir).sort()) {
    const p = path.join(dir, name);
    if (statSync(p).isDirectory()) out.push(...list(p, re));
    else if (re.test(name) && statSync(p).size <= 64 * 1024) out.push(p);
  }
  return out;
}

// xorshift32: the same mutations on every run and every machine.
function rng(seed) {
  let x = seed >>> 0 || 1;
  return (n) => {
    x ^= x << 13; x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5; x >>>= 0;
    return x % n;
  };
}

const STRUCTURAL = Buffer.from('{}[]:,"\\\t\n\u0000 0-e.');
function mutate(bytes, r) {
  const b = Buffer.from(bytes);
  if (b.length === 0) return Buffer.from('{');
  const at = r(b.length);
  switch (r(6)) {
    case 0: b[at] ^= 1 << r(8); return b;
    case 1: return Buffer.concat([b.subarray(0, at), b.subarray(at + 1)]);
    case 2: return Buffer.concat([b.subarray(0, at), STRUCTURAL.subarray(r(STRUCTURAL.length)).subarray(0, 1), b.subarray(at)]);
    case 3: return b.subarray(0, at);
    case 4: { const end = Math.min(b.length, at + 1 + r(16)); return Buffer.concat([b.subarray(0, end), b.subarray(at, end), b.subarray(end)]); }
    default: b[at] = 0x80 + r(0x80); return b;  // a stray UTF-8 continuation or lead byte
  }
}

function inputs(files, perFile, seed) {
  const r = rng(seed);
  const out = [];
  for (const f of files) {
    const original = readFileSync(f);
    out.push(original);
    for (let k = 0; k < perFile; ++k) out.push(mutate(k % 2 ? out[out.length - 1] : original, r));
  }
  return out.map((bytes, i) => {
    const file = path.join(tmp, `${seed}-${i}.json`);
    writeFileSync(file, bytes);
    return { file, bytes };
  });
}

function nativeLines(args, cwd = repoDir) {
  const r = spawnSync(nativeBin, args, { cwd, encoding: 'buffer', maxBuffer: 1 << 28 });
  assert.ok([0, 1, 2, 3].includes(r.status), `native exit ${r.status}: ${r.stderr}`);
  return r.stdout.toString('utf8');
}

const documents = inputs([
  ...list(path.join(repoDir, 'tests', 'fuzz', 'seeds'), /\.(json|ndjson)$/),
  ...list(path.join(repoDir, 'samples', 'malformed'), /\.(json|ndjson)$/),
  ...list(path.join(repoDir, 'samples', 'envelopes'), /\.json$/),
], 6, 17);

test('the differential run has inputs, most of them broken', () => {
  assert.ok(documents.length >= 300, `only ${documents.length}`);
});

test('native and Wasm read every input and its mutations alike (documents, errors, positions)', () => {
  const engine = mod.createEngine();
  const native = nativeLines(['read', '--format', 'json', '--values', '--source', '', '--input', 'auto',
    ...documents.map((d) => d.file)]).split('\n');
  assert.equal(native.length, documents.length + 1, 'one report per input');
  const differ = [];
  let failed = 0;
  documents.forEach((d, i) => {
    const w = engine.readRaw(d.bytes, READ_AUTO | READ_VALUES).json;
    if (!JSON.parse(w).ok) failed++;
    if (w !== native[i]) differ.push(`${path.basename(d.file)}\n  native ${native[i].slice(0, 400)}\n  wasm   ${w.slice(0, 400)}`);
  });
  assert.deepEqual(differ, []);
  assert.ok(failed > documents.length / 3, `only ${failed} inputs were broken: the mutations mutate nothing`);
});

test('native and Wasm make the same triage decisions on mutated incidents', () => {
  const incidents = inputs([
    path.join(repoDir, 'samples', 'servicenow-incident.json'),
    ...list(path.join(repoDir, 'samples', 'tickets'), /\.json$/),
  ], 12, 29);
  const policy = 'policies/triage/default.json';
  const cmdb = 'samples/cmdb.json';
  const now = '2026-03-14T10:00:00Z';
  const engine = mod.createEngine();
  engine.loadPolicy(readFileSync(path.join(repoDir, policy)), policy);
  engine.loadData(readFileSync(path.join(repoDir, cmdb)), cmdb);
  // One native process for all of them: its output is each input's decision (or error) in turn.
  const native = nativeLines(['eval', '--format', 'json', '--input', 'json', '--source', '', '-p', policy, '-d', cmdb,
    '--now', now, ...incidents.map((d) => d.file)]);
  let wasm = '';
  for (const d of incidents) {
    const w = engine.evalRaw(d.bytes, { now, format: 'json' }).json;
    wasm += w !== '' && !w.endsWith('\n') ? w + '\n' : w;
  }
  const n = native.split('\n');
  assert.ok(n.length > incidents.length, 'a decision or an error per input');
  const w = wasm.split('\n');
  const differ = [];
  for (let i = 0; i < Math.max(n.length, w.length); ++i)
    if (n[i] !== w[i]) differ.push(`line ${i + 1}\n  native ${String(n[i]).slice(0, 400)}\n  wasm   ${String(w[i]).slice(0, 400)}`);
  assert.ok(incidents.length >= 20);
  assert.deepEqual(differ, []);
});
