# The command line, run as a user would (cmake -P script, run by ctest):
#   cmake -DVERDICT=path/to/verdict -DSRC=path/to/source -P cli_read_samples.cmake
#
# 1. `verdict read --format text` reads every shipped sample without an error.
# 2. A stream with a broken line in the middle: exit code 3 (invalid input), the
#    error names the line and column on stderr, and the good lines are still read.

if(NOT DEFINED VERDICT OR NOT DEFINED SRC)
  message(FATAL_ERROR "usage: cmake -DVERDICT=<verdict binary> -DSRC=<source dir> -P cli_read_samples.cmake")
endif()
if(NOT EXISTS "${VERDICT}")
  message(FATAL_ERROR "the verdict binary does not exist: ${VERDICT}")
endif()

# --- 1. the samples -----------------------------------------------------------
set(sample_names incidents.ndjson alerts.ndjson changes.ndjson cmdb.json sli.ndjson)
set(samples "")
foreach(name IN LISTS sample_names)
  if(EXISTS "${SRC}/samples/${name}")
    list(APPEND samples "${SRC}/samples/${name}")
  endif()
endforeach()
if(NOT EXISTS "${SRC}/samples/incidents.ndjson")
  message(FATAL_ERROR "samples/incidents.ndjson is missing from ${SRC}/samples")
endif()

execute_process(
  COMMAND "${VERDICT}" read --format text ${samples}
  RESULT_VARIABLE rc
  OUTPUT_VARIABLE out
  ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "verdict read of the samples exited with ${rc} (expected 0)\n"
                      "stdout:\n${out}\nstderr:\n${err}")
endif()
# One summary line per file: "<file>: <n> document(s) read as JSON|NDJSON", no failures.
foreach(file IN LISTS samples)
  string(FIND "${out}" "${file}: " at)
  if(at EQUAL -1)
    message(FATAL_ERROR "no summary line for ${file} in the output:\n${out}")
  endif()
  string(SUBSTRING "${out}" ${at} -1 rest)
  string(REGEX MATCH "^[^\n]*" summary "${rest}")
  if(NOT summary MATCHES ": [1-9][0-9]* documents? read as (JSON|NDJSON)$")
    message(FATAL_ERROR "unexpected summary for ${file}: '${summary}' (expected '<n> documents read', n > 0)\n${out}")
  endif()
endforeach()
string(FIND "${out}" "documents read" at)
if(at EQUAL -1)
  message(FATAL_ERROR "expected 'documents read' in the output:\n${out}")
endif()
if(NOT err STREQUAL "")
  message(FATAL_ERROR "verdict read of the samples wrote to stderr:\n${err}")
endif()
list(LENGTH samples n_samples)
message(STATUS "read ${n_samples} sample file(s)")

# --- 2. a stream with a broken line ---------------------------------------------
# Line 2's '}' is at byte 32 of the line: {"kind":"incident", is 19 bytes (0-18),
# "id":"INC-2" is 19-30, ',' is 31, '}' is 32 -> column 33.
set(work "${CMAKE_CURRENT_BINARY_DIR}/cli_read_samples.tmp")
file(MAKE_DIRECTORY "${work}")
set(broken "${work}/broken.ndjson")
file(WRITE "${broken}" [=[{"kind":"incident","id":"INC-1","title":"first"}
{"kind":"incident","id":"INC-2",}
{"kind":"incident","id":"INC-3","title":"third"}
]=])

execute_process(
  COMMAND "${VERDICT}" read --format text "${broken}"
  RESULT_VARIABLE rc
  OUTPUT_VARIABLE out
  ERROR_VARIABLE err)
# The same with --source: errors name the given source instead of the file.
execute_process(
  COMMAND "${VERDICT}" read --format text --source feed "${broken}"
  RESULT_VARIABLE rc_named
  OUTPUT_VARIABLE out_named
  ERROR_VARIABLE err_named)
file(REMOVE_RECURSE "${work}")
if(NOT rc EQUAL 3)
  message(FATAL_ERROR "verdict read of a broken stream exited with ${rc} (expected 3)\n"
                      "stdout:\n${out}\nstderr:\n${err}")
endif()
string(FIND "${err}" "broken.ndjson:2:33: " at)
if(at EQUAL -1)
  message(FATAL_ERROR "expected the error at broken.ndjson:2:33 on stderr, got:\n${err}")
endif()
string(FIND "${err}" ":2:" at)
if(at EQUAL -1)
  message(FATAL_ERROR "expected the line number ':2:' on stderr, got:\n${err}")
endif()
if(NOT out MATCHES "broken.ndjson: 2 documents read as NDJSON, 1 failed\n")
  message(FATAL_ERROR "expected '2 documents read as NDJSON, 1 failed' on stdout, got:\n${out}")
endif()
if(NOT out MATCHES "line 1  incident  INC-1" OR NOT out MATCHES "line 3  incident  INC-3")
  message(FATAL_ERROR "expected the good lines 1 and 3 in the output, got:\n${out}")
endif()
message(STATUS "a broken stream: exit code 3, error at line 2, good lines read")

if(NOT rc_named EQUAL 3)
  message(FATAL_ERROR "verdict read --source feed of a broken stream exited with ${rc_named} (expected 3)\n${err_named}")
endif()
string(FIND "${err_named}" "feed:2:33: " at)
if(at EQUAL -1)
  message(FATAL_ERROR "expected the error at feed:2:33 with --source feed, got:\n${err_named}")
endif()

# --- 3. the malformed samples -----------------------------------------------------
# Every file in samples/malformed is invalid input: exit code 3, an error on stderr.
file(GLOB malformed LIST_DIRECTORIES false "${SRC}/samples/malformed/*")
foreach(file IN LISTS malformed)
  execute_process(
    COMMAND "${VERDICT}" read --format text "${file}"
    RESULT_VARIABLE rc
    OUTPUT_VARIABLE out
    ERROR_VARIABLE err)
  if(NOT rc EQUAL 3)
    message(FATAL_ERROR "verdict read ${file} exited with ${rc} (expected 3 for a malformed sample)\n"
                        "stdout:\n${out}\nstderr:\n${err}")
  endif()
  if(NOT err MATCHES "error: ")
    message(FATAL_ERROR "verdict read ${file}: no error on stderr\nstdout:\n${out}")
  endif()
endforeach()
list(LENGTH malformed n_malformed)
message(STATUS "${n_malformed} malformed sample(s) rejected with exit code 3")
