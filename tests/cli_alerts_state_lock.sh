#!/usr/bin/env bash
# Two `verdict alerts --state` processes on one state file never lose an event: while one holds
# the state, the other fails clearly (exit 3, "in use by another verdict process") and nothing
# it was given is counted; the caller runs it again. Each worker sends ROUNDS batches of
# distinct alerts; the final state must count every one of them.
#   cli_alerts_state_lock.sh VERDICT SRC WORK
set -euo pipefail
verdict="$1" src="$2" work="$3"
rounds=25 per=200
rm -rf "$work" && mkdir -p "$work"
policy="$src/policies/alerts/default.json"
state="$work/state.json"

worker() {
  local name="$1" r i rc tries
  for ((r = 0; r < rounds; r++)); do
    local batch="$work/$name-$r.ndjson"
    for ((i = 0; i < per; i++)); do
      printf '{"labels":{"alertname":"%s-%d-%d"}}\n' "$name" "$r" "$i"
    done >"$batch"
    for ((tries = 0; ; tries++)); do
      rc=0
      "$verdict" alerts -q -p "$policy" --now 2025-03-14T10:00:00Z --state "$state" "$batch" \
        >/dev/null 2>"$work/$name.err" || rc=$?
      [[ $rc == 0 ]] && break
      if [[ $rc != 3 ]] || ! grep -q "is in use by another verdict process" "$work/$name.err"; then
        echo "worker $name round $r: exit $rc:" >&2
        cat "$work/$name.err" >&2
        return 1
      fi
      if ((tries > 5000)); then
        echo "worker $name round $r: never got the state" >&2
        return 1
      fi
    done
  done
}

worker a & pa=$!
worker b & pb=$!
status=0
wait "$pa" || status=1
wait "$pb" || status=1
[[ $status == 0 ]] || exit 1

want=$((2 * rounds * per))
python3 - "$state" "$want" <<'PY'
import json, sys
state, want = json.load(open(sys.argv[1])), int(sys.argv[2])
s = state["streams"][0]
events, alerts = s["stats"]["events"], len(s["alerts"])
if events != want or alerts != want:
    sys.exit(f"lost events: the state counts {events} events and {alerts} alerts, {want} were sent")
print(f"{events} events, {alerts} alerts: none lost")
PY
# No temporary state files are left behind.
left=$(find "$work" -name 'state.json.*' ! -name 'state.json.lock')
[[ -z "$left" ]] || { echo "temporary files left: $left" >&2; exit 1; }
