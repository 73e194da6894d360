// Every policy test case under policies/ runs natively and in Wasm on the same
// bytes, and the decisions must be byte-identical (a difference fails with a diff).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { load } from '../src/node.mjs';
import { nativeBin, repoDir, requireArtifacts, wasmPath } from './helpers.mjs';
import { parseJsonc } from './jsonc.mjs';

requireArtifacts();
const mod = await load(wasmPath);
const engine = mod.createEngine();
const tmp = mkdtempSync(path.join(tmpdir(), 'verdict-policy-conf-'));

function findTests(dir) {
  const out = [];
  for (const name of readdirSync(dir).sort()) {
    const p = path.join(dir, name);
    if (statSync(p).isDirectory()) out.push(...findTests(p));
    else if (name.endsWith('.test.json')) out.push(p);
  }
  return out;
}

const testFiles = findTests(path.join(repoDir, 'policies'));

test('there are policy tests to run', () => {
  assert.ok(testFiles.length >= 1);
});

let counter = 0;
for (const file of testFiles) {
  const spec = parseJsonc(readFileSync(file, 'utf8')).spec;
  const dir = path.dirname(file);
  const policies = spec.policies ?? [];
  const data = spec.data ?? [];
  for (const [i, c] of (spec.cases ?? []).entries()) {
    const name = c.name ?? `case ${i + 1}`;
    if (c.events !== undefined || c.steps !== undefined) {
      alertStreamCase(file, dir, spec, c, name);
      continue;
    }
    test(`${path.relative(repoDir, file)}: ${name}: native and Wasm decide byte for byte alike`, () => {
      engine.clear();
      for (const p of policies) engine.loadPolicy(readFileSync(path.join(dir, p)), p);
      for (const d of data) engine.loadData(readFileSync(path.join(dir, d)), d);
      const input = c.input !== undefined ? JSON.stringify(c.input) : readFileSync(path.join(dir, c.inputFile), 'utf8');
      const inputFile = path.join(tmp, `input-${counter++}.json`);
      writeFileSync(inputFile, input);
      const now = c.now ?? spec.now ?? '';
      const policy = c.policy ?? spec.policy ?? '';
      const args = ['eval', '--format', 'json', '--input', 'json', '--source', ''];
      for (const p of policies) args.push('-p', p);
      for (const d of data) args.push('-d', d);
      if (policy) args.push('-e', policy);
      if (now) args.push('--now', now);
      if (c.explain) args.push('--explain');
      args.push(inputFile);
      const native = spawnSync(nativeBin, args, { cwd: dir, encoding: 'utf8' });
      assert.ok([0, 1, 2, 3].includes(native.status), `native exit ${native.status}: ${native.stderr}`);
      const wasm = engine.evalRaw(readFileSync(inputFile), { policy, now, explain: Boolean(c.explain), format: 'json' });
      // One decision, or one line per record of an API envelope (each already ends its line).
      assert.equal(wasm.json === '' || wasm.json.endsWith('\n') ? wasm.json : wasm.json + '\n', native.stdout);
    });
  }
}

// AlertDedup stream cases: each step's events go to the Wasm engine in one uninterrupted run,
// and to the native CLI one step per process with the state saved and restored in between
// (verdict alerts --state): the outputs must be byte-identical.
function alertStreamCase(file, dir, spec, c, name) {
  test(`${path.relative(repoDir, file)}: ${name}: native (restored between steps) and Wasm stream alike`, () => {
    const policies = spec.policies ?? [];
    const data = spec.data ?? [];
    const e = mod.createEngine();
    for (const p of policies) e.loadPolicy(readFileSync(path.join(dir, p)), p);
    for (const d of data) e.loadData(readFileSync(path.join(dir, d)), d);
    const steps = c.steps ?? [{ now: c.now ?? '', events: c.events }];
    const policy = c.policy ?? spec.policy ?? '';
    const state = path.join(tmp, `state-${counter++}.json`);
    let wasm = '';
    let native = '';
    for (const step of steps) {
      const input = (step.events ?? []).map((ev) => (typeof ev === 'string' ? ev : JSON.stringify(ev)) + '\n').join('');
      const inputFile = path.join(tmp, `events-${counter++}.ndjson`);
      writeFileSync(inputFile, input);
      wasm += e.alertsPushRaw(readFileSync(inputFile), { policy, now: step.now ?? '', format: 'ndjson' }).json;
      const args = ['alerts', '--quiet', '--input', 'ndjson', '--source', '', '--state', state];
      for (const p of policies) args.push('-p', p);
      for (const d of data) args.push('-d', d);
      if (policy) args.push('-e', policy);
      // Without now: event times in both (the CLI's default is the wall clock as receipt time).
      args.push(...(step.now ? ['--now', step.now] : ['--event-times']));
      args.push(inputFile);
      const run = spawnSync(nativeBin, args, { cwd: dir, encoding: 'utf8' });
      assert.ok([0, 3].includes(run.status), `native exit ${run.status}: ${run.stderr}`);
      native += run.stdout;
    }
    assert.equal(wasm, native);
    e.free();
  });
}

test('policy errors come back as VerdictError with file, line and column', () => {
  const e = mod.createEngine();
  const text = '{\n "apiVersion": "verdict/v1", "kind": "Rules", "metadata": {"name": "x"},\n "spec": {"input": "incident", "rules": [{"name": "a", "when": "incident.title ==="}]}\n}';
  assert.throws(() => e.loadPolicy(text, 'x.json'), (err) => {
    assert.equal(err.name, 'VerdictError');
    assert.equal(err.code, 'syntax_error');
    assert.equal(err.line, 3);
    assert.equal(err.message.startsWith('x.json:3:'), true);
    return true;
  });
  const lint = e.lint(text, 'x.json');
  assert.equal(lint.ok, false);
  assert.equal(lint.errors[0].line, 3);
  e.free();
});
