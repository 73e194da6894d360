# `verdict budget` on SLO specifications as users have them (ctest -R cli_slo_specs): Sloth's
# Kubernetes CRD and AlertWindows and OpenSLO multi-document files taken from the projects'
# own examples (samples/slo/upstream/), errors at the YAML file's own line and column, and
# raw Prometheus query_range responses given with --series.
#   -DVERDICT=path/to/verdict -DSRC=source dir -DWORK=scratch dir
file(REMOVE_RECURSE "${WORK}")
file(MAKE_DIRECTORY "${WORK}")

include("${CMAKE_CURRENT_LIST_DIR}/cli_expect.cmake")  # expect_run_apart

function(expect_match text regex what)
  if(NOT text MATCHES "${regex}")
    message(FATAL_ERROR "${what}: no match for ${regex} in:\n${text}")
  endif()
endfunction()

set(P policies/budget/default.json)
set(NOW 2026-03-02T10:00:00Z)
set(U samples/slo/upstream)

# 1. Sloth's examples/k8s-getting-started.yml with examples/windows/7d.yaml: a 20x burn for
#    the last hour pages, under Sloth's 7-day windows and with the alert name and labels of
#    the CRD's alerting block.
file(WRITE "${WORK}/myservice.ndjson"
  "{\"slo\": \"myservice-requests-availability\", \"start\": \"2026-03-02T09:05:00Z\", \"step\": \"5m\", \"count\": 12, \"total\": 1000, \"bad\": 20}\n")
expect_run_apart(2 out err "${VERDICT}" budget -p ${P} --now ${NOW} --format json ${U}/sloth-k8s-getting-started.yml ${U}/sloth-windows-7d.yaml "${WORK}/myservice.ndjson")
expect_match("${out}" "\"slo\":\"myservice-requests-availability\",\"service\":\"myservice\",\"objective\":99.9,\"window\":\"7d\",\"status\":\"exhausted\"" "the Sloth CRD under 7-day windows")
expect_match("${out}" "\"alerts\":\\[{\"name\":\"page-quick\",\"severity\":\"page\",\"long\":\"1h\",\"short\":\"5m\",\"factor\":13.44,\"long_burn\":20.0,\"short_burn\":20.0,\"firing\":true}" "Sloth's page-quick window")
expect_match("${out}" "\"alerting\":{\"name\":\"MyServiceHighErrorRate\",\"page\":{\"disabled\":false,\"firing\":true,\"labels\":{\"category\":\"availability\",\"severity\":\"pageteam\",\"routing_key\":\"myteam\"}" "the CRD's page alert")
if(NOT err STREQUAL "")
  message(FATAL_ERROR "unexpected errors:\n${err}")
endif()
# The plain form of the same example reads the same (its own snake-case alerting).
expect_run_apart(2 out2 err "${VERDICT}" budget -p ${P} --now ${NOW} --format json ${U}/sloth-getting-started.yml ${U}/sloth-windows-7d.yaml "${WORK}/myservice.ndjson")
if(NOT out2 STREQUAL out)
  message(FATAL_ERROR "the plain Sloth form decides differently from the CRD:\n${out}\n${out2}")
endif()

# 2. The OpenSLO README's documents in one file: the SLO's indicatorRef resolves to the SLI
#    document after it; AlertPolicy and AlertCondition are skipped with notes; exit 0 (no data).
expect_run_apart(0 out err "${VERDICT}" budget -p ${P} --now ${NOW} ${U}/openslo-readme.yaml)
expect_match("${out}" "note: the alertPolicies of OpenSLO SLO \"foo-slo\" are not read" "a note for the SLO's alertPolicies")
expect_match("${out}" "note: OpenSLO AlertPolicy \"AlertPolicy\" skipped" "a note for the AlertPolicy")
expect_match("${out}" "note: OpenSLO AlertCondition \"cpu-usage-breach\" skipped" "a note for the AlertCondition")
expect_match("${out}" "foo-slo +foo +98% +28d" "the OpenSLO SLO")
if(NOT err STREQUAL "")
  message(FATAL_ERROR "a valid OpenSLO file gave errors:\n${err}")
endif()

