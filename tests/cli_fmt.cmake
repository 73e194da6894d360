# `verdict fmt` as a user runs it (ctest -R cli_fmt; docs/fmt.md).
#   -DVERDICT=path/to/verdict -DSRC=source dir -DWORK=scratch dir
file(REMOVE_RECURSE "${WORK}")
file(MAKE_DIRECTORY "${WORK}")

include("${CMAKE_CURRENT_LIST_DIR}/cli_expect.cmake")  # expect_run

# 1. The shipped policies are formatted: --check passes on the repository's policies/.
expect_run(0 out "${VERDICT}" fmt --check policies)

# 2. Formatting every shipped policy (and test) twice changes nothing the second time,
#    and the first time changes nothing either (they are formatted).
file(COPY "${SRC}/policies" "${SRC}/samples" DESTINATION "${WORK}")
file(GLOB_RECURSE before RELATIVE "${WORK}" "${WORK}/policies/*.json")
list(LENGTH before n)
if(n LESS 15)
  message(FATAL_ERROR "expected the shipped policies and tests, found ${n} files")
endif()
# Unformat them first (compact JSON loses nothing but layout; comments stay on their lines),
# so that formatting has work to do.
foreach(f IN LISTS before)
  file(READ "${WORK}/${f}" t)
  string(REPLACE "\n  " "\n\t " t "${t}")
  string(REPLACE ",\n" ",   \n" t "${t}")
  file(WRITE "${WORK}/${f}" "${t}")
endforeach()
expect_run(1 out "${VERDICT}" fmt --check "${WORK}/policies")
if(NOT out MATCHES "\n--- [^\n]*default.json\n\\+\\+\\+ [^\n]*\n@@ -[0-9]+,[0-9]+ \\+[0-9]+,[0-9]+ @@\n" OR NOT out MATCHES "not formatted")
  message(FATAL_ERROR "fmt --check did not print a unified diff:\n${out}")
endif()
expect_run(0 out "${VERDICT}" fmt -w "${WORK}/policies")
foreach(f IN LISTS before)
  file(READ "${WORK}/${f}" once)
  file(READ "${SRC}/${f}" shipped)
  if(NOT once STREQUAL shipped)
    message(FATAL_ERROR "${f}: formatting the unformatted copy does not give the shipped file back")
  endif()
endforeach()
expect_run(0 out "${VERDICT}" fmt -w -l "${WORK}/policies")
if(NOT out STREQUAL "")
  message(FATAL_ERROR "a second fmt -w rewrote files:\n${out}")
endif()
expect_run(0 out "${VERDICT}" fmt --check "${WORK}/policies")

# 3. Comments survive, at their place.
file(READ "${WORK}/policies/triage/default.json" t)
if(NOT t MATCHES "^// default-triage: Northwind's standard TriageRouting policy" OR
   NOT t MATCHES "\n    // Northwind runs on Berlin time[^\n]*\n    \"timezone\": \"Europe/Berlin\",")
  message(FATAL_ERROR "a comment did not survive formatting:\n${t}")
endif()

# 4. The meaning is kept: lint passes, the policy tests pass, and decisions on the samples
#    are the same as with the original files (the bundle digest aside: it is of the text).
file(GLOB_RECURSE formatted "${WORK}/policies/*.json")
list(FILTER formatted EXCLUDE REGEX "\\.test\\.json$")
expect_run(0 out "${VERDICT}" lint ${formatted})
expect_run(0 out "${VERDICT}" test "${WORK}/policies")
if(NOT out MATCHES "[1-9][0-9]* passed, 0 failed\n$")
  message(FATAL_ERROR "the policy tests of the formatted policies:\n${out}")
