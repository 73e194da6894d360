// Assembles the unpacked extension into js/dist/extension/ (git-ignored): the extension's
// own files, the package modules it imports (js/src/core.mjs, js/src/browser.mjs ->
// lib/), verdict.wasm, and the bundled defaults (policies/triage/default.json ->
// defaults/policy.json, samples/cmdb.json -> defaults/cmdb.json). Run by scripts/build.sh
// after the Wasm build, and by the extension tests.
//   node js/extension/assemble.mjs [--dev] [--match https://jira.example.com/*]... [OUT_DIR]
// The shipped build runs only on the ServiceNow and Jira addresses of manifest.json. A
// development build (--dev) also runs on http://127.0.0.1/* and http://localhost/* (the
// sample pages and the tests): those patterns are added to the manifest's matches and to
// every bundled preset, and build.json says {"development": true}. They are never in the
// sources, so a shipped build cannot match a local page.
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const jsDir = path.resolve(here, '..');
const repoDir = path.resolve(jsDir, '..');

/** The files of the extension: [source, destination inside the extension]. */
export const FILES = [
  ...['manifest.json', 'content.js', 'triage.mjs', 'ticket.mjs', 'panel.mjs', 'settings.mjs', 'presets.json',
    'options.html', 'options.mjs', 'options.css', 'managed_schema.json'].map((f) => [path.join(here, f), f]),
  [path.join(jsDir, 'src', 'core.mjs'), 'lib/core.mjs'],
  [path.join(jsDir, 'src', 'browser.mjs'), 'lib/browser.mjs'],
  [process.env.VERDICT_WASM ?? path.join(jsDir, 'verdict.wasm'), 'verdict.wasm'],
  [path.join(repoDir, 'policies', 'triage', 'default.json'), 'defaults/policy.json'],
  [path.join(repoDir, 'samples', 'cmdb.json'), 'defaults/cmdb.json'],
];

export const defaultOut = path.join(jsDir, 'dist', 'extension');

/** The address patterns only a development build runs on. */
export const DEV_MATCHES = ['http://127.0.0.1/*', 'http://localhost/*'];

function addDevMatches(file, edit) {
  const value = JSON.parse(readFileSync(file, 'utf8'));
  edit(value);
  writeFileSync(file, `${JSON.stringify(value, null, 2)}\n`);
}

/**
 * Copies everything into `out` (emptied first). Returns the absolute folder. With
 * `dev`, the build also runs on the local addresses (DEV_MATCHES).
 */
export function assemble(out = defaultOut, { dev = false, matches = [] } = {}) {
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
  if (matches.length) {
    // A self-hosted ITSM site (Jira Data Center, a ServiceNow custom domain): the content
    // script must be allowed there. Only https:// addresses of one host.
    for (const m of matches) {
      if (!/^https:\/\/[^/*]+(:\d+)?\/.*$/.test(m)) throw new Error(`assemble: --match ${m}: must be an https:// match pattern of one host, like https://jira.example.com/*`);
    }
    addDevMatches(path.join(dir, 'manifest.json'), (m) => {
      for (const entry of [...m.content_scripts, ...m.web_accessible_resources]) entry.matches.push(...matches);
    });
  }
  if (dev) {
    addDevMatches(path.join(dir, 'manifest.json'), (m) => {
      for (const entry of [...m.content_scripts, ...m.web_accessible_resources]) entry.matches.push(...DEV_MATCHES);
    });
    addDevMatches(path.join(dir, 'presets.json'), (p) => { for (const preset of p.presets) preset.urls.push(...DEV_MATCHES); });
  }
  writeFileSync(path.join(dir, 'build.json'), `${JSON.stringify({ development: dev })}\n`);
  return dir;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const dev = args.includes('--dev');
  const matches = args.flatMap((a, i) => (args[i - 1] === '--match' ? [a] : []));
  const out = args.find((a, i) => a !== '--dev' && a !== '--match' && args[i - 1] !== '--match');
  const dir = assemble(out, { dev, matches });
  console.log(`${dev ? 'development ' : ''}extension assembled in ${path.relative(process.cwd(), dir) || '.'}`);
}
