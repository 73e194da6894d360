#!/usr/bin/env bash
# ctest version_agrees: one version number, project(VERSION) in CMakeLists.txt, and every
# place that repeats it agrees: `verdict --version`, verdict_version() of libverdict.so,
# the library's file name, js/package.json and js/package-lock.json, the extension's
# manifest.json, the CI samples' release references and CHANGELOG.md.
# (The Wasm module's version() is checked against js/package.json in js/test/package.test.mjs.)
#   version.sh BUILD_DIR SOURCE_DIR VERSION
set -euo pipefail
PY=/usr/bin/python3; [[ -x "$PY" ]] || PY=python3   # Debian's, with python3-yaml (scripts/setup.sh)
build="$1" src="$2" want="$3"
bad=0
check() { if [[ "$2" != "$want" ]]; then echo "FAIL: $1 says '$2', CMakeLists.txt says '$want' (scripts/set-version.sh $want)" >&2; bad=1; fi; }
check "verdict --version" "$("$build/verdict" --version | sed 's/^verdict //')"
check "verdict_version() of libverdict.so" "$("$PY" -c '
import ctypes, sys
lib = ctypes.CDLL(sys.argv[1]); lib.verdict_version.restype = ctypes.c_char_p
print(lib.verdict_version().decode())' "$build/libverdict.so")"
check "libverdict.so.VERSION" "$(basename "$(readlink -f "$build/libverdict.so")" | sed 's/^libverdict\.so\.//')"
json() { "$PY" -c 'import json,sys; d=json.load(open(sys.argv[1]))
for k in sys.argv[2:]: d=d[k]
print(d)' "$@"; }
check js/package.json "$(json "$src/js/package.json" version)"
check "js/package-lock.json" "$(json "$src/js/package-lock.json" version)"
check "js/package-lock.json packages['']" "$(json "$src/js/package-lock.json" packages '' version)"
check js/extension/manifest.json "$(json "$src/js/extension/manifest.json" version)"
for f in samples/ci/github-actions.yml samples/ci/gitlab-ci.yml; do
  while read -r v; do check "$f" "$v"; done < <(grep -oE '(@v|/v|_)[0-9]+\.[0-9]+\.[0-9]+' "$src/$f" | sed -E 's/^(@v|\/v|_)//')
done
check "CHANGELOG.md (first version heading)" "$(grep -m1 -oE '^## [0-9]+\.[0-9]+\.[0-9]+' "$src/CHANGELOG.md" | cut -c4-)"
[[ $bad -eq 0 ]] && echo "version_agrees: every place says $want"
exit $bad
