#!/bin/bash
# Smoke test of the cgroup-v2 test VM.  Prints TAP and ends with
# "N passed, M failed"; exits non-zero when a check failed.
#
# Usage: test/vm/smoke.sh [--user NAME]      (default user: cubtest)
# As root it creates the user (useradd -m, /etc/subuid and /etc/subgid range
# 200000:65536) if it does not exist, exactly as CI does.
# `smoke.sh --inside` is the part that runs inside the VM.
set -uo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SELF=$HERE/$(basename "${BASH_SOURCE[0]}")

# ====================================================================== inside
if [ "${1:-}" = "--inside" ]; then
  # Runs in the VM (as the test user or as root).  Prints "ok DESC",
  # "not ok DESC" (followed by "# diagnostics") or "skip DESC"; the host
  # numbers them.
  ME=$(id -un)
  T0=${EPOCHREALTIME/./}
  took() { local t=${EPOCHREALTIME/./}; TOOK="$(( (t - T0) / 1000 )) ms"; T0=$t; }
  ok()   { took; echo "ok [$ME] $* ($TOOK)"; }
  nok()  { took; echo "not ok [$ME] $1 ($TOOK)"; shift; for l in "$@"; do printf '%s\n' "$l" | sed 's/^/# /'; done; }
  skip() { echo "skip [$ME] $*"; T0=${EPOCHREALTIME/./}; }
  check() { # check DESC CMD...: ok when CMD succeeds, output becomes diagnostics
    local desc=$1 out; shift
    if out=$("$@" 2>&1); then ok "$desc"; else nok "$desc" "exit $?" "$out"; fi
  }

  CG=/sys/fs/cgroup
  mapfile -t lines < /proc/self/cgroup
  if [ ${#lines[@]} = 1 ] && [[ "${lines[0]}" == 0::/* ]]; then
    ok "/proc/self/cgroup is a single 0:: line (${lines[0]})"
  else
    nok "/proc/self/cgroup is a single 0:: line" "${lines[@]}"
  fi
  t=$(stat -f -c %T $CG)
  if [ "$t" = cgroup2fs ]; then ok "/sys/fs/cgroup is cgroup2 ($t)"; else nok "/sys/fs/cgroup is cgroup2" "stat says $t"; fi
  check "no cgroup v1 hierarchy is mounted" sh -c '! grep -E "^[^ ]+ [^ ]+ cgroup " /proc/mounts'
  ctrl=$(cat $CG/cgroup.subtree_control)
  miss=""; for c in cpu memory pids io cpuset; do [[ " $ctrl " == *" $c "* ]] || miss+=" $c"; done
  if [ -z "$miss" ]; then ok "root cgroup.subtree_control enables cpu memory pids io cpuset"; else nok "root subtree_control" "missing:$miss" "has: $ctrl"; fi

  # Delegated subtree.
  D=$CG${CUBICLE_VM_CGROUP:-/nonexistent}
  own=${lines[0]#0::}
  if [ -d "$D" ] && [ "$(stat -c %u "$D")" = "$(id -u)" ] && [ -w "$D/cgroup.procs" ] &&
     [ -w "$D/cgroup.subtree_control" ] && [[ "$own" == "$CUBICLE_VM_CGROUP"/* ]]; then
    ok "delegated subtree $CUBICLE_VM_CGROUP is owned by $ME and contains our cgroup"
  else
    nok "delegated subtree" "CUBICLE_VM_CGROUP=${CUBICLE_VM_CGROUP:-}" "own=$own" "$(ls -ld "$D" "$D"/cgroup.procs 2>&1)"
  fi

  C=$D/smoke-$$
  if mkdir "$C" 2>/tmp/err; then ok "create child cgroup ${C#$CG}"; else nok "create child cgroup" "$(cat /tmp/err)"; fi
  check "write memory.max and pids.max in the child" sh -c "echo 64M > $C/memory.max && echo 4 > $C/pids.max && [ \$(cat $C/memory.max) = 67108864 ] && [ \$(cat $C/pids.max) = 4 ]"
  sleep 60 & sp=$!
  if echo $sp > "$C/cgroup.procs" 2>/tmp/err && grep -qx $sp "$C/cgroup.procs" && grep -q "^0::${C#$CG}\$" /proc/$sp/cgroup; then
    ok "move a process into the child and see it in cgroup.procs"
  else
    nok "move a process into the child" "$(cat /tmp/err)" "$(cat "$C/cgroup.procs" 2>&1)"
  fi
  kill $sp; wait $sp 2>/dev/null
  # pids.max is enforced: 4 allowed, try to start 8 sleepers inside.
  out=$(sh -c "echo \$\$ > $C/cgroup.procs; for i in 1 2 3 4 5 6 7 8; do sleep 1 & done; wait" 2>&1)
  ev=$(grep '^max ' "$C/pids.events" | cut -d' ' -f2)
  if [ "${ev:-0}" -gt 0 ]; then ok "pids.max is enforced (pids.events max $ev)"; else nok "pids.max is enforced" "$out" "$(cat "$C/pids.events")"; fi
  rmdir "$C" 2>/dev/null || { sleep 1; rmdir "$C"; }

  # OOM in a 64M cgroup.
  O=$D/smoke-oom-$$
  mkdir "$O" && echo 64M > "$O/memory.max"
  [ -e "$O/memory.swap.max" ] && echo 0 > "$O/memory.swap.max"
  # tail buffers its whole input (no newline in it): 128M > 64M.
  sh -c "echo \$\$ > $O/cgroup.procs && head -c 128M /dev/zero | tail" >/dev/null 2>&1
  hrc=$?
  kills=$(awk '$1 == "oom_kill" {print $2}' "$O/memory.events")
  if [ "$hrc" = 137 ] && [ "$kills" = 1 ]; then
    ok "memory hog in a 64M memory.max cgroup is OOM-killed (exit $hrc, oom_kill $kills)"
  else
    nok "memory hog is OOM-killed" "exit $hrc" "$(cat "$O/memory.events")"
  fi
  rmdir "$O"

  # User namespaces (unprivileged for the test user).
  check "unshare -Urm true" unshare -Urm true
  check "unshare -Urmpf --mount-proc (pid namespace)" unshare -Urmpf --mount-proc sh -c '[ $$ = 1 ]'
  if [ "$(id -u)" != 0 ] && grep -q "^$ME:" /etc/subuid && command -v newuidmap >/dev/null; then
    check "unshare --map-auto (newuidmap with /etc/subuid)" \
      sh -c 'unshare --map-root-user --map-auto sh -c "cat /proc/self/uid_map" | awk "NR==2 && \$3 >= 1000 {f=1} END {exit !f}"'
  else
    skip "unshare --map-auto (needs a non-root user with /etc/subuid and newuidmap)"
  fi
  T=$(mktemp -d /tmp/ovl.XXXXXX)
  check "overlayfs with userxattr inside a user namespace on /tmp" unshare -Urm sh -c "
    mkdir -p $T/l $T/u $T/w $T/m && echo lower > $T/l/f &&
    mount -t overlay overlay -o lowerdir=$T/l,upperdir=$T/u,workdir=$T/w,userxattr $T/m &&
    echo upper >> $T/m/f && [ \"\$(cat $T/m/f)\" = \"\$(printf 'lower\nupper')\" ] && [ -f $T/u/f ]"
  rm -rf "$T" 2>/dev/null

  # Host binaries and environment.
  check "host node runs (node -e)" /usr/bin/node -e 'if (process.versions.node.split(".")[0] < 20) process.exit(1)'
  check "host /usr/bin/python3 runs" /usr/bin/python3 -c 'import sys; assert sys.version_info >= (3, 9)'
  check "loopback is up (TCP over 127.0.0.1)" /usr/bin/python3 -c '
import socket
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(1)
c = socket.create_connection(s.getsockname()); a, _ = s.accept(); c.sendall(b"x"); assert a.recv(1) == b"x"'
  check "/tmp is a fresh tmpfs with mode 1777" sh -c '[ "$(stat -f -c %T /tmp)" = tmpfs ] && [ "$(stat -c %a /tmp)" = 1777 ]'
  check "HOME/USER/PATH set and HOME writable" sh -c "[ \"\$USER\" = $ME ] && [ -n \"\$PATH\" ] && [ \"\$HOME\" = \"$(getent passwd "$ME" | cut -d: -f6)\" ] && touch \"\$HOME/.cubicle-vm-smoke\""
  if [ -n "${SMOKE_CWD:-}" ]; then
    check "working directory is the host's ($SMOKE_CWD)" sh -c "[ \"\$(pwd -P)\" = '$SMOKE_CWD' ]"
  fi
  if [ -n "${SMOKE_SHARE:-}" ]; then
    check "write to the --share directory" sh -c "echo from-$ME > '$SMOKE_SHARE/from-$ME'"
  fi
  s=$(date +%s%N); /usr/bin/node -e 1; e=$(date +%s%N)
  echo "# [$ME] node -e 1 took $(( (e - s) / 1000000 )) ms inside the VM"
  exit 0
fi

# ======================================================================== host
TEST_USER=cubtest
[ "${1:-}" = "--user" ] && TEST_USER=${2:?}
RUN=$HERE/run.sh
START=$(date +%s%N)
N=0 PASS=0 FAIL=0 SKIP=0
report() { # report ok|not ok|skip DESC
  N=$((N + 1))
  case "$1" in
    ok) PASS=$((PASS + 1)); echo "ok $N - $2" ;;
    skip) PASS=$((PASS + 1)); SKIP=$((SKIP + 1)); echo "ok $N - $2 # SKIP" ;;
    *) FAIL=$((FAIL + 1)); echo "not ok $N - $2" ;;
  esac
}
collect() { # read "ok/not ok/skip DESC" lines from the VM
  local line seen=0 rc=none
  while IFS= read -r line; do
    case "$line" in
      "ok "*) report ok "${line#ok }"; seen=1 ;;
      "not ok "*) report fail "${line#not ok }"; seen=1 ;;
      "skip "*) report skip "${line#skip }"; seen=1 ;;
      "run.sh-exit "*) rc=${line#run.sh-exit } ;;
      *) echo "$line" ;;
    esac
  done
  if [ "$seen" = 0 ] || [ "$rc" != 0 ]; then
    report fail "[$who] checks inside the VM ran (run.sh exit $rc)"; sed 's/^/# /' "$SHARE/err"
  fi
}
ms_since() { echo $(( ($(date +%s%N) - $1) / 1000000 )); }

if ! getent passwd "$TEST_USER" >/dev/null; then
  if [ "$(id -u)" = 0 ] && [ "$TEST_USER" = cubtest ]; then
    useradd -m cubtest
    grep -q '^cubtest:' /etc/subuid || echo 'cubtest:200000:65536' >> /etc/subuid
    grep -q '^cubtest:' /etc/subgid || echo 'cubtest:200000:65536' >> /etc/subgid
    echo "# created user cubtest"
  else
    echo "Bail out! user $TEST_USER does not exist"; exit 1
  fi
fi

"$HERE/prepare.sh" >/dev/null 2>&1 || { echo "# prepare.sh failed, running it again:"; "$HERE/prepare.sh"; }

SHARE=$(mktemp -d "${TMPDIR:-/tmp}/cubicle-vm-smoke.XXXXXX")
chmod 777 "$SHARE"
trap 'rm -rf "$SHARE"' EXIT
# The VM sees the host's paths except /tmp, /run and /dev/shm (fresh tmpfs
# there): run from this directory, or from the share when it is in /tmp.
case "$HERE/" in /tmp/*|/run/*|/dev/shm/*) cd "$SHARE" ;; *) cd "$HERE" ;; esac
CWD=$(pwd -P)
cp "$SELF" "$SHARE/smoke-inside.sh" && chmod 755 "$SHARE/smoke-inside.sh"

# 1. trivial command: boot time, exit status, stdout/stderr separation, share
t0=$(date +%s%N)
"$RUN" --share "$SHARE" -- sh -c "echo to-stdout; echo to-stderr >&2; echo shared > '$SHARE/root-file'; exit 3" \
  > "$SHARE/out" 2> "$SHARE/err"
rc=$?
echo "# boot + trivial command: $(ms_since "$t0") ms"
if [ $rc = 3 ]; then report ok "run.sh exits with the command's status (3)"; else report fail "run.sh exit status: got $rc, want 3"; sed 's/^/# /' "$SHARE/err"; fi
if [ "$(cat "$SHARE/out")" = to-stdout ] && [ "$(cat "$SHARE/err")" = to-stderr ]; then
  report ok "command stdout/stderr reach run.sh's stdout/stderr, without kernel noise"
else
  report fail "stdout/stderr"; { echo "stdout:"; cat "$SHARE/out"; echo "stderr:"; cat "$SHARE/err"; } | sed 's/^/# /'
fi
if [ "$(cat "$SHARE/root-file" 2>/dev/null)" = shared ]; then report ok "--share directory is writable from the VM (under host /tmp)"; else report fail "--share directory"; fi

# 2. --timeout
t0=$(date +%s%N)
"$RUN" --timeout 3 -- sleep 100 > /dev/null 2> "$SHARE/err"
rc=$?
el=$(ms_since "$t0")
if [ $rc = 124 ] && grep -q TIMEOUT "$SHARE/err" && [ "$el" -lt 10000 ] &&
   ! pgrep -f "qemu-system-x86_64.*cubicle-vm\\." >/dev/null; then
  report ok "--timeout 3 kills the VM and fails clearly (exit 124 after ${el} ms, no qemu left)"
else
  report fail "--timeout: exit $rc after $el ms"; sed 's/^/# /' "$SHARE/err"
fi

# 3. checks inside the VM as the test user, then as root
for who in "$TEST_USER" root; do
  t0=$(date +%s%N)
  uopt=(); [ "$who" = root ] || uopt=(--user "$who")
  collect < <("$RUN" "${uopt[@]}" --timeout 300 --share "$SHARE" --env "SMOKE_CWD=$CWD" \
                --env "SMOKE_SHARE=$SHARE" -- /bin/bash "$SHARE/smoke-inside.sh" --inside 2> "$SHARE/err"
              echo "run.sh-exit $?")
  echo "# [$who] VM run took $(ms_since "$t0") ms"
done
if [ "$(cat "$SHARE/from-$TEST_USER" 2>/dev/null)" = "from-$TEST_USER" ] &&
   [ "$(stat -c %U "$SHARE/from-$TEST_USER" 2>/dev/null)" = "$TEST_USER" ]; then
  report ok "file written by $TEST_USER in the VM is on the host, owned by $TEST_USER"
else
  report fail "file written by $TEST_USER in the VM"; ls -l "$SHARE" | sed 's/^/# /'
fi

echo "1..$N"
echo "# total $(ms_since "$START") ms"
[ "$SKIP" -gt 0 ] && echo "# $SKIP of the passed checks were skipped"
echo "$PASS passed, $FAIL failed"
[ "$FAIL" = 0 ]
