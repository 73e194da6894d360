#!/usr/bin/env bash
# ctest ci_action: the CI change gate (action.yml, ci/gate.sh, ci/gitlab/verdict-change.yml,
# samples/ci/) run locally against a hostile pull request (issue 17, item 12).
#
# A git repository holds a ChangeRisk policy and its data on the base branch. The pull
# request loosens the policy, the windows file and the schedule, and adds a change record
# that the base rules deny, under two hostile names: `changes/x.json; exit 0; #.json` and
# `changes/$(touch PWNED).json`. Whatever reads the pull request, the gate must say denied.
#   ci_action.sh SOURCE_DIR DEB WORK_DIR
set -euo pipefail
PY=/usr/bin/python3; [[ -x "$PY" ]] || PY=python3   # Debian's, with python3-yaml (scripts/setup.sh)
src="$(cd "$1" && pwd)" deb="$2" work="$3"
rm -rf "$work"; mkdir -p "$work"
work="$(cd "$work" && pwd)"
fail() { echo "FAIL: $*" >&2; exit 1; }
sha="$(sha256sum < "$deb" | cut -d' ' -f1)"
now=2025-03-17T12:00:00Z

# The gate's scripts pass shellcheck (quoting, word splitting, globbing).
shellcheck --severity=warning "$src/ci/gate.sh" "$src/ci/install.sh" "$src/samples/ci/check-change.sh" \
  || fail "shellcheck: the CI scripts"

# --- the repository: base branch, then the pull request -----------------------------------
repo="$work/repo"
mkdir -p "$repo"/{policies,cmdb,calendar,status,changes}
cd "$repo"
git init -q -b main .
git config user.email ci@localhost; git config user.name ci
cp "$src/policies/change/default.json" policies/change-risk.json
cp "$src/samples/cmdb.json" cmdb/cmdb.json
cp "$src/samples/change/schedule.ndjson" calendar/schedule.ndjson
cp "$src/samples/change/windows.json" calendar/windows.json
cp "$src/samples/change/budget-status.json" status/error-budget.json
cp "$src/samples/ci/changes/approved.json" changes/CHG-5201.json
git add -A; git commit -qm base
base="$(git rev-parse HEAD)"

git checkout -qb pr
sed -i 's/{"name": "high", "below": 85, "outcome": "cab_review"}/{"name": "high", "below": 85, "outcome": "auto_approve"}/' policies/change-risk.json
sed -i '0,/"type": "blackout"/s//"type": "maintenance"/' calendar/windows.json
grep -v CHG-5101 calendar/schedule.ndjson > s && mv s calendar/schedule.ndjson
hostile1='changes/x.json; exit 0; #.json'
hostile2='changes/$(touch PWNED).json'
cp "$src/samples/ci/changes/denied.json" "$hostile1"
cp "$src/samples/ci/changes/denied.json" "$hostile2"
git add -A; git commit -qm "the pull request"
git diff --quiet "$base" HEAD -- policies/change-risk.json && fail "the pull request did not edit the policy"

# --- the unpacked package ---------------------------------------------------------------
root="$work/root"
VERDICT_DEB="$deb" VERDICT_DEB_SHA256="$sha" VERDICT_ROOT="$root" bash "$src/ci/install.sh" > /dev/null
verdict="$root/usr/bin/verdict"
export VERDICT="$verdict" NOW="$now"
data=(CHANGE_POLICY=policies/change-risk.json CMDB=cmdb/cmdb.json SCHEDULE=calendar/schedule.ndjson
      WINDOWS=calendar/windows.json BUDGET=status/error-budget.json)

# 1. Why it matters: read from the pull request's head, its own edits approve it.
rc=0; env "${data[@]}" REPORT_DIR="$work/r1" GITHUB_ACTIONS= bash "$src/ci/gate.sh" "$hostile1" > "$work/1.out" 2>&1 || rc=$?
[[ $rc -eq 0 ]] || { cat "$work/1.out"; fail "control: the loosened head rules should approve (exit 0), got $rc"; }

# 2. Why it matters: the old sample pasted the file list into the shell line; the name ran `exit 0`.
list="$(git diff --name-only --diff-filter=AM "$base" HEAD -- 'changes/*.json' | tr '\n' ' ')"
rc=0; env "${data[@]}" REPORT_DIR="$work/r2" TRUSTED_REF="$base" bash -c "bash '$src/ci/gate.sh' $list" > "$work/2.out" 2>&1 || rc=$?
[[ $rc -eq 0 && -e PWNED ]] || fail "control: the interpolated shell line should have run the file names (exit 0 and PWNED), got $rc"
rm -f PWNED

