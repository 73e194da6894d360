#!/usr/bin/env bash
# ctest package_deb: builds the Debian package with the project's own CPack files, checks its
# control fields (Depends from dpkg-shlibdeps, every one a Debian package this machine has)
# and its contents, unpacks it with dpkg-deb -x into a temporary root, and runs the unpacked
# verdict: --version, one decision, and `verdict test` on the unpacked policies (their tests read
# the unpacked samples).
#   deb.sh BUILD_DIR WORK_DIR
set -euo pipefail
build="$(cd "$1" && pwd)" work="$2"
rm -rf "$work"; mkdir -p "$work"
work="$(cd "$work" && pwd)"
fail() { echo "FAIL: $*" >&2; exit 1; }

(cd "$build" && cpack -G DEB -B "$work" >"$work/cpack.log" 2>&1) || { cat "$work/cpack.log"; fail "cpack"; }
deb="$(ls "$work"/verdict_*.deb)"
echo "built $(basename "$deb") ($(du -k "$deb" | cut -f1) KiB)"
version="$("$build/verdict" --version | cut -d' ' -f2)"

field() { dpkg-deb --field "$deb" "$1"; }
[[ "$(field Package)" == verdict ]] || fail "Package: $(field Package)"
[[ "$(field Version)" == "$version" ]] || fail "Version $(field Version) is not verdict's $version"
[[ "$(field Architecture)" == "$(dpkg --print-architecture)" ]] || fail "Architecture"
depends="$(field Depends)"
echo "Depends: $depends"
for lib in libc6 libstdc++6 libgcc-s1 libre2 libsimdjson libyaml-cpp; do
  [[ "$depends" == *"$lib"* ]] || fail "Depends lacks $lib"
done
# Each dependency names a package that exists (installed here, as the build needed them).
IFS=',' read -r -a deps <<< "$depends"
for d in "${deps[@]}"; do
  name="$(sed -E 's/^ *([^ (|]+).*/\1/' <<< "$d")"
  [[ "$(dpkg-query -W -f='${Status}' "$name" 2>/dev/null)" == "install ok installed" ]] || fail "Depends names $name, which is not an installed package"
done
# apt resolves the package's Depends on this machine (a simulation: nothing is installed).
sim="$(apt-get install --simulate --no-install-recommends "$deb" 2>&1)" || { echo "$sim"; fail "apt-get cannot install the package"; }
[[ "$sim" == *"Inst verdict (${version} "* ]] || { echo "$sim"; fail "apt-get would not install verdict"; }
control="$(dpkg-deb --ctrl-tarfile "$deb" | tar -t)"
grep -qx './shlibs' <<< "$control" || fail "no shlibs control file"

dpkg-deb --contents "$deb" | awk '{print $NF}' > "$work/contents"
for f in ./usr/bin/verdict ./usr/include/verdict/verdict.h ./usr/include/verdict/engine.h \
         ./usr/lib/libverdict.a ./usr/lib/pkgconfig/verdict.pc ./usr/lib/cmake/verdict/verdictConfig.cmake \
         ./usr/share/doc/verdict/README.md ./usr/share/doc/verdict/LICENSE ./usr/share/doc/verdict/CHANGELOG.md \
         ./usr/share/verdict/policies/triage/default.json ./usr/share/verdict/policies/change/default.json \
         ./usr/share/verdict/ci/gate.sh ./usr/share/verdict/ci/gitlab/verdict-change.yml \
         ./usr/lib/systemd/system/verdict-serve.service; do
  grep -qx -- "$f" "$work/contents" || fail "the package lacks $f"
done
grep -qE '^\./usr/lib/libverdict\.so\.[0-9.]+$' "$work/contents" || fail "the package lacks libverdict.so.*"

root="$work/root"
dpkg-deb -x "$deb" "$root"
# Nothing of the build machine's paths in the package's text files.
leaked="$(grep -rlI -- "$build" "$root" || true)"
[[ -z "$leaked" ]] || fail "build paths in: $leaked"
v="$root/usr/bin/verdict"
[[ "$("$v" --version)" == "verdict $version" ]] || fail "verdict --version: $("$v" --version)"
share="$root/usr/share/verdict"
out="$("$v" triage -p "$share/policies/triage/default.json" -d "$share/samples/cmdb.json" --now 2025-03-18T10:00:00Z \
  --format json "$share/samples/servicenow-incident.json")" || fail "triage from the package"
grep -q '"ok":true' <<< "$out" || fail "triage decision: $out"
# The systemd unit: hardened, and clean for systemd-analyze verify where systemd is installed
# (it checks ExecStart's command exists, so the copy verified runs the unpacked verdict).
unit="$root/usr/lib/systemd/system/verdict-serve.service"
for want in '^ExecStart=/usr/bin/verdict serve ' '^DynamicUser=yes$' '^ProtectSystem=strict$' '^StateDirectory=verdict$' \
            '^Restart=on-failure$' '^ExecReload=/bin/kill -HUP \$MAINPID$' '^NoNewPrivileges=yes$' '^CapabilityBoundingSet=$'; do
  grep -qE -- "$want" "$unit" || fail "the systemd unit lacks $want"
done
grep -q "/usr/share/verdict/samples/systemd" "$work/contents" && fail "the unit is also copied among the samples"
unit_note="systemd-analyze not installed: unit not verified"
if command -v systemd-analyze >/dev/null; then
  sed "s|/usr/bin/verdict|$v|" "$unit" > "$work/verdict-serve.service"
  verify="$(systemd-analyze verify --man=no "$work/verdict-serve.service" 2>&1)" || { echo "$verify"; fail "systemd-analyze verify"; }
  [[ -z "$verify" ]] || { echo "$verify"; fail "systemd-analyze verify warns about the unit"; }
  unit_note="systemd-analyze verify: clean"
fi
# (Their tests read ../../samples: outside the current directory, so allowed explicitly.)
"$v" test --allow-path "$share" "$share/policies" > "$work/test.out" 2>&1 || { cat "$work/test.out"; fail "verdict test of the unpacked policies"; }
echo "package_deb: $(basename "$deb"): Depends from dpkg-shlibdeps, contents, --version, one decision; the unit ($unit_note); verdict test of the unpacked policies: $(tail -1 "$work/test.out")"
