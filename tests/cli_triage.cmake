# `verdict triage` and `verdict eval`, run as a user would (ctest -R cli_triage): decisions
# rendered by the engine from the typed decision (text and JSON), and a policy of another
# kind, or several TriageRouting policies without -e, as usage errors (exit 4).
#   -DVERDICT=path/to/verdict -DSRC=source dir -DWORK=scratch dir
file(REMOVE_RECURSE "${WORK}")
file(MAKE_DIRECTORY "${WORK}")

include("${CMAKE_CURRENT_LIST_DIR}/cli_expect.cmake")  # expect_run_apart

function(expect_contains text part what)
  string(FIND "${text}" "${part}" at)
  if(at EQUAL -1)
    message(FATAL_ERROR "${what} lacks:\n${part}\n--- in:\n${text}")
  endif()
endfunction()

set(NOW --now 2026-03-04T12:00:00Z)

# 1. The text of a decision with its explanation, line for line (the bundle digest aside):
#    what `verdict triage` printed before decisions were typed, now written by the kind.
expect_run_apart(0 out err "${VERDICT}" triage -p policies/triage/default.json -d samples/cmdb.json ${NOW} --explain
           samples/tickets/alert-postgres-down.json)
string(CONCAT want
  "default-triage (TriageRouting) at 2026-03-04T12:00:00Z\n"
  "  priority P2 (impact medium [default], urgency high [derive: critical severity])\n"
  "  team dba-team [route], notify page, escalation payments-primary\n"
  "  runbook https://runbooks.northwind.example/payments\n"
  "  route root/payments/payments-db\n"
  "    - route root/payments/payments-db; service=~\"payments-.*|refunds-service|fraud-scoring\"\n"
  "    - urgency high derived: critical severity\n"
  "  input shape alertmanager\n"
  "  [x] root\n"
  "  [ ] root/not-an-incident\n")
expect_contains("${out}" "${want}" "verdict triage --explain")
foreach(part
    "  [ ] root/resolved\n        status=~\"(?i)(resolved|closed|done|6|7)\"  (value \"firing\": no match)\n"
    "          incident.title = \"PostgreSQL postgres-payments-01 is down\"\n"
    "  [x] root/payments/payments-db\n        ci=~\"(postgres|mysql|redis)-.*\"  (value \"\": no match)\n        cmdb_ci=~\"(postgres|mysql|redis)-.*\"  (value \"postgres-payments-01\": match)\n  bundle sha256:")
  expect_contains("${out}" "${part}" "verdict triage --explain")
endforeach()

# 2. With continue, the other routes are counted; a broken NDJSON line is an error with its
#    position and the stream goes on (exit 3).
expect_run_apart(0 out err "${VERDICT}" triage -p policies/triage/default.json -d samples/cmdb.json ${NOW} samples/tickets/jira-ops-1425.json)
expect_contains("${out}" "  route root/security (+1 more with continue)\n" "verdict triage")
expect_contains("${out}" "  input shape jira\n" "verdict triage")
file(WRITE "${WORK}/broken.ndjson" "{\"kind\":\"incident\",\"title\":\"a\"}\n{\"kind\":\n{\"kind\":\"incident\",\"title\":\"b\"}\n")
expect_run_apart(3 out err "${VERDICT}" triage -p policies/triage/default.json ${NOW} "${WORK}/broken.ndjson")
expect_contains("${out}" "line 1: default-triage (TriageRouting)" "a broken stream")
expect_contains("${out}" "line 2: error: ${WORK}/broken.ndjson:2:9: unexpected end of input" "a broken stream")
expect_contains("${out}" "line 3: default-triage (TriageRouting)" "a broken stream")

# 3. A policy of another kind, or several TriageRouting policies and no -e: exit 4, naming them.
expect_run_apart(4 out err "${VERDICT}" triage -p policies/change/default.json ${NOW} samples/incidents.ndjson)
expect_contains("${out}${err}" "is a ChangeRisk policy; this needs a TriageRouting policy" "verdict triage -p <ChangeRisk>")
expect_run_apart(4 out err "${VERDICT}" triage --format json -p policies/change/default.json ${NOW} samples/incidents.ndjson)
expect_contains("${out}" "\"code\":\"wrong_kind\"" "verdict triage --format json -p <ChangeRisk>")
expect_run_apart(4 out err "${VERDICT}" triage -p policies/triage/default.json -p policies/alerts/imported/alertmanager.json ${NOW}
           samples/incidents.ndjson)
expect_contains("${out}${err}" "several TriageRouting policies are loaded: name the one to use (-e NAME): \"default-triage\" (TriageRouting), \"alertmanager-routing\" (TriageRouting)"
                "verdict triage with two TriageRouting policies")
expect_run_apart(0 out err "${VERDICT}" triage -p policies/triage/default.json -p policies/alerts/imported/alertmanager.json -e alertmanager-routing
           ${NOW} samples/alerts.ndjson)
expect_contains("${out}" "alertmanager-routing (TriageRouting)" "verdict triage -e")

# 4. eval renders every kind through the engine: Rules as before, the AlertDedup preview in text.
expect_run_apart(0 out err "${VERDICT}" eval -p policies/rules/incident-basics.json -d samples/cmdb.json ${NOW} samples/servicenow-incident.json)
expect_contains("${out}" "incident-basics (Rules) at 2026-03-04T12:00:00Z\n  matched: database (database symptoms)\n  team = \"dba-team\"\n" "verdict eval (Rules)")
expect_run_apart(0 out err "${VERDICT}" eval -p policies/alerts/default.json --now 2025-03-14T10:00:00Z samples/alertmanager-webhook.json)
expect_contains("${out}" "  stateless preview: 3 alerts" "verdict eval (AlertDedup)")
expect_contains("${out}" "  alert 1: 86d09a1ad6e33947 firing (source key 86d09a1ad6e33947)\n    group {}/{severity=\"critical\"}:{alertname=\"HighErrorRate\", cluster=\"prod-eu-west-1\"} -> pager (route critical)\n"
                "verdict eval (AlertDedup)")
