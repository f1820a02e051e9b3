# What native/test/run.sh and cgroup.sh share (sourced, not run): options, the base sandbox,
# and the second pass as an ordinary user; the TAP lines and counters are harness.sh's.

USER_UNDER_TEST=cubtest
INNER=0
OFFSET=0
if [ "${1:-}" = "--inner" ]; then
  INNER=1
  OFFSET=$2
  shift 2
fi
HERE=$(cd "$(dirname "$0")" && pwd)
HELPER=$(realpath "${1:-$HERE/../cubicle-sandbox}")
if [ ! -x "$HELPER" ]; then
  echo "Bail out! $HELPER is not built; run make -C native"
  exit 1
fi

PREFIX="[$(id -un)] "
SKIP_CONTEXT=", as $(id -un)"
. "$HERE/harness.sh"
NUMBER=$OFFSET

# The host's system dirs read-only, fresh /proc /dev /tmp: what every test sandbox starts from.
BASE=(--setenv PATH /usr/local/bin:/usr/bin:/bin --ro-bind /usr /usr --ro-bind /etc /etc)
for dir in bin sbin lib lib32 lib64 libx32; do
  if [ -L "/$dir" ]; then
    BASE+=(--symlink "$(readlink "/$dir")" "/$dir")
  elif [ -d "/$dir" ]; then
    BASE+=(--ro-bind "/$dir" "/$dir")
  fi
done
BASE+=(--proc /proc --dev /dev --tmpfs /tmp)

# sandbox [OPTION...] -- COMMAND...: sets OUT, ERR, RC and STATUS (the JSON); needs WORK.
sandbox() {
  OUT=$("$HELPER" --status-fd 9 "${BASE[@]}" "$@" 2>"$WORK/stderr" 9>"$WORK/status")
  RC=$?
  ERR=$(cat "$WORK/stderr")
  STATUS=$(cat "$WORK/status")
}

# skip_as_user REASON: every test of the user pass, skipped with REASON.
skip_as_user() {
  local test
  PREFIX="[$USER_UNDER_TEST] "
  for test in "${TESTS[@]}"; do skip "$test" "$1"; done
}

# run_as_user SCRIPT [ENTER] [ENV]: the tests again as USER_UNDER_TEST, from a copy it can
# read; ENTER runs first (as root), ENV is put before the script. Numbers continue ours.
run_as_user() {
  local script=$1 enter=${2:-} env=${3:-} count=${#TESTS[@]} copy=$WORK/as-user line inner_summary=
  mkdir -p "$copy"
  cp "$HELPER" "$copy/cubicle-sandbox"
  cp "$HERE/$script" "$HERE/tap.sh" "$HERE/harness.sh" "$copy/"
  # C sources the tests compile (probe.c), readable by the user.
  cp "$HERE"/*.c "$copy/" 2>/dev/null
  chmod -R a+rX "$copy"
  chmod 755 "$WORK" "$copy" "$copy/cubicle-sandbox" "$copy/$script" "$copy/tap.sh" "$copy/harness.sh"
  while IFS= read -r line; do
    if [[ $line == "# inner: "* ]]; then
      inner_summary=${line#\# inner: }
    else
      echo "$line"
    fi
  done < <(cd / && sh -c "${enter}exec su '$USER_UNDER_TEST' -s /bin/bash -c \"TMPDIR=/tmp $env \
'$copy/$script' --inner $count '$copy/cubicle-sandbox'\"")
  if [ -z "$inner_summary" ]; then
    NUMBER=$((count * 2 - 1))
    fail "tests as $USER_UNDER_TEST did not finish"
  else
    local p f s
    read -r p f s <<<"$inner_summary"
    PASSED=$((PASSED + p)) FAILED=$((FAILED + f)) SKIPPED=$((SKIPPED + s))
    NUMBER=$((NUMBER + p + f + s))
  fi
}

# plan: the TAP plan line, counting the user pass when root runs it too.
plan() {
  if [ "$(id -u)" -eq 0 ]; then echo "1..$((${#TESTS[@]} * 2))"; else echo "1..${#TESTS[@]}"; fi
}

# finish: the inner pass reports its counts to the outer one; the outer prints the summary.
finish() {
  if [ "$INNER" -eq 1 ]; then
    echo "# inner: $PASSED $FAILED $SKIPPED"
    exit 0
  fi
  summary
}