# 3. The action's steps, run as a runner runs them, on a pull_request event.
rc=0
"$PY" "$src/tests/package/run_action.py" "$src/action.yml" --workdir "$repo" \
  --github event.pull_request.base.sha="$base" \
  --input package="$deb" --input sha256="$sha" --input install-root="$work/action-root" \
  --input changes=$'changes/**/*.json\n' --input changed-only=true --input now="$now" \
  --input policy=policies/change-risk.json --input cmdb=cmdb/cmdb.json --input schedule=calendar/schedule.ndjson \
  --input windows=calendar/windows.json --input budget=status/error-budget.json \
  --input report-dir="$work/reports" > "$work/3.out" 2> "$work/3.err" || rc=$?
[[ $rc -eq 2 ]] || { cat "$work/3.out" "$work/3.err"; fail "the action: expected denied (exit 2), got $rc"; }
[[ "$(tail -1 "$work/3.out")" == "{\"exit-code\": \"2\", \"status\": \"denied\", \"report\": \"$work/reports/verdict-change.xml\"}" ]] \
  || fail "the action's outputs: $(tail -1 "$work/3.out")"
grep -q '^::error file=changes/x.json; exit 0; #.json,line=1,title=verdict change CHG-5203' "$work/3.out" || { cat "$work/3.out"; fail "no annotation on the hostile file"; }
grep -q '::error file=changes/$(touch PWNED).json,line=1,' "$work/3.out" || fail "no annotation on the second hostile file"
grep -q 'would run actions/upload-artifact@v4' "$work/3.err" || fail "the report upload step did not come up"
xml="$(cat "$work/reports/verdict-change.xml")"
[[ "$xml" == *'tests="2" failures="2" errors="0"'* ]] || fail "JUnit: only the pull request's two records, both failing: $xml"
[[ "$xml" == *'file="changes/x.json; exit 0; #.json"'* ]] || fail "JUnit lacks the hostile file"
[[ "$xml" != *CHG-5201* ]] || fail "changed-only gated a record the pull request did not touch"
[[ ! -e PWNED && ! -e "$work/PWNED" ]] || fail "a file name ran a command"

# 4. A wrong checksum installs nothing and gates nothing.
rc=0
"$PY" "$src/tests/package/run_action.py" "$src/action.yml" --workdir "$repo" \
  --input package="$deb" --input sha256="$(printf '%064d' 0)" --input install-root="$work/bad-root" \
  --input changes=changes/CHG-5201.json --input policy=policies/change-risk.json > "$work/4.out" 2>&1 || rc=$?
[[ $rc -eq 3 && ! -e "$work/bad-root" ]] || { cat "$work/4.out"; fail "checksum mismatch: expected exit 3 and nothing unpacked, got $rc"; }
grep -q "checksum mismatch" "$work/4.out" || fail "no checksum message"

gate() { env "${data[@]}" REPORT_DIR="$work/r" GITHUB_ACTIONS= "$@"; }
# 5. samples/ci/check-change.sh (the local try-out) with a trusted revision: denied as well.
rc=0; gate TRUSTED_REF="$base" bash "$src/samples/ci/check-change.sh" "$hostile1" "$hostile2" > "$work/5.out" 2>&1 || rc=$?
[[ $rc -eq 2 ]] || { cat "$work/5.out"; fail "check-change.sh: expected 2, got $rc"; }
# 6. A change record that is a symbolic link is refused; a policy the base lacks is an error.
ln -s ../policies/change-risk.json changes/link.json
rc=0; gate TRUSTED_REF="$base" bash "$src/ci/gate.sh" changes/link.json > "$work/6.out" 2>&1 || rc=$?
[[ $rc -eq 3 ]] && grep -q "symbolic link" "$work/6.out" || { cat "$work/6.out"; fail "symlink: expected 3, got $rc"; }
rm changes/link.json
rc=0; gate CHANGE_POLICY=policies/new.json TRUSTED_REF="$base" bash "$src/ci/gate.sh" "$hostile1" > "$work/7.out" 2>&1 || rc=$?
[[ $rc -eq 3 ]] && grep -q "not in the trusted revision" "$work/7.out" || { cat "$work/7.out"; fail "a policy missing from the base: expected 3, got $rc"; }
# 7. Nothing changed under the pattern: a pass with a message; a record given by name is gated.
rc=0; gate TRUSTED_REF="$base" CHANGED_ONLY=true CHANGES='status/*.json' bash "$src/ci/gate.sh" > "$work/8.out" 2>&1 || rc=$?
[[ $rc -eq 0 ]] && grep -q "nothing to gate" "$work/8.out" || { cat "$work/8.out"; fail "no changed records: expected 0, got $rc"; }
rc=0; gate TRUSTED_REF="$base" CHANGES=changes/CHG-5201.json bash "$src/ci/gate.sh" > "$work/9.out" 2>&1 || rc=$?
[[ $rc -eq 0 ]] || { cat "$work/9.out"; fail "CHG-5201: expected approved, got $rc"; }

