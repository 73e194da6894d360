#!/usr/bin/env bash
# Builds the release packages into build/packages/ (DEVELOPERS.md, "Packages"):
#   scripts/package.sh deb    the Debian package, verdict_VERSION_ARCH.deb (CPack, cmake/package.cmake)
#   scripts/package.sh npm    the npm tarball, verdict-engine-VERSION.tgz (js/package.json; needs the Wasm build)
#   scripts/package.sh        both
# Prints each package's path and SHA-256 (what the CI action's `sha256` input wants).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$here"
what="${1:-all}"
out="$here/build/packages"

deb() {
  bash scripts/build.sh native
  mkdir -p "$out"
  (cd build && cpack -G DEB -B "$out" >/dev/null)
  rm -rf "$out/_CPack_Packages"
  for f in "$out"/verdict_*.deb; do sha256sum "$f"; done
}

npm_pkg() {
  [[ -f js/verdict.wasm ]] || bash scripts/build.sh wasm
  mkdir -p "$out"
  (cd js && npm pack --pack-destination "$out" --loglevel=error >/dev/null)
  for f in "$out"/verdict-engine-*.tgz; do sha256sum "$f"; done
}

case "$what" in
  deb) deb ;;
  npm) npm_pkg ;;
  all) deb; npm_pkg ;;
  *) echo "usage: scripts/package.sh [all|deb|npm]" >&2; exit 4 ;;
esac
