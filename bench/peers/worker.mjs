// One JavaScript contestant of `scripts/bench.sh peers`, run as a worker by
// bench/peers/compare.py: loads its inputs, prints {"ready":...}; for each "run" line on
// stdin, one full pass over the incidents, then {"seconds", "cpu_s", "docs", "digest"}; on
// "end", {"max_rss_kb"} and exit. `digest` is the SHA-256 of the teams decided, one a line
// (the orchestrator checks that every contestant decided the same team for every incident).
//   node bench/peers/worker.mjs PEER RULES.json CMDB.json INCIDENTS.ndjson [TEAMS_OUT]
// PEER: js | cel | celjs | jsonlogic | cedar, each with -objects (the incidents already
// parsed) or -text (JSON.parse per incident, as a webhook delivers it); verdict-batch (the
// whole NDJSON in one call) or verdict-call (one call per incident), both from text.
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createInterface } from 'node:readline';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

import * as R from './rules.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
// The peers are devDependencies of the JS package (js/package.json).
const fromJs = createRequire(path.join(root, 'js', 'package.json'));
const load = (name) => import(pathToFileURL(fromJs.resolve(name)).href);
const [peer, rulesPath, cmdbPath, inputPath, teamsOut] = process.argv.slice(2);
const NOW = '2026-03-02T10:00:00Z';
const t0 = process.hrtime.bigint();
const rules = R.readRules(JSON.parse(readFileSync(rulesPath, 'utf8')));
const cmdb = R.readCmdb(JSON.parse(readFileSync(cmdbPath, 'utf8')));
const inputBytes = readFileSync(inputPath);
const lines = inputBytes.toString('utf8').split('\n').filter((l) => l.trim() !== '');
const [name, form] = peer.startsWith('verdict-') ? [peer, 'text'] : peer.split('-');
const objects = form === 'objects' ? lines.map((l) => JSON.parse(l)) : null;
const incident = form === 'objects' ? (k) => objects[k] : (k) => JSON.parse(lines[k]);

// decide(k) -> team (a string or null) of incident k; batch() -> teams of all, for verdict-batch.
let decide = null;
let batch = null;
// Teams of one decision line of verdict (Rules, mode all: the `team` output).
const teamOf = (json) => JSON.parse(json).decision?.outputs?.team ?? null;

