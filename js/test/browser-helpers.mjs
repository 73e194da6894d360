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
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    ignoreDefaultArgs: ['--disable-extensions'],
    args: ['--headless=new', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--disable-quic',
      `--disable-extensions-except=${extensionDir}`, `--load-extension=${extensionDir}`],
  });
  // Every wait without its own limit (waitForFunction, click, fill...): generous, for a loaded
  // CI machine; Playwright's default of 30 s timed out there while the ASan suite ran beside it.
  context.setDefaultTimeout(90000);
  return context;
}

// The id Chromium gives an unpacked extension: the first 32 hex digits of the SHA-256 of
// its absolute path, written with the letters a-p.
export async function unpackedExtensionId(extensionDir) {
  const { createHash } = await import('node:crypto');
  const hex = createHash('sha256').update(extensionDir).digest('hex').slice(0, 32);
  return [...hex].map((c) => String.fromCharCode(97 + parseInt(c, 16))).join('');
}

// The extension's panel lives in a closed shadow root, which neither the page's scripts nor
// Playwright's locators can enter. The tests read it as DevTools does: the DOM domain of
// the Chrome DevTools Protocol with pierce: true lists closed shadow roots too, and
// Runtime.callFunctionOn runs a function with `this` bound to the panel's shadow root.
// Clicks are real mouse clicks at the element's position (trusted, like the agent's).
export async function panelOf(page, hostId = 'verdict-triage-host') {
  const cdp = await page.context().newCDPSession(page);
  const find = (node) => {
    const attrs = node.attributes ?? [];
    for (let i = 0; i < attrs.length; i += 2) if (attrs[i] === 'id' && attrs[i + 1] === hostId) return node;
    for (const c of [...(node.children ?? []), ...(node.shadowRoots ?? [])]) {
      const f = find(c);
      if (f) return f;
    }
    return null;
  };
  async function shadow() {
    const { root } = await cdp.send('DOM.getDocument', { depth: -1, pierce: true });
    const host = find(root);
    const sr = host?.shadowRoots?.[0];
    if (!sr) return null;
    const { object } = await cdp.send('DOM.resolveNode', { backendNodeId: sr.backendNodeId });
    return { objectId: object.objectId, mode: sr.shadowRootType };
  }
  async function call(fn, ...args) {
    const sr = await shadow();
    if (!sr) return undefined;
    const r = await cdp.send('Runtime.callFunctionOn', {
      objectId: sr.objectId, functionDeclaration: fn.toString(), arguments: args.map((value) => ({ value })), returnByValue: true,
    });
    if (r.exceptionDetails) throw new Error(`in the panel: ${r.exceptionDetails.exception?.description ?? r.exceptionDetails.text}`);
    return r.result.value;
  }
  const text = (selector) => call(function (s) { const e = this.querySelector(s); return e ? e.textContent : null; }, selector);
  const texts = (selector) => call(function (s) { return [...this.querySelectorAll(s)].map((e) => e.textContent); }, selector);
  async function waitFor(selector, { timeout = 60000 } = {}) {
    const end = Date.now() + timeout;
    for (;;) {
      if ((await text(selector)) !== null && (await text(selector)) !== undefined) return;
      if (Date.now() > end) throw new Error(`the panel shows no ${selector} after ${timeout} ms`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  async function click(selector) {
    const box = await call(function (s) {
      const e = this.querySelector(s);
      if (!e) return null;
      e.scrollIntoView({ block: 'center' });
      const r = e.getBoundingClientRect();
      return { x: r.x + r.width / 2, y: r.y + r.height / 2 };
    }, selector);
    if (!box) throw new Error(`the panel has no ${selector}`);
    await page.mouse.click(box.x, box.y);
  }
  return { cdp, call, text, texts, waitFor, click, mode: async () => (await shadow())?.mode };
}
