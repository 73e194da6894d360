#!/usr/bin/env bash
# Benchmarks, native and Wasm (Node) on the same bytes; each prints a table.
#   scripts/bench.sh [load|eval|triage|cmdb|change|budget|alerts|result|bytes|instantiate|all]   (default all)
#   load: 200,000 generated alerts: document loading vs simdjson parse-only
#   eval: a 100-rule policy over 100,000 generated incidents, with the sample CMDB
#   triage: a 1,000-route TriageRouting policy over 100,000 generated incidents; the same 10 rules as
#           Rules and as TriageRouting (bench/gen_triage_rules.py)
#   cmdb: a 100,000-item / 300,000-edge CMDB: index build and blast-radius latency
#   change: ChangeRisk against 100,000 scheduled changes; the `verdict change` process on a 10,000-item CMDB
#   budget: ErrorBudget, 1,000 SLOs x 43,200 one-minute points (one evaluation each), and one
#           SLO of 10,000,000 points as NDJSON (native only)
#   alerts: AlertDedup over 1,000,000 generated alerts (10,000 fingerprints, 50 inhibition
#           rules, 100 silences): alerts/s, peak memory, snapshot/restore time
#   cluster: `verdict serve --cluster` on loopback (bench/bench_cluster.py): alert intake for 1 replica
#            without NATS, 1 with NATS and 3 on a three-node JetStream cluster; the cost of a claim;
#            a replica catching up 20,000 alerts from the alert stream (VERDICT_BENCH_CLUSTER_REBUILD). Not part of `all`.
#   instantiate: verdict.wasm compile + instantiate in Node and in headless Chromium (median of 15)
#   bytes: bytes per decision of every kind, without and with --explain (bench/bench_bytes.py)
#   result: the one-string result of a batch (C ABI verdict_eval, the Wasm batch path) against
#           decisions streamed to a sink, 10 rules over 200,000 incidents (docs/performance.md)
#   peers: the same 10 triage rules in verdict (CLI, in process, Wasm batch and per call) and in
#          @marcbachmann/cel-js, json-logic-js, cel-js, Cedar (Wasm) and hand-written JS, against
#          simdjson parse-only; interleaved runs, one table (bench/peers/compare.py); then
#          `verdict budget` (one SLO, 30 days of 1-minute data) against `promtool test rules` and
#          `verdict change` (10,000-item CMDB) against `amtool config routes test`, whole processes
#          (bench/peers/processes.py). Not part of `all`. VERDICT_BENCH_PEERS_COUNT incidents
#          (default 20,000), VERDICT_BENCH_REPEATS runs.
#   serve: `verdict serve` over HTTP on loopback: triage decisions/s (wrk), p50/p99 at 50% and 90% of
#          that (bench/serve_rate.cc), alert intake against Debian's Alertmanager, RSS. Not part of `all`.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$here"
what="${1:-all}"
repeats="${VERDICT_BENCH_REPEATS:-5}"
if [[ "$what" == serve ]]; then
  # verdict serve over HTTP on 127.0.0.1 (bench/serve_bench.py): wrk, a fixed-rate client, and
  # Debian's Alertmanager on the same alerts. Not part of `all`; about 1-2 minutes.
  bash scripts/build.sh native >/dev/null
  python3 bench/serve_bench.py build/verdict "${VERDICT_BENCH_SECONDS:-5}" "${VERDICT_BENCH_REPEATS:-3}"
  exit 0
fi
if [[ "$what" == cluster ]]; then
  bash scripts/build.sh native >/dev/null
  echo "## verdict serve --cluster on NATS JetStream, loopback (scripts/bench.sh cluster)"
  python3 bench/bench_cluster.py build/verdict "$(mktemp -d)" "${VERDICT_BENCH_CLUSTER_ALERTS:-20000}" \
    "${VERDICT_BENCH_CLUSTER_GROUPS:-200}" "${VERDICT_BENCH_CLUSTER_REBUILD:-20000}"
  exit 0
