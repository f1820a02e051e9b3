# The one TAP harness of the C tests, sourced by native/test/tap.sh (run.sh, cgroup.sh),
# native/test/cgroup-v2.sh and native/layer/test.sh: counters, the ok / not ok / skip lines,
# and the summary line `N passed, N failed, N skipped` that test/run-all.mjs reads.
# A test that cannot run here says why ("skipped: ..." on stderr) and counts as skipped.
# PREFIX goes before each description ("[root] "); SKIP_CONTEXT after a skip's (", as root").

PASSED=0 FAILED=0 SKIPPED=0 NUMBER=0
REPORTED=0 # set by each line: run.sh checks that every test reported something
PREFIX=${PREFIX:-}
SKIP_CONTEXT=${SKIP_CONTEXT:-}

pass() { NUMBER=$((NUMBER + 1)); REPORTED=1; PASSED=$((PASSED + 1)); echo "ok $NUMBER - $PREFIX$1"; }
# fail DESCRIPTION DETAIL...: the details as TAP comments, at most 20 lines.
fail() {
  NUMBER=$((NUMBER + 1)); REPORTED=1; FAILED=$((FAILED + 1))
  echo "not ok $NUMBER - $PREFIX$1"
  shift
  local line
  printf '%s\n' "$@" | head -20 | while IFS= read -r line; do echo "#   $line"; done
}
# skip DESCRIPTION REASON
skip() {
  NUMBER=$((NUMBER + 1)); REPORTED=1; SKIPPED=$((SKIPPED + 1))
  echo "ok $NUMBER # SKIP $PREFIX$1: $2"
  echo "skipped: $2 ($1$SKIP_CONTEXT)" >&2
}
# check DESCRIPTION CONDITION-EXIT-STATUS DETAIL...
check() {
  local description=$1 status=$2
  shift 2
  if [ "$status" -eq 0 ]; then pass "$description"; else fail "$description" "$@"; fi
}

# summary: the counts line; its status says whether every test passed.
summary() {
  echo "$PASSED passed, $FAILED failed, $SKIPPED skipped"
  [ "$FAILED" -eq 0 ]
}
