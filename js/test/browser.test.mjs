// The same engine in a real browser: headless Chromium loads verdict.wasm through
// the package's browser entry and must print the native build's bytes.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';

import { launchChromium, serveRepo } from './browser-helpers.mjs';
import { nativeBin, repoDir, requireArtifacts } from './helpers.mjs';

requireArtifacts();
const { server, base } = await serveRepo();
const browser = await launchChromium();
after(async () => { await browser.close(); server.close(); });

const artifacts = path.join(repoDir, 'test-artifacts');
mkdirSync(artifacts, { recursive: true });

for (const sample of ['samples/incidents.ndjson', 'samples/alerts.ndjson', 'samples/malformed/broken-line.ndjson']) {
  test(`Chromium reads ${sample} byte-identically to native`, async () => {
    const native = spawnSync(nativeBin, ['read', '--format', 'json', '--values', '--source', '', path.join(repoDir, sample)],
      { encoding: 'utf8' });
    assert.ok(native.status === 0 || native.status === 3, native.stderr);
    const page = await browser.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(e));
    await page.goto(`${base}/js/test/pages/read.html?sample=/${sample}`);
    await page.waitForFunction(() => window.verdictResult !== undefined, null, { timeout: 20000 });
    const json = await page.evaluate(() => window.verdictResult);
    assert.deepEqual(errors, []);
    assert.equal(json + '\n', native.stdout);
    const status = await page.textContent('#status');
    const report = JSON.parse(json);
    assert.equal(status, `${report.read} read, ${report.failed} failed`);
    await page.screenshot({ path: path.join(artifacts, `read-${path.basename(sample)}.png`) });
    await page.close();
  });
}
