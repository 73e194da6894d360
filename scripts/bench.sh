#!/usr/bin/env bash
# Document loading benchmark: 200,000 generated alert documents, native and Wasm
# (Node), next to simdjson's parse-only throughput on the same bytes. Prints a table.
#   scripts/bench.sh [COUNT] [REPEATS]
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$here"
count="${1:-200000}"
repeats="${2:-5}"
bash scripts/build.sh all >/dev/null
mkdir -p .cache/bench
data=".cache/bench/alerts-$count.ndjson"
[[ -s "$data" ]] || python3 samples/gen/generate.py alerts --count "$count" --seed 1 --out "$data"
{
  build/bench/bench_load "$data" "$repeats"
  node bench/bench_load.mjs "$data" "$repeats"
} | node bench/table.mjs
