# Shared by the ctest scripts that run the verdict command as a user would (include()d by
# cli_policy, cli_fmt, cli_conventions, cli_test_runner, cli_alerts_format, ...).
#
# expect_run(CODE OUT_VAR COMMAND...): runs COMMAND in ${SRC}; fails the test, showing both
# streams, unless it exits CODE; sets OUT_VAR to stdout followed by stderr.
function(expect_run code out_var)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err WORKING_DIRECTORY "${SRC}")
  if(NOT rc EQUAL code)
    message(FATAL_ERROR "expected exit ${code}, got ${rc} from: ${ARGN}\nstdout:\n${out}\nstderr:\n${err}")
  endif()
  set(${out_var} "${out}${err}" PARENT_SCOPE)
endfunction()

# expect_run_apart(CODE OUT_VAR ERR_VAR COMMAND...): the same, stdout and stderr apart.
function(expect_run_apart code out_var err_var)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err WORKING_DIRECTORY "${SRC}")
  if(NOT rc EQUAL code)
    message(FATAL_ERROR "expected exit ${code}, got ${rc} from: ${ARGN}\nstdout:\n${out}\nstderr:\n${err}")
  endif()
  set(${out_var} "${out}" PARENT_SCOPE)
  set(${err_var} "${err}" PARENT_SCOPE)
endfunction()

# expect_contains(TEXT PART WHAT): fails the test unless TEXT contains PART.
function(expect_contains text part what)
  string(FIND "${text}" "${part}" at)
  if(at EQUAL -1)
    message(FATAL_ERROR "${what} lacks:\n${part}\n--- in:\n${text}")
  endif()
endfunction()
