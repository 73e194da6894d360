#!/usr/bin/env bash
# Gates change records in CI with `verdict change`: action.yml, ci/gitlab/verdict-change.yml
# and samples/ci/check-change.sh run this.
#
#   gate.sh [CHANGE.json...]
#
# Every input comes from the environment (or the arguments) and stays one quoted word:
# nothing is pasted into a shell line, a file name is never split, globbed twice or read as
# an option, and a change record that is a symbolic link or not a regular file is refused.
#
#   VERDICT         the verdict binary                                        (verdict on PATH)
#   CHANGES         change records to gate, one path or glob a line (** works), added to
#                   the arguments; globs match files in the working tree
#   CHANGE_POLICY   the ChangeRisk policy                                      (required)
#   CMDB, SCHEDULE, WINDOWS, BUDGET   data files; empty to leave one out
#   TRUSTED_REF     a git revision (a pull request's base): the policy and data files that
#                   are inside the repository are read as they are in it, not from the
#                   working tree, so a pull request cannot loosen the rules that judge it
#   CHANGED_ONLY    true: gate only the records added or modified since TRUSTED_REF
#                   (a pull request's own change records); none is a pass
#   NOW             the decision time, RFC 3339                                (the clock)
#   REPORT_DIR      where verdict-change.xml (JUnit) goes                      (test-artifacts)
#   GITHUB_ACTIONS  true: decisions as GitHub annotations, exit code and status to $GITHUB_OUTPUT
#
# Exits like verdict: 0 approved, 1 needs approval, 2 denied, 3 invalid, 4 usage.
set -uo pipefail
shopt -s nullglob globstar extglob
die() { echo "verdict gate: $2" >&2; emit_outputs "$1"; exit "$1"; }
emit_outputs() {
  local rc=$1 status
  case $rc in 0) status=approved ;; 1) status=needs_approval ;; 2) status=denied ;; 3) status=invalid ;; *) status=usage_error ;; esac
  if [[ "${GITHUB_ACTIONS:-}" == true && -n "${GITHUB_OUTPUT:-}" ]]; then
    { echo "exit-code=$rc"; echo "status=$status"; echo "report=$REPORT_DIR/verdict-change.xml"; } >> "$GITHUB_OUTPUT"
  fi
}

VERDICT="${VERDICT:-verdict}"
CHANGE_POLICY="${CHANGE_POLICY:-}"
REPORT_DIR="${REPORT_DIR:-test-artifacts}"
TRUSTED_REF="${TRUSTED_REF:-}"
CHANGED_ONLY="${CHANGED_ONLY:-false}"
[[ -n "$CHANGE_POLICY" ]] || die 4 "CHANGE_POLICY (the ChangeRisk policy file) is not set"
[[ "$CHANGED_ONLY" == true && -z "$TRUSTED_REF" ]] && die 4 "CHANGED_ONLY=true needs TRUSTED_REF (the base revision)"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# --- the trusted revision -----------------------------------------------------------
top=""
base=""
if [[ -n "$TRUSTED_REF" ]]; then
  top="$(git rev-parse --show-toplevel 2>/dev/null)" || die 4 "TRUSTED_REF is set but this is not a git work tree"
  if [[ "$TRUSTED_REF" =~ ^[0-9a-fA-F]{40}$ ]] && ! git cat-file -e "$TRUSTED_REF^{commit}" 2>/dev/null; then
    # A shallow clone: fetch just that commit (a hex id cannot be read as an option).
    git fetch --quiet --no-tags --depth=1 origin "$TRUSTED_REF" >/dev/null 2>&1 || true
  fi
  base="$(git rev-parse --verify --quiet --end-of-options "$TRUSTED_REF^{commit}")" \
    || die 4 "TRUSTED_REF: no such commit: $TRUSTED_REF"
fi

