# `verdict alerts` and `verdict import alertmanager`, run as a user would (ctest -R cli_alerts).
#   -DVERDICT=path/to/verdict -DSRC=source dir -DWORK=scratch dir
file(REMOVE_RECURSE "${WORK}")
file(MAKE_DIRECTORY "${WORK}")

include("${CMAKE_CURRENT_LIST_DIR}/cli_expect.cmake")  # expect_run_apart

# 1. The import writes exactly the policies that policies/alerts/imported/ tests, and reports
#    what it cannot convert.
expect_run_apart(0 out err "${VERDICT}" import alertmanager samples/alertmanager/alertmanager.yml --allow-lossy -o "${WORK}/imported.json")
file(READ "${WORK}/imported.json" got)
file(READ "${SRC}/policies/alerts/imported/alertmanager.json" want)
if(NOT got STREQUAL want)
  message(FATAL_ERROR "verdict import alertmanager no longer writes policies/alerts/imported/alertmanager.json:\n${got}")
endif()
foreach(part "10 routes, 2 time intervals converted" "slack_configs is not converted" "global resolve_timeout is not converted")
  string(FIND "${err}" "${part}" at)
  if(at EQUAL -1)
    message(FATAL_ERROR "the import report lacks \"${part}\":\n${err}")
  endif()
endforeach()
file(WRITE "${WORK}/bad.yml" "route:\n  receiver: [unclosed\n")
expect_run_apart(3 out err "${VERDICT}" import alertmanager "${WORK}/bad.yml")
if(NOT err MATCHES "bad.yml:[0-9]+:[0-9]+: invalid YAML")
  message(FATAL_ERROR "invalid YAML is not reported with its position:\n${err}")
endif()

# 2. A stream with a broken line goes on, reports it (exit 3) and prints the summary.
file(WRITE "${WORK}/stream.ndjson" "{\"labels\":{\"alertname\":\"A\"},\"at\":\"2025-03-14T10:00:00Z\"}\n{\"labels\": \n{\"labels\":{\"alertname\":\"A\"},\"at\":\"2025-03-14T10:00:01Z\"}\n")
expect_run_apart(3 out err "${VERDICT}" alerts -p policies/alerts/default.json --summary json "${WORK}/stream.ndjson")
foreach(part "\"decision\":\"new\"" "\"type\":\"error\",\"line\":2" "\"decision\":\"duplicate\"" "\"events\":3")
  string(FIND "${out}" "${part}" at)
  if(at EQUAL -1)
    message(FATAL_ERROR "verdict alerts output lacks ${part}:\n${out}")
  endif()
endforeach()
if(NOT err MATCHES "default-alerts: 3 events, 0 notifications")
  message(FATAL_ERROR "no summary on stderr:\n${err}")
endif()

# 3. --state: the second run knows the alert; a corrupt state file is an error and is kept.
file(WRITE "${WORK}/one.ndjson" "{\"labels\":{\"alertname\":\"B\"},\"at\":\"2025-03-14T10:00:00Z\"}\n")
expect_run_apart(0 out err "${VERDICT}" alerts -q -p policies/alerts/default.json --state "${WORK}/state.json" "${WORK}/one.ndjson")
expect_run_apart(0 out err "${VERDICT}" alerts -q -p policies/alerts/default.json --state "${WORK}/state.json" "${WORK}/one.ndjson")
if(NOT out MATCHES "\"decision\":\"duplicate\",\"status\":\"firing\",\"duplicate_of\":\"[0-9a-f]+\",\"count\":2")
  message(FATAL_ERROR "the state file did not carry the alert over:\n${out}")
endif()
file(WRITE "${WORK}/state.json" "{\"kind\":\"AlertDedupState\",\"version\":7,\"streams\":[]}")
expect_run_apart(3 out err "${VERDICT}" alerts -q -p policies/alerts/default.json --state "${WORK}/state.json" "${WORK}/one.ndjson")
if(NOT err MATCHES "version 7 is not supported")
  message(FATAL_ERROR "a version-mismatched state is not reported:\n${err}")
endif()
file(READ "${WORK}/state.json" kept)
if(NOT kept STREQUAL "{\"kind\":\"AlertDedupState\",\"version\":7,\"streams\":[]}")
  message(FATAL_ERROR "the state file was overwritten after an error")
endif()

# 4. A policy of another kind is a usage error (exit 4) naming both kinds; so are several
#    AlertDedup policies without -e.
expect_run_apart(4 out err "${VERDICT}" alerts -p policies/triage/default.json samples/alerts.ndjson)
if(NOT err MATCHES "is a TriageRouting policy; this needs an AlertDedup policy")
  message(FATAL_ERROR "verdict alerts -p <TriageRouting> does not name both kinds:\n${err}")
endif()
file(READ "${SRC}/policies/alerts/default.json" policy)
string(REPLACE "\"default-alerts\"" "\"other-alerts\"" other "${policy}")
file(WRITE "${WORK}/two.json" "[${policy}, ${other}]")
expect_run_apart(4 out err "${VERDICT}" alerts -p "${WORK}/two.json" samples/alerts.ndjson)
if(NOT err MATCHES "several AlertDedup policies are loaded.*\"default-alerts\" \\(AlertDedup\\), \"other-alerts\" \\(AlertDedup\\)")
  message(FATAL_ERROR "verdict alerts with two AlertDedup policies does not list them:\n${err}")
endif()
