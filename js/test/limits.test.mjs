// Limits that protect the Wasm instance (1 MB of stack, memory up to its cap): the
// highest syntax tree the language accepts evaluates in Wasm as natively, and one
// level more is a load error, not a dead instance.
import { test } from 'node:test';
import assert from 'node:assert/strict';

import { load } from '../src/node.mjs';
import { requireArtifacts, wasmPath } from './helpers.mjs';

requireArtifacts();
const mod = await load(wasmPath);

const rules = (when) => Buffer.from(JSON.stringify({
  apiVersion: 'verdict/v1', kind: 'Rules', metadata: { name: 'deep' },
  spec: { input: 'incident', rules: [{ name: 'r', when }] },
}));

test('a 256-level expression (a chain of 253 additions, ==, &&) evaluates in Wasm', () => {
  const engine = mod.createEngine();
  engine.loadPolicy(rules(`1${' + 1'.repeat(253)} == 254 && incident.title == null`), 'deep.json');
  const { json } = engine.evalRaw(Buffer.from('{"kind":"incident"}'), { now: '2026-01-01T00:00:00Z', format: 'json' });
  const d = JSON.parse(json);
  assert.equal(d.ok, true);
  assert.deepEqual(d.decision.matched, [{ rule: 'r' }]);
});

test('one level more is a load error with its position, and the engine stays usable', () => {
  const engine = mod.createEngine();
  assert.throws(() => engine.loadPolicy(rules(`1${' + 1'.repeat(254)} == 255 && incident.title == null`), 'deep.json'),
    (e) => e.code === 'limit_exceeded' && /more than 256 levels high/.test(e.message) && e.line === 1);
  engine.loadPolicy(rules('incident.title == null'), 'ok.json');
  const { json } = engine.evalRaw(Buffer.from('{"kind":"incident"}'), { now: '2026-01-01T00:00:00Z', format: 'json' });
  assert.equal(JSON.parse(json).ok, true);
});
