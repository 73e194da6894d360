#!/usr/bin/env bash
# Fetches re2, simdjson and yaml-cpp from Debian's source packages into .cache/src (ignored
# by git) and prepares them for the Emscripten build (CMake compiles them with em++; see
# CMakeLists.txt). Idempotent: returns at once when the sources are ready. yaml-cpp has a
# stamp of its own, so a cache prepared before it came is completed, not rebuilt.
# Needs: scripts/setup.sh --all (deb-src entry, dpkg-dev, unicode-data, perl, python3-six).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cache="$here/.cache/src"
mkdir -p "$cache"
cd "$cache"

# yaml-cpp (the one YAML reader, core/src/document/yaml.cc): Debian's source, patches applied.
yaml_stamp="$cache/.ready-yaml-cpp-v1"
if [[ ! -f "$yaml_stamp" ]]; then
  if ! ls yaml-cpp_*.dsc >/dev/null 2>&1; then
    echo "wasm-deps: fetching Debian source package yaml-cpp"
    apt-get source --download-only yaml-cpp >/dev/null 2>&1 || {
      echo "wasm-deps: apt-get source yaml-cpp failed; run scripts/setup.sh --all first" >&2; exit 1; }
  fi
  rm -rf yaml-cpp yaml-cpp-*/
  dpkg-source --no-check -x yaml-cpp_*.dsc >/dev/null
  mv yaml-cpp-*/ yaml-cpp
  [[ -s yaml-cpp/src/scanner.cpp && -s yaml-cpp/include/yaml-cpp/yaml.h ]] || {
    echo "wasm-deps: missing yaml-cpp sources" >&2; exit 1; }
  touch "$yaml_stamp"
fi

stamp="$cache/.ready-v1"
[[ -f "$stamp" ]] && exit 0

if ! ls re2_*.dsc >/dev/null 2>&1 || ! ls simdjson_*.dsc >/dev/null 2>&1; then
  echo "wasm-deps: fetching Debian source packages re2 and simdjson"
  apt-get source --download-only re2 simdjson >/dev/null 2>&1 || {
    echo "wasm-deps: apt-get source failed; run scripts/setup.sh --all first" >&2; exit 1; }
fi

rm -rf re2 simdjson re2-*/ simdjson-*/
# dpkg-source applies debian/patches (among them debian-unicode-data.patch, which
# points re2's table generators at /usr/share/unicode instead of the network).
dpkg-source --no-check -x re2_*.dsc >/dev/null
dpkg-source --no-check -x simdjson_*.dsc >/dev/null
mv re2-*/ re2
mv simdjson-*/ simdjson

grep -q '/usr/share/unicode' re2/re2/unicode.py || {
  echo "wasm-deps: debian-unicode-data.patch was not applied" >&2; exit 1; }

# Debian strips the generated Unicode tables; regenerate them as Debian's build does.
(cd re2 &&
  perl re2/make_perl_groups.pl > re2/perl_groups.cc &&
  /usr/bin/python3 re2/make_unicode_casefold.py > re2/unicode_casefold.cc &&
  /usr/bin/python3 re2/make_unicode_groups.py > re2/unicode_groups.cc)

for f in re2/re2/perl_groups.cc re2/re2/unicode_casefold.cc re2/re2/unicode_groups.cc \
         simdjson/singleheader/simdjson.cpp simdjson/singleheader/simdjson.h; do
  [[ -s "$f" ]] || { echo "wasm-deps: missing $f" >&2; exit 1; }
done

# nlohmann/json is header-only; the Wasm build reads a copy of Debian's header so
# that it does not put the host's /usr/include on Emscripten's include path.
mkdir -p nlohmann/include
cp -r /usr/include/nlohmann nlohmann/include/
touch "$stamp"
echo "wasm-deps: ready in $cache"
