# `verdict alerts --format text|json` and `-o` (docs/alerts.md, "The command line"), run as a
# user would (ctest -R cli_alerts_format). -DVERDICT=path/to/verdict -DSRC=source dir -DWORK=scratch dir
file(REMOVE_RECURSE "${WORK}")
file(MAKE_DIRECTORY "${WORK}")
include("${CMAKE_CURRENT_LIST_DIR}/cli_expect.cmake")

# The four events of docs/alerts.md ("Output"): new, duplicate, inhibited, a truncated line.
file(WRITE "${WORK}/events.ndjson"
  "{\"labels\":{\"alertname\":\"alert1\",\"severity\":\"critical\"},\"at\":\"2025-03-14T10:00:00Z\"}\n"
  "{\"labels\":{\"alertname\":\"alert1\",\"severity\":\"critical\"},\"at\":\"2025-03-14T10:00:05Z\"}\n"
  "{\"labels\":{\"alertname\":\"alert1\",\"severity\":\"warning\"},\"at\":\"2025-03-14T10:00:11Z\"}\n"
  "{\"labels\":{\"alertname\":\n")
set(RUN "${VERDICT}" alerts -q -p policies/alerts/default.json --now 2025-03-14T10:01:00Z)

# 1. json (the default, and --format json): NDJSON records, unchanged.
expect_run_apart(3 json_default err ${RUN} "${WORK}/events.ndjson")
expect_run_apart(3 json err ${RUN} --format json "${WORK}/events.ndjson")
if(NOT json STREQUAL json_default)
  message(FATAL_ERROR "--format json differs from the default output:\n${json}\n---\n${json_default}")
endif()
expect_contains("${json}" "{\"type\":\"alert\",\"line\":1,\"at\":\"2025-03-14T10:00:00Z\",\"fingerprint\":\"0223b772b51c29e1\",\"decision\":\"new\"" "--format json")

# 2. text: one line per record for people, every record of the JSON output told.
expect_run_apart(3 text err ${RUN} --format text "${WORK}/events.ndjson")
foreach(part
    "2025-03-14T10:00:00Z  line 1      new              firing    0223b772b51c29e1  count 1\n      -> pager {}/{severity=\"critical\"}:{alertname=\"alert1\"} (flush at 2025-03-14T10:00:10Z)\n"
    "2025-03-14T10:00:05Z  line 2      duplicate        firing    0223b772b51c29e1  count 2  duplicate of 0223b772b51c29e1  first seen 2025-03-14T10:00:00Z\n"
    "2025-03-14T10:00:10Z  notify      pager (first)  {}/{severity=\"critical\"}:{alertname=\"alert1\"}\n      1 firing: 0223b772b51c29e1; 0 resolved\n"
    "line 3      inhibited        firing    944f7f6f7311f024  count 1  inhibited by 0223b772b51c29e1 (rule critical-over-warning)"
    "error: ${WORK}/events.ndjson:4:")
  expect_contains("${text}" "${part}" "verdict alerts --format text")
endforeach()
if(text MATCHES "\"type\"")
  message(FATAL_ERROR "--format text printed JSON:\n${text}")
endif()
string(REGEX MATCHALL "\"type\":\"(alert|notification|error)\"" records "${json}")
string(REGEX MATCHALL "(  line [0-9]|  notify  |error: )" told "${text}")
list(LENGTH records n_json)
list(LENGTH told n_text)
if(NOT n_json EQUAL n_text)
  message(FATAL_ERROR "--format text tells ${n_text} records, --format json has ${n_json}:\n${text}\n---\n${json}")
endif()

# 3. -o FILE: the records go to the file in the format asked for, stdout stays empty.
expect_run_apart(3 out err ${RUN} --format text -o "${WORK}/out.txt" "${WORK}/events.ndjson")
file(READ "${WORK}/out.txt" written)
if(NOT out STREQUAL "" OR NOT written STREQUAL text)
  message(FATAL_ERROR "-o did not receive the text output:\nstdout:\n${out}\nfile:\n${written}")
endif()

# 4. An unknown format is a usage error.
expect_run_apart(4 out err ${RUN} --format junit "${WORK}/events.ndjson")
