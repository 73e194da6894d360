// The real-world corpus (tests/realworld/manifest.txt) through the Wasm build: every run the JS
// package has a call for gives the bytes of its expected/<id>.out, the file the native command
// is held to by ctest cli_realworld (and, here too, by running the native command once per run).
// Runs marked none:<why> in the manifest are not JS calls (import alertmanager, ...): skipped,
// and at most those.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

import { load, READ_AUTO, READ_VALUES } from '../src/node.mjs';
import { nativeBin, repoDir, requireArtifacts, wasmPath } from './helpers.mjs';

requireArtifacts();
const mod = await load(wasmPath);
const dir = path.join(repoDir, 'tests', 'realworld');

const runs = [];
for (const line of readFileSync(path.join(dir, 'manifest.txt'), 'utf8').split('\n')) {
  if (line === '' || line.startsWith('#')) continue;
  const m = /^([a-z0-9-]+) \| ([0-9]+) \| ([^|]+) \| (.+)$/.exec(line);
  assert.ok(m, `manifest.txt: not 'id | exit | js | arguments': ${line}`);
  const args = m[4].split(' ');
  const option = (name) => {
    const out = [];
    args.forEach((a, i) => { if (a === name) out.push(args[i + 1]); });
    return out;
  };
  const errPath = path.join(dir, 'expected', `${m[1]}.err`);
  runs.push({
    id: m[1], code: Number(m[2]), js: m[3], args,
    file: args[args.length - 1],
    policies: option('-p'), data: option('-d'), now: option('--now')[0] ?? '',
    out: readFileSync(path.join(dir, 'expected', `${m[1]}.out`), 'utf8'),
    err: existsSync(errPath) ? readFileSync(errPath, 'utf8') : '',
  });
}

function engine(run) {
  const e = mod.createEngine();
  for (const p of run.policies) e.loadPolicy(readFileSync(path.join(repoDir, p)), p);
  for (const d of run.data) e.loadData(readFileSync(path.join(repoDir, d)), d);
  return e;
}

// What the Wasm build gives for a run, as the command would print it.
function wasm(run) {
  const bytes = readFileSync(path.join(repoDir, run.file));
  if (run.js === 'read') return engine(run).readRaw(bytes, READ_AUTO | READ_VALUES).json + '\n';
  if (run.js === 'eval') {
    const { json } = engine(run).evalRaw(bytes, { now: run.now, format: 'json' });
    return json !== '' && !json.endsWith('\n') ? json + '\n' : json;
  }
  if (run.js === 'budget') {
    // The command prints the decision object (the error-budget status) on its own line.
    const format = /\.ya?ml$/.test(run.file) ? 'yaml' : 'json';
    const { json } = engine(run).evalRaw(bytes, { now: run.now, format });
    const at = json.indexOf('"decision":');
    const end = json.lastIndexOf(',"errors":');
    assert.ok(at >= 0 && end > at, `${run.id}: no decision in ${json.slice(0, 400)}`);
    assert.deepEqual(JSON.parse(json).errors, [], run.id);
    return json.slice(at + '"decision":'.length, end) + '\n';
  }
  throw new Error(`${run.id}: unknown JS mode '${run.js}'`);
}

test('the manifest has runs in every JS mode and says why the others are not JS calls', () => {
  assert.ok(runs.length >= 10, `runs: ${runs.length}`);
  for (const mode of ['read', 'eval', 'budget']) assert.ok(runs.some((r) => r.js === mode), mode);
  for (const r of runs) assert.match(r.js, /^(read|eval|budget|none:.{10,})$/, r.id);
  assert.ok(runs.filter((r) => r.js.startsWith('none:')).length <= runs.length / 2, 'most runs go through Wasm');
});

test('the native command still gives the expected bytes of every run', () => {
  for (const r of runs) {
    const n = spawnSync(nativeBin, r.args, { cwd: repoDir, encoding: 'utf8' });
    assert.equal(n.status, r.code, `${r.id}: ${n.stderr}`);
    assert.equal(n.stdout, r.out, r.id);
    assert.equal(n.stderr, r.err, r.id);
  }
});

for (const r of runs.filter((x) => !x.js.startsWith('none:'))) {
  test(`Wasm gives the expected bytes: ${r.id} (${r.args[0]})`, () => {
    assert.equal(wasm(r), r.out);
  });
}
