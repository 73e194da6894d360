#!/usr/bin/env bash
# Runs each libFuzzer target for a bounded time (seconds each, default 20) on a
# seed corpus (samples, policies, expression seeds). A crash fails the run and
# leaves the input in .cache/fuzz/.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$here"
secs="${1:-20}"
seed() {  # target -> corpus folder with seeds
  local dir=".cache/fuzz/corpus-$1"
  mkdir -p "$dir"
  case "$1" in
    fuzz_document) cp -f samples/*.json samples/*.ndjson samples/malformed/*.json* samples/change/*.json samples/change/*.ndjson samples/ci/changes/*.json "$dir"/ 2>/dev/null || true ;;
    fuzz_expression) cp -f tests/fuzz/seeds/expression/* "$dir"/ ;;
    fuzz_policy) find policies -name '*.json' -exec cp -f {} "$dir"/ \; 2>/dev/null || true
                 cp -f tests/fuzz/seeds/policy/* "$dir"/ ;;
    fuzz_budget) cp -f samples/slo/*.json samples/slo/login-latency.ndjson tests/fuzz/seeds/budget/* "$dir"/ 2>/dev/null || true ;;
    fuzz_alerts) cp -f samples/alerts.ndjson samples/alertmanager-webhook.json samples/pagerduty-events.ndjson "$dir"/ 2>/dev/null || true
                 cp -f tests/fuzz/seeds/alerts/* "$dir"/ ;;
    fuzz_yaml) cp -f samples/slo/*.yaml samples/slo/*.yml samples/slo/upstream/* samples/alertmanager/*.yml tests/fuzz/seeds/yaml/* "$dir"/ 2>/dev/null || true ;;
  esac
  echo "$dir"
}
for t in build-fuzz/fuzz_*; do
  [[ -x "$t" ]] || continue
  name="$(basename "$t")"
  corpus="$(seed "$name")"
  echo "fuzz: $name for ${secs}s"
  "$t" -max_total_time="$secs" -max_len=65536 -rss_limit_mb=4096 -timeout=10 -print_final_stats=0 \
       -artifact_prefix=.cache/fuzz/ "$corpus" 2>".cache/fuzz/$name.log" || { tail -40 ".cache/fuzz/$name.log"; exit 1; }
  grep -E "^Done" ".cache/fuzz/$name.log" | tail -1 || true
done
