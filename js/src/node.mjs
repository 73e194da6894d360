// Node entry point: loads verdict.wasm from this package with fs (Node 20's
// fetch() does not read file paths), once per process.
import { readFile } from 'node:fs/promises';
import { instantiate } from './core.mjs';

export { VerdictError, MEMORY_CAP_BYTES, READ_AUTO, READ_JSON, READ_NDJSON, READ_VALUES, READ_COUNT, EVAL_EXPLAIN, EVAL_JSON, EVAL_NDJSON } from './core.mjs';

let shared;

/** The module, instantiated once and shared. `path` overrides where verdict.wasm is. */
export function load(path) {
  if (!shared || path) {
    const url = path ?? process.env.VERDICT_WASM ?? new URL('../verdict.wasm', import.meta.url);
    const p = readFile(url).then((bytes) => instantiate(bytes));
    if (path) return p;
    shared = p;
  }
  return shared;
}

export async function createEngine(options) {
  return (await load()).createEngine(options);
}
