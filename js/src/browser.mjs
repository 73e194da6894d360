// Browser entry point: fetches verdict.wasm next to this module (or the URL you
// give), compiles it once and shares it. No other network access.
import { instantiate } from './core.mjs';

export { VerdictError, MEMORY_CAP_BYTES, READ_AUTO, READ_JSON, READ_NDJSON, READ_VALUES, READ_COUNT, EVAL_EXPLAIN, EVAL_JSON, EVAL_NDJSON } from './core.mjs';

let shared;

export function load(url) {
  if (!shared || url) {
    const where = url ?? new URL('../verdict.wasm', import.meta.url);
    const p = fetch(where)
      .then((r) => {
        if (!r.ok) throw new Error(`verdict: cannot load ${where}: HTTP ${r.status}`);
        return r.arrayBuffer();
      })
      .then((bytes) => instantiate(bytes));
    if (url) return p;
    shared = p;
  }
  return shared;
}

export async function createEngine(options) {
  return (await load()).createEngine(options);
}
