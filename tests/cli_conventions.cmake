# The conventions every command shares (ctest -R cli_conventions; docs/cli.md): version,
# help COMMAND, "did you mean" for unknown commands and options, shell completions from the
# CLI11 definition, -o FILE on every command that prints results, the OS's reason in errors.
#   -DVERDICT=path/to/verdict -DSRC=source dir -DWORK=scratch dir
file(REMOVE_RECURSE "${WORK}")
file(MAKE_DIRECTORY "${WORK}")

include("${CMAKE_CURRENT_LIST_DIR}/cli_expect.cmake")  # expect_run

# 1. version: the version (the one --version prints), the C ABI version, build information.
expect_run(0 v "${VERDICT}" --version)
string(REGEX MATCH "[0-9]+\\.[0-9]+\\.[0-9]+" version "${v}")
expect_run(0 out "${VERDICT}" version)
if(NOT out MATCHES "^verdict ${version}\nC ABI version [1-9][0-9]*\ntzdata [0-9]+[a-z]\nbuilt with [^\n]+ \\(C\\+\\+ [0-9]+, [a-z]+\\), nlohmann/json [0-9.]+, CLI11 [0-9.]+\n$")
  message(FATAL_ERROR "verdict version:\n${out}")
endif()
expect_run(0 out "${VERDICT}" version --format json)
string(JSON jv GET "${out}" version)
string(JSON abi GET "${out}" abi_version)
string(JSON compiler GET "${out}" build compiler)
string(JSON tz GET "${out}" tzdata)
if(NOT jv STREQUAL version OR abi LESS 1 OR compiler STREQUAL "" OR NOT tz MATCHES "^[0-9]+[a-z]$")
  message(FATAL_ERROR "verdict version --format json:\n${out}")
endif()

# 2. help COMMAND prints the command's help, without asking for its required options.
expect_run(0 out "${VERDICT}" help triage)
if(NOT out MATCHES "Usage: verdict triage \\[OPTIONS\\]" OR NOT out MATCHES "--explain" OR out MATCHES "is required")
  message(FATAL_ERROR "verdict help triage:\n${out}")
endif()
expect_run(0 out "${VERDICT}" help import alertmanager)
if(NOT out MATCHES "Usage: verdict import alertmanager")
  message(FATAL_ERROR "verdict help import alertmanager:\n${out}")
endif()
expect_run(0 out "${VERDICT}" help)
if(NOT out MATCHES "Usage: verdict \\[OPTIONS\\] SUBCOMMAND" OR NOT out MATCHES "Subcommands:")
  message(FATAL_ERROR "verdict help:\n${out}")
endif()
expect_run(4 out "${VERDICT}" help trige)
if(NOT out MATCHES "unknown command 'trige'; did you mean 'triage'\\?")
  message(FATAL_ERROR "verdict help trige:\n${out}")
endif()

# 3. An unknown command or option: a clear message with the nearest match, exit 4.
expect_run(4 out "${VERDICT}" tirage -p x.json)
if(NOT out MATCHES "^verdict: unknown command 'tirage'; did you mean 'triage'\\?\n")
  message(FATAL_ERROR "verdict tirage:\n${out}")
endif()
expect_run(4 out "${VERDICT}" zzzzzzzz)
if(NOT out MATCHES "unknown command 'zzzzzzzz'\nRun 'verdict help'")
  message(FATAL_ERROR "verdict zzzzzzzz (no near command):\n${out}")
endif()
expect_run(4 out "${VERDICT}" triage -p policies/triage/default.json --explian samples/tickets/alert-postgres-down.json)
if(NOT out MATCHES "verdict triage: unknown option '--explian'; did you mean '--explain'\\?")
  message(FATAL_ERROR "verdict triage --explian:\n${out}")
endif()
expect_run(4 out "${VERDICT}" change --fromat json -p policies/change/default.json)
if(NOT out MATCHES "verdict change: unknown option '--fromat'; did you mean '--format'\\?")
  message(FATAL_ERROR "verdict change --fromat:\n${out}")
endif()

# 4. Completions for bash, zsh and fish name every command of `verdict help` (its own list).
expect_run(0 help "${VERDICT}" --help)
string(FIND "${help}" "Subcommands:" at)
string(SUBSTRING "${help}" ${at} -1 help)
string(REGEX MATCHALL "\n  [a-z]+" commands "${help}")
list(TRANSFORM commands REPLACE "\n  " "")
list(LENGTH commands n)
if(n LESS 12)
  message(FATAL_ERROR "expected at least 12 commands in verdict --help, found ${n}: ${commands}")
