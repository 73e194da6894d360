# `verdict budget`, run as a user would on the shipped samples (ctest -R cli_budget).
#   -DVERDICT=path/to/verdict -DSRC=source dir -DWORK=scratch dir
file(REMOVE_RECURSE "${WORK}")
file(MAKE_DIRECTORY "${WORK}")

include("${CMAKE_CURRENT_LIST_DIR}/cli_expect.cmake")  # expect_run_apart

set(P policies/budget/default.json)
set(NOW 2025-03-14T10:00:00Z)
set(INPUTS samples/slo/northwind-slos.json samples/slo/checkout-web.openslo.yaml samples/slo/orders-api.sloth.yaml
           samples/slo/sli-5m.ndjson samples/slo/orders-api.prometheus.ndjson)

# 1. The samples: auth-service's budget is spent (exit 2), the status document and the chart.
expect_run_apart(2 out err "${VERDICT}" budget -p ${P} --now ${NOW} --format json --svg "${WORK}/budget.svg" ${INPUTS})
if(NOT out MATCHES "^\\{\"kind\":\"error_budget_status\",\"version\":1,\"at\":\"2025-03-14T10:00:00Z\""
   OR NOT out MATCHES "\"slo\":\"auth-service-availability\",\"service\":\"auth-service\",\"objective\":99.95,\"window\":\"30d\",\"status\":\"exhausted\",\"budget_remaining\":-[0-9.]+,\"budget_consumed\":1\\.[0-9]+,\"burn_state\":\"ok\",\"freeze\":true,\"actions\":\\[\"notify\",\"require_approval\",\"freeze_releases\"\\]"
   OR NOT out MATCHES "\"slo\":\"payments-api-availability\",[^}]*\"status\":\"warning\"[^}]*\"burn_state\":\"ticket\""
   OR NOT out MATCHES "\"frozen_services\":\\[\"auth-service\"\\]")
  message(FATAL_ERROR "verdict budget --format json is not the expected status:\n${out}\n${err}")
endif()
if(NOT err STREQUAL "")
  message(FATAL_ERROR "unexpected errors on the samples:\n${err}")
endif()
file(READ "${WORK}/budget.svg" svg)
foreach(want "<svg xmlns" "budget remaining" "policy thresholds" "freeze-100: 100% consumed" "auth-service-availability (auth-service)" "<polyline" "</svg>")
  string(FIND "${svg}" "${want}" at)
  if(at EQUAL -1)
    message(FATAL_ERROR "the chart lacks '${want}'")
  endif()
endforeach()
# The chart as it was drawn before the decision was typed (tests/budget/, test_budget_status.cc).
file(READ "${SRC}/tests/budget/northwind.svg" svg_before)
if(NOT svg STREQUAL svg_before)
  message(FATAL_ERROR "the chart differs from tests/budget/northwind.svg")
endif()

# 2. The committed status document (samples/slo/northwind-status.json, for `verdict change`) is current.
file(READ "${SRC}/samples/slo/northwind-status.json" committed)
if(NOT committed STREQUAL out)
  message(FATAL_ERROR "samples/slo/northwind-status.json is stale: regenerate it with\n  verdict budget -p ${P} --now ${NOW} --format json ${INPUTS} > samples/slo/northwind-status.json")
endif()

# 3. Text for people; the same exit code.
expect_run_apart(2 out err "${VERDICT}" budget -p ${P} --now ${NOW} ${INPUTS})
if(NOT out MATCHES "auth-service-availability +auth-service +99.95% +30d +-[0-9.]+% +ok +exhausted +notify, require_approval, freeze_releases \\(frozen\\)"
   OR NOT out MATCHES "releases frozen for auth-service")
  message(FATAL_ERROR "verdict budget text output:\n${out}")
endif()
file(READ "${SRC}/tests/budget/northwind.txt" text_before)
if(NOT out STREQUAL text_before)
  message(FATAL_ERROR "the text differs from tests/budget/northwind.txt:\n${out}")
endif()

# 4. YAML and its JSON twin give the same status.
expect_run_apart(0 a err "${VERDICT}" budget -p ${P} --now ${NOW} --format json samples/slo/orders-api.sloth.yaml samples/slo/orders-api.prometheus.ndjson)
expect_run_apart(0 b err "${VERDICT}" budget -p ${P} --now ${NOW} --format json samples/slo/orders-api.sloth.json samples/slo/orders-api.prometheus.ndjson)
if(NOT a STREQUAL b OR NOT a MATCHES "\"source\":\"sloth\"")
  message(FATAL_ERROR "YAML and JSON Sloth specs differ:\n${a}\n${b}")
endif()

# 5. Several files: an error names the file, line and column it came from; exit 3.
file(WRITE "${WORK}/bad.ndjson" "{\"slo\":\"payments-api-availability\",\"t\":\"2025-03-14T09:59:00Z\",\"good\":5,\"total\":10}\n{\"slo\":\"payments-api-availability\",\"t\":\"2025-03-14T09:59:30Z\",\"good\":-5,\"total\":10}\n")
expect_run_apart(3 out err "${VERDICT}" budget -p ${P} --now ${NOW} samples/slo/northwind-slos.json "${WORK}/bad.ndjson")
if(NOT err MATCHES "bad.ndjson:2:70: a negative count: \"good\" is -5 \\[invalid_argument\\]")
  message(FATAL_ERROR "the error is not placed in bad.ndjson:\n${err}")
