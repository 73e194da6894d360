// YAML in the JS package (engine.budget(text, {format: 'yaml'}); yaml-cpp compiled to Wasm with
// native Wasm exceptions): the same decision bytes and the same errors, at the same YAML line
// and column, as the native `verdict budget` on the same file. The inputs are the shipped
// YAML SLO specs and deterministic mutations of them (most are broken YAML or broken specs).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { load, VerdictError } from '../src/node.mjs';
import { nativeBin, repoDir, requireArtifacts, wasmPath } from './helpers.mjs';

requireArtifacts();
const mod = await load(wasmPath);
const tmp = mkdtempSync(path.join(tmpdir(), 'verdict-yaml-'));
const NOW = '2025-03-14T10:00:00Z';
const policyPath = path.join(repoDir, 'policies/budget/default.json');

function engine() {
  const e = mod.createEngine();
  e.loadPolicy(readFileSync(policyPath), 'default.json');
  return e;
}

// The native command's decision (stdout) and errors (stderr lines "file:L:C: message [code]").
function native(file) {
  const r = spawnSync(nativeBin, ['budget', '-p', policyPath, '--now', NOW, '--format', 'json', file], { encoding: 'utf8' });
  const errors = r.stderr.split('\n').filter(Boolean);
  return { status: r.status, decision: r.stdout.trim(), errors };
}

// The engine's bytes through the Wasm build: the decision object exactly as written, and errors.
function wasm(e, text, name) {
  const { json } = e.evalRaw(text, { now: NOW, format: 'yaml' });
  const at = json.indexOf('"decision":');
  const end = json.lastIndexOf(',"errors":');
  const decision = at >= 0 && end > at ? json.slice(at + '"decision":'.length, end) : '';
  const parsed = JSON.parse(json);
  const errors = parsed.errors.map((x) => `${x.source || name}${x.line ? `:${x.line}` : ''}${x.line && x.column ? `:${x.column}` : ''}: ${x.message} [${x.code}]`);
  return { decision, errors };
}

const specs = [];
for (const dir of ['samples/slo', 'samples/slo/upstream']) {
  for (const name of readdirSync(path.join(repoDir, dir)).sort()) {
    if (/\.ya?ml$/.test(name)) specs.push(path.join(repoDir, dir, name));
  }
}

test('the shipped YAML specs decide as natively, byte for byte', () => {
  assert.ok(specs.length >= 3, `YAML specs found: ${specs.length}`);
  const e = engine();
  for (const file of specs) {
    const n = native(file);
    const w = wasm(e, readFileSync(file), file);
    assert.equal(w.decision, n.decision, file);
    assert.deepEqual(w.errors, n.errors, file);
  }
});

test('broken YAML and broken specs: the same errors at the same YAML positions', () => {
  const e = engine();
  let x = 2463534242;
  const r = (n) => { x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0; return x % n; };
  const cuts = ['', ':', '- ', '"', '[', '{', '&a ', '*a', '\t', '  '];
  let positioned = 0;
  let count = 0;
  for (const file of specs) {
    const text = readFileSync(file, 'utf8');
    for (let k = 0; k < 6; ++k) {
      const at = r(text.length);
      const mutated = r(2) ? text.slice(0, at) + cuts[r(cuts.length)] + text.slice(at) : text.slice(0, at);
      const p = path.join(tmp, `m${count++}.yaml`);
      writeFileSync(p, mutated);
      const n = native(p);
      const w = wasm(e, mutated, p);
      if (n.errors.length === 0) {
        assert.equal(w.decision, n.decision, p);
      } else if (n.decision === '') {
        // Refused before any decision (invalid YAML, a repeated key): one error, no decision.
        assert.deepEqual(w.errors, n.errors, `${p}\n${mutated}`);
      } else {
        assert.equal(w.decision, n.decision, p);
        assert.deepEqual(w.errors, n.errors, p);
      }
      positioned += n.errors.filter((s) => /\.yaml:\d+:\d+: /.test(s)).length;
    }
  }
  assert.ok(positioned >= 5, `errors with a YAML line and column: ${positioned}`);
});

test('invalid YAML throws a VerdictError with the YAML line and column', () => {
  const e = engine();
  assert.throws(() => e.budget('service: a\nslos: [x, y\n', { now: NOW, format: 'yaml' }), (err) => {
    assert.ok(err instanceof VerdictError);
    assert.equal(err.code, 'invalid_yaml');
    assert.equal(err.line, 3);
    return true;
  });
  assert.throws(() => e.budget('service: a\nservice: b\n', { now: NOW, format: 'yaml' }), (err) => err.code === 'duplicate_key' && err.line === 2 && err.column === 1);
  assert.throws(() => e.budget('a: 1', { now: NOW, format: 'yml' }), (err) => err.code === 'invalid_argument');
  // yaml-cpp 0.7 never got past a stray ',' (found by fuzz_yaml): an error at its line, not a hang.
  assert.throws(() => e.budget('service: a\n---\n,slos: []\n', { now: NOW, format: 'yaml' }),
    (err) => err.code === 'invalid_yaml' && err.line === 3);
});
