// The per-call boundary (Engine.evalRaw): the policy name and `now` stay in the engine's call
// buffer between calls and the input is encoded into it; every way of calling gives the bytes
// of a fresh engine called once, which is what the native build gives (conformance tests).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';

import { createEngine } from '../src/node.mjs';
import { repoDir, requireArtifacts, wasmPath } from './helpers.mjs';

requireArtifacts();
process.env.VERDICT_WASM = wasmPath;
const file = (p) => readFileSync(path.join(repoDir, p));

async function engineWith() {
  const e = await createEngine();
  e.loadPolicy(file('policies/triage/default.json'), 'triage.json');
  e.loadPolicy(file('policies/rules/incident-basics.json'), 'rules.json');
  e.loadData(file('samples/cmdb.json'), 'cmdb.json');
  return e;
}

test('evalRaw gives the same bytes whatever the calls before it left in the call buffer', async () => {
  const reused = await engineWith();
  const incidents = file('samples/incidents.ndjson').toString().split('\n').filter(Boolean);
  const calls = [];
  for (const [k, line] of incidents.entries()) {
    const policy = k % 3 === 0 ? 'default-triage' : 'incident-basics';
    const now = k % 2 ? '2025-03-14T10:00:00Z' : '2025-03-17T08:30:00+01:00';
    // Non-ASCII text: encodeInto's byte count, not the string's length, is the input's size.
    const input = k % 4 === 1 ? line.replace('"title":"', '"title":"Größe überschritten — 🔥 ') : line;
    calls.push({ input, policy, now });
  }
  // A long input in the middle grows the buffer; the prefix (policy, now) must survive it.
  const long = JSON.stringify({ kind: 'incident', id: 'INC-LONG', title: 'é'.repeat(300000), service: 'payments-api' });
  calls.splice(5, 0, { input: long, policy: 'incident-basics', now: '2025-03-14T10:00:00Z' },
    { input: long, policy: 'incident-basics', now: '2025-03-14T10:00:00Z' });
  // Above the buffer's limit: a buffer of its own for that call.
  const huge = JSON.stringify({ kind: 'incident', id: 'INC-HUGE', title: 'x'.repeat(1_200_000) });
  calls.splice(9, 0, { input: huge, policy: 'default-triage', now: '2025-03-14T10:00:00Z' });
  let compared = 0;
  for (const c of calls) {
    const got = reused.evalRaw(c.input, { policy: c.policy, now: c.now, format: 'json' });
    const fresh = await engineWith();
    const want = fresh.evalRaw(Buffer.from(c.input), { policy: c.policy, now: c.now, format: 'json' });
    fresh.free();
    assert.equal(got.json, want.json, `call with ${c.policy} at ${c.now}`);
    assert.equal(got.code, want.code);
    // So the comparison compares something: the decision names its policy and time.
    const d = JSON.parse(got.json);
    if (c.input === huge) continue;  // past the document size limit: an error, the same in both
    assert.equal(d.policy.name, c.policy);
    assert.equal(d.now, new Date(c.now).toISOString().replace('.000Z', 'Z'));
    compared++;
  }
  assert.equal(compared, calls.length - 1);
  // The same input as bytes and as a string.
  const line = calls[1].input;
  assert.equal(reused.evalRaw(Buffer.from(line), { policy: 'default-triage', now: '2025-03-14T10:00:00Z' }).json,
    reused.evalRaw(line, { policy: 'default-triage', now: '2025-03-14T10:00:00Z' }).json);
  reused.free();
});
