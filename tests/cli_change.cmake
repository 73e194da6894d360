# `verdict change`, run as CI runs it (ctest -R cli_change): exit codes, and the JUnit and
# GitHub annotation formats, on the shipped samples.
#   -DVERDICT=path/to/verdict -DSRC=source dir -DWORK=scratch dir
file(REMOVE_RECURSE "${WORK}")
file(MAKE_DIRECTORY "${WORK}")

include("${CMAKE_CURRENT_LIST_DIR}/cli_expect.cmake")

set(BUNDLE -p policies/change/default.json --cmdb samples/cmdb.json --schedule samples/change/schedule.ndjson
           --windows samples/change/windows.json --budget samples/change/budget-status.json --now 2025-03-17T12:00:00Z)

# 1. Exit codes differ for approved, needs approval and denied.
expect_run_apart(0 out out_err "${VERDICT}" change ${BUNDLE} samples/ci/changes/approved.json)
if(NOT out MATCHES "approved \\(auto_approve\\), risk 0/100 low, auto-approved")
  message(FATAL_ERROR "approved.json: unexpected text:\n${out}")
endif()
expect_run_apart(1 out out_err "${VERDICT}" change ${BUNDLE} samples/ci/changes/needs-approval.json)
if(NOT out MATCHES "needs_approval \\(peer_review\\)" OR NOT out MATCHES "approval: 1 from \\[code-owner, team-lead, sre\\]: 0 present, 1 missing")
  message(FATAL_ERROR "needs-approval.json: unexpected text:\n${out}")
endif()
expect_run_apart(2 out out_err "${VERDICT}" change ${BUNDLE} samples/ci/changes/denied.json)
if(NOT out MATCHES "deny  same_item: change CHG-5101" OR NOT out MATCHES "deny  blackout quarter_close" OR NOT out MATCHES "depth 1: payments-api \\(tier 1\\)")
  message(FATAL_ERROR "denied.json: unexpected text:\n${out}")
endif()
# The worst of several changes decides the exit code.
expect_run_apart(2 out out_err "${VERDICT}" change ${BUNDLE} samples/ci/changes/approved.json samples/ci/changes/denied.json)

# 2. Input and usage errors.
file(WRITE "${WORK}/nozone.json" "{\"kind\": \"change\", \"id\": \"X\", \"targets\": [\"intranet-wiki\"], \"start\": \"2025-03-18T10:00:00\", \"end\": \"2025-03-18T11:00:00Z\"}")
expect_run_apart(3 out out_err "${VERDICT}" change ${BUNDLE} "${WORK}/nozone.json")
if(NOT out MATCHES "error: [^\n]*nozone.json: input field start: '2025-03-18T10:00:00' is not a timestamp windows can use")
  message(FATAL_ERROR "no-zone change: unexpected output:\n${out}\n${out_err}")
endif()
expect_run_apart(4 out out_err "${VERDICT}" change ${BUNDLE} "${WORK}/missing.json")
expect_run_apart(4 out out_err "${VERDICT}" change ${BUNDLE} --format yaml samples/ci/changes/approved.json)
file(WRITE "${WORK}/windows.json" "{\"kind\": \"change_windows\", \"windows\": {\"w\": {\"type\": \"blackout\", \"ranges\": [{\"start\": \"2025-03-05T00:00:00Z\", \"end\": \"2025-03-04T00:00:00Z\"}]}}}")
expect_run_apart(3 out out_err "${VERDICT}" change -p policies/change/default.json --windows "${WORK}/windows.json" samples/ci/changes/approved.json)
if(NOT out_err MATCHES "windows.json:1:[0-9]+: the range is inverted or empty")
  message(FATAL_ERROR "inverted window: unexpected stderr:\n${out_err}")
endif()

