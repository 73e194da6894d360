# `verdict import alertmanager` is lossless or fails (issue 15, item 6; docs/alerts.md,
# "Importing an Alertmanager configuration"), run as a user would (ctest -R cli_import).
# Configurations Alertmanager refuses are refused, checked against Debian's real
# `amtool check-config` when it is installed. -DVERDICT=... -DSRC=source dir -DWORK=scratch dir
file(REMOVE_RECURSE "${WORK}")
file(MAKE_DIRECTORY "${WORK}")
include("${CMAKE_CURRENT_LIST_DIR}/cli_expect.cmake")
find_program(AMTOOL amtool)

# 1. The sample: what is lost is named at FILE:LINE:COLUMN and fails the import (exit 3,
#    nothing written); --allow-lossy writes the policies policies/alerts/imported/ tests.
set(AM samples/alertmanager/alertmanager.yml)
expect_run_apart(3 out err "${VERDICT}" import alertmanager ${AM} -o "${WORK}/lossy.json")
foreach(part "${AM}:5:3: lost: global resolve_timeout is not converted" "${AM}:6:3: lost: global slack_api_url is not converted"
             "${AM}:8:1: lost: templates is not converted"
             "lost: receiver \"pager-default\": pagerduty_configs is not converted"
             "not imported: 12 items that would be lost (--allow-lossy imports without them)")
  expect_contains("${err}" "${part}" "import without --allow-lossy")
endforeach()
if(EXISTS "${WORK}/lossy.json" OR NOT out STREQUAL "")
  message(FATAL_ERROR "a failed import wrote policies")
endif()
expect_run_apart(0 out err "${VERDICT}" import alertmanager ${AM} --allow-lossy -o "${WORK}/imported.json")
file(READ "${WORK}/imported.json" got)
file(READ "${SRC}/policies/alerts/imported/alertmanager.json" want)
if(NOT got STREQUAL want)
  message(FATAL_ERROR "import --allow-lossy no longer writes policies/alerts/imported/alertmanager.json:\n${got}")
endif()
expect_contains("${err}" "10 routes, 2 time intervals converted; 12 items lost (--allow-lossy), listed above" "import --allow-lossy")

# 2. A route's time restriction in a named zone converts; one that cannot be converted stops the
#    import even with --allow-lossy (the route would otherwise be active around the clock).
file(WRITE "${WORK}/berlin.yml" "route:\n  receiver: a\n  routes:\n    - matchers: ['team=\"dba\"']\n      receiver: a\n      active_time_intervals: [office]\nreceivers:\n  - name: a\ntime_intervals:\n  - name: office\n    time_intervals:\n      - weekdays: ['monday:friday']\n        times: [{start_time: '09:00', end_time: '17:00'}]\n        location: Europe/Berlin\n")
expect_run_apart(0 out err "${VERDICT}" import alertmanager "${WORK}/berlin.yml")
expect_contains("${out}" "\"active_windows\": [\n" "the Berlin route")
expect_contains("${out}" "\"timezone\": \"Europe/Berlin\"" "the Berlin window")
expect_contains("${err}" "nothing lost" "a lossless import")
file(READ "${WORK}/berlin.yml" berlin)
string(REPLACE "location: Europe/Berlin" "location: Local" local "${berlin}")
file(WRITE "${WORK}/local.yml" "${local}")
expect_run_apart(3 out err "${VERDICT}" import alertmanager --allow-lossy "${WORK}/local.yml")
expect_contains("${err}" "local.yml:14:19: lost: time interval \"office\": location Local" "the unconvertible interval")
expect_contains("${err}" "local.yml:6:31: error (time restriction): active_time_intervals names \"office\", which cannot be converted" "the route that uses it")
if(NOT out STREQUAL "")
  message(FATAL_ERROR "an import that drops a time restriction wrote policies:\n${out}")
endif()

# 3. Configurations Alertmanager refuses: refused by verdict (even with --allow-lossy), each
#    reason at its line and column, and by amtool check-config (when installed).
set(names)
macro(refused name text reason)
  file(WRITE "${WORK}/${name}.yml" "${text}")
  expect_run_apart(3 out err "${VERDICT}" import alertmanager --allow-lossy "${WORK}/${name}.yml")
  expect_contains("${err}" "${WORK}/${name}.yml:${reason}" "import of ${name}.yml")
  list(APPEND names ${name})