# A policy or data file: from the trusted revision when it is inside the repository.
trusted_file() {
  local what=$1 path=$2 rel out
  if [[ -z "$base" ]]; then printf '%s' "$path"; return 0; fi
  if [[ "$path" == /* ]]; then
    [[ "$path" == "$top"/* ]] || { printf '%s' "$path"; return 0; }   # outside: e.g. /usr/share/verdict
    rel="${path#"$top"/}"
  else
    rel="$(realpath -m --relative-to="$top" -- "$path")"
  fi
  [[ "$rel" == ../* ]] && { printf '%s' "$path"; return 0; }
  out="$work/trusted/$what/$(basename -- "$rel")"
  mkdir -p -- "$(dirname -- "$out")"
  git cat-file blob "$base:$rel" > "$out" 2>/dev/null || {
    echo "verdict gate: $what file $rel is not in the trusted revision ${base:0:12}" >&2; return 3; }
  printf '%s' "$out"
}

args=(change)
policy="$(trusted_file policy "$CHANGE_POLICY")" || die 3 "cannot read the policy from the trusted revision"
args+=(-p "$policy")
for pair in "cmdb:${CMDB-}" "schedule:${SCHEDULE-}" "windows:${WINDOWS-}" "budget:${BUDGET-}"; do
  opt="${pair%%:*}" file="${pair#*:}"
  [[ -n "$file" ]] || continue
  f="$(trusted_file "$opt" "$file")" || die 3 "cannot read the $opt file from the trusted revision"
  args+=("--$opt" "$f")
done
[[ -n "${NOW:-}" ]] && args+=(--now "$NOW")

# --- the change records ---------------------------------------------------------------
files=("$@")
if [[ -n "${CHANGES:-}" ]]; then
  while IFS= read -r pattern || [[ -n "$pattern" ]]; do
    pattern="${pattern%$'\r'}"
    pattern="${pattern##+([[:space:]])}"; pattern="${pattern%%+([[:space:]])}"
    [[ -z "$pattern" || "$pattern" == \#* ]] && continue
    matched=()
    # Field splitting off (IFS empty): the pattern globs but is never split into words,
    # and its text is never run (a name like "x.json; exit 0; #.json" is one path).
    saved_ifs=$IFS; IFS=
    # shellcheck disable=SC2206  # the glob is wanted; splitting is off (IFS empty)
    matched=( $pattern )
    IFS=$saved_ifs
    if ((${#matched[@]} == 0)) && [[ "$CHANGED_ONLY" != true ]] && [[ "$pattern" != *[\*\?\[]* ]]; then
      matched=("$pattern")   # a plain path that does not exist: verdict reports it
    fi
    files+=("${matched[@]}")
  done <<< "$CHANGES"
fi

if [[ "$CHANGED_ONLY" == true ]]; then
  declare -A changed=()
  while IFS= read -r -d '' f; do changed["$f"]=1; done \
    < <(git -C "$top" diff -z --no-renames --name-only --diff-filter=AM "$base" HEAD --)
  kept=()
  for f in "${files[@]}"; do
    rel="$(realpath -m --relative-to="$top" -- "$f")"
    [[ -n "${changed[$rel]+x}" ]] && kept+=("$f")
  done
  files=("${kept[@]}")
  if ((${#files[@]} == 0)); then
    echo "verdict gate: no change records added or modified since ${base:0:12}: nothing to gate"
    emit_outputs 0
    exit 0
  fi
fi
((${#files[@]})) || die 4 "no change records given (arguments or CHANGES)"

safe=()
for f in "${files[@]}"; do
  if [[ -L "$f" ]]; then die 3 "refusing a change record that is a symbolic link: ${f@Q}"; fi
  if [[ -e "$f" && ! -f "$f" ]]; then die 3 "refusing a change record that is not a regular file: ${f@Q}"; fi
  [[ "$f" == -* ]] && f="./$f"   # never an option
  safe+=("$f")
done

mkdir -p -- "$REPORT_DIR"
"$VERDICT" "${args[@]}" --format junit -- "${safe[@]}" > "$REPORT_DIR/verdict-change.xml"
rc=$?
if [[ "${GITHUB_ACTIONS:-}" == true ]]; then
  "$VERDICT" "${args[@]}" --format github -- "${safe[@]}"
else
  "$VERDICT" "${args[@]}" -- "${safe[@]}"
fi
case $rc in
  0) echo "verdict change: approved" ;;
  1) echo "verdict change: needs approval (see the required approvals above)" ;;
  2) echo "verdict change: denied" ;;
  3) echo "verdict change: invalid change or data (see the errors above)" ;;
  *) echo "verdict change: usage error" ;;
esac
emit_outputs "$rc"
exit "$rc"
