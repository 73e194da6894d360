# `verdict test` reads only files inside the current directory or a --allow-path folder, not
# under hidden parts of them (docs/limits.md, "Test files"): a test file naming /etc/hostname,
# a hidden file or a symbolic link out of the tree is refused unread, so its bytes reach no
# message. -DVERDICT=... -DSRC=source dir (the current directory of each run) -DWORK=scratch dir
file(REMOVE_RECURSE "${WORK}")
file(MAKE_DIRECTORY "${WORK}/.secret")
include("${CMAKE_CURRENT_LIST_DIR}/cli_expect.cmake")  # expect_run (in SRC)

file(WRITE "${WORK}/.secret/token.json" "SECRET-TOKEN-4711\n")
file(CREATE_LINK /etc/hostname "${WORK}/link.json" SYMBOLIC)
file(RELATIVE_PATH policy "${WORK}" "${SRC}/policies/triage/default.json")
foreach(input /etc/hostname .secret/token.json link.json)
  file(WRITE "${WORK}/paths.test.json" "{\"apiVersion\": \"verdict/v1\", \"kind\": \"PolicyTest\", \"metadata\": {\"name\": \"paths\"},
  \"spec\": {\"policies\": [\"${policy}\"], \"cases\": [{\"name\": \"c\", \"inputFile\": \"${input}\", \"expect\": {}}]}}")
  expect_run(3 out "${VERDICT}" test "${WORK}/paths.test.json")
  if(NOT out MATCHES "\"${input}\" is outside the folders a test file may read" OR out MATCHES "SECRET|invalid_json")
    message(FATAL_ERROR "inputFile ${input} was not refused unread:\n${out}")
  endif()
endforeach()
# The same policy data names, through `data`: refused as well.
file(WRITE "${WORK}/data.test.json" "{\"apiVersion\": \"verdict/v1\", \"kind\": \"PolicyTest\", \"metadata\": {\"name\": \"data\"},
  \"spec\": {\"policies\": [\"${policy}\"], \"data\": [\".secret/token.json\"], \"cases\": [{\"name\": \"c\", \"input\": {}, \"expect\": {}}]}}")
expect_run(3 out "${VERDICT}" test "${WORK}/data.test.json")
if(NOT out MATCHES "\".secret/token.json\" is outside" OR out MATCHES "SECRET")
  message(FATAL_ERROR "data .secret/token.json was not refused unread:\n${out}")
endif()
# So the rule is what refused them: with --allow-path the file is read (and is not JSON).
file(WRITE "${WORK}/paths.test.json" "{\"apiVersion\": \"verdict/v1\", \"kind\": \"PolicyTest\", \"metadata\": {\"name\": \"paths\"},
  \"spec\": {\"policies\": [\"${policy}\"], \"cases\": [{\"name\": \"c\", \"inputFile\": \".secret/token.json\", \"expect\": {}}]}}")
expect_run(3 out "${VERDICT}" test --allow-path "${WORK}/.secret" "${WORK}/paths.test.json")
if(out MATCHES "is outside" OR NOT out MATCHES "invalid_json")
  message(FATAL_ERROR "--allow-path did not allow the file:\n${out}")
endif()
expect_run(4 out "${VERDICT}" test --allow-path "${WORK}/nothing-here" "${WORK}/paths.test.json")