fi
if [[ "$what" == peers ]]; then
  bash scripts/setup.sh --all   # Emscripten, Node, the npm peers, prometheus-alertmanager
  bash scripts/build.sh all >/dev/null
  # The peers are pinned devDependencies of the JS package.
  (cd js && { [[ -d node_modules/@marcbachmann/cel-js && -d node_modules/@cedar-policy/cedar-wasm ]] || npm ci --no-audit --no-fund >/dev/null; })
  mkdir -p .cache/bench
  count="${VERDICT_BENCH_PEERS_COUNT:-20000}"
  data=".cache/bench/incidents-$count.ndjson"
  [[ -s "$data" ]] || python3 samples/gen/generate.py incidents --count "$count" --seed 1 --out "$data"
  python3 bench/gen_rules.py 10 > .cache/bench/rules-10.json
  echo "## The same 10 triage rules in verdict and its peers (scripts/bench.sh peers)"
  python3 bench/peers/compare.py build/verdict build/bench/peer_native .cache/bench/rules-10.json samples/cmdb.json "$data" \
    "${VERDICT_BENCH_REPEATS:-3}"
  alerts=".cache/bench/alerts-peers-${VERDICT_BENCH_PEERS_ALERTS:-100000}.ndjson"
  [[ -s "$alerts" ]] || python3 bench/gen_alerts.py stream --count "${VERDICT_BENCH_PEERS_ALERTS:-100000}" --fingerprints 10000 \
    --seed 1 --out "$alerts"
  python3 bench/gen_alerts.py policy --rules 50 --silences 100 --seed 1 > .cache/bench/alerts-policy.json
  python3 bench/peers/alertmanager.py build/verdict .cache/bench/alerts-policy.json "$alerts"
  node bench/peers/boundary.mjs 50000
  # One-shot processes: verdict budget vs promtool test rules, verdict change vs amtool config routes test.
  cmdb10k=.cache/bench/cmdb-10000.json
  [[ -s "$cmdb10k" ]] || python3 samples/gen/generate.py cmdb --items 10000 --edges 30000 --seed 1 --out "$cmdb10k"
  echo
  echo "## verdict budget and verdict change against promtool and amtool, whole processes (scripts/bench.sh peers)"
  python3 bench/peers/processes.py build/verdict "$cmdb10k" "${VERDICT_BENCH_REPEATS:-3}"
  exit 0
fi
bash scripts/build.sh all >/dev/null
mkdir -p .cache/bench
if [[ "$what" == load || "$what" == all ]]; then
  data=.cache/bench/alerts-200000.ndjson
  [[ -s "$data" ]] || python3 samples/gen/generate.py alerts --count 200000 --seed 1 --out "$data"
  echo "## Document loading (scripts/bench.sh load)"
  { build/bench/bench_load "$data" "$repeats"; node bench/bench_load.mjs "$data" "$repeats"; } | node bench/table.mjs
  echo
fi
if [[ "$what" == eval || "$what" == all ]]; then
  data=.cache/bench/incidents-100000.ndjson
  [[ -s "$data" ]] || python3 samples/gen/generate.py incidents --count 100000 --seed 1 --out "$data"
  python3 bench/gen_rules.py 100 > .cache/bench/rules-100.json
  echo "## Evaluation: 100 rules (comparisons, in, regex, CMDB look-ups), mode all (scripts/bench.sh eval)"
  { build/bench/bench_eval .cache/bench/rules-100.json samples/cmdb.json "$data" 3;
    node bench/bench_eval.mjs .cache/bench/rules-100.json samples/cmdb.json "$data" 3; } | node bench/table.mjs
  echo
fi
if [[ "$what" == triage || "$what" == all ]]; then
  data=.cache/bench/incidents-100000.ndjson
  [[ -s "$data" ]] || python3 samples/gen/generate.py incidents --count 100000 --seed 1 --out "$data"
  python3 bench/gen_routes.py 1000 > .cache/bench/routes-1000.json
  echo "## TriageRouting: 1,000 routes (matchers =, =~, !~ and when), 100,000 incidents (scripts/bench.sh triage)"
  { build/bench/bench_eval .cache/bench/routes-1000.json samples/cmdb.json "$data" 3;
    node bench/bench_eval.mjs .cache/bench/routes-1000.json samples/cmdb.json "$data" 3; } | node bench/table.mjs
  echo
  # The same 10 rules as a Rules policy (mode all) and as TriageRouting (one route per rule, continue).
  python3 bench/gen_rules.py 10 > .cache/bench/rules-10.json
  python3 bench/gen_triage_rules.py .cache/bench/rules-10.json > .cache/bench/triage-10.json
  for kind in rules triage; do
    echo "## The same 10 rules as $([[ $kind == rules ]] && echo Rules || echo TriageRouting), 100,000 incidents (scripts/bench.sh triage)"
    { build/bench/bench_eval ".cache/bench/$kind-10.json" samples/cmdb.json "$data" 3;
      node bench/bench_eval.mjs ".cache/bench/$kind-10.json" samples/cmdb.json "$data" 3; } | node bench/table.mjs
    echo
  done
