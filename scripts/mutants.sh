#!/usr/bin/env bash
# Mutation check (issue 18): applies each mutation of scripts/mutants/mutations.txt to the client,
# one at a time, in a temporary copy of the tree (the work tree is never changed, even on Ctrl-C),
# and runs against it:
#   ci     the randomized interleaving test at its CI size (as make test runs it),
#   long   the randomized test at MUTANT_SCHEDULES schedules (default 200); by default only for
#          the mutations the CI-size run missed (MUTANT_LONG=all runs it for every one),
#   suite  the rest of the internal/cliq package (every test but the randomized one),
#   provider (only with MUTANT_PROVIDER=1) the internal/provider package, acceptance tests included.
# It prints a table: which column caught which mutation, in how long, and the suite's failing tests.
#
# Environment: MUTANTS=name,name (a subset), MUTANT_COLUMNS=ci,long,suite (a subset),
# MUTANT_SCHEDULES, MUTANT_LONG=missed|all, MUTANT_BASELINE=0 (skip the unmutated run),
# MUTANT_PROVIDER=1. `scripts/mutants.sh --check` only applies and builds each mutation.
# MUTANT_JOBS mutants run side by side (default 4): the tests mostly sleep, so the machine's cores
# are not what bounds the run; each test run uses `-p 1`.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
root=$PWD
rules="$root/scripts/mutants/mutations.txt"
check_only=
[[ "${1:-}" == "--check" ]] && check_only=1
columns=",${MUTANT_COLUMNS:-ci,long,suite},"
[[ "${MUTANT_PROVIDER:-}" == 1 ]] && columns+="provider,"
long_schedules="${MUTANT_SCHEDULES:-200}"
long_for="${MUTANT_LONG:-missed}"

work="$(mktemp -d "${TMPDIR:-/tmp}/cliq-mutants.XXXXXX")"
cleanup() { chmod -R u+w "$work" 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
trap 'echo "interrupted" >&2; exit 130' INT TERM

# The vendor's OpenAPI document, which the fake checks requests against, is found by walking up
# from the working directory: the copy lives elsewhere, so name it.
if [[ -z "${CLIQ_OPENAPI_SPEC:-}" ]]; then
  dir="$root"
  while [[ "$dir" != / ]]; do
    if [[ -f "$dir/shared/seed/mypins.openapi.yml" ]]; then
      export CLIQ_OPENAPI_SPEC="$dir/shared/seed/mypins.openapi.yml"
      break
    fi
    dir="$(dirname "$dir")"
  done
fi

# The pristine copy: tracked and untracked (not ignored) files, as they are now.
mkdir -p "$work/pristine"
git ls-files -z --cached --others --exclude-standard | while IFS= read -r -d '' f; do [[ -e "$f" ]] && printf '%s\0' "$f"; done |
  tar --null -T - -cf - | tar -xf - -C "$work/pristine"

# Mutation names, in file order.
mapfile -t names < <(sed -n 's/^## \([a-z0-9-]*\):.*/\1/p' "$rules")
if [[ -n "${MUTANTS:-}" ]]; then
  IFS=, read -r -a wanted <<<"$MUTANTS"
  for w in "${wanted[@]}"; do
    printf '%s\n' "${names[@]}" | grep -qx "$w" || { echo "no mutation named $w in $rules" >&2; exit 2; }
  done
  names=("${wanted[@]}")
fi

describe() { sed -n "s/^## $1: //p" "$rules"; }

# apply NAME DIR: applies the mutation's rules in DIR; fails when a rule does not match exactly.
apply() {
  local name=$1 dir=$2 in=0 file count expr n
  while IFS= read -r line; do
    if [[ "$line" == "## "* ]]; then
      [[ "$line" == "## $name:"* ]] && in=1 || in=0
      continue
    fi
    [[ $in == 1 && -n "$line" && "$line" != "#"* ]] || continue
    IFS=$'\t' read -r file count expr <<<"$line"
    n="$(MUTANT_EXPR="$expr" perl -0777 -ne 'my $e = $ENV{MUTANT_EXPR}; my $n = eval "\$_ =~ $e"; die $@ if $@; print $n || 0' "$dir/$file")"
    if [[ "$n" != "$count" ]]; then
      echo "mutation $name: rule matches $n times in $file, want $count: $expr" >&2
      return 1
    fi
    MUTANT_EXPR="$expr" perl -0777 -i -pe 'my $e = $ENV{MUTANT_EXPR}; eval "\$_ =~ $e"; die $@ if $@' "$dir/$file"
  done <"$rules"
}

# run_col COLUMN DIR LOG: runs one column's tests in DIR; prints "caught" or "missed".
run_col() {
  local col=$1 dir=$2 log=$3
  local -a cmd
  case $col in
    ci) cmd=(go test ./internal/cliq -run '^TestNoHandMadeChangeIsEverUndone$' -count=1 -p 1 -timeout 20m -v -rapid.nofailfile -rapid.shrinktime=1s) ;;
    long) cmd=(env INTERLEAVING_SCHEDULES="$long_schedules" go test ./internal/cliq -run '^TestNoHandMadeChangeIsEverUndone$' -count=1 -p 1 -timeout 30m -v -rapid.nofailfile -rapid.shrinktime=1s) ;;
    suite) cmd=(go test ./internal/cliq -skip '^TestNoHandMadeChangeIsEverUndone$' -count=1 -p 1 -timeout 12m -rapid.nofailfile) ;;
    provider) cmd=(env TF_ACC=1 CHECKPOINT_DISABLE=1 TF_CLI_CONFIG_FILE=/dev/null TF_ACC_TERRAFORM_PATH="$(command -v terraform)" go test ./internal/provider -count=1 -p 1 -timeout 30m) ;;
  esac
  if (cd "$dir" && "${cmd[@]}") >"$log" 2>&1; then echo missed; else echo caught; fi
}

