# `verdict test` like `opa test` (ctest -R cli_test_runner; docs/policy-tests.md):
# --run, -v, --format json|junit, -o, --coverage and --threshold.
#   -DVERDICT=path/to/verdict -DSRC=source dir -DWORK=scratch dir
file(REMOVE_RECURSE "${WORK}")
file(MAKE_DIRECTORY "${WORK}")

include("${CMAKE_CURRENT_LIST_DIR}/cli_expect.cmake")  # expect_run

file(COPY "${SRC}/policies/rules" "${SRC}/policies/triage" DESTINATION "${WORK}/policies")
file(COPY "${SRC}/samples" DESTINATION "${WORK}")
set(T "${WORK}/policies/rules/incident-basics.test.json")
file(READ "${T}" tests)
string(REGEX MATCHALL "\"name\": \"[^\"]+\"" names "${tests}")
list(GET names 1 first_case)  # [0] is the test file's metadata.name
string(REGEX REPLACE "\"name\": \"([^\"]+)\"" "\\1" first_case "${first_case}")

# 1. -v lists every case with its time.
expect_run(0 out "${VERDICT}" test -v "${T}")
if(NOT out MATCHES "  PASS ${first_case} \\([0-9]+\\.[0-9]ms\\)\n" OR NOT out MATCHES "16 passed, 0 failed\n$")
  message(FATAL_ERROR "test -v:\n${out}")
endif()

# 2. --run selects cases by an RE2 pattern over "FILE: NAME"; the others are skipped.
expect_run(0 out "${VERDICT}" test -v --run "^.*incident-basics.test.json: ${first_case}$" "${T}")
if(NOT out MATCHES "1 passed, 0 failed, 15 skipped\n$" OR NOT out MATCHES "PASS ${first_case}")
  message(FATAL_ERROR "test --run (one case):\n${out}")
endif()
expect_run(0 out "${VERDICT}" test --run "triage/default" "${WORK}/policies")
if(NOT out MATCHES "incident-basics.test.json: 0 passed, 0 failed, 16 skipped" OR NOT out MATCHES "triage/default.test.json: [1-9][0-9]* passed, 0 failed\n")
  message(FATAL_ERROR "test --run (one file):\n${out}")
endif()
expect_run(3 out "${VERDICT}" test --run "no case is called this" "${T}")
if(NOT out MATCHES "selects no case")
  message(FATAL_ERROR "test --run selecting nothing:\n${out}")
endif()
expect_run(4 out "${VERDICT}" test --run "(" "${T}")
if(NOT out MATCHES "invalid regular expression")
  message(FATAL_ERROR "test --run with a broken pattern:\n${out}")
endif()

# A failing case, for the machine formats.
string(REPLACE "\"outputs.team\": \"security-team\"" "\"outputs.team\": \"network-team\"" broken "${tests}")
if(broken STREQUAL tests)
  message(FATAL_ERROR "the expectation to break is no longer in ${T}")
endif()
file(WRITE "${WORK}/broken/rules/incident-basics.test.json" "${broken}")
file(COPY "${SRC}/policies/rules/incident-basics.json" DESTINATION "${WORK}/broken/rules")
file(COPY "${SRC}/samples/cmdb.json" DESTINATION "${WORK}/samples")
set(B "${WORK}/broken/rules/incident-basics.test.json")

# 3. --format json: counts, cases with their time and failures.
expect_run(3 out "${VERDICT}" test --format json "${B}")
string(JSON failed GET "${out}" failed)
string(JSON passed GET "${out}" passed)
string(JSON ncases LENGTH "${out}" files 0 cases)
string(JSON seconds GET "${out}" files 0 cases 0 seconds)
if(NOT failed EQUAL 1 OR NOT passed EQUAL 15 OR NOT ncases EQUAL 16 OR NOT seconds MATCHES "^[0-9.e-]+$"
   OR NOT out MATCHES "\"ok\":false,\"seconds\":[0-9.e-]+,\"failures\":\\[\"outputs.team: expected \\\\\"network-team\\\\\", got \\\\\"security-team\\\\\"\"\\]")
  message(FATAL_ERROR "test --format json:\n${out}")
endif()

# 4. --format junit with -o: one <testsuite> per file, a <testcase> per case, <failure> with the diff.
expect_run(3 out "${VERDICT}" test --format junit -o "${WORK}/report.xml" "${B}")
file(READ "${WORK}/report.xml" xml)
if(NOT xml MATCHES "^<\\?xml version=\"1.0\" encoding=\"UTF-8\"\\?>\n<testsuites name=\"verdict test\">"
   OR NOT xml MATCHES "<testsuite name=\"[^\"]*incident-basics.test.json\" tests=\"16\" failures=\"1\" errors=\"0\""
   OR NOT xml MATCHES "<failure message=\"outputs.team: expected &quot;network-team&quot;, got &quot;security-team&quot;\">"
   OR NOT out STREQUAL "")
  message(FATAL_ERROR "test --format junit -o:\n${xml}\nstdout:\n${out}")