if (name === 'js') {
  const f = R.handWritten(rules, cmdb);
  decide = (k) => f(incident(k));
} else if (name === 'cel') {
  const { Environment } = await load('@marcbachmann/cel-js');
  const env = new Environment({ unlistedVariablesAreDyn: true });
  const programs = rules.map((r) => env.parse(R.celSource(r)));
  const cmdbObj = Object.fromEntries(cmdb);
  decide = (k) => {
    const ctx = { incident: incident(k), cmdb: cmdbObj };
    let team = null;
    for (let r = 0; r < programs.length; r++) if (programs[r](ctx) === true) team = rules[r].team;
    return team;
  };
} else if (name === 'celjs') {
  const { parse, evaluate } = await load('cel-js');
  // cel-js has no string methods: matches_words and contains are
  // functions the host gives it.
  const res = new Map();
  const functions = {
    matches_words: (s, words) => {
      let x = res.get(words);
      if (!x) res.set(words, (x = new RegExp(`\\b(${words})\\b`, 'i')));
      return typeof s === 'string' && x.test(s);
    },
    contains: (s, w) => typeof s === 'string' && s.includes(w),
  };
  const programs = rules.map((r) => {
    const p = parse(R.celSource(r, 'cel-js'));
    if (!p.isSuccess) throw new Error(`cel-js cannot parse ${r.name}: ${JSON.stringify(p.errors)}`);
    return p.cst;
  });
  const cmdbObj = Object.fromEntries(cmdb);
  decide = (k) => {
    const ctx = { incident: incident(k), cmdb: cmdbObj };
    let team = null;
    for (let r = 0; r < programs.length; r++) if (evaluate(programs[r], ctx, functions) === true) team = rules[r].team;
    return team;
  };
} else if (name === 'jsonlogic') {
  const jsonLogic = (await load('json-logic-js')).default;
  for (const [op, fn] of Object.entries(R.jsonLogicOperations(cmdb))) jsonLogic.add_operation(op, fn);
  const logic = rules.map((r) => R.jsonLogic(r));
  decide = (k) => {
    const data = incident(k);
    let team = null;
    for (let r = 0; r < logic.length; r++) if (jsonLogic.apply(logic[r], data) === true) team = rules[r].team;
    return team;
  };
} else if (name === 'cedar') {
  const cedar = await load('@cedar-policy/cedar-wasm/nodejs');
  // Policy ids are the rules' names: the answer's `reason` lists the ids of those that matched.
  const staticPolicies = Object.fromEntries(rules.map((r) => [r.name, R.cedarPolicy(r)]));
  const parsed = cedar.preparsePolicySet('rules', { staticPolicies });
  if (parsed.type !== 'success') throw new Error(`Cedar: ${JSON.stringify(parsed.errors)}`);
  const order = new Map(rules.map((r, k) => [r.name, k]));
  const principal = { type: 'Triage', id: 'bench' };
  const action = { type: 'Action', id: 'route' };
  const resource = { type: 'Incident', id: 'incident' };
  decide = (k) => {
    const answer = cedar.statefulIsAuthorized({ principal, action, resource, context: R.cedarContext(incident(k), cmdb),
      preparsedPolicySetId: 'rules', entities: [] });
    if (answer.type !== 'success') throw new Error(`Cedar: ${JSON.stringify(answer.errors)}`);
    let last = -1;
    for (const id of answer.response.diagnostics.reason) last = Math.max(last, order.get(id));
    if (answer.response.diagnostics.errors.length) throw new Error(`Cedar: ${JSON.stringify(answer.response.diagnostics.errors[0])}`);
    return last >= 0 ? rules[last].team : null;
  };
} else if (name === 'verdict-batch' || name === 'verdict-call') {
  const { instantiate } = await import('../../js/src/core.mjs');
  const mod = await instantiate(readFileSync(process.env.VERDICT_WASM ?? path.join(root, 'js', 'verdict.wasm')));
  const engine = mod.createEngine();
  engine.loadPolicy(readFileSync(rulesPath), rulesPath);
  engine.loadData(readFileSync(cmdbPath), cmdbPath);
  if (name === 'verdict-batch') {
    // The decisions as the engine's NDJSON text, one call; the teams are read outside the clock.
    batch = () => engine.evalRaw(inputBytes, { now: NOW, format: 'ndjson' }).json;
  } else {
    decide = (k) => engine.evalRaw(lines[k], { now: NOW, format: 'json' }).json;
  }
} else {
  throw new Error(`unknown peer ${peer}`);
}
const setupMs = Number(process.hrtime.bigint() - t0) / 1e6;
console.log(JSON.stringify({ ready: true, setup_ms: setupMs, docs: lines.length, bytes: inputBytes.length }));

let first = true;
const rl = createInterface({ input: process.stdin });
for await (const cmd of rl) {
  if (cmd === 'end') break;
  const c0 = process.cpuUsage();
  const r0 = process.hrtime.bigint();
  let out;
  if (batch) {
    out = batch();
  } else {
    out = new Array(lines.length);
    for (let k = 0; k < lines.length; k++) out[k] = decide(k);
  }
  const seconds = Number(process.hrtime.bigint() - r0) / 1e9;
  const cpu = process.cpuUsage(c0);
  // The teams, for the check (outside the clock): verdict's are in its decision JSON.
  let teams = out;
  if (batch) teams = out.split('\n').filter(Boolean).map(teamOf);
  else if (name === 'verdict-call') teams = out.map(teamOf);
  const text = teams.map((t) => t ?? '').join('\n');
  if (first && teamsOut) writeFileSync(teamsOut, text + '\n');
  first = false;
  console.log(JSON.stringify({ seconds, cpu_s: (cpu.user + cpu.system) / 1e6, docs: teams.length,
    digest: createHash('sha256').update(text).digest('hex') }));
}
console.log(JSON.stringify({ max_rss_kb: process.resourceUsage().maxRSS }));
rl.close();
process.exit(0);
