#!/usr/bin/env bash
# Sets up what is missing, builds the native engine, and runs the main job on the
# shipped samples: what the engine reads from each sample file, then the default
# triage policy deciding priority, team and route for the sample incidents, a
# ServiceNow incident and Jira issues (with the sample CMDB), and the default change policy
# gating the sample change requests (approved, needs approval, denied: exit 0, 1, 2), the
# error budgets of the sample SLOs, and the default alert policy over the sample alerts.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$here"
bash scripts/setup.sh
bash scripts/build.sh native >/dev/null
shopt -s nullglob
echo "== verdict read samples/*.json samples/*.ndjson"
build/verdict read samples/*.json samples/*.ndjson | grep -v '^  line' || true
echo
echo "== verdict triage -p policies/triage/default.json -d samples/cmdb.json --now 2025-03-14T09:00:00Z ..."
build/verdict triage -p policies/triage/default.json -d samples/cmdb.json --now 2025-03-14T09:00:00Z \
  samples/incidents.ndjson samples/servicenow-incident.json samples/jira-issues.ndjson
echo
echo "== verdict change -p policies/change/default.json --cmdb ... --schedule ... --windows ... --budget ... samples/ci/changes/*.json"
for f in samples/ci/changes/approved.json samples/ci/changes/needs-approval.json samples/ci/changes/denied.json; do
  rc=0
  build/verdict change -p policies/change/default.json --cmdb samples/cmdb.json --schedule samples/change/schedule.ndjson \
    --windows samples/change/windows.json --budget samples/change/budget-status.json --now 2025-03-17T12:00:00Z "$f" || rc=$?
  echo "  -> exit $rc ($f)"
  echo
done
echo "== verdict budget -p policies/budget/default.json --now 2025-03-14T10:00:00Z samples/slo/... (SVG in test-artifacts/budget.svg)"
mkdir -p test-artifacts
rc=0
build/verdict budget -p policies/budget/default.json --now 2025-03-14T10:00:00Z \
  samples/slo/northwind-slos.json samples/slo/checkout-web.openslo.yaml samples/slo/orders-api.sloth.yaml \
  samples/slo/sli-5m.ndjson samples/slo/orders-api.prometheus.ndjson --svg test-artifacts/budget.svg || rc=$?
echo "  -> exit $rc (2: a budget is exhausted)"
echo
echo "== verdict alerts -p policies/alerts/default.json -d samples/cmdb.json --now 2025-03-14T08:30:00Z samples/alerts.ndjson"
(build/verdict alerts -p policies/alerts/default.json -d samples/cmdb.json --now 2025-03-14T08:30:00Z samples/alerts.ndjson 2>/dev/null | head -8) || true
build/verdict alerts -p policies/alerts/default.json -d samples/cmdb.json --now 2025-03-14T08:30:00Z samples/alerts.ndjson 2>&1 >/dev/null | tail -5
echo "  ... (one NDJSON line per decision and notification; the summary is on stderr)"
