// The npm package as a user gets it: `npm pack`, installed from the tarball into an empty
// project, then used from Node, bundled with esbuild into a page that runs in headless
// Chromium, and compiled with `tsc --strict` against every decision the policy test files
// produce (the types in src/index.d.ts must accept each one, and no field they lack).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { load } from '../src/node.mjs';
import { jsDir, nativeBin, repoDir, requireArtifacts, wasmPath } from './helpers.mjs';
import { launchChromium } from './browser-helpers.mjs';
import { parseJsonc } from './jsonc.mjs';
import { createServer } from 'node:http';

requireArtifacts();
const pkg = JSON.parse(readFileSync(path.join(jsDir, 'package.json'), 'utf8'));
const bin = (name) => path.join(jsDir, 'node_modules', '.bin', name);
const work = mkdtempSync(path.join(tmpdir(), 'verdict-npm-'));
const project = path.join(work, 'project');
let tarball;
let files;

// One decision every host makes: the packaged default triage policy on a ServiceNow incident.
const now = '2025-03-18T10:00:00Z';
const incidentFile = path.join(repoDir, 'samples', 'servicenow-incident.json');
const cmdbFile = path.join(repoDir, 'samples', 'cmdb.json');
const native = spawnSync(nativeBin, ['triage', '-p', path.join(repoDir, 'policies/triage/default.json'), '-d', cmdbFile,
  '--now', now, '--format', 'json', incidentFile], { encoding: 'utf8' });

