#!/usr/bin/env bash
# Sets up what is missing, builds the native engine, and runs the main job on
# the shipped samples: what the engine reads from each sample document.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$here"
bash scripts/setup.sh
bash scripts/build.sh native >/dev/null
shopt -s nullglob
build/verdict read samples/*.json samples/*.ndjson
