#!/usr/bin/env bash
# Gate change requests in CI with `verdict change`; both samples/ci workflows call this.
#
#   check-change.sh CHANGE.json...
#
# Environment (defaults are this repository's samples):
#   VERDICT         the verdict binary                       (build/verdict)
#   CHANGE_POLICY   the ChangeRisk policy                    (policies/change/default.json)
#   CMDB, SCHEDULE, WINDOWS, BUDGET   data files; empty to leave one out
#   REPORT_DIR      where verdict-change.xml (JUnit) goes    (test-artifacts)
#   NOW             the decision time, RFC 3339              (the clock)
#
# Prints the decisions (as GitHub annotations when GITHUB_ACTIONS=true), writes the JUnit
# report, and exits like verdict: 0 approved, 1 needs approval, 2 denied, 3 invalid, 4 usage.
set -uo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
VERDICT="${VERDICT:-$here/build/verdict}"
CHANGE_POLICY="${CHANGE_POLICY:-$here/policies/change/default.json}"
CMDB="${CMDB-$here/samples/cmdb.json}"
SCHEDULE="${SCHEDULE-$here/samples/change/schedule.ndjson}"
WINDOWS="${WINDOWS-$here/samples/change/windows.json}"
BUDGET="${BUDGET-$here/samples/change/budget-status.json}"
REPORT_DIR="${REPORT_DIR:-test-artifacts}"
if [[ $# -eq 0 ]]; then
  echo "check-change.sh: no change files given" >&2
  exit 4
fi
args=(change -p "$CHANGE_POLICY")
[[ -n "$CMDB" ]] && args+=(--cmdb "$CMDB")
[[ -n "$SCHEDULE" ]] && args+=(--schedule "$SCHEDULE")
[[ -n "$WINDOWS" ]] && args+=(--windows "$WINDOWS")
[[ -n "$BUDGET" ]] && args+=(--budget "$BUDGET")
[[ -n "${NOW:-}" ]] && args+=(--now "$NOW")
mkdir -p "$REPORT_DIR"
"$VERDICT" "${args[@]}" --format junit "$@" > "$REPORT_DIR/verdict-change.xml"
rc=$?
if [[ "${GITHUB_ACTIONS:-}" == true ]]; then
  "$VERDICT" "${args[@]}" --format github "$@"
else
  "$VERDICT" "${args[@]}" "$@"
fi
case $rc in
  0) echo "verdict change: approved" ;;
  1) echo "verdict change: needs approval (see the required approvals above)" ;;
  2) echo "verdict change: denied" ;;
  3) echo "verdict change: invalid change or data (see the errors above)" ;;
  *) echo "verdict change: usage error" ;;
esac
exit $rc
