#!/usr/bin/env bash
# ctest install_consumers: `cmake --install` into a temporary prefix, then build and run
# against the installed files only:
#   - every public header compiles on its own (C++; verdict.h also as C);
#   - a C program through the C ABI with pkg-config (shared, and static with --static);
#   - a CMake project with find_package(verdict) through verdict::Engine (verdict::verdict,
#     and verdict::verdict_static);
# each makes one TriageRouting decision with the installed policy, CMDB and sample incident.
#   install.sh BUILD_DIR SOURCE_DIR WORK_DIR
set -euo pipefail
PY=/usr/bin/python3; [[ -x "$PY" ]] || PY=python3   # Debian's, with python3-yaml (scripts/setup.sh)
build="$(cd "$1" && pwd)" src="$(cd "$2" && pwd)" work="$3"
rm -rf "$work"; mkdir -p "$work"
work="$(cd "$work" && pwd)"
prefix="$work/prefix"
fail() { echo "FAIL: $*" >&2; exit 1; }

cmake --install "$build" --prefix "$prefix" >/dev/null

libdir="$(cd "$prefix" && ls -d lib*/ | head -1)"; libdir="${libdir%/}"
[[ -x "$prefix/bin/verdict" ]] || fail "bin/verdict not installed"
[[ "$("$prefix/bin/verdict" --version)" == "verdict $(sed -n 's/^Version: //p' "$prefix/$libdir/pkgconfig/verdict.pc")" ]] \
  || fail "verdict --version disagrees with verdict.pc"
so="$(ls "$prefix/$libdir"/libverdict.so.*.* | head -1)"
[[ -f "$prefix/$libdir/libverdict.a" && -L "$prefix/$libdir/libverdict.so" && -n "$so" ]] || fail "libraries missing"
soname="$(objdump -p "$so" | awk '/SONAME/ {print $2}')"
[[ "$soname" =~ ^libverdict\.so\.[0-9]+(\.[0-9]+)?$ && -L "$prefix/$libdir/$soname" ]] || fail "SONAME $soname"
# The shared library exports the C ABI and namespace verdict, nothing of simdjson, re2 or nlohmann.
exports="$(nm -DC --defined-only "$so")"
grep -q ' T verdict_eval$' <<< "$exports" || fail "verdict_eval not exported"
grep -q ' T verdict::Engine::evaluate(' <<< "$exports" || fail "verdict::Engine::evaluate not exported"
leaked="$(grep -E '^[0-9a-f]+ [A-Za-z] (simdjson|re2|nlohmann|std)::' <<< "$exports" | head -3 || true)"
[[ -z "$leaked" ]] || fail "libverdict.so exports its dependencies' symbols: $leaked"
for f in README.md LICENSE CHANGELOG.md docs/c-abi.md; do
  [[ -f "$prefix/share/doc/verdict/$f" ]] || fail "share/doc/verdict/$f missing"
done
for f in policies/triage/default.json policies/change/default.json samples/cmdb.json ci/gate.sh; do
  [[ -f "$prefix/share/verdict/$f" ]] || fail "share/verdict/$f missing"
done

# One real decision, the same for every host: the default triage policy on a ServiceNow incident.
policy="$prefix/share/verdict/policies/triage/default.json"
data="$prefix/share/verdict/samples/cmdb.json"
input="$prefix/share/verdict/samples/servicenow-incident.json"
now="2025-03-18T10:00:00Z"
expected="$("$prefix/bin/verdict" triage -p "$policy" -d "$data" --now "$now" --format json "$input" \
  | "$PY" -c 'import json,sys; d=json.load(sys.stdin)["decision"]; print("\"team\":\"%s\"" % d["team"])')"
echo "expected decision: $expected"

# Headers: each one alone, with nothing but the prefix and the system.
for h in "$prefix/include/verdict/"*.h; do
  echo "#include <verdict/$(basename "$h")>" > "$work/h.cc"
  c++ -std=c++20 -fsyntax-only -Wall -Wextra -Werror -I"$prefix/include" "$work/h.cc" \
    || fail "verdict/$(basename "$h") is not self-contained"
done
echo '#include <verdict/verdict.h>' > "$work/h.c"
cc -std=c99 -fsyntax-only -Wall -Wextra -Werror -pedantic -I"$prefix/include" "$work/h.c" || fail "verdict.h is not C99"

# C through pkg-config, shared and static.
# Only verdict.pc is visible (PKG_CONFIG_LIBDIR): the shared library needs no other .pc file.
export PKG_CONFIG_LIBDIR="$prefix/$libdir/pkgconfig"
[[ "$(pkg-config --modversion verdict)" == "$("$prefix/bin/verdict" --version | cut -d' ' -f2)" ]] || fail "pkg-config version"
# shellcheck disable=SC2046
cc -std=c99 -Wall -Wextra -Werror -o "$work/c-shared" "$src/tests/package/consumer-c/main.c" \
   $(pkg-config --cflags --libs verdict) -Wl,-rpath,"$(pkg-config --variable=libdir verdict)"
[[ "$(ldd "$work/c-shared")" == *"$soname => $prefix"* ]] || fail "c-shared does not use the installed $soname"
"$work/c-shared" "$policy" "$data" "$input" "$now" "$expected" > "$work/c-shared.out" || { cat "$work/c-shared.out"; fail "C (shared)"; }
# shellcheck disable=SC2046
cc -std=c99 -Wall -Wextra -Werror -o "$work/c-static" "$src/tests/package/consumer-c/main.c" \
   $(pkg-config --cflags verdict) "$prefix/$libdir/libverdict.a" $(pkg-config --static --libs-only-other --libs-only-l verdict | sed 's/-lverdict//')
[[ "$(ldd "$work/c-static")" != *libverdict* ]] || fail "c-static links libverdict.so"
"$work/c-static" "$policy" "$data" "$input" "$now" "$expected" > "$work/c-static.out" || { cat "$work/c-static.out"; fail "C (static)"; }

unset PKG_CONFIG_LIBDIR

# C++ through find_package(verdict), shared and static. The shared library needs no -dev
# package of its dependencies (here: simdjson and nlohmann/json hidden from find_package).
for target in verdict::verdict verdict::verdict_static; do
  b="$work/cmake-${target#verdict::}"
  hide=()
  [[ "$target" == verdict::verdict ]] && hide=(-DCMAKE_DISABLE_FIND_PACKAGE_simdjson=ON -DCMAKE_DISABLE_FIND_PACKAGE_nlohmann_json=ON)
  cmake -S "$src/tests/package/consumer-cmake" -B "$b" -DCMAKE_PREFIX_PATH="$prefix" "${hide[@]}" \
        -DVERDICT_TARGET="$target" -DCMAKE_BUILD_TYPE=Release >/dev/null
  cmake --build "$b" >/dev/null
  "$b/consumer" "$policy" "$data" "$input" "$now" "$expected" > "$b.out" || { cat "$b.out"; fail "CMake $target"; }
done
[[ "$(ldd "$work/cmake-verdict/consumer")" == *"$soname => $prefix"* ]] || fail "verdict::verdict is not the installed shared library"

cmp -s <(sed 1d "$work/c-shared.out") <(sed 1d "$work/cmake-verdict.out") || fail "the C and C++ hosts decided differently"
echo "install_consumers: headers, C (pkg-config, shared and static) and C++ (find_package, shared and static) decided $expected"