endif()
find_program(XMLLINT xmllint)
if(XMLLINT)
  expect_run(0 out "${XMLLINT}" --noout "${WORK}/report.xml")
endif()

# 5. --coverage: per policy, a percentage and each part no case exercised, at its position.
expect_run(0 out "${VERDICT}" test --coverage "${WORK}/policies")
if(NOT out MATCHES "coverage: incident-basics \\(Rules, [^)]*incident-basics.json\\): 100.0% \\(rules 5/5\\)\n"
   OR NOT out MATCHES "coverage: default-triage \\(TriageRouting, [^)]*default.json\\): 100.0% \\(routes [0-9]+/[0-9]+, windows 5/5\\)\n")
  message(FATAL_ERROR "test --coverage on the shipped tests:\n${out}")
endif()
# TriageRouting windows: one case on a Friday morning in Berlin tries after-hours (night and
# weekend not in effect) and no other window, so all five are listed at their positions.
file(WRITE "${WORK}/policies/triage/one.test.json" "{\"apiVersion\": \"verdict/v1\", \"kind\": \"PolicyTest\", \"metadata\": {\"name\": \"one\"},
  \"spec\": {\"policies\": [\"default.json\"], \"data\": [\"../../samples/cmdb.json\"], \"now\": \"2025-03-14T09:00:00Z\",
    \"cases\": [{\"name\": \"a P3\", \"input\": {\"kind\": \"incident\", \"title\": \"x\", \"impact\": \"medium\", \"urgency\": \"medium\"}, \"expect\": {}}]}}")
expect_run(0 out "${VERDICT}" test --coverage "${WORK}/policies/triage/one.test.json")
if(NOT out MATCHES "\\(routes [0-9]+/20, windows 0/5\\)\n"
   OR NOT out MATCHES "default.json:[0-9]+:[0-9]+: window night not exercised\n"
   OR NOT out MATCHES "default.json:[0-9]+:[0-9]+: window db_maintenance not exercised\n")
  message(FATAL_ERROR "test --coverage of TriageRouting windows:\n${out}")
endif()
file(REMOVE "${WORK}/policies/triage/one.test.json")
# Remove every case that expects the "security" rule to match: the rule is reported, at its
# line and column in the policy (its opening brace), and coverage drops below 100%.
file(READ "${WORK}/policies/rules/incident-basics.json" policy)
string(FIND "${policy}" "\"name\": \"security\"" at)
if(at LESS 0)
  message(FATAL_ERROR "no rule named security in incident-basics.json")
endif()
string(SUBSTRING "${policy}" 0 ${at} before)
string(FIND "${before}" "{" brace REVERSE)  # the rule's position is its opening brace
string(SUBSTRING "${before}" 0 ${brace} before)
string(REGEX MATCHALL "\n" lines "${before}")
list(LENGTH lines line)
math(EXPR line "${line} + 1")
file(READ "${T}" t)
string(JSON ncases LENGTH "${t}" spec cases)  # strict JSON: the test file has no comments
set(kept "")
math(EXPR last "${ncases} - 1")
foreach(i RANGE ${last})
  string(JSON c GET "${t}" spec cases ${i})
  if(NOT c MATCHES "security-team")
    list(APPEND kept "${c}")
  endif()
endforeach()
list(JOIN kept "," kept)
string(JSON t SET "${t}" spec cases "[${kept}]")
file(WRITE "${T}" "${t}")
expect_run(0 out "${VERDICT}" test --coverage "${T}")
if(NOT out MATCHES "coverage: incident-basics \\(Rules, [^)]*\\): 80.0% \\(rules 4/5\\)\n  [^\n]*incident-basics.json:${line}:[0-9]+: rule security not exercised\n")
  message(FATAL_ERROR "test --coverage without the security cases (rule at line ${line}):\n${out}")
endif()
expect_run(0 out "${VERDICT}" test --coverage --format json "${T}")
string(JSON pct GET "${out}" coverage policies 0 percent)
string(JSON missed GET "${out}" coverage policies 0 not_covered 0 name)
string(JSON missed_line GET "${out}" coverage policies 0 not_covered 0 line)
if(NOT pct EQUAL 80 OR NOT missed STREQUAL "security" OR NOT missed_line EQUAL line)
  message(FATAL_ERROR "test --coverage --format json:\n${out}")
endif()

# 6. --threshold: below it, exit 3 with the figure; at or above it, the tests' own result.
expect_run(3 out "${VERDICT}" test --coverage --threshold 90 "${T}")
if(NOT out MATCHES "coverage 80.0% is below the threshold of 90%")
  message(FATAL_ERROR "test --threshold 90:\n${out}")
endif()
expect_run(0 out "${VERDICT}" test --coverage --threshold 80 "${T}")
expect_run(4 out "${VERDICT}" test --threshold 101 "${T}")
