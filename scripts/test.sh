#!/usr/bin/env bash
# Sets up what is missing, builds native and Wasm, and runs every test:
# Catch2 through ctest, the fuzzers for a short bounded time, the Node tests
# (native/Wasm conformance, plain-host), and the headless Chromium tests.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$here"

bash scripts/setup.sh --all
bash scripts/build.sh all
bash scripts/build.sh fuzz

echo "== ctest (native)"
ctest --test-dir build --output-on-failure -j2

echo "== fuzzing (bounded)"
bash scripts/fuzz.sh "${VERDICT_FUZZ_SECONDS:-20}"

echo "== node --test (Wasm, conformance, browser)"
(cd js && node --test test/)
