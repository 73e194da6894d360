# The policy commands, run as a user would (ctest -R cli_policy).
#   -DVERDICT=path/to/verdict -DSRC=source dir -DWORK=scratch dir
file(REMOVE_RECURSE "${WORK}")
file(MAKE_DIRECTORY "${WORK}")

include("${CMAKE_CURRENT_LIST_DIR}/cli_expect.cmake")  # expect_run

# 1. The shipped policy tests pass.
expect_run(0 out "${VERDICT}" test policies)
if(NOT out MATCHES "[1-9][0-9]* passed, 0 failed")
  message(FATAL_ERROR "verdict test policies: no passing summary:\n${out}")
endif()

# 2. Changing one expectation makes `verdict test` fail with a readable diff.
file(COPY "${SRC}/policies/rules" DESTINATION "${WORK}/policies")
file(COPY "${SRC}/samples/cmdb.json" DESTINATION "${WORK}/samples")
file(READ "${WORK}/policies/rules/incident-basics.test.json" t)
string(REPLACE "\"outputs.team\": \"security-team\"" "\"outputs.team\": \"network-team\"" t "${t}")
file(WRITE "${WORK}/policies/rules/incident-basics.test.json" "${t}")
expect_run(3 out "${VERDICT}" test "${WORK}/policies")
if(NOT out MATCHES "outputs.team: expected \"network-team\", got \"security-team\"" OR NOT out MATCHES " 1 failed")
  message(FATAL_ERROR "a changed expectation did not fail as expected:\n${out}")
endif()

# 3. lint names the file, line and column of a broken expression.
file(WRITE "${WORK}/broken.json" "{\n  \"apiVersion\": \"verdict/v1\",\n  \"kind\": \"Rules\",\n  \"metadata\": {\"name\": \"broken\"},\n  \"spec\": {\"input\": \"incident\", \"rules\": [\n    {\"name\": \"r\", \"when\": \"incident.title.contains('x') && incident.urgency =! 'high'\"}\n  ]}\n}\n")
expect_run(3 out "${VERDICT}" lint "${WORK}/broken.json")
# Line 6: the expression starts at column 27 and its '=' (of "=!") is at offset 50: column 77.
if(NOT out MATCHES "broken.json:6:77: '=' is not an operator")
  message(FATAL_ERROR "lint did not point at broken.json:6:77:\n${out}")
endif()

# 4. lint passes the shipped policies.
file(GLOB_RECURSE shipped "${SRC}/policies/*.json")
list(FILTER shipped EXCLUDE REGEX "\\.test\\.json$")
expect_run(0 out "${VERDICT}" lint ${shipped})

# 5. eval: exit 0, JSON decision with the bundle digest and the values with --explain.
file(WRITE "${WORK}/inc.json" "{\"kind\":\"incident\",\"title\":\"Postgres replication broken\",\"impact\":\"medium\"}")
expect_run(0 out "${VERDICT}" eval -p policies/rules/incident-basics.json -d samples/cmdb.json --now 2026-03-02T10:00:00Z --format json --explain "${WORK}/inc.json")
if(NOT out MATCHES "\"bundle\":\"sha256:[0-9a-f]+\"" OR NOT out MATCHES "\"rule\":\"database\"" OR NOT out MATCHES "\"values\":")
  message(FATAL_ERROR "eval output is not the expected decision:\n${out}")
endif()

# Bad-input files must check where each error is: a code alone is refused, a wrong line fails.
file(COPY "${SRC}/policies/triage" DESTINATION "${WORK}/positions")
file(COPY "${SRC}/samples/cmdb.json" DESTINATION "${WORK}/samples")
file(COPY "${SRC}/samples/tickets" "${SRC}/samples/servicenow-change.json" DESTINATION "${WORK}/samples")
file(READ "${WORK}/positions/triage/bad-inputs.test.json" t)
string(REPLACE "{\"code\": \"wrong_type\", \"line\": 1, \"column\": 1}" "\"wrong_type\"" t1 "${t}")
file(WRITE "${WORK}/positions/triage/bad-inputs.test.json" "${t1}")
expect_run(3 out "${VERDICT}" test "${WORK}/positions/triage/bad-inputs.test.json")
if(NOT out MATCHES "each expected error names its code, line and column")
  message(FATAL_ERROR "a bad-inputs expectation without a position was accepted:\n${out}")
endif()
string(REPLACE "\"line\": 108, \"column\": 36" "\"line\": 108, \"column\": 37" t2 "${t}")
file(WRITE "${WORK}/positions/triage/bad-inputs.test.json" "${t2}")
expect_run(3 out "${VERDICT}" test "${WORK}/positions/triage/bad-inputs.test.json")
if(NOT out MATCHES "expected an error .*\"column\":37")
  message(FATAL_ERROR "a wrong error column did not fail:\n${out}")
endif()