before(() => {
  assert.equal(native.status, 0, `native triage: ${native.stderr}`);
  const out = execFileSync('npm', ['pack', '--json', '--pack-destination', work, '--loglevel=error'], { cwd: jsDir, encoding: 'utf8' });
  const info = JSON.parse(out)[0];
  tarball = path.join(work, info.filename);
  files = info.files.map((f) => f.path).sort();
  mkdirSync(project);
  writeFileSync(path.join(project, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
  // The tarball has no dependencies: nothing is fetched.
  execFileSync('npm', ['install', '--offline', '--no-audit', '--no-fund', '--loglevel=error', tarball], { cwd: project });
});

after(() => rmSync(work, { recursive: true, force: true }));

test('the tarball has the module, verdict.wasm, the types, README, LICENSE and the default policies, and no tests', () => {
  for (const f of ['package.json', 'README.md', 'LICENSE', 'verdict.wasm', 'src/index.d.ts', 'src/node.mjs', 'src/browser.mjs',
    'src/core.mjs', 'policies/triage/default.json', 'policies/change/default.json', 'policies/budget/default.json',
    'policies/alerts/default.json']) {
    assert.ok(files.includes(f), `${f} is not in the tarball: ${files.join(', ')}`);
  }
  assert.ok(!files.some((f) => f.startsWith('test/') || f.endsWith('.test.json') || f.startsWith('extension/')), files.join(', '));
  assert.match(readFileSync(path.join(project, 'node_modules/@verdict/engine/LICENSE'), 'utf8'), /Apache License\s+Version 2\.0/);
  // The copies made for packing are gone again.
  assert.throws(() => statSync(path.join(jsDir, 'policies')));
});

test('the Wasm module reports the package version (one version number)', async () => {
  assert.equal((await load(wasmPath)).version(), pkg.version);
});

test('installed from the tarball, it decides in Node as the native CLI does', () => {
  writeFileSync(path.join(project, 'node.mjs'), `
    import { readFileSync } from 'node:fs';
    import { createEngine } from '@verdict/engine';
    const policy = readFileSync(new URL(import.meta.resolve('@verdict/engine/policies/triage/default.json')));
    const wasm = import.meta.resolve('@verdict/engine/verdict.wasm');
    if (!wasm.endsWith('/node_modules/@verdict/engine/verdict.wasm')) throw new Error(wasm);
    const engine = await createEngine();
    engine.loadPolicy(policy, 'default.json');
    engine.loadData(readFileSync(process.argv[2]), 'cmdb.json');
    process.stdout.write(engine.evalRaw(readFileSync(process.argv[3]), { now: process.argv[4], format: 'json' }).json + '\\n');
  `);
  const out = execFileSync('node', ['node.mjs', cmdbFile, incidentFile, now], { cwd: project, encoding: 'utf8' });
  assert.equal(out, native.stdout);
});

test('bundled with esbuild (verdict.wasm through the exports map), it decides in Chromium as the native CLI does', async () => {
  const page = path.join(project, 'page');
  mkdirSync(page);
  writeFileSync(path.join(page, 'main.js'), `
    import { load } from '@verdict/engine';
    import wasmUrl from '@verdict/engine/verdict.wasm';
    import policy from '@verdict/engine/policies/triage/default.json';
    const mod = await load(new URL(wasmUrl, location.href));
    const engine = mod.createEngine();
    engine.loadPolicy(policy, 'default.json');
    const [cmdb, incident] = await Promise.all(['cmdb.json', 'incident.json'].map((f) => fetch(f).then((r) => r.text())));
    engine.loadData(cmdb, 'cmdb.json');
    window.result = engine.evalRaw(incident, { now: ${JSON.stringify(now)}, format: 'json' }).json;
  `);
  const dist = path.join(page, 'dist');
  execFileSync(bin('esbuild'), ['main.js', '--bundle', '--format=esm', '--platform=browser', `--outdir=${dist}`,
    '--loader:.wasm=file', '--loader:.json=text', '--log-level=warning'], { cwd: page });
  const emitted = readdirSync(dist);
  assert.ok(emitted.some((f) => f.endsWith('.wasm')), `esbuild emitted no .wasm: ${emitted}`);
  writeFileSync(path.join(dist, 'index.html'), '<!doctype html><script type="module" src="main.js"></script>');
  writeFileSync(path.join(dist, 'cmdb.json'), readFileSync(cmdbFile));
  writeFileSync(path.join(dist, 'incident.json'), readFileSync(incidentFile));
  const types = { '.html': 'text/html', '.js': 'text/javascript', '.wasm': 'application/wasm', '.json': 'application/json' };
  const server = createServer((req, res) => {
    const file = path.join(dist, path.basename(new URL(req.url, 'http://x').pathname) || 'index.html');
    let body;
    try {
      body = readFileSync(file);
    } catch {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': types[path.extname(file)] ?? 'application/octet-stream' }).end(body);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const browser = await launchChromium();
  try {
    const p = await browser.newPage();
    const errors = [];
    p.on('pageerror', (e) => errors.push(e.message));
    await p.goto(`http://127.0.0.1:${server.address().port}/index.html`);
    await p.waitForFunction(() => window.result !== undefined || false, null, { timeout: 60000 }).catch(() => {});
    assert.deepEqual(errors, []);
    assert.equal((await p.evaluate(() => window.result)) + '\n', native.stdout);
  } finally {
    await browser.close();
    server.close();
  }
});

// Every decision, alert line and stream report the policy test files produce, as TypeScript
// object literals typed by the package's types (excess-property checks included).
function realOutputs() {
  const mod = load(wasmPath);
  return mod.then((m) => {
    const out = [];
    const trim = (v) => Array.isArray(v) ? v.slice(0, 4).map(trim)
      : v && typeof v === 'object' ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, trim(x)])) : v;
    const walk = (dir) => readdirSync(dir).sort().flatMap((n) => {
      const p = path.join(dir, n);
      return statSync(p).isDirectory() ? walk(p) : n.endsWith('.test.json') ? [p] : [];
    });
    for (const file of walk(path.join(repoDir, 'policies'))) {
      const spec = parseJsonc(readFileSync(file, 'utf8')).spec;
      const dir = path.dirname(file);
      for (const c of spec.cases ?? []) {
        const e = m.createEngine();
        for (const p of spec.policies ?? []) e.loadPolicy(readFileSync(path.join(dir, p)), p);
        for (const d of spec.data ?? []) e.loadData(readFileSync(path.join(dir, d)), d);
        const policy = c.policy ?? spec.policy ?? '';
        if (c.events !== undefined || c.steps !== undefined) {
          for (const s of c.steps ?? [{ events: c.events, now: c.now }]) {
            const events = Array.isArray(s.events) ? s.events.map((x) => JSON.stringify(x)).join('\n') : JSON.stringify(s.events ?? '');
            for (const line of e.alertsPushRaw(events, { policy, now: s.now ?? '' }).json.split('\n').filter(Boolean)) {
              out.push(['AlertLine', trim(JSON.parse(line))]);
            }
          }
          out.push(['AlertStatsReport', trim(e.alertsStats())]);
        } else {
          const input = c.input !== undefined ? JSON.stringify(c.input) : readFileSync(path.join(dir, c.inputFile), 'utf8');
          // One decision, or one per record of an API envelope (a line each).
          const lines = e.evalRaw(input, { policy, now: c.now ?? spec.now ?? '', explain: Boolean(c.explain), format: 'json' }).json;
          for (const line of lines.split('\n').filter(Boolean)) {
            const r = JSON.parse(line);
            const type = { TriageRouting: 'TriageResult', ChangeRisk: 'ChangeResult', ErrorBudget: 'BudgetResult', Rules: 'RulesResult',
              AlertDedup: 'AlertPreviewResult' }[r.policy?.kind] ?? 'FailedResult';
            out.push([type, trim(r)]);
          }
        }
        e.free();
      }
    }
    return out;
  });
}

test('TypeScript: the types accept every real decision and the API compiles under --strict', async () => {
  const outputs = await realOutputs();
  const kinds = new Set(outputs.map(([t]) => t));
  for (const t of ['TriageResult', 'ChangeResult', 'BudgetResult', 'RulesResult', 'AlertLine', 'AlertStatsReport', 'FailedResult']) {
    assert.ok(kinds.has(t), `no ${t} among the policy tests' outputs`);
  }
  const names = [...kinds].sort();
  const lines = [`import type { ${names.join(', ')} } from '@verdict/engine';`, ''];
  // One literal per distinct shape: the same keys, and the same values where the types
  // name the values (enums); free text and numbers do not make a new shape.
  const enums = new Set(['status', 'outcome', 'class_outcome', 'notify', 'team_from', 'impact_from', 'urgency_from', 'type',
    'action', 'decision', 'burn_state', 'shape', 'kind', 'ok', 'stateless']);
  const seen = new Set();
  outputs.forEach(([type, value], i) => {
    const shape = type + JSON.stringify(value, (k, v) => typeof v === 'number' ? 0 : typeof v === 'string' && !enums.has(k) ? '' : v);
    if (seen.has(shape)) return;
    seen.add(shape);
    lines.push(`export const d${i}: ${type} = ${JSON.stringify(value)};`);
  });
  console.log(`decisions.ts: ${seen.size} distinct shapes of ${outputs.length} outputs`);
  writeFileSync(path.join(project, 'decisions.ts'), lines.join('\n') + '\n');
  writeFileSync(path.join(project, 'api.ts'), `
    import { createEngine, VerdictError, type TriageResult, type ChangeResult, type AlertLine } from '@verdict/engine';
    const engine = await createEngine();
    engine.loadPolicy('{}', 'policy.json');
    const r = engine.triage('{}', { now: '2025-03-18T10:00:00Z' });
    const one: TriageResult = Array.isArray(r) ? (r[0] as TriageResult) : r;
    const priority: number = one.decision.priority.number;
    const notify: 'page' | 'ticket' | 'none' = one.decision.notify;
    const c = engine.change('{}');
    if (!Array.isArray(c)) {
      const status: 'approved' | 'needs_approval' | 'denied' = c.decision.status;
      const score: number = c.decision.risk.score;
      console.log(status, score);
    }
    const b = engine.budget('{}');
    const remaining: number | null | undefined = b.decision.slos[0]?.budget_remaining;
    const lines: AlertLine[] = engine.alertStream().push('{}');
    for (const l of lines) {
      if (l.type === 'alert') console.log(l.fingerprint, l.decision);
      else if (l.type === 'notification') console.log(l.receiver, l.firing.length);
    }
    try { engine.lint('{'); } catch (e) { if (e instanceof VerdictError) console.log(e.code, e.line); }
    const x: ChangeResult | undefined = undefined;
    console.log(priority, notify, remaining, x);
  `);
  writeFileSync(path.join(project, 'tsconfig.json'), JSON.stringify({
    compilerOptions: { strict: true, noEmit: true, target: 'es2022', module: 'nodenext', moduleResolution: 'nodenext',
      types: [], skipLibCheck: false, noUncheckedIndexedAccess: true },
    files: ['decisions.ts', 'api.ts'],
  }));
  const tsc = spawnSync(bin('tsc'), ['-p', 'tsconfig.json'], { cwd: project, encoding: 'utf8' });
  assert.equal(tsc.status, 0, `tsc --strict:\n${tsc.stdout.split('\n').slice(0, 30).join('\n')}`);
});

test('TypeScript: a field the types do not have, or a wrong enum value, fails', () => {
  writeFileSync(path.join(project, 'bad.ts'), `
    import type { ChangeResult } from '@verdict/engine';
    declare const c: ChangeResult;
    const s: 'approved' = c.decision.status;
    const n: number = c.decision.risk.nonexistent;
    console.log(s, n);
  `);
  writeFileSync(path.join(project, 'tsconfig.bad.json'), JSON.stringify({
    compilerOptions: { strict: true, noEmit: true, target: 'es2022', module: 'nodenext', moduleResolution: 'nodenext', types: [] },
    files: ['bad.ts'],
  }));
  const tsc = spawnSync(bin('tsc'), ['-p', 'tsconfig.bad.json'], { cwd: project, encoding: 'utf8' });
  assert.notEqual(tsc.status, 0);
  assert.match(tsc.stdout, /is not assignable to type '"approved"'/);
  assert.match(tsc.stdout, /Property 'nonexistent' does not exist/);
});
