// Assembles the unpacked extension into js/dist/extension/ (git-ignored): the extension's
// own files, the package modules it imports (js/src/core.mjs, js/src/browser.mjs ->
// lib/), verdict.wasm, and the bundled defaults (policies/triage/default.json ->
// defaults/policy.json, samples/cmdb.json -> defaults/cmdb.json). Run by scripts/build.sh
// after the Wasm build, and by the extension tests.
//   node js/extension/assemble.mjs [OUT_DIR]
import { copyFileSync, existsSync, mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const jsDir = path.resolve(here, '..');
const repoDir = path.resolve(jsDir, '..');

/** The files of the extension: [source, destination inside the extension]. */
export const FILES = [
  ...['manifest.json', 'content.js', 'triage.mjs', 'ticket.mjs', 'panel.mjs', 'settings.mjs', 'presets.json',
    'options.html', 'options.mjs', 'options.css'].map((f) => [path.join(here, f), f]),
  [path.join(jsDir, 'src', 'core.mjs'), 'lib/core.mjs'],
  [path.join(jsDir, 'src', 'browser.mjs'), 'lib/browser.mjs'],
  [process.env.VERDICT_WASM ?? path.join(jsDir, 'verdict.wasm'), 'verdict.wasm'],
  [path.join(repoDir, 'policies', 'triage', 'default.json'), 'defaults/policy.json'],
  [path.join(repoDir, 'samples', 'cmdb.json'), 'defaults/cmdb.json'],
];

export const defaultOut = path.join(jsDir, 'dist', 'extension');

/** Copies everything into `out` (emptied first). Returns the absolute folder. */
export function assemble(out = defaultOut) {
  const dir = path.resolve(out);
  for (const [src] of FILES) {
    if (!existsSync(src)) throw new Error(`assemble: missing ${src}${src.endsWith('.wasm') ? ' (build it: scripts/build.sh wasm)' : ''}`);
  }
  rmSync(dir, { recursive: true, force: true });
  for (const [src, dest] of FILES) {
    const to = path.join(dir, dest);
    mkdirSync(path.dirname(to), { recursive: true });
    copyFileSync(src, to);
  }
  return dir;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const dir = assemble(process.argv[2]);
  console.log(`extension assembled in ${path.relative(process.cwd(), dir) || '.'}`);
}
