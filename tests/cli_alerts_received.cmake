# `verdict alerts` takes the stream's clock from the receipt time (issue 15, item 4):
# `--now`, or else the wall clock when the input is read; `--event-times` keeps startsAt.
#   -DVERDICT=path/to/verdict -DSRC=source dir -DWORK=scratch dir
file(REMOVE_RECURSE "${WORK}")
file(MAKE_DIRECTORY "${WORK}")

include("${CMAKE_CURRENT_LIST_DIR}/cli_expect.cmake")  # expect_run_apart

# The issue's repro: an Alertmanager API array (GET /api/v2/alerts) whose first alert is the
# Watchdog, firing for months, and then an alert that started today.
file(WRITE "${WORK}/api.json" [=[
[{"labels":{"alertname":"Watchdog","severity":"none"},"annotations":{},"startsAt":"2024-12-12T13:58:00.000Z","endsAt":"0001-01-01T00:00:00Z","status":{"state":"active","silencedBy":[],"inhibitedBy":[]}},
 {"labels":{"alertname":"KubePodCrashLooping","namespace":"payments","severity":"warning"},"annotations":{},"startsAt":"2025-03-14T05:12:44.000Z","endsAt":"0001-01-01T00:00:00Z","status":{"state":"active","silencedBy":[],"inhibitedBy":[]}}]
]=])

# 1. Before: at their startsAt (now --event-times), the Watchdog set the clock and the next
#    alert was refused as "more than 30d after the stream's clock".
expect_run_apart(3 out err "${VERDICT}" alerts -q -p policies/alerts/default.json --event-times "${WORK}/api.json")
if(NOT out MATCHES "more than 30d after the stream's clock")
  message(FATAL_ERROR "--event-times no longer reads startsAt (so case 2 proves nothing):\n${out}")
endif()

# 2. By default, both alerts are received at the wall clock: no error, both at one time, a
#    time of this run (not 2024 or 2025).
string(TIMESTAMP year "%Y" UTC)
expect_run_apart(0 out err "${VERDICT}" alerts -q -p policies/alerts/default.json "${WORK}/api.json")
string(REGEX MATCHALL "\"at\":\"[^\"]+\"" ats "${out}")
list(LENGTH ats n)
list(REMOVE_DUPLICATES ats)
list(LENGTH ats distinct)
if(NOT n EQUAL 2 OR NOT distinct EQUAL 1 OR NOT ats MATCHES "\"at\":\"${year}-")
  message(FATAL_ERROR "the alerts are not at the wall clock's receipt time:\n${out}")
endif()

# 3. --now is the receipt time of every input, the files before the last one included.
expect_run_apart(0 out err "${VERDICT}" alerts -q -p policies/alerts/default.json --now 2025-03-14T10:00:00Z "${WORK}/api.json" "${WORK}/api.json")
string(REGEX MATCHALL "\"at\":\"[^\"]+\"" ats "${out}")
list(REMOVE_DUPLICATES ats)
if(NOT ats STREQUAL "\"at\":\"2025-03-14T10:00:00Z\"")
  message(FATAL_ERROR "--now is not the receipt time of every file:\n${out}")
endif()

# 4. --event-times and --now exclude each other.
expect_run_apart(4 out err "${VERDICT}" alerts -q -p policies/alerts/default.json --event-times --now 2025-03-14T10:00:00Z "${WORK}/api.json")
