// JSONTestSuite's "must reject" files (tests/jsontestsuite/, MIT licence): the native build and
// the Wasm build report the same error, byte for byte, and each error has a position. Which
// error simdjson meets first depends on its kernel (haswell natively, the fallback in Wasm);
// the locator (core/src/document/locate.cc) answers with one portable algorithm.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { load, READ_JSON, READ_VALUES } from '../src/node.mjs';
import { nativeBin, repoDir, requireArtifacts, wasmPath } from './helpers.mjs';

requireArtifacts();
const mod = await load(wasmPath);
const engine = mod.createEngine();

const suite = JSON.parse(readFileSync(path.join(repoDir, 'tests', 'jsontestsuite', 'n_parsing.json'), 'utf8'));
const cases = Object.entries(suite.cases).map(([name, b64]) => [name, Buffer.from(b64, 'base64')]);
// The suite's two larger files, generated as they are.
cases.push(['n_structure_100000_opening_arrays.json', Buffer.from('['.repeat(100000))]);
cases.push(['n_structure_open_array_object.json', Buffer.from('[{"":'.repeat(50000) + '\n')]);

const tmp = mkdtempSync(path.join(tmpdir(), 'verdict-jts-'));

test('all 188 must-reject files are here', () => {
  assert.equal(cases.length, 188);
});

test('native and wasm report the same error for every JSONTestSuite must-reject file', () => {
  const files = cases.map(([name, bytes]) => {
    const file = path.join(tmp, name);
    writeFileSync(file, bytes);
    return file;
  });
  // One native process for all of them: one report line per file.
  const r = spawnSync(nativeBin, ['read', '--format', 'json', '--values', '--source', '', '--input', 'json', ...files],
    { encoding: 'buffer', maxBuffer: 1 << 24 });
  assert.equal(r.status, 3, `native exit ${r.status}: ${r.stderr}`);
  const native = r.stdout.toString('utf8').split('\n');
  assert.equal(native.length, cases.length + 1);
  const differ = [];
  cases.forEach(([name, bytes], i) => {
    const wasm = engine.readRaw(bytes, READ_JSON | READ_VALUES).json;
    if (native[i] !== wasm) differ.push(`${name}\n  native ${native[i]}\n  wasm   ${wasm}`);
    const report = JSON.parse(wasm);
    assert.equal(report.ok, false, name);
    const e = report.errors[0];
    assert.ok(e.line >= 1 && e.column >= 1, `${name}: no position in ${wasm}`);
  });
  assert.deepEqual(differ, []);
});
