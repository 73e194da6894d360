// Shared by the JS tests: where the native binary and verdict.wasm are.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

export const jsDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const repoDir = path.resolve(jsDir, '..');
export const wasmPath = process.env.VERDICT_WASM ?? path.join(jsDir, 'verdict.wasm');
export const nativeBin = process.env.VERDICT_BIN ?? path.join(repoDir, 'build', 'verdict');

export function requireArtifacts() {
  for (const f of [wasmPath, nativeBin]) {
    if (!existsSync(f)) throw new Error(`missing ${f}: build first (scripts/build.sh)`);
  }
}