endmacro()
refused(unknown-top "route:\n  receiver: a\nreceivers:\n  - name: a\nsilences: []\n" "5:1: error: silences is not a key of an Alertmanager configuration")
refused(unknown-route-key "route:\n  receiver: a\n  routes:\n    - receiver: a\n      mach: {x: y}\nreceivers:\n  - name: a\n" "5:7: error: route key \"mach\" is not a key of a route")
refused(undeclared "route:\n  receiver: a\n  routes:\n    - receiver: b\nreceivers:\n  - name: a\n" "2:3: error: receiver \"b\" is used by a route but not declared")
refused(root-continue "route:\n  receiver: a\n  continue: true\nreceivers:\n  - name: a\n" "3:13: error: continue on the root route")
refused(undefined-interval "route:\n  receiver: a\n  routes:\n    - receiver: a\n      mute_time_intervals: [weekends]\nreceivers:\n  - name: a\n" "5:29: error: mute_time_intervals names \"weekends\", which is not defined")
refused(bad-matcher "route:\n  receiver: a\n  routes:\n    - receiver: a\n      matchers: ['severity=~\"(\"']\nreceivers:\n  - name: a\n" "5:18: error: matchers: ")
refused(global-typo "global:\n  smarthost: x\nroute:\n  receiver: a\nreceivers:\n  - name: a\n" "2:3: error: global smarthost is not a key of global")
refused(zero-interval "route:\n  receiver: a\n  repeat_interval: 0s\nreceivers:\n  - name: a\n" "3:20: error: repeat_interval is zero")
# Alertmanager's own documentation example is refused by Alertmanager 0.25 and by verdict.
expect_run_apart(3 out err "${VERDICT}" import alertmanager --allow-lossy samples/alertmanager/doc-simple.yml)
foreach(part "doc-simple.yml:8:3: error: global smarthost is not a key of global" "doc-simple.yml:13:3: error: the root route has no receiver"
             "doc-simple.yml:17:13: error: continue on the root route")
  expect_contains("${err}" "${part}" "import of doc-simple.yml")
endforeach()
if(AMTOOL)
  foreach(name ${names})
    execute_process(COMMAND "${AMTOOL}" check-config "${WORK}/${name}.yml" RESULT_VARIABLE rc OUTPUT_VARIABLE o ERROR_VARIABLE e)
    if(rc EQUAL 0)
      message(FATAL_ERROR "amtool check-config accepts ${name}.yml, which verdict refuses:\n${o}${e}")
    endif()
  endforeach()
  foreach(ok ${AM} samples/alertmanager/kube-prometheus.yml "${WORK}/berlin.yml" "${WORK}/local.yml")
    execute_process(COMMAND "${AMTOOL}" check-config "${ok}" WORKING_DIRECTORY "${SRC}" RESULT_VARIABLE rc OUTPUT_VARIABLE o ERROR_VARIABLE e)
    if(NOT rc EQUAL 0)
      message(FATAL_ERROR "amtool check-config refuses ${ok}, which the test takes as valid:\n${o}${e}")
    endif()
  endforeach()
  execute_process(COMMAND "${AMTOOL}" check-config samples/alertmanager/doc-simple.yml WORKING_DIRECTORY "${SRC}" RESULT_VARIABLE rc OUTPUT_QUIET ERROR_QUIET)
  if(rc EQUAL 0)
    message(FATAL_ERROR "amtool check-config accepts doc-simple.yml")
  endif()
  message(STATUS "amtool check-config agrees on ${names}, doc-simple.yml and the valid configurations")
else()
  message(STATUS "amtool not installed: the refusals were not compared with Alertmanager's")
endif()

# 4. kube-prometheus's default configuration converts with exactly one loss.
expect_run_apart(3 out err "${VERDICT}" import alertmanager samples/alertmanager/kube-prometheus.yml)
string(REGEX MATCHALL "[^\n]*: (lost|error)[^:]*: [^\n]*" problems "${err}")
if(NOT problems STREQUAL "samples/alertmanager/kube-prometheus.yml:6:3: lost: global resolve_timeout is not converted")
  message(FATAL_ERROR "kube-prometheus.yml: expected exactly one loss (global.resolve_timeout):\n${err}")
endif()
expect_run_apart(0 out err "${VERDICT}" import alertmanager --allow-lossy samples/alertmanager/kube-prometheus.yml)
expect_contains("${err}" "4 routes, 0 time intervals converted; 1 item lost" "kube-prometheus.yml with --allow-lossy")
expect_contains("${out}" "\"inhibit-3\"" "kube-prometheus.yml's third inhibition rule")

# The one YAML reader (core/src/document/yaml.h): a key given twice is refused at the second
# key (Alertmanager's strict reader refuses it too), and a second YAML document, which
# Alertmanager would not read, is refused rather than dropped.
file(WRITE "${WORK}/dup.yml" "route:\n  receiver: a\n  receiver: b\nreceivers:\n  - name: a\n  - name: b\n")
expect_run_apart(3 out err "${VERDICT}" import alertmanager "${WORK}/dup.yml")
expect_contains("${err}" "dup.yml:3:3: the key \"receiver\" is given twice" "a repeated key in an Alertmanager configuration")
file(WRITE "${WORK}/two.yml" "route:\n  receiver: a\nreceivers:\n  - name: a\n---\nroute:\n  receiver: b\n")
expect_run_apart(3 out err "${VERDICT}" import alertmanager "${WORK}/two.yml")
expect_contains("${err}" "two.yml:6:1: a second YAML document; an Alertmanager configuration is one document" "a second document")