fi
if [[ "$what" == cmdb || "$what" == all ]]; then
  echo "## CMDB index (scripts/bench.sh cmdb)"
  build/bench/bench_cmdb
fi
if [[ "$what" == change || "$what" == all ]]; then
  sched=.cache/bench/changes-100000.ndjson
  probe=.cache/bench/changes-probe-5000.ndjson
  cmdb10k=.cache/bench/cmdb-10000.json
  [[ -s "$sched" ]] || python3 samples/gen/generate.py changes --count 100000 --seed 2 --out "$sched"
  [[ -s "$probe" ]] || python3 samples/gen/generate.py changes --count 5000 --seed 3 --out "$probe"
  [[ -s "$cmdb10k" ]] || python3 samples/gen/generate.py cmdb --items 10000 --edges 30000 --seed 1 --out "$cmdb10k"
  echo
  echo "## ChangeRisk: 5,000 changes against 100,000 scheduled changes and the sample CMDB (scripts/bench.sh change)"
  { build/bench/bench_eval policies/change/default.json "samples/cmdb.json,$sched" "$probe" 3;
    node bench/bench_eval.mjs policies/change/default.json "samples/cmdb.json,$sched" "$probe" 3; } | node bench/table.mjs
  echo
  echo "## verdict change in CI (scripts/bench.sh change)"
  python3 bench/bench_change_cli.py build/verdict "$cmdb10k" 30
fi
if [[ "$what" == budget || "$what" == all ]]; then
  echo "## ErrorBudget: 1,000 SLOs x 43,200 one-minute points, default-budget (scripts/bench.sh budget)"
  { build/bench/bench_budget policies/budget/default.json 1000 43200 10000000;
    node bench/bench_budget.mjs policies/budget/default.json 1000 43200 0; } | node bench/budget_table.mjs
fi
if [[ "$what" == alerts || "$what" == all ]]; then
  data=.cache/bench/alerts-storm-1000000.ndjson
  [[ -s "$data" ]] || python3 bench/gen_alerts.py stream --count 1000000 --fingerprints 10000 --seed 1 --out "$data"
  python3 bench/gen_alerts.py policy --rules 50 --silences 100 --seed 1 > .cache/bench/alerts-policy.json
  echo
  echo "## AlertDedup: 1,000,000 alerts, 10,000 fingerprints, 50 inhibition rules, 100 silences (scripts/bench.sh alerts)"
  out=$(mktemp)
  { build/bench/bench_alerts .cache/bench/alerts-policy.json "$data" 3 2>/dev/null;
    node bench/bench_alerts.mjs .cache/bench/alerts-policy.json "$data" 3; } > "$out"
  node bench/table.mjs < "$out"
  node bench/alerts_table.mjs < "$out"
  rm -f "$out"
fi
if [[ "$what" == result || "$what" == all ]]; then
  data=.cache/bench/incidents-200000.ndjson
  [[ -s "$data" ]] || python3 samples/gen/generate.py incidents --count 200000 --seed 1 --out "$data"
  python3 bench/gen_rules.py 10 > .cache/bench/rules-10.json
  echo
  echo "## One result string per batch against decisions streamed, 10 rules, 200,000 incidents (scripts/bench.sh result)"
  build/bench/bench_result .cache/bench/rules-10.json samples/cmdb.json "$data" "$repeats"
  node bench/bench_result.mjs .cache/bench/rules-10.json samples/cmdb.json "$data" "$repeats"
fi
if [[ "$what" == bytes || "$what" == all ]]; then
  echo
  echo "## Bytes per decision, every kind (scripts/bench.sh bytes)"
  python3 bench/bench_bytes.py build/verdict 1000
fi
if [[ "$what" == instantiate || "$what" == all ]]; then
  echo
  echo "## verdict.wasm start-up: compile + instantiate in Node and Chromium (scripts/bench.sh instantiate)"
  node bench/instantiate.mjs "${VERDICT_BENCH_INSTANTIATE_RUNS:-15}"
fi
