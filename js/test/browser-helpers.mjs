// Headless Chromium (Debian's) driven by playwright-core, and a static file
// server on loopback for the repository. No network beyond 127.0.0.1.
import { createServer } from 'node:http';
import { readFile } from 'node:fs';
import path from 'node:path';

import { repoDir } from './helpers.mjs';

const types = { '.html': 'text/html', '.mjs': 'text/javascript', '.js': 'text/javascript', '.wasm': 'application/wasm',
  '.json': 'application/json', '.ndjson': 'application/x-ndjson', '.css': 'text/css', '.png': 'image/png' };

export function serveRepo() {
  const server = createServer((req, res) => {
    const url = new URL(req.url, 'http://x');
    // A folder serves its index.html, as static servers do (the playground is /js/playground/).
    const file = path.normalize(path.join(repoDir, decodeURIComponent(url.pathname), url.pathname.endsWith('/') ? 'index.html' : ''));
    if (!file.startsWith(repoDir)) { res.writeHead(403).end(); return; }
    readFile(file, (err, body) => {
      if (err) { res.writeHead(404).end(); return; }
      res.writeHead(200, { 'content-type': types[path.extname(file)] ?? 'application/octet-stream' }).end(body);
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, base: `http://127.0.0.1:${server.address().port}` })));
}

export async function launchChromium() {
  const { chromium } = await import('playwright-core');
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--disable-quic'],
  });
}

// Chromium with an unpacked extension loaded (a persistent context is required for
// extensions). `--headless=new` is the headless mode that runs extensions; Playwright's
// default `--disable-extensions` is dropped.
export async function launchWithExtension(extensionDir, userDataDir) {
  const { chromium } = await import('playwright-core');
  return chromium.launchPersistentContext(userDataDir, {
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    ignoreDefaultArgs: ['--disable-extensions'],
    args: ['--headless=new', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--disable-quic',
      `--disable-extensions-except=${extensionDir}`, `--load-extension=${extensionDir}`],
  });
}

// The id Chromium gives an unpacked extension: the first 32 hex digits of the SHA-256 of
// its absolute path, written with the letters a-p.
export async function unpackedExtensionId(extensionDir) {
  const { createHash } = await import('node:crypto');
  const hex = createHash('sha256').update(extensionDir).digest('hex').slice(0, 32);
  return [...hex].map((c) => String.fromCharCode(97 + parseInt(c, 16))).join('');
}