endif()
file(GLOB tickets "${SRC}/samples/tickets/*.json")
foreach(p triage/default.json)
  expect_run(0 a "${VERDICT}" eval -p "policies/${p}" -d samples/cmdb.json --now 2026-03-02T10:00:00Z --format json --explain ${tickets})
  expect_run(0 b "${VERDICT}" eval -p "${WORK}/policies/${p}" -d samples/cmdb.json --now 2026-03-02T10:00:00Z --format json --explain ${tickets})
  string(REGEX REPLACE "\"bundle\":\"sha256:[0-9a-f]+\"" "" a "${a}")
  string(REGEX REPLACE "\"bundle\":\"sha256:[0-9a-f]+\"" "" b "${b}")
  string(REPLACE "${WORK}/" "" b "${b}")
  if(NOT a STREQUAL b OR NOT a MATCHES "\"team\"")
    message(FATAL_ERROR "${p}: other decisions after formatting:\n${a}\n---\n${b}")
  endif()
endforeach()

# 5. A file given by name is printed formatted (stdout), changed only with -w, listed with -l;
#    stdin works too.
file(WRITE "${WORK}/one.json" "{\"spec\": {\"a\":[1,2]}, // why\n \"kind\": \"Rules\", \"apiVersion\": \"verdict/v1\"}")
# The comment after spec's comma stays after spec, which is now last (so without a comma).
expect_run(0 out "${VERDICT}" fmt "${WORK}/one.json")
if(NOT out MATCHES "^{\n  \"apiVersion\": \"verdict/v1\",\n  \"kind\": \"Rules\",\n  \"spec\": {\"a\": \\[1, 2\\]} // why\n}\n$")
  message(FATAL_ERROR "fmt FILE printed:\n${out}")
endif()
file(READ "${WORK}/one.json" t)
if(NOT t MATCHES "^{\"spec\"")
  message(FATAL_ERROR "fmt without -w changed the file")
endif()
expect_run(0 out "${VERDICT}" fmt -l "${WORK}/one.json")
if(NOT out MATCHES "one.json\n$")
  message(FATAL_ERROR "fmt -l did not list the file:\n${out}")
endif()
execute_process(COMMAND "${VERDICT}" fmt INPUT_FILE "${WORK}/one.json" RESULT_VARIABLE rc OUTPUT_VARIABLE stdin_out)
if(NOT rc EQUAL 0 OR NOT stdin_out MATCHES "^{\n  \"apiVersion\"")
  message(FATAL_ERROR "fmt on stdin: exit ${rc}:\n${stdin_out}")
endif()
expect_run(0 out "${VERDICT}" fmt -w "${WORK}/one.json")
expect_run(0 out "${VERDICT}" fmt --check "${WORK}/one.json")

# 6. Folders take verdict documents only: a data file beside the policies is left alone.
file(MAKE_DIRECTORY "${WORK}/mixed")
file(WRITE "${WORK}/mixed/cmdb.json" "{\"items\":[ ]}")
file(WRITE "${WORK}/mixed/p.json" "{\"apiVersion\":\"verdict/v1\"}")
expect_run(1 out "${VERDICT}" fmt --check "${WORK}/mixed")
if(out MATCHES "cmdb.json" OR NOT out MATCHES "p.json")
  message(FATAL_ERROR "fmt --check on a folder took the wrong files:\n${out}")
endif()

# 7. Errors: a file that is not JSON with comments (exit 3, at its line and column), a
#    missing file (exit 4, with the reason), --check with -w (exit 4).
file(WRITE "${WORK}/bad.json" "{\n  \"a\": 1,\n  \"b\" 2\n}\n")
expect_run(3 out "${VERDICT}" fmt --check "${WORK}/bad.json")
if(NOT out MATCHES "bad.json:3:[0-9]+: invalid JSON")
  message(FATAL_ERROR "fmt on a broken file:\n${out}")
endif()
expect_run(4 out "${VERDICT}" fmt "${WORK}/missing.json")
if(NOT out MATCHES "cannot open [^\n]*missing.json: No such file or directory")
  message(FATAL_ERROR "fmt on a missing file:\n${out}")
endif()
expect_run(4 out "${VERDICT}" fmt --check -w "${WORK}/one.json")
