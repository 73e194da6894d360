#!/usr/bin/env bash
# Sets verdict's version everywhere it is written: project(VERSION) in CMakeLists.txt (the
# source of truth: the CLI, the C ABI, the library and the packages take it from there),
# js/package.json and js/package-lock.json, the extension's manifest.json and the CI
# samples' release references. Add the CHANGELOG.md heading by hand; the ctest
# version_agrees checks them all.
#   scripts/set-version.sh 0.2.0
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
new="${1:-}"
[[ "$new" =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] || { echo "usage: scripts/set-version.sh MAJOR.MINOR.PATCH" >&2; exit 4; }
old="$(sed -nE 's/^project\(verdict VERSION ([0-9.]+).*/\1/p' "$here/CMakeLists.txt")"
sed -i -E "s/^project\(verdict VERSION [0-9.]+/project(verdict VERSION $new/" "$here/CMakeLists.txt"
python3 - "$here" "$new" <<'PY'
import json, re, sys
here, new = sys.argv[1], sys.argv[2]
def edit(path, fn):
    p = f'{here}/{path}'
    s = open(p).read()
    open(p, 'w').write(fn(s))
# Only the package's own version fields, keeping the files' formatting.
edit('js/package.json', lambda s: re.sub(r'^(  "version": )"[^"]*"', rf'\1"{new}"', s, count=1, flags=re.M))
def lock(s):
    s = re.sub(r'^(  "version": )"[^"]*"', rf'\1"{new}"', s, count=1, flags=re.M)
    return re.sub(r'("packages": \{\s*"": \{[^}]*?"version": )"[^"]*"', rf'\1"{new}"', s, count=1)
edit('js/package-lock.json', lock)
edit('js/extension/manifest.json', lambda s: re.sub(r'^(  "version": )"[^"]*"', rf'\1"{new}"', s, count=1, flags=re.M))
for f in ('samples/ci/github-actions.yml', 'samples/ci/gitlab-ci.yml'):
    edit(f, lambda s: re.sub(r'(@v|/v|_)\d+\.\d+\.\d+', lambda m: m.group(1) + new, s))
PY
echo "version: $old -> $new (add a '## $new' section to CHANGELOG.md)"