# 8. The GitLab template's script, as a merge request pipeline runs it, with the unpacked package.
"$PY" - "$src/ci/gitlab/verdict-change.yml" "$work/gitlab.sh" "$root" <<'PY'
import sys, yaml
job = yaml.safe_load(open(sys.argv[1]))['.verdict-change']
script = '\n'.join(job['script']).replace('/usr/share/verdict/', sys.argv[3] + '/usr/share/verdict/')
open(sys.argv[2], 'w').write('set -eo pipefail\n' + script + '\n')
PY
rc=0
env "${data[@]}" PATH="$root/usr/bin:$PATH" VERDICT= REPORT_DIR="$work/gl" CHANGES='changes/**/*.json' \
  CI_PIPELINE_SOURCE=merge_request_event CI_MERGE_REQUEST_DIFF_BASE_SHA="$base" bash "$work/gitlab.sh" > "$work/gl.out" 2>&1 || rc=$?
[[ $rc -eq 2 ]] || { cat "$work/gl.out"; fail "GitLab template: expected 2, got $rc"; }
grep -q 'tests="2" failures="2"' "$work/gl/verdict-change.xml" || fail "GitLab template: JUnit"
[[ ! -e PWNED ]] || fail "a file name ran a command (GitLab)"

# 9. The workflow files: no expression inside a shell line; the gate job reads only.
"$PY" - "$src" <<'PY'
import re, sys, yaml
src = sys.argv[1]
def runs(steps):
    return [s['run'] for s in steps if 'run' in s]
action = yaml.safe_load(open(f'{src}/action.yml'))
wf = yaml.safe_load(open(f'{src}/samples/ci/github-actions.yml'))
lines = runs(action['runs']['steps'])
for job in wf['jobs'].values():
    lines += runs(job.get('steps', []))
for r in lines:
    assert '${{' not in r, f'an expression inside run: {r!r}'
assert wf['permissions'] == {'contents': 'read'}, wf['permissions']
on = wf.get('on', wf.get(True))
assert 'pull_request_target' not in on, 'pull_request_target runs fork code with a write token'
gate = wf['jobs']['gate']
assert gate.get('permissions', {'contents': 'read'}) == {'contents': 'read'}
uses = [s for s in gate['steps'] if s.get('uses', '').endswith('/verdict@v0.1.0') or s.get('uses') == './']
assert uses and uses[0]['with']['changed-only'] == 'true', 'the gate step'
label = wf['jobs']['label']
assert 'head.repo.full_name == github.repository' in label['if'], 'labels only same-repository pull requests'
assert not any('actions/checkout' in s.get('uses', '') for s in label['steps']), 'the write-token job checks out nothing'
gl = yaml.safe_load(open(f'{src}/samples/ci/gitlab-ci.yml'))
job = gl['verdict-change']
assert job['extends'] == '.verdict-change'
tmpl = yaml.safe_load(open(f'{src}/ci/gitlab/verdict-change.yml'))['.verdict-change']
assert tmpl['allow_failure']['exit_codes'] == [1]
import subprocess
for line in tmpl['before_script'] + tmpl['script']:
    assert isinstance(line, str), f'a GitLab script entry that YAML reads as a mapping: {line!r}'
    assert subprocess.run(['bash', '-n', '-c', line]).returncode == 0, f'not shell: {line!r}'
    bare = re.sub(r'"[^"]*"', '', line)          # what is outside double quotes
    bare = re.sub(r"'[^']*'", '', bare)
    assert not re.search(r'\$[A-Za-z_{]', bare), f'an unquoted variable in the GitLab job: {line!r}'
print('workflow files ok')
PY
echo "ci_action: a hostile pull request (edited policy and data, two injection file names) is denied by the action, the GitLab template and check-change.sh"
