#!/usr/bin/env bash
# Sets up what is missing, builds native and Wasm, and runs every test:
# Catch2 through ctest (also under ASan + UBSan), the fuzzers for a short bounded time, the Node tests
# (native/Wasm conformance, plain-host), and the headless Chromium tests.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$here"

bash scripts/setup.sh --all
bash scripts/build.sh all
bash scripts/build.sh fuzz

echo "== ctest (native)"
ctest --test-dir build --output-on-failure -j2

echo "== ctest under AddressSanitizer and UBSan"
bash scripts/build.sh asan
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  ctest --test-dir build-asan --output-on-failure -j2 -E "^(install_consumers|package_build|package_deb|ci_action|version_agrees)$"

echo "== fuzzing (bounded)"
bash scripts/fuzz.sh "${VERDICT_FUZZ_SECONDS:-20}"

echo "== node --test (Wasm, conformance, browser)"
(cd js && node --test test/)
