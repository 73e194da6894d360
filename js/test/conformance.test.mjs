// Native and Wasm must give byte-identical results on the same bytes: the
// shipped samples, the malformed samples, and generated bad input.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { load, READ_AUTO, READ_JSON, READ_NDJSON, READ_VALUES } from '../src/node.mjs';
import { nativeBin, repoDir, requireArtifacts, wasmPath } from './helpers.mjs';

requireArtifacts();
const mod = await load(wasmPath);
const engine = mod.createEngine(); // one engine for everything: it must stay usable

function native(file, mode) {
  const args = ['read', '--format', 'json', '--values', '--source', '', '--input', mode, file];
  const r = spawnSync(nativeBin, args, { encoding: 'buffer', maxBuffer: 1 << 28 });
  assert.ok(r.status === 0 || r.status === 3, `native exit ${r.status}: ${r.stderr}`);
  const out = r.stdout.toString('utf8');
  assert.ok(out.endsWith('\n'));
  return { status: r.status, json: out.slice(0, -1) };
}

function wasm(file, mode) {
  const flags = (mode === 'json' ? READ_JSON : mode === 'ndjson' ? READ_NDJSON : READ_AUTO) | READ_VALUES;
  return engine.readRaw(readFileSync(file), flags);
}

function listSamples(dir) {
  const out = [];
  for (const name of readdirSync(dir).sort()) {
    const p = path.join(dir, name);
    if (statSync(p).isDirectory()) out.push(...listSamples(p));
    else if (/\.(json|ndjson)$/.test(name)) out.push(p);
  }
  return out;
}

// Bad input generated here, as the issue lists it.
const tmp = mkdtempSync(path.join(tmpdir(), 'verdict-conf-'));
const generated = {
  'empty.json': '',
  'whitespace.json': '  \n\t ',
  'truncated.json': '{"labels": {"alertname": "Disk", "severity": "cri',
  'invalid-utf8.json': Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xc0, 0xaf, 0x22, 0x7d]),
  'nul.json': Buffer.from('{"a":"x\u0000y"}', 'utf8'),
  'deep.json': '['.repeat(100000) + ']'.repeat(100000),
  'big-string.json': '{"description":"' + 'x'.repeat(10 * 1024 * 1024) + '"}',
  'number-range.json': '{"a": 1e400, "b": 2}',
  'big-int.json': '{"a": 123456789012345678901234567890}',
  'uint64.json': '{"a": 18446744073709551615, "b": -9223372036854775808, "c": 0.1, "d": 1e300, "e": -0.0}',
  'duplicate.json': '{"labels": {"a": "1", "b": "2", "a": "3"}}',
  'scalar.json': '42',
  'trailing.json': '{"a": 1} {"b": 2',
  'broken-line.ndjson': '{"id":"INC-1","title":"a"}\n{"id":"INC-2","title":"b"}\n{"id": "INC-3", "title": }\n{"id":"INC-4"}\n\n{"id":"INC-5"}\r\n',
  'escapes.json': '{"s":"\\u00e9\\n\\t\\"\\\\\\/\\ud83d\\ude00","k\\u0000":"\\u0001"}',
};
for (const [name, content] of Object.entries(generated)) writeFileSync(path.join(tmp, name), content);

const files = [...listSamples(path.join(repoDir, 'samples')), ...Object.keys(generated).map((n) => path.join(tmp, n))];

test('there are samples to compare', () => {
  assert.ok(files.length >= Object.keys(generated).length + 3, `only ${files.length} files`);
});

for (const file of files) {
  for (const mode of ['auto', 'json', 'ndjson']) {
    test(`native and wasm agree byte for byte: ${path.relative(repoDir, file)} (${mode})`, () => {
      const n = native(file, mode);
      const w = wasm(file, mode);
      assert.equal(w.json, n.json);
      assert.equal(w.code === 0 ? 0 : 3, n.status, 'exit status and C ABI code agree');
    });
  }
}

test('bad input gives the expected error codes and positions in wasm', () => {
  const cases = [
    ['empty.json', 'empty_input'],
    ['truncated.json', 'invalid_json'],
    ['invalid-utf8.json', 'invalid_utf8', 7],
    ['nul.json', 'control_character', 8],
    ['deep.json', 'too_deep', 129],
    ['big-string.json', 'too_large'],
    ['number-range.json', 'number_out_of_range', 7],
    ['big-int.json', 'number_out_of_range', 7],
    ['duplicate.json', 'duplicate_key', 33],
    ['scalar.json', 'wrong_type', 1],
    ['trailing.json', 'trailing_content', 10],
  ];
  for (const [name, code, column] of cases) {
    const report = JSON.parse(wasm(path.join(tmp, name), 'auto').json);
    assert.equal(report.ok, false, name);
    assert.equal(report.errors[0].code, code, name);
    if (column !== undefined) assert.equal(report.errors[0].column, column, `${name}: column`);
  }
});

test('an NDJSON stream goes on past a broken line and reports its line', () => {
  const report = JSON.parse(wasm(path.join(tmp, 'broken-line.ndjson'), 'auto').json);
  assert.equal(report.format, 'ndjson');
  assert.equal(report.read, 4);
  assert.equal(report.failed, 1);
  assert.equal(report.errors[0].line, 3);
  assert.deepEqual(report.documents.map((d) => d.line), [1, 2, 4, 6]);
});

test('the engine is still usable after every failure', () => {
  const report = engine.read('{"kind":"incident","id":"INC-9","title":"still here"}');
  assert.equal(report.ok, true);
  assert.equal(report.documents[0].id, 'INC-9');
});

test('the module exports the C ABI of wasm/exports.txt and only runtime helpers besides', () => {
  const abi = readFileSync(path.join(repoDir, 'wasm', 'exports.txt'), 'utf8')
    .split('\n').filter(Boolean).map((s) => s.replace(/^_/, ''));
  const module = new WebAssembly.Module(readFileSync(wasmPath));
  const exported = WebAssembly.Module.exports(module).map((e) => e.name);
  for (const f of abi) assert.ok(exported.includes(f), `missing export ${f}`);
  const runtime = new Set(['memory', '_initialize', '__indirect_function_table', 'malloc', 'free',
    '__errno_location', 'stackSave', 'stackRestore', 'stackAlloc', 'emscripten_stack_get_end',
    'emscripten_stack_init', 'emscripten_stack_get_free', 'emscripten_stack_get_base',
    'setThrew']);  // setThrew: Emscripten's exception runtime (yaml-cpp, -fwasm-exceptions); a host never calls it
  const extra = exported.filter((e) => !abi.includes(e) && !runtime.has(e));
  assert.deepEqual(extra, []);
});