endif()
foreach(shell bash zsh fish)
  expect_run(0 script "${VERDICT}" completion ${shell})
  foreach(c IN LISTS commands)
    if(NOT script MATCHES "[ '\"(]${c}[ :)\"']")
      message(FATAL_ERROR "the ${shell} completion does not name the command ${c}:\n${script}")
    endif()
  endforeach()
  file(WRITE "${WORK}/verdict.${shell}" "${script}")
endforeach()
expect_run(4 out "${VERDICT}" completion powershell)
# bash: the script parses, and completes commands, options and nested commands.
find_program(BASH bash REQUIRED)
set(script [==[
source '%WORK%/verdict.bash'
c() { COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _verdict; echo "[$*] ${COMPREPLY[*]}"; }
c verdict tri
c verdict triage --exp
c verdict import al
c verdict help bud
c verdict completion z
]==])
string(REPLACE "%WORK%" "${WORK}" script "${script}")
file(WRITE "${WORK}/complete.sh" "${script}")
expect_run(0 out "${BASH}" --norc "${WORK}/complete.sh")
if(NOT out MATCHES "\\[verdict tri\\] triage\n" OR NOT out MATCHES "\\[verdict triage --exp\\] --explain\n"
   OR NOT out MATCHES "\\[verdict import al\\] alertmanager\n" OR NOT out MATCHES "\\[verdict help bud\\] budget\n"
   OR NOT out MATCHES "\\[verdict completion z\\] zsh\n")
  message(FATAL_ERROR "bash completion:\n${out}")
endif()
find_program(ZSH zsh)
if(ZSH)
  expect_run(0 out "${ZSH}" -n "${WORK}/verdict.zsh")
endif()
find_program(FISH fish)
if(FISH)
  expect_run(0 out "${FISH}" --no-execute "${WORK}/verdict.fish")
endif()

# 5. -o FILE on every command that prints results: stdout stays empty, the file has them.
set(NOW --now=2025-03-14T10:00:00Z)
set(cases
  "read|samples/incidents.ndjson"
  "lint|--format|json|policies/rules/incident-basics.json"
  "eval|-p|policies/rules/incident-basics.json|-d|samples/cmdb.json|${NOW}|samples/servicenow-incident.json"
  "triage|-p|policies/triage/default.json|-d|samples/cmdb.json|${NOW}|samples/tickets/alert-postgres-down.json"
  "change|-p|policies/change/default.json|--cmdb|samples/cmdb.json|${NOW}|--format|junit|samples/servicenow-change.json"
  "budget|-p|policies/budget/default.json|${NOW}|--format|json|samples/slo/orders-api.sloth.yaml|samples/slo/orders-api.prometheus.ndjson"
  "alerts|-p|policies/alerts/default.json|-q|samples/alertmanager-webhook.json"
  "fmt|policies/rules/incident-basics.json"
  "test|policies/rules")
foreach(case IN LISTS cases)
  string(REPLACE "|" ";" args "${case}")
  list(GET args 0 cmd)
  execute_process(COMMAND "${VERDICT}" ${args} -o "${WORK}/${cmd}.out" RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err
                  WORKING_DIRECTORY "${SRC}")
  file(SIZE "${WORK}/${cmd}.out" size)
  if(rc GREATER 2 OR NOT out STREQUAL "" OR size EQUAL 0)
    message(FATAL_ERROR "verdict ${cmd} -o: exit ${rc}, stdout '${out}', ${size} bytes written\n${err}")
  endif()
endforeach()
expect_run(4 out "${VERDICT}" lint -o "${WORK}/no/such/folder/x.out" policies/rules/incident-basics.json)
if(NOT out MATCHES "cannot write [^\n]*x.out: No such file or directory")
  message(FATAL_ERROR "lint -o into a missing folder:\n${out}")
endif()

# 6. A file that cannot be opened: the OS's reason.
foreach(cmd lint read)
  expect_run(4 out "${VERDICT}" ${cmd} "${WORK}/missing.json")
  if(NOT out MATCHES "cannot open [^\n]*missing.json: No such file or directory")
    message(FATAL_ERROR "verdict ${cmd} on a missing file:\n${out}")
  endif()
endforeach()
expect_run(4 out "${VERDICT}" triage -p "${WORK}/missing.json" samples/tickets/alert-postgres-down.json)
if(NOT out MATCHES "cannot open [^\n]*missing.json: No such file or directory")
  message(FATAL_ERROR "verdict triage -p on a missing file:\n${out}")
endif()
expect_run(4 out "${VERDICT}" budget -p policies/budget/default.json --now=2025-03-14T10:00:00Z --svg "${WORK}/no/such/folder/b.svg"
           samples/slo/orders-api.sloth.yaml samples/slo/orders-api.prometheus.ndjson)
if(NOT out MATCHES "cannot write [^\n]*b.svg: No such file or directory")
  message(FATAL_ERROR "verdict budget --svg into a missing folder:\n${out}")
endif()
