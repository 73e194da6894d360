#!/usr/bin/env bash
# Builds verdict. Idempotent and incremental: a second run with nothing changed
# takes a few seconds.
#   scripts/build.sh           native (build/) and Wasm (build-wasm/, js/verdict.wasm)
#   scripts/build.sh native    native only
#   scripts/build.sh wasm      Wasm only
#   scripts/build.sh fuzz      libFuzzer targets with clang (build-fuzz/)
#   scripts/build.sh asan      everything with AddressSanitizer + UBSan (build-asan/)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$here"
what="${1:-all}"
jobs="${VERDICT_JOBS:-2}"
werror="${VERDICT_WERROR:-ON}"
# ccache, when the machine has it, makes rebuilds across worktrees and clean builds cheap.
launcher=()
if command -v ccache >/dev/null; then launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_C_COMPILER_LAUNCHER=ccache); fi

native() {
  cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DVERDICT_WERROR="$werror" "${launcher[@]}" \
    -DVERDICT_TESTS=ON -DVERDICT_BENCH=ON >/dev/null
  cmake --build build -j"$jobs"
}

wasm() {
  bash scripts/wasm-deps.sh
  # Emscripten's optimiser runs on Node and needs Debian's node modules.
  export NODE_PATH=/usr/share/nodejs
  emcmake cmake -S . -B build-wasm -DCMAKE_BUILD_TYPE=Release -DVERDICT_WERROR="$werror" >/dev/null
  cmake --build build-wasm -j"$jobs"
  cp -p build-wasm/verdict.wasm js/verdict.wasm
  # The unpacked browser extension (js/dist/extension/, git-ignored) carries its own copy.
  node js/extension/assemble.mjs
}

# The whole native build and test suite under AddressSanitizer and UBSan (build-asan/).
asan() {
  cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DVERDICT_SANITIZE=ON -DVERDICT_WERROR="$werror" \
    -DVERDICT_TESTS=ON -DVERDICT_BENCH=OFF "${launcher[@]}" >/dev/null
  cmake --build build-asan -j"$jobs"
}

fuzz() {
  if [[ ! -f build-fuzz/CMakeCache.txt ]]; then
    CC=clang CXX=clang++ cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=RelWithDebInfo -DVERDICT_FUZZ=ON \
      -DVERDICT_TESTS=OFF -DVERDICT_BENCH=OFF >/dev/null
  fi
  cmake --build build-fuzz -j"$jobs"
}

case "$what" in
  native) native ;;
  wasm) wasm ;;
  fuzz) fuzz ;;
  asan) asan ;;
  all) native; wasm ;;
  *) echo "usage: scripts/build.sh [all|native|wasm|fuzz|asan]" >&2; exit 4 ;;
esac