endif()

# 6. A budget with no burn and little spent: exit 0; a warning: exit 1.
file(WRITE "${WORK}/ok.json" "{\"slos\":[{\"kind\":\"slo\",\"name\":\"a\",\"service\":\"s\",\"objective\":99,\"window\":\"7d\"}],\"data\":[{\"t\":\"2025-03-14T09:00:00Z\",\"good\":1000,\"total\":1000}]}")
expect_run_apart(0 out err "${VERDICT}" budget -p ${P} --now ${NOW} "${WORK}/ok.json")
file(WRITE "${WORK}/warn.json" "{\"slos\":[{\"kind\":\"slo\",\"name\":\"a\",\"service\":\"s\",\"objective\":99,\"window\":\"7d\"}],\"data\":[{\"t\":\"2025-03-14T09:00:00Z\",\"good\":997,\"total\":1000}]}")
expect_run_apart(1 out err "${VERDICT}" budget -p ${P} --now ${NOW} "${WORK}/warn.json")

# 7. Broken YAML is an error with its line and column.
file(WRITE "${WORK}/broken.yaml" "version: \"prometheus/v1\"\nslos:\n  - name: [unclosed\n")
expect_run_apart(3 out err "${VERDICT}" budget -p ${P} --now ${NOW} "${WORK}/broken.yaml")
if(NOT err MATCHES "broken.yaml:[0-9]+:[0-9]+: invalid YAML")
  message(FATAL_ERROR "broken YAML:\n${err}")
endif()

# 8. -p repeats (several policies loaded, -e picks one) and does not swallow the inputs after it.
expect_run_apart(0 out err "${VERDICT}" budget -p ${P} -p policies/budget/sloth-windows.json -e sloth-windows --now ${NOW} "${WORK}/ok.json")
if(NOT out MATCHES "policy sloth-windows")
  message(FATAL_ERROR "-e did not pick sloth-windows:\n${out}")
endif()

# 9. The kind check: a policy of another kind is a usage error naming the kind found and the
#    kind needed (exit 4, not a crash); several ErrorBudget policies and no -e: exit 4, listing them.
expect_run_apart(4 out err "${VERDICT}" budget -p policies/triage/default.json --now ${NOW} "${WORK}/ok.json")
if(NOT err MATCHES "TriageRouting" OR NOT err MATCHES "needs an? ErrorBudget policy" OR NOT err MATCHES "wrong_kind")
  message(FATAL_ERROR "a TriageRouting policy given to verdict budget:\n${out}\n${err}")
endif()
expect_run_apart(4 out err "${VERDICT}" budget -p ${P} -p policies/budget/sloth-windows.json --now ${NOW} "${WORK}/ok.json")
if(NOT err MATCHES "\"default-budget\" \\(ErrorBudget\\), \"sloth-windows\" \\(ErrorBudget\\)" OR NOT err MATCHES "ambiguous" OR NOT out STREQUAL "")
  message(FATAL_ERROR "two ErrorBudget policies without -e:\n${out}\n${err}")
endif()
# -e naming a policy of another kind, among ErrorBudget ones.
expect_run_apart(4 out err "${VERDICT}" budget -p ${P} -p policies/triage/default.json -e default-triage --now ${NOW} "${WORK}/ok.json")
if(NOT err MATCHES "is a TriageRouting policy; this needs an? ErrorBudget policy")
  message(FATAL_ERROR "-e naming a TriageRouting policy:\n${out}\n${err}")
endif()

# 10. A policy written with the old camelCase keys still works, with a warning at each key;
#     the status is the same as with the snake_case keys.
file(READ "${SRC}/${P}" policy_text)
foreach(pair "burn_rate_windows;burnRateWindows" "exhaustion_window;exhaustionWindow" "freeze_actions;freezeActions" "burndown_points;burndownPoints")
  list(GET pair 0 new_key)
  list(GET pair 1 old_key)
  string(REPLACE "\"${new_key}\"" "\"${old_key}\"" policy_text "${policy_text}")
endforeach()
file(WRITE "${WORK}/old-keys.json" "${policy_text}")
expect_run_apart(0 new_out err "${VERDICT}" budget -p ${P} --now ${NOW} --format json "${WORK}/ok.json")
expect_run_apart(0 old_out err "${VERDICT}" budget -p "${WORK}/old-keys.json" --now ${NOW} --format json "${WORK}/ok.json")
if(NOT old_out STREQUAL new_out
   OR NOT err MATCHES "old-keys.json:[0-9]+:5: \"burnRateWindows\" is the old spelling of \"burn_rate_windows\" \\[warning\\]"
   OR NOT err MATCHES "\"burndownPoints\" is the old spelling of \"burndown_points\"")
  message(FATAL_ERROR "old keys:\n${old_out}\n${err}")
endif()
