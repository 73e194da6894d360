#!/usr/bin/env bash
# Runs each libFuzzer target for a bounded time (seconds, default 20) on a seed
# corpus made from the samples. A crash fails the run and leaves crash-* files.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$here"
secs="${1:-20}"
corpus=.cache/fuzz/corpus
mkdir -p "$corpus"
cp -f samples/*.json samples/*.ndjson samples/malformed/*.json* "$corpus"/ 2>/dev/null || true
for t in build-fuzz/fuzz_*; do
  [[ -x "$t" ]] || continue
  echo "fuzz: $(basename "$t") for ${secs}s"
  "$t" -max_total_time="$secs" -max_len=65536 -rss_limit_mb=4096 -print_final_stats=0 \
       -artifact_prefix=.cache/fuzz/ "$corpus" 2>.cache/fuzz/last.log || { tail -40 .cache/fuzz/last.log; exit 1; }
  grep -E "^(#[0-9]+ +DONE|Done)" .cache/fuzz/last.log | tail -1 || true
done