total_start=$SECONDS
mkdir -p "$work/res"
# row NAME DIR: runs the columns for one tree; each result goes to $work/res/NAME.COL as
# "RESULT<TAB>SECONDS".
row() {
  local name=$1 dir=$2 col start r ci
  for col in ci long suite provider; do
    [[ "$columns" == *",$col,"* ]] || continue
    if [[ $col == long && $long_for == missed && $name != baseline ]]; then
      ci="$(cut -f1 "$work/res/$name.ci" 2>/dev/null || true)"
      [[ $ci == caught* ]] && continue
    fi
    start=$SECONDS
    r="$(run_col "$col" "$dir" "$work/$name.$col.log")"
    if [[ $r == caught && $col == suite ]] && ! grep -q -- '--- FAIL: ' "$work/$name.$col.log"; then
      r+=" ($(grep -o 'test timed out after [0-9a-z]*\|panic: [^(]*\|build failed' "$work/$name.$col.log" | head -1 || true); running: $(sed -n '/^running tests:/,/^$/p' "$work/$name.$col.log" | grep -o 'Test[A-Za-z0-9_]*' | sort -u | paste -sd, - || true))"
    elif [[ $r == caught && $col == suite ]]; then
      r+=" by $(grep -o -- '--- FAIL: [A-Za-z0-9_]*' "$work/$name.$col.log" | sed 's/--- FAIL: //' | sort -u | paste -sd, - || true)"
    fi
    if [[ $r == caught && ( $col == ci || $col == long ) ]]; then
      r+=" ($(grep -o 'failed after [0-9]* tests\|exercised nothing\|panic:\|test timed out' "$work/$name.$col.log" | head -1 | sed 's/failed after \([0-9]*\) tests/a worker'"'"'s schedule \1/' || true))"
    fi
    printf '%s\t%s\n' "$r" "$((SECONDS - start))" >"$work/res/$name.$col"
    printf '  %-28s %-8s %s (%ss)\n' "$name" "$col" "$r" "$((SECONDS - start))" >&2
  done
}

if [[ -z "$check_only" && "${MUTANT_BASELINE:-1}" != 0 ]]; then
  echo "baseline (no mutation):" >&2
  row baseline "$work/pristine"
  for col in ci long suite provider; do
    if [[ "$(cut -f1 "$work/res/baseline.$col" 2>/dev/null || true)" == caught* ]]; then
      echo "the unmutated client fails the $col column; fix that first:" >&2
      tail -60 "$work/baseline.$col.log" >&2
      exit 1
    fi
  done
fi

# Mutants run side by side (MUTANT_JOBS, default 4): the tests mostly sleep. Each job is its own
# process group, so that Ctrl-C stops every test it started.
jobs_max="${MUTANT_JOBS:-4}"
set -m
trap 'echo "interrupted" >&2; for p in $(jobs -p); do kill -- -"$p" 2>/dev/null || true; done; exit 130' INT TERM
broken=0
for name in "${names[@]}"; do
  tree="$work/tree-$name"
  cp -a "$work/pristine" "$tree"
  if ! apply "$name" "$tree" || ! (cd "$tree" && go build ./internal/cliq); then
    echo "mutation $name does not apply or build: update scripts/mutants/mutations.txt" >&2
    broken=$((broken + 1))
    printf 'does not apply\t0\n' >"$work/res/$name.ci"
    rm -rf "$tree"
    continue
  fi
  if [[ -n "$check_only" ]]; then
    echo "  $name: applies and builds ($(describe "$name"))" >&2
    [[ "${MUTANT_SHOW:-}" == 1 ]] && (cd "$work" && diff -ru pristine/internal/cliq "tree-$name/internal/cliq" >&2 || true)
    rm -rf "$tree"
    continue
  fi
  while (($(jobs -rp | wc -l) >= jobs_max)); do wait -n || true; done
  echo "$name: $(describe "$name")" >&2
  (row "$name" "$tree"; rm -rf "$tree") &
done
wait
set +m
[[ -n "$check_only" ]] && { [[ $broken == 0 ]] && echo "all ${#names[@]} mutations apply and build"; exit $((broken > 0)); }

# The table.
cell() {
  local f="$work/res/$1.$2"
  if [[ -f "$f" ]]; then printf '%s, %ss' "$(cut -f1 "$f")" "$(cut -f2 "$f")"; else printf -- '-'; fi
}
caught() { [[ "$(cut -f1 "$work/res/$1.$2" 2>/dev/null || true)" == caught* ]]; }
echo
echo "| mutation | CI-size randomized | ${long_schedules}-schedule randomized | package suite (all but the randomized test) |$([[ "$columns" == *",provider,"* ]] && printf ' internal/provider |')"
echo "|---|---|---|---|$([[ "$columns" == *",provider,"* ]] && printf -- '---|')"
caught_ci=0 caught_any=0 total=0
for name in "${names[@]}"; do
  total=$((total + 1))
  caught "$name" ci && caught_ci=$((caught_ci + 1))
  for col in ci long suite provider; do
    if caught "$name" "$col"; then caught_any=$((caught_any + 1)); break; fi
  done
  printf '| %s: %s | %s | %s | %s |' "$name" "$(describe "$name")" "$(cell "$name" ci)" "$(cell "$name" long)" "$(cell "$name" suite)"
  [[ "$columns" == *",provider,"* ]] && printf ' %s |' "$(cell "$name" provider)"
  echo
done
echo
echo "CI-size randomized run caught $caught_ci of $total; some column caught $caught_any of $total; $broken did not apply. Total $((SECONDS - total_start))s."