# 3. Errors in YAML at the YAML file's own line and column (not in the converted JSON).
file(WRITE "${WORK}/bad.yaml" "# a comment\nversion: \"prometheus/v1\"\nservice: \"myservice\"\nslos:\n  - name: \"requests-availability\"\n    objective: 100\n    sli:\n      events:\n        error_query: x\n        total_query: y\n")
expect_run_apart(3 out err "${VERDICT}" budget -p ${P} --now ${NOW} "${WORK}/bad.yaml")
expect_match("${err}" "bad.yaml:6:16: an objective of 100% leaves no error budget" "the objective's YAML position")
# In the second document of a file, and among other files.
file(WRITE "${WORK}/two.yaml" "apiVersion: openslo/v1\nkind: Service\nmetadata:\n  name: foo\n---\napiVersion: openslo/v1\nkind: SLO\nmetadata:\n  name: foo-slo\nspec:\n  service: foo\n  indicatorRef: nowhere\n  budgetingMethod: Occurrences\n  timeWindow:\n    - duration: 28d\n      isRolling: true\n  objectives:\n    - target: 0.98\n")
expect_run_apart(3 out err "${VERDICT}" budget -p ${P} --now ${NOW} "${WORK}/myservice.ndjson" "${WORK}/two.yaml")
expect_match("${err}" "two.yaml:12:17: spec.indicatorRef \"nowhere\" names no OpenSLO SLI document" "the indicatorRef's YAML position")
# A key given twice is an error at the second one, not a silent overwrite.
file(WRITE "${WORK}/dup.yaml" "version: \"prometheus/v1\"\nservice: a\nservice: b\nslos: []\n")
expect_run_apart(3 out err "${VERDICT}" budget -p ${P} --now ${NOW} "${WORK}/dup.yaml")
expect_match("${err}" "dup.yaml:3:1: the key \"service\" is given twice" "a repeated key")

# 4. Raw Prometheus query_range responses with --series, errors at their own positions.
file(WRITE "${WORK}/slo.json" "{\"kind\": \"slo\", \"name\": \"api\", \"service\": \"api\", \"objective\": 99, \"window\": \"30d\"}\n")
file(WRITE "${WORK}/total.json" "{\n  \"status\": \"success\",\n  \"data\": {\n    \"resultType\": \"matrix\",\n    \"result\": [\n      {\"metric\": {\"job\": \"api\"}, \"values\": [[1772445300, \"1000\"], [1772445600, \"1000\"]]}\n    ]\n  }\n}\n")
file(WRITE "${WORK}/bad.json" "{\"status\": \"success\", \"data\": {\"resultType\": \"matrix\", \"result\": [{\"metric\": {}, \"values\": [[1772445300, \"5\"], [1772445600, \"15\"]]}]}}\n")
expect_run_apart(2 out err "${VERDICT}" budget -p ${P} --now ${NOW} --format json --series api:total=${WORK}/total.json --series api:bad:increase=${WORK}/bad.json "${WORK}/slo.json")
expect_match("${out}" "\"events\":{\"good\":1980,\"bad\":20,\"total\":2000" "the events of the raw responses")
file(WRITE "${WORK}/nan.json" "{\n  \"status\": \"success\",\n  \"data\": {\"resultType\": \"matrix\", \"result\": [{\"metric\": {}, \"values\": [[1772445300, \"NaN\"]]}]}\n}\n")
expect_run_apart(3 out err "${VERDICT}" budget -p ${P} --now ${NOW} --series api:bad=${WORK}/nan.json --series api:total=${WORK}/total.json "${WORK}/slo.json")
expect_match("${err}" "nan.json:3:86: \"NaN\" is not a count" "an error inside a --series file")
# A raw response among the inputs says how to name it; a --series without its series is a usage error.
expect_run_apart(3 out err "${VERDICT}" budget -p ${P} --now ${NOW} "${WORK}/slo.json" "${WORK}/total.json")
expect_match("${err}" "total.json:1:1: a raw Prometheus query_range response: say which SLO and series it counts \\(verdict budget --series" "a raw response as an input")
expect_run_apart(4 out err "${VERDICT}" budget -p ${P} --now ${NOW} --series api=${WORK}/total.json "${WORK}/slo.json")
expect_match("${err}" "say what the response counts" "--series without good, bad or total")
