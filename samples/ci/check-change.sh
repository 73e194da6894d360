#!/usr/bin/env bash
# Try the CI change gate locally on this repository's samples:
#
#   samples/ci/check-change.sh CHANGE.json...
#
# It runs ci/gate.sh (what action.yml and ci/gitlab/verdict-change.yml run) with this
# repository's policy and data as defaults. Environment (see ci/gate.sh for all):
#   VERDICT         the verdict binary                       (build/verdict)
#   CHANGE_POLICY   the ChangeRisk policy                    (policies/change/default.json)
#   CMDB, SCHEDULE, WINDOWS, BUDGET   data files; empty to leave one out
#   TRUSTED_REF     read the policy and data as they are in this git revision
#   REPORT_DIR      where verdict-change.xml (JUnit) goes    (test-artifacts)
#   NOW             the decision time, RFC 3339              (the clock)
#
# Exits like verdict: 0 approved, 1 needs approval, 2 denied, 3 invalid, 4 usage.
set -uo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
export VERDICT="${VERDICT:-$here/build/verdict}"
export CHANGE_POLICY="${CHANGE_POLICY:-$here/policies/change/default.json}"
export CMDB="${CMDB-$here/samples/cmdb.json}"
export SCHEDULE="${SCHEDULE-$here/samples/change/schedule.ndjson}"
export WINDOWS="${WINDOWS-$here/samples/change/windows.json}"
export BUDGET="${BUDGET-$here/samples/change/budget-status.json}"
exec bash "$here/ci/gate.sh" "$@"