# 3. JUnit XML: one testcase per change, failures for needs approval and denied.
expect_run_apart(2 out out_err "${VERDICT}" change ${BUNDLE} --format junit samples/ci/changes/approved.json samples/ci/changes/needs-approval.json samples/ci/changes/denied.json)
if(NOT out MATCHES "<testsuites name=\"verdict change\" tests=\"3\" failures=\"2\" errors=\"0\">"
   OR NOT out MATCHES "<failure type=\"denied\" message=\"denied \\(deny\\), risk 70/100 high\">"
   OR NOT out MATCHES "<failure type=\"needs_approval\""
   OR NOT out MATCHES "<testcase classname=\"verdict.change\" name=\"CHG-5201 intranet-wiki: renew the TLS certificate\" file=\"samples/ci/changes/approved.json\" line=\"1\">")
  message(FATAL_ERROR "junit: unexpected output:\n${out}")
endif()
string(REGEX MATCHALL "<testcase " cases "${out}")
string(REGEX MATCHALL "</testcase>" ends "${out}")
list(LENGTH cases n_cases)
list(LENGTH ends n_ends)
if(NOT n_cases EQUAL 3 OR NOT n_ends EQUAL 3)
  message(FATAL_ERROR "junit: ${n_cases} testcases opened, ${n_ends} closed:\n${out}")
endif()

# 4. GitHub annotations: the decision at the file and line, one annotation per finding.
expect_run_apart(2 out out_err "${VERDICT}" change ${BUNDLE} --format github samples/ci/changes/denied.json)
if(NOT out MATCHES "::error file=samples/ci/changes/denied.json,line=1,title=verdict change CHG-5203 postgres-payments-01%3A raise max_connections to 400 and restart::denied \\(deny\\)"
   OR NOT out MATCHES "::error file=samples/ci/changes/denied.json,line=1,title=deny%3A same_item::change CHG-5101"
   OR NOT out MATCHES "::warning file=samples/ci/changes/denied.json,line=1,title=cab_review%3A outside_maintenance::")
  message(FATAL_ERROR "github: unexpected output:\n${out}")
endif()
if(out MATCHES "::[a-z]+ [^\n]*\n[^:]")
  message(FATAL_ERROR "github: a multi-line annotation was not escaped:\n${out}")
endif()

# 5. JSON: the decision, and NDJSON with line numbers for a stream of changes.
expect_run_apart(2 out out_err "${VERDICT}" change ${BUNDLE} --format json samples/changes.ndjson)
string(REGEX MATCHALL "\"line\":[0-9]+" lines "${out}")
list(LENGTH lines n)
if(NOT n EQUAL 8)
  message(FATAL_ERROR "json stream: expected 8 decisions with line numbers, got ${n}:\n${out}")
endif()

# 6. The CI samples: check-change.sh, which both workflows call, and the workflow files.
set(ENV{VERDICT} "${VERDICT}")
set(ENV{NOW} "2025-03-17T12:00:00Z")
set(ENV{REPORT_DIR} "${WORK}/reports")
set(ENV{GITHUB_ACTIONS} "")
expect_run_apart(0 out out_err bash samples/ci/check-change.sh samples/ci/changes/approved.json)
if(NOT out MATCHES "verdict change: approved")
  message(FATAL_ERROR "check-change.sh approved: ${out}")
endif()
expect_run_apart(1 out out_err bash samples/ci/check-change.sh samples/ci/changes/needs-approval.json)
if(NOT out MATCHES "verdict change: needs approval")
  message(FATAL_ERROR "check-change.sh needs approval: ${out}")
endif()
set(ENV{GITHUB_ACTIONS} "true")
expect_run_apart(2 out out_err bash samples/ci/check-change.sh samples/ci/changes/approved.json samples/ci/changes/needs-approval.json samples/ci/changes/denied.json)
if(NOT out MATCHES "::error file=[^\n]*denied.json,line=1," OR NOT out MATCHES "::notice file=[^\n]*approved.json" OR NOT out MATCHES "verdict change: denied")
  message(FATAL_ERROR "check-change.sh on GitHub: ${out}")
endif()
file(READ "${WORK}/reports/verdict-change.xml" xml)
if(NOT xml MATCHES "tests=\"3\" failures=\"2\" errors=\"0\"")
  message(FATAL_ERROR "check-change.sh JUnit report: ${xml}")
