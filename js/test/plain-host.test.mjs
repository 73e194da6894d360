// verdict.wasm needs no Emscripten glue: a plain WebAssembly host that provides
// only the imports the module declares can drive it (see wasm/README.md).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';

import { wasmPath, requireArtifacts } from './helpers.mjs';

requireArtifacts();

test('the module declares only the documented imports', () => {
  const module = new WebAssembly.Module(readFileSync(wasmPath));
  const imports = WebAssembly.Module.imports(module).map((i) => `${i.module}.${i.name}`).sort();
  const documented = ['env.emscripten_notify_memory_growth', 'wasi_snapshot_preview1.environ_get',
    'wasi_snapshot_preview1.environ_sizes_get', 'wasi_snapshot_preview1.proc_exit',
    'wasi_snapshot_preview1.fd_write', 'wasi_snapshot_preview1.fd_close', 'wasi_snapshot_preview1.fd_seek'];
  for (const i of imports) assert.ok(documented.includes(i), `undocumented import ${i}`);
});

test('a hand-written host reads a document through the raw exports', async () => {
  let memory;
  const imports = {
    env: { emscripten_notify_memory_growth() {} },
    wasi_snapshot_preview1: {
      proc_exit(code) { throw new Error(`exit ${code}`); },
      environ_sizes_get(a, b) { const v = new DataView(memory.buffer); v.setUint32(a, 0, true); v.setUint32(b, 0, true); return 0; },
      environ_get() { return 0; },
      fd_write() { throw new Error('verdict.wasm wrote to a file descriptor'); },
      fd_close() { return 0; },
      fd_seek() { return 70; },
    },
  };
  const { instance } = await WebAssembly.instantiate(readFileSync(wasmPath), imports);
  const x = instance.exports;
  memory = x.memory;
  x._initialize();
  assert.equal(x.verdict_abi_version(), 3);
  const engine = x.verdict_engine_new();
  const input = new TextEncoder().encode('{"kind":"alert","labels":{"alertname":"DiskFull"}}');
  const ptr = x.verdict_alloc(input.length);
  new Uint8Array(memory.buffer).set(input, ptr);
  const rc = x.verdict_read(engine, ptr, input.length, 0);
  x.verdict_free(ptr);
  assert.equal(rc, 0);
  const out = new TextDecoder().decode(new Uint8Array(memory.buffer, x.verdict_result(engine), x.verdict_result_size(engine)));
  // An alert without a fingerprint is named by the fingerprint of its labels, as AlertDedup keys it
  // (the same 16 hex digits as the native `verdict read --format json`).
  assert.equal(out, '{"ok":true,"format":"json","read":1,"failed":0,"documents":[{"line":1,"bytes":50,"kind":"alert","id":"744e61ca074bea90","title":"DiskFull","fields":2}],"errors":[]}');
  assert.equal(x.verdict_last_error_size(engine), 0);
  x.verdict_engine_free(engine);
});
