#!/usr/bin/env bash
# Installs what verdict needs on a Debian 12 machine, when it is missing.
# Idempotent: a second run checks the packages and returns in about a second.
#   scripts/setup.sh          native build and tests (compiler, libraries, Catch2)
#   scripts/setup.sh --all    also Emscripten, Chromium, unicode-data, the npm packages
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

native_pkgs=(build-essential cmake pkg-config git ca-certificates
  libsimdjson-dev libre2-dev nlohmann-json3-dev catch2 libbenchmark-dev
  libcli11-dev libyaml-cpp-dev libdtl-dev clang libclang-rt-14-dev gzip python3 python3-yaml
  dpkg-dev binutils file shellcheck    # the Debian package (CPack runs dpkg-shlibdeps, file); the CI scripts' lint
  libcpp-httplib-dev prometheus-alertmanager   # verdict serve (cpp-httplib; its tests run amtool)
  libsodium-dev   # verdict serve's signed bundles (ed25519)
  libnats-dev nats-server   # verdict serve --cluster (NATS JetStream C client; its test runs a 3-node cluster)
  tzdata)   # the zones compiled in (cmake/tzdata.cmake)
full_pkgs=(emscripten binaryen unicode-data dpkg-dev chromium python3 python3-six perl nodejs npm
  prometheus curl wrk)   # verdict serve: a real Prometheus delivering alerts (and promtool: bench.sh peers), the README's curl examples, the benchmark

want=("${native_pkgs[@]}")
if [[ "${1:-}" == "--all" ]]; then want+=("${full_pkgs[@]}"); fi

missing=()
for p in "${want[@]}"; do
  # nodejs/npm may come from elsewhere (a newer Node is fine): accept the commands.
  if [[ "$p" == nodejs ]] && command -v node >/dev/null; then continue; fi
  if [[ "$p" == npm ]] && command -v npm >/dev/null; then continue; fi
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

as_root() { if [[ $(id -u) -eq 0 ]]; then "$@"; else sudo "$@"; fi; }

if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}"
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if [[ "${1:-}" == "--all" ]]; then
  # Source packages for the Wasm build of re2 and simdjson: add deb-src entries
  # mirroring the machine's own Debian sources (no host is named here).
  src=/etc/apt/sources.list.d/verdict-deb-src.sources
  if [[ ! -f "$src" ]]; then
    if [[ -f /etc/apt/sources.list.d/debian.sources ]]; then
      sed 's/^Types: deb$/Types: deb-src/' /etc/apt/sources.list.d/debian.sources | as_root tee "$src" >/dev/null
    elif [[ -f /etc/apt/sources.list ]]; then
      grep -E '^deb ' /etc/apt/sources.list | sed 's/^deb /deb-src /' | as_root tee "${src%.sources}.list" >/dev/null
    fi
    as_root apt-get update -qq
  fi
  # The pinned devDependencies (js/package.json): playwright-core (no browser download) for
  # the Chromium tests, esbuild and typescript for the package tests, @action-validator for
  # the CI files. npm ci again whenever one is missing or at another version.
  if ! (cd "$here/js" && node -e '
      const fs = require("fs");
      const want = require("./package.json").devDependencies;
      for (const [name, v] of Object.entries(want)) {
        const p = `node_modules/${name}/package.json`;
        if (!fs.existsSync(p) || JSON.parse(fs.readFileSync(p, "utf8")).version !== v) process.exit(1);
      }'); then
    (cd "$here/js" && npm ci --no-audit --no-fund --loglevel=error)
  fi
fi