endif()
expect_run_apart(4 out out_err bash samples/ci/check-change.sh)
# Both workflows parse as YAML and use the action / the GitLab template, which run ci/gate.sh
# (tests/package/ci_action.sh runs them against a hostile pull request); GitLab lets exit 1
# (needs approval) pass as a warning.
expect_run_apart(0 out out_err python3 -c "
import yaml
gh = yaml.safe_load(open('samples/ci/github-actions.yml'))
steps = gh['jobs']['gate']['steps']
assert any(s.get('uses', '').endswith('/verdict@v0.1.0') for s in steps), 'github: no step uses the action'
act = yaml.safe_load(open('action.yml'))
assert any('ci/gate.sh' in s.get('run', '') for s in act['runs']['steps']), 'action: no step runs ci/gate.sh'
assert yaml.safe_load(open('samples/ci/gitlab-ci.yml'))['verdict-change']['extends'] == '.verdict-change'
gl = yaml.safe_load(open('ci/gitlab/verdict-change.yml'))['.verdict-change']
assert any('ci/gate.sh' in line for line in gl['script']), 'gitlab: the script does not run gate.sh'
assert gl['allow_failure']['exit_codes'] == [1], 'gitlab: exit 1 should be allowed to fail'
assert gl['artifacts']['reports']['junit'] == 'verdict-reports/verdict-change.xml'
print('ok')
")

# 7. The policy must be a ChangeRisk policy: another kind, several ChangeRisk policies
#    without -e, or an -e naming none is a usage error (exit 4) that names what was found
#    and what is needed, on stderr only; it never passes as "approved".
foreach(fmt text json junit github)
  expect_run_apart(4 out out_err "${VERDICT}" change -p policies/triage/default.json --cmdb samples/cmdb.json --format ${fmt} samples/ci/changes/denied.json)
  if(NOT out_err MATCHES "\"default-triage\" \\(TriageRouting\\) is a TriageRouting policy; this needs a ChangeRisk policy" OR NOT out STREQUAL "")
    message(FATAL_ERROR "a TriageRouting policy (${fmt}): unexpected output:\nstdout:\n${out}\nstderr:\n${out_err}")
  endif()
endforeach()
file(READ "${SRC}/policies/change/default.json" risk_policy)
string(REPLACE "\"name\": \"default-change-risk\"" "\"name\": \"other-change-risk\"" risk_policy "${risk_policy}")
file(WRITE "${WORK}/other-change-risk.json" "${risk_policy}")
expect_run_apart(4 out out_err "${VERDICT}" change -p policies/change/default.json -p "${WORK}/other-change-risk.json" --cmdb samples/cmdb.json samples/ci/changes/denied.json)
if(NOT out_err MATCHES "several ChangeRisk policies are loaded: name the one to use \\(-e NAME\\): \"default-change-risk\" \\(ChangeRisk\\), \"other-change-risk\" \\(ChangeRisk\\)"
   OR NOT out STREQUAL "")
  message(FATAL_ERROR "two ChangeRisk policies without -e: unexpected output:\nstdout:\n${out}\nstderr:\n${out_err}")
endif()
expect_run_apart(2 out out_err "${VERDICT}" change -p policies/change/default.json -p "${WORK}/other-change-risk.json" -e other-change-risk ${BUNDLE} samples/ci/changes/denied.json)
# A TriageRouting policy next to the ChangeRisk one is not in the way; -e naming it is.
expect_run_apart(2 out out_err "${VERDICT}" change -p policies/triage/default.json ${BUNDLE} samples/ci/changes/denied.json)
expect_run_apart(4 out out_err "${VERDICT}" change -p policies/triage/default.json -e default-triage ${BUNDLE} samples/ci/changes/denied.json)
if(NOT out_err MATCHES "policy \"default-triage\" is a TriageRouting policy; this needs a ChangeRisk policy")
  message(FATAL_ERROR "-e naming a TriageRouting policy: unexpected stderr:\n${out_err}")
endif()
expect_run_apart(4 out out_err "${VERDICT}" change ${BUNDLE} -e no-such-policy samples/ci/changes/denied.json)
if(NOT out_err MATCHES "no policy named \"no-such-policy\" is loaded")
  message(FATAL_ERROR "-e naming no policy: unexpected stderr:\n${out_err}")
endif()
