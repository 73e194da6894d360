#!/usr/bin/env bash
# Installs verdict from its Debian package after checking the package's SHA-256.
# Used by action.yml and ci/gitlab/verdict-change.yml; every value comes from the
# environment and is quoted, never pasted into a shell line.
#
#   VERDICT_DEB          https:// URL or local path of verdict_VERSION_ARCH.deb   (required)
#   VERDICT_DEB_SHA256   its SHA-256, 64 hex digits                               (required)
#   VERDICT_ROOT         optional: unpack into this directory (dpkg-deb -x) instead of
#                        installing with apt-get; for runners that already have the
#                        package's libraries (Debian 12: libre2-9, libsimdjson14, libyaml-cpp0.7)
#
# Prints the path of the installed verdict and, on GitHub Actions, adds VERDICT=... to
# $GITHUB_ENV. Exit 4 on a usage error, 3 when the package cannot be had or is not the one
# the checksum names.
set -euo pipefail
die() { echo "verdict install: $2" >&2; exit "$1"; }

deb_src="${VERDICT_DEB:-}"
want="${VERDICT_DEB_SHA256:-}"
root="${VERDICT_ROOT:-}"
[[ -n "$deb_src" ]] || die 4 "VERDICT_DEB (the package's URL or path) is not set"
want="${want,,}"
[[ "$want" =~ ^[0-9a-f]{64}$ ]] || die 4 "VERDICT_DEB_SHA256 must be the package's SHA-256 (64 hex digits)"
case "$root" in *$'\n'*|*$'\r'*) die 4 "VERDICT_ROOT contains a line break" ;; esac

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
deb="$work/verdict.deb"
as_root() { if [[ $(id -u) -eq 0 ]]; then "$@"; else sudo "$@"; fi; }

if [[ "$deb_src" == https://* ]]; then
  if ! command -v curl >/dev/null; then
    as_root apt-get update -qq
    DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends curl ca-certificates >/dev/null
  fi
  curl --fail --silent --show-error --location --proto '=https' --tlsv1.2 --retry 3 \
    --output "$deb" --url "$deb_src" || die 3 "cannot download the package"
elif [[ "$deb_src" == *://* ]]; then
  die 4 "VERDICT_DEB: only https:// URLs or local paths"
else
  [[ -f "$deb_src" ]] || die 3 "cannot open the package: no such file"
  cp -- "$deb_src" "$deb"
fi

got="$(sha256sum < "$deb" | cut -d' ' -f1)"
[[ "$got" == "$want" ]] || die 3 "checksum mismatch: the package has SHA-256 $got, expected $want"
[[ "$(dpkg-deb --field "$deb" Package 2>/dev/null)" == verdict ]] || die 3 "not a verdict package"

if [[ -n "$root" ]]; then
  mkdir -p -- "$root"
  dpkg-deb -x "$deb" "$root"
  verdict="$(cd -- "$root" && pwd)/usr/bin/verdict"
else
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends "$deb" >/dev/null
  verdict=/usr/bin/verdict
fi
"$verdict" --version >&2 || die 3 "the installed verdict does not run (missing libraries?)"
if [[ -n "${GITHUB_ENV:-}" ]]; then
  echo "VERDICT=$verdict" >> "$GITHUB_ENV"
fi
echo "$verdict"
