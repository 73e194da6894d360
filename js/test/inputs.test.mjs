// What the API takes as an input (issue 17 item 13): a string, a Uint8Array (a Node Buffer
// too) or an ArrayBuffer, read as the same bytes. Anything else is a clear error: a number
// or a plain object is not read as an empty input, and a Uint16Array or a DataView is not
// truncated to the low byte of each element.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';

import { createEngine, VerdictError } from '../src/node.mjs';
import { repoDir, requireArtifacts, wasmPath } from './helpers.mjs';

requireArtifacts();
process.env.VERDICT_WASM = wasmPath;
const file = (p) => readFileSync(path.join(repoDir, p));
const NOW = '2025-03-17T12:00:00Z';

test('a string, a Uint8Array, a Buffer, an ArrayBuffer and a Uint8Array view give the same decision', async () => {
  const engine = await createEngine();
  engine.loadPolicy(new Uint8Array(file('policies/triage/default.json')).buffer, 'triage.json');
  engine.loadData(file('samples/cmdb.json'), 'cmdb.json');
  const text = file('samples/tickets/alert-postgres-down.json').toString('utf8');
  const bytes = new TextEncoder().encode(text);
  const padded = new Uint8Array(bytes.length + 8);
  padded.set(bytes, 4);
  const expected = engine.evalRaw(text, { policy: 'default-triage', now: NOW }).json;
  assert.match(expected, /"ok":true/);
  for (const input of [bytes, Buffer.from(text), bytes.buffer.slice(0), padded.subarray(4, 4 + bytes.length)]) {
    assert.equal(engine.evalRaw(input, { policy: 'default-triage', now: NOW }).json, expected, input.constructor.name);
  }
  assert.equal(engine.read(bytes.buffer.slice(0)).read, 1);
  assert.equal(JSON.parse(engine.readRaw(new ArrayBuffer(0)).json).read, 0);
  engine.free();
});

test('numbers, objects, null and non-byte typed arrays are errors, not empty or truncated inputs', async () => {
  const engine = await createEngine();
  engine.loadPolicy(file('policies/triage/default.json'), 'triage.json');
  const wide = new Uint16Array([0x7b7b, 0x7d7d]);
  const cases = [
    [() => engine.evalRaw(42, { policy: 'default-triage', now: NOW }), /input must be a string, a Uint8Array or an ArrayBuffer, not number$/],
    [() => engine.eval({ kind: 'incident' }, { policy: 'default-triage', now: NOW }), /not Object$/],
    [() => engine.triage(wide, { policy: 'default-triage', now: NOW }), /not Uint16Array \(for its bytes, pass new Uint8Array\(view\.buffer, view\.byteOffset, view\.byteLength\)\)$/],
    [() => engine.read(new DataView(new ArrayBuffer(4))), /not DataView/],
    [() => engine.readRaw(null), /not null$/],
    [() => engine.loadPolicy(undefined), /not undefined$/],
    [() => engine.loadData(7), /not number$/],
    [() => engine.lint([1, 2]), /not Array$/],
    [() => engine.alertStream().push(new Float64Array(2)), /not Float64Array/],
    [() => engine.alertsRestore({}), /not Object$/],
  ];
  for (const [fn, message] of cases) {
    assert.throws(fn, (err) => err instanceof VerdictError && err.code === 'invalid_argument' && message.test(err.message), String(fn));
  }
  // The engine still works after the refusals.
  assert.equal(engine.triage(file('samples/tickets/alert-postgres-down.json'), { policy: 'default-triage', now: NOW }).ok, true);
  engine.free();
});
