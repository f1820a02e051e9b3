#!/bin/bash
# TAP tests of cubicle-sandbox, run by hand: ./test/run.sh [HELPER]
# As root, every test runs twice: as root, then as user cubtest (via su).
# A test that cannot run here says why ("skipped: ...") and counts as skipped.
set -u

. "$(dirname "$0")/tap.sh"

WORK=$(mktemp -d "${TMPDIR:-/tmp}/cubicle-sandbox-test.XXXXXX")
LISTENER_PID=
cleanup() {
  [ -n "$LISTENER_PID" ] && kill "$LISTENER_PID" 2>/dev/null
  # overlayfs leaves work/work with mode 000: make it removable first.
  chmod -R u+rwx "$WORK" 2>/dev/null
  rm -rf "$WORK"
}
trap cleanup EXIT

# A root made of the host's /usr and /etc, read-only, like the `host` image.
# json FIELD [FIELD...]: prints STATUS's field (nested with more names).
json() {
  python3 -c 'import json, sys
value = json.loads(sys.argv[1])
for key in sys.argv[2:]:
    value = value[key]
print(json.dumps(value))' "$STATUS" "$@"
}

wait_until_gone() {
  local pattern=$1
  for _ in $(seq 50); do
    pgrep -f "$pattern" >/dev/null || return 0
    sleep 0.05
  done
  return 1
}

# ---------------------------------------------------------------- tests

test_version_help() {
  local version help
  version=$("$HELPER" --version)
  help=$("$HELPER" --help)
  [[ $version == "cubicle-sandbox "* && $help == *"--overlay LOWER"* && $help == *"--status-fd"* ]]
  check "--version and --help" $? "version: $version"
}

test_usage_errors() {
  local e1 e2 e3 r1 r2 r3
  e1=$("$HELPER" --bogus -- true 2>&1); r1=$?
  e2=$("$HELPER" --bind /usr 2>&1); r2=$?
  e3=$("$HELPER" --tmpfs /x 2>&1); r3=$?
  [ $r1 -eq 125 ] && [[ $e1 == *"--bogus"* ]] && [ $r2 -eq 125 ] && [[ $e2 == *"--bind"* ]] &&
    [ $r3 -eq 125 ] && [[ $e3 == *"COMMAND"* ]]
  check "usage errors exit 125 and name the option" $? "$r1: $e1" "$r2: $e2" "$r3: $e3"
}

test_exit_code() {
  sandbox -- sh -c 'exit 42'
  [ "$RC" -eq 42 ] && [ "$(json exitCode)" = 42 ] && [ "$(json signal)" = null ]
  check "exit code propagates" $? "rc=$RC" "$STATUS" "$ERR"
}

test_signal_exit() {
  sandbox -- sh -c 'kill -TERM $$; sleep 5'
  [ "$RC" -eq 143 ] && [ "$(json signal)" = '"SIGTERM"' ] && [ "$(json exitCode)" = null ]
  check "death by signal gives 128+N and the signal name" $? "rc=$RC" "$STATUS" "$ERR"
}

test_pid1_and_processes() {
  sandbox -- sh -c 'echo $$; cat /proc/1/comm; ls -d /proc/[0-9]* | wc -l'
  local lines
  mapfile -t lines <<<"$OUT"
  [ "${lines[0]}" = 2 ] && [ "${lines[1]}" = cubicle-sandbox ] && [ "${lines[2]}" -le 5 ]
  check "job is PID 2 under our PID 1 and sees only sandbox processes" $? "$OUT" "$ERR"
}

test_background_killed() {
  local marker="sleep 9$RANDOM$RANDOM"
  sandbox -- sh -c "$marker & exit 0"
  wait_until_gone "$marker"
  check "a background process dies when the job's main process exits" $? "rc=$RC" \
    "$(pgrep -af "$marker")"
}

test_hostname() {
  sandbox -- uname -n
  local default=$OUT
  sandbox --hostname box7 -- uname -n
  [ "$default" = cubicle ] && [ "$OUT" = box7 ]
  check "hostname defaults to cubicle, --hostname sets it" $? "$default / $OUT" "$ERR"
}

start_listener() {
  [ -n "$LISTENER_PID" ] && return 0
  PORT=$((20000 + RANDOM % 20000))
  (cd "$WORK" && exec python3 -m http.server --bind 127.0.0.1 "$PORT" >/dev/null 2>&1) &
  LISTENER_PID=$!
  for _ in $(seq 100); do
    (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null && return 0
    sleep 0.05
  done
  return 1
}

test_loopback_only() {
  if ! start_listener; then
    skip "loopback only" "could not start a host listener"
    return
  fi
  # Own listener on lo works (lo is up); the host's 127.0.0.1 is another stack.
  sandbox -- /usr/bin/python3 -c '
import socket, sys
server = socket.socket(); server.bind(("127.0.0.1", 0)); server.listen()
socket.create_connection(server.getsockname(), timeout=2)
try:
    socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=2)
    print("host reachable")
except OSError:
    print("host unreachable")
print(sorted(line.split(":")[0].strip() for line in open("/proc/net/dev").readlines()[2:]))
' "$PORT"
  [ "$RC" -eq 0 ] && [ "$OUT" = $'host unreachable\n[\'lo\']' ]
  check "new net namespace: only lo, up; host 127.0.0.1 listener unreachable" $? "$OUT" "$ERR"
}

test_share_net() {
  if ! start_listener; then
    skip "--share-net" "could not start a host listener"
    return
  fi
  sandbox --share-net -- bash -c "exec 3<>/dev/tcp/127.0.0.1/$PORT"
  check "--share-net reaches the host listener" "$RC" "$ERR"
}

test_env() {
  sandbox --clearenv --setenv A 1 --setenv B 2 --unsetenv B -- /usr/bin/env
  local cleared=$OUT
  CUBICLE_TEST_INHERITED=yes sandbox -- /usr/bin/env
  [ "$cleared" = "A=1" ] && [[ $OUT == *CUBICLE_TEST_INHERITED=yes* ]]
  check "--clearenv/--setenv/--unsetenv in order; environment inherited otherwise" $? \
    "cleared: $cleared" "$ERR"
}

test_ro_bind() {
  mkdir -p "$WORK/ro"
  echo data >"$WORK/ro/file"
  sandbox --ro-bind "$WORK/ro" /data --ro-bind "$WORK/ro/file" /etc2/file -- sh -c \
    'cat /data/file /etc2/file; touch /data/new 2>/dev/null && echo writable; echo x >> /etc2/file 2>/dev/null && echo writable; true'
  [ "$OUT" = $'data\ndata' ] && [ ! -e "$WORK/ro/new" ]
  check "--ro-bind of a dir and of a file are not writable" $? "$OUT" "$ERR"
}

test_ro_bind_recursive() {
  if ! unshare -rm true 2>/dev/null; then
    skip "--ro-bind is recursive" "unshare -rm is not available"
    return
  fi
  mkdir -p "$WORK/rec/sub"
  # The submount exists only in unshare's namespace; the helper runs nested there.
  OUT=$(unshare -rm sh -c 'mount -t tmpfs none "$1/rec/sub" && shift && exec "$@"' sh "$WORK" \
    "$HELPER" "${BASE[@]}" --ro-bind "$WORK/rec" /rec -- \
    sh -c 'touch /rec/sub/x 2>&1; grep -c " /rec/sub ro," /proc/self/mountinfo' 2>&1)
  [[ $OUT == *"Read-only file system"* && $OUT == *1 ]]
  check "--ro-bind makes submounts read-only too" $? "$OUT"
}

make_layers() {
  chmod -R u+rwx "$WORK/ov" 2>/dev/null
  rm -rf "$WORK/ov"
  mkdir -p "$WORK/ov/"{l1,l2,upper,work}
  echo top >"$WORK/ov/l1/shared"
  echo bottom >"$WORK/ov/l2/shared"
  echo lower2 >"$WORK/ov/l2/only2"
}

test_overlay() {
  make_layers
  local ov=$WORK/ov
  sandbox --overlay "$ov/l1:$ov/l2" "$ov/upper" "$ov/work" /work -- sh -c \
    'cat /work/shared /work/only2; echo new > /work/new; rm /work/only2; echo changed > /work/shared'
  [ "$OUT" = $'top\nlower2' ] && [ "$(cat "$ov/upper/new")" = new ] && [ ! -e "$ov/l1/new" ] &&
    [ ! -e "$ov/l2/new" ] && [ "$(cat "$ov/l2/only2")" = lower2 ] &&
    [ "$(cat "$ov/l1/shared")" = top ] && [ "$(cat "$ov/upper/shared")" = changed ]
  check "--overlay: leftmost lower on top; writes land in upper, lowers untouched" $? "$OUT" "$ERR"
}

test_overlay_root() {
  make_layers
  local ov=$WORK/ov
  mkdir -p "$ov/l2/usr" "$ov/l2/proc" "$ov/l2/dev" "$ov/l2/tmp"
  OUT=$(cd "$ov" && "$HELPER" --overlay l1:l2 upper work / --ro-bind /usr /usr \
    --symlink usr/bin /bin --symlink usr/lib /lib --symlink usr/lib64 /lib64 \
    --proc /proc --dev /dev --tmpfs /tmp -- sh -c 'cat /shared; echo x > /rootfile' 2>&1)
  [ "$OUT" = top ] && [ -f "$ov/upper/rootfile" ]
  check "--overlay ... / is the new root (relative host paths)" $? "$OUT"
}

test_overlay_special_paths() {
  make_layers
  local ov=$WORK/ov odd="$WORK/ov/a:b,c"
  mkdir -p "$odd"
  echo odd >"$odd/oddfile"
  local escaped=${odd//:/\\:}
  sandbox --overlay "$escaped:$ov/l1" "$ov/upper" "$ov/work" /work -- cat /work/oddfile /work/shared
  local modern=$OUT
  make_layers
  mkdir -p "$odd" && echo odd >"$odd/oddfile"
  CUBICLE_SANDBOX_LEGACY_OVERLAY=1 sandbox --overlay "$escaped:$ov/l1" "$ov/upper" "$ov/work" /work \
    -- cat /work/oddfile /work/shared
  [ "$modern" = $'odd\ntop' ] && [ "$OUT" = $'odd\ntop' ]
  check "--overlay layers with ':' and ',' in their path (lowerdir+ and mount(2))" $? \
    "modern: $modern" "legacy: $OUT" "$ERR"
}

test_overlay_many_layers() {
  chmod -R u+rwx "$WORK/many" 2>/dev/null
  rm -rf "$WORK/many" && mkdir -p "$WORK/many/upper" "$WORK/many/work"
  local list="" i
  for i in $(seq 1 80); do
    mkdir -p "$WORK/many/layer-with-a-long-name-$i"
    echo "$i" >"$WORK/many/layer-with-a-long-name-$i/f$i"
    list+="${list:+:}$WORK/many/layer-with-a-long-name-$i"
  done
  sandbox --overlay "$list" "$WORK/many/upper" "$WORK/many/work" /work -- sh -c 'ls /work | wc -l'
  if [ "$RC" -ne 0 ] && [[ $ERR == *"Linux 6.8"* ]]; then
    skip "--overlay with 80 layers" "kernel lacks lowerdir+ (Linux 6.8)"
    return
  fi
  [ "$OUT" = 80 ]
  check "--overlay with 80 long layer paths (beyond one page of mount options)" $? "$OUT" "$ERR"
}

test_ro_overlay() {
  make_layers
  local ov=$WORK/ov
  sandbox --ro-overlay "$ov/l1:$ov/l2" /ro -- sh -c 'cat /ro/shared /ro/only2; touch /ro/x 2>/dev/null && echo writable; true'
  [ "$OUT" = $'top\nlower2' ]
  check "--ro-overlay is read-only" $? "$OUT" "$ERR"
}

test_caps_and_nnp() {
  sandbox -- grep -E '^(CapInh|CapPrm|CapEff|CapBnd|CapAmb|NoNewPrivs):' /proc/self/status
  local expected=$'CapInh:\t0000000000000000\nCapPrm:\t0000000000000000\nCapEff:\t0000000000000000\nCapBnd:\t0000000000000000\nCapAmb:\t0000000000000000\nNoNewPrivs:\t1'
  [ "$OUT" = "$expected" ]
  check "capability sets empty (CapEff/CapPrm/CapBnd/CapAmb) and NoNewPrivs 1" $? "$OUT" "$ERR"
}

test_keep_caps() {
  sandbox --keep-caps -- grep -E '^(CapEff|NoNewPrivs):' /proc/self/status
  [[ $OUT == $'CapEff:\t'*[1-9a-f]*$'\nNoNewPrivs:\t1' ]]
  check "--keep-caps keeps the namespace's capabilities, NoNewPrivs still 1" $? "$OUT" "$ERR"
}

test_fds_closed() {
  # fd 7 and the status fd 9 are open in the helper; only 0-2 may reach the job.
  OUT=$("$HELPER" --status-fd 9 "${BASE[@]}" -- bash -c \
    'for fd in $(seq 3 255); do [ -e /proc/$$/fd/$fd ] && echo "open: $fd"; done; ls /proc/self/fd | tr "\n" " "' \
    7</dev/null 9>"$WORK/status" 2>&1)
  [ "$OUT" = "0 1 2 3 " ]
  check "only fds 0-2 are open in the job" $? "$OUT"
}

test_timeout() {
  local start end
  start=$(date +%s%N)
  sandbox --timeout-ms 300 -- sh -c 'sleep 30 & sleep 30'
  end=$(date +%s%N)
  local elapsed_ms=$(((end - start) / 1000000))
  [ "$RC" -eq 137 ] && [ "$(json timedOut)" = true ] && [ "$(json signal)" = '"SIGKILL"' ] &&
    [ "$elapsed_ms" -lt 5000 ] && [[ $ERR == *"timed out"* ]]
  check "--timeout-ms kills everything, timedOut true, exit 137" $? "rc=$RC after ${elapsed_ms}ms" \
    "$STATUS" "$ERR"
}

test_status_json() {
  sandbox -- sh -c 'i=0; while [ $i -lt 300000 ]; do i=$((i+1)); done & wait; exit 3'
  python3 - "$STATUS" <<'EOF'
import json, sys
line = sys.argv[1]
status = json.loads(line)
keys = ["exitCode", "signal", "wallMs", "startupMs", "cpuUserMs", "cpuSystemMs",
        "peakRssBytes", "timedOut", "oomKilled", "cgroup", "error"]
assert list(status) == keys, list(status)
assert status["exitCode"] == 3 and status["signal"] is None and status["error"] is None
assert status["timedOut"] is False
# Without --cgroup (test/cgroup.sh covers it).
assert status["oomKilled"] is False and status["cgroup"] is None
assert 0 < status["startupMs"] <= status["wallMs"], status
# CPU of a grandchild counts: RUSAGE_CHILDREN after reaping everything.
assert status["cpuUserMs"] + status["cpuSystemMs"] > 20, status
assert status["peakRssBytes"] > 100000, status
EOF
  check "status JSON: exact keys, types, descendants' CPU counted" $? "$STATUS" "$ERR"
}

test_exec_errors() {
  sandbox -- /nonexistent/command
  local rc1=$RC stage1 errno1
  stage1=$(json error stage) errno1=$(json error errno)
  local err1=$ERR
  echo 'echo ran' >"$WORK/not-executable" && chmod 644 "$WORK/not-executable"
  sandbox --ro-bind "$WORK/not-executable" /not-executable -- /not-executable
  [ "$rc1" -eq 127 ] && [ "$stage1" = '"exec"' ] && [ "$errno1" = 2 ] &&
    [[ $err1 == "cubicle-sandbox: exec \`/nonexistent/command\`: No such file or directory" ]] &&
    [ "$RC" -eq 126 ] && [ "$(json exitCode)" = 126 ]
  check "exec failure: 127 not found, 126 not executable, error names the command" $? \
    "rc=$rc1 $err1" "rc=$RC $ERR" "$STATUS"
}

test_setup_error() {
  sandbox --bind /nonexistent/source /x -- true
  [ "$RC" -eq 125 ] && [ "$(json error stage)" = '"mount"' ] && [ "$(json exitCode)" = null ] &&
    [ "$(json startupMs)" = null ] && [[ $ERR == "cubicle-sandbox: "*"/nonexistent/source"*"No such file or directory" ]]
  check "setup failure: exit 125, structured error naming the path" $? "rc=$RC" "$ERR" "$STATUS"
}

test_dies_with_parent() {
  local marker="sleep 8$RANDOM$RANDOM"
  bash -c '"$@"; echo unreachable' bash "$HELPER" "${BASE[@]}" -- $marker &
  local parent=$!
  for _ in $(seq 100); do pgrep -f "^$marker" >/dev/null && break; sleep 0.05; done
  local before
  before=$(pgrep -f "^$marker")
  kill -9 "$parent"
  wait "$parent" 2>/dev/null
  [ -n "$before" ] && wait_until_gone "$marker" && wait_until_gone "cubicle-sandbox .* $marker"
  check "SIGKILL of the helper's parent leaves no sandbox process" $? "before: $before" \
    "$(pgrep -af "$marker")"
}

test_uid_map() {
  sandbox -- cat /proc/self/uid_map /proc/self/gid_map
  local lines
  lines=$(printf '%s\n' "$OUT" | awk '{print $1, $2, $3}')
  if [ "$(id -u)" -eq 0 ]; then
    [ "$lines" = $'0 0 4294967295\n0 0 4294967295' ]
    check "root: identity uid/gid map" $? "$OUT" "$ERR"
    return
  fi
  local user
  user=$(id -un)
  if ! grep -qE "^($user|$(id -u)):" /etc/subuid 2>/dev/null || ! grep -qE "^($user|$(id -u)):" /etc/subgid 2>/dev/null; then
    skip "subuid range mapped" "no subuid range"
    return
  fi
  [ "$(printf '%s\n' "$OUT" | wc -l)" -eq 4 ] && [[ $lines == "0 $(id -u) 1"* ]]
  check "subuid/subgid ranges mapped (2 lines each)" $? "$OUT" "$ERR"
}

test_uid_map_single() {
  if [ "$(id -u)" -eq 0 ]; then
    skip "--uid-map single" "root always gets the identity map"
    return
  fi
  sandbox --uid-map single -- sh -c 'cat /proc/self/uid_map /proc/self/setgroups; id -u'
  [ "$(printf '%s\n' "$OUT" | awk '{print $1, $2, $3}')" = "0 $(id -u) 1"$'\ndeny  \n0  ' ]
  check "--uid-map single maps only the invoking user, setgroups denied" $? "$OUT" "$ERR"
}

test_dev() {
  sandbox -- sh -c 'echo x > /dev/null && head -c 4 /dev/zero | wc -c && test -c /dev/pts/ptmx &&
    test -L /dev/ptmx && stat -c %a /dev/shm && touch /dev/shm/x && readlink /dev/fd /dev/stdout &&
    ls /dev | tr "\n" " "'
  [ "$OUT" = $'4\n1777\n/proc/self/fd\n/proc/self/fd/1\nfd full null ptmx pts random shm stderr stdin stdout tty urandom zero ' ]
  check "--dev: minimal /dev with pts, shm (1777) and fd links" $? "$OUT" "$ERR"
}

test_proc_readonly() {
  sandbox -- sh -c '(echo h > /proc/sys/kernel/hostname) 2>&1; grep -c " /proc/sys ro," /proc/self/mountinfo'
  [[ $OUT == *"Read-only file system"* && $OUT == *1 ]]
  check "--proc: /proc/sys is read-only" $? "$OUT" "$ERR"
}

test_tmpfs_size_perms() {
  sandbox --size 1m --perms 1777 --tmpfs /scratch --tmpfs /plain -- sh -c \
    'stat -c %a /scratch /plain; df -B1 --output=size /scratch | tail -1'
  [ "$(printf '%s\n' "$OUT" | tr -d ' ')" = $'1777\n755\n1048576' ]
  check "--size/--perms apply to the next --tmpfs only" $? "$OUT" "$ERR"
}

test_dir_symlink() {
  sandbox --perms 0700 --dir /a/b/c --symlink /a/b /link --dir /plain -- sh -c \
    'stat -c %a /a /a/b /a/b/c /plain; readlink /link'
  [ "$OUT" = $'755\n755\n700\n755\n/a/b' ]
  check "--dir (parents 0755, --perms), --symlink" $? "$OUT" "$ERR"
}

test_remount_ro() {
  sandbox --tmpfs /t --dir /t/d --remount-ro /t -- sh -c 'touch /t/x 2>&1; test -d /t/d && echo dir'
  [[ $OUT == *"Read-only file system"* && $OUT == *dir ]]
  check "--remount-ro" $? "$OUT" "$ERR"
}

test_chdir() {
  sandbox --chdir /usr/bin -- pwd
  local first=$OUT
  sandbox -- pwd
  local second=$OUT
  sandbox --chdir /nonexistent -- pwd
  [ "$first" = /usr/bin ] && [ "$second" = / ] && [ "$RC" -eq 125 ] &&
    [ "$(json error stage)" = '"chdir"' ]
  check "--chdir (default /); a missing dir is a chdir error" $? "$first $second rc=$RC" "$STATUS"
}

test_signal_forwarding() {
  "$HELPER" "${BASE[@]}" -- sh -c 'trap "exit 7" TERM; echo ready; while :; do sleep 0.05; done' \
    >"$WORK/fwd" 2>&1 &
  local pid=$!
  for _ in $(seq 100); do grep -q ready "$WORK/fwd" && break; sleep 0.05; done
  kill -TERM "$pid"
  wait "$pid"
  local rc=$?
  [ "$rc" -eq 7 ]
  check "SIGTERM to the helper reaches the job" $? "rc=$rc" "$(cat "$WORK/fwd")"
}

test_sessions() {
  sandbox -- sh -c 'cut -d" " -f6 /proc/$$/stat'
  local own=$OUT
  sandbox --no-new-session -- sh -c 'cut -d" " -f6 /proc/$$/stat'
  [ "$own" = 2 ] && [ "$OUT" != 2 ]
  check "job runs in a new session unless --no-new-session" $? "$own / $OUT" "$ERR"
}

test_stdio() {
  OUT=$(echo hello | "$HELPER" "${BASE[@]}" -- cat)
  [ "$OUT" = hello ]
  check "stdin and stdout pass through" $? "$OUT"
}

# ---- --hold-userns and --userns: one mapped namespace joined by many sandboxes

# start_holder [OPTION...]: a --hold-userns holder fed by HOLDER_FD; sets HOLDER_PID.
start_holder() {
  rm -f "$WORK/holder.pid"
  exec {HOLDER_FD}> >(exec "$HELPER" --hold-userns "$@" >"$WORK/holder.pid" 2>"$WORK/holder.err")
  HOLDER_PID=
  for _ in $(seq 100); do
    HOLDER_PID=$(head -n1 "$WORK/holder.pid" 2>/dev/null)
    [ -n "$HOLDER_PID" ] && return 0
    sleep 0.02
  done
  return 1
}

# stop_holder: EOF on its stdin.
stop_holder() {
  exec {HOLDER_FD}>&-
}

# gone PID: no such process, or a zombie not yet reaped.
gone() {
  [ ! -e "/proc/$1" ] || [ "$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null)" = Z ]
}

test_userns_shared() {
  if ! start_holder; then
    fail "--userns: two sandboxes join one holder" "no holder pid" "$(cat "$WORK/holder.err")"
    return
  fi
  local holder_map first second
  holder_map=$(cat "/proc/$HOLDER_PID/uid_map")
  sandbox --userns "/proc/$HOLDER_PID/ns/user" -- sh -c 'cat /proc/self/uid_map; grep -E "^Cap(Inh|Prm|Eff|Bnd|Amb)" /proc/self/status; id -u'
  first=$OUT first_err="$ERR rc=$RC"
  sandbox --userns "/proc/$HOLDER_PID/ns/user" -- sh -c 'cat /proc/self/uid_map; grep -E "^Cap(Inh|Prm|Eff|Bnd|Amb)" /proc/self/status; id -u'
  second=$OUT
  stop_holder
  local expected_lines=1
  [ "$(id -u)" -ne 0 ] && grep -qE "^($(id -un)|$(id -u)):" /etc/subuid 2>/dev/null && expected_lines=2
  local map
  map=$(printf '%s\n' "$first" | grep -E '^ *[0-9]+ +[0-9]+ +[0-9]+ *$')
  [ "$RC" -eq 0 ] && [ "$first" = "$second" ] && [ "$map" = "$holder_map" ] &&
    [ "$(printf '%s\n' "$map" | wc -l)" -eq "$expected_lines" ] &&
    [ "$(printf '%s\n' "$first" | grep -c ':	0000000000000000$')" -eq 5 ] &&
    [ "$(printf '%s\n' "$first" | tail -n1)" = 0 ] && [ "$(json exitCode)" = 0 ]
  check "--userns: two sandboxes see the holder's $expected_lines-line uid_map, no capabilities" $? \
    "holder: $holder_map" "first: $first" "$first_err" "second: $second" "$ERR rc=$RC"
}

test_userns_holder_dies_with_parent() {
  bash -c '"$0" --hold-userns < <(sleep 30) >"$1"; echo unreachable' "$HELPER" "$WORK/orphan.pid" &
  local parent=$! holder= outer=
  for _ in $(seq 100); do
    holder=$(head -n1 "$WORK/orphan.pid" 2>/dev/null)
    [ -n "$holder" ] && break
    sleep 0.02
  done
  outer=$(pgrep -P "$parent" -f hold-userns)
  kill -9 "$parent"
  wait "$parent" 2>/dev/null
  local ok=1
  for _ in $(seq 50); do
    if [ -n "$holder" ] && [ -n "$outer" ] && gone "$holder" && gone "$outer"; then ok=0; break; fi
    sleep 0.05
  done
  check "--hold-userns: holder and its outer die when the parent is SIGKILLed" $ok \
    "holder=$holder outer=$outer" "$(ps -o pid,stat,args -p "${holder:-1}" -p "${outer:-1}" 2>&1)"
}

test_userns_bad_path() {
  sandbox --userns "$WORK/no-such-namespace" -- true
  [ "$RC" -eq 125 ] && [[ $ERR == *"no-such-namespace"*"No such file"* ]] &&
    [ "$(json error stage)" = '"userns"' ]
  check "--userns of a missing path: 125, the path and errno" $? "rc=$RC" "$ERR" "$STATUS"
}

test_userns_cgroup() {
  if [ "$(id -u)" -ne 0 ] || [ ! -d /sys/fs/cgroup/memory ]; then
    skip "--userns with --cgroup" "needs root on a cgroup v1 host (memory hierarchy)"
    return
  fi
  local own parent
  own=$(awk -F: '$2 ~ /(^|,)memory(,|$)/ {print $3}' /proc/self/cgroup)
  [ "$own" = / ] && own=
  parent=$(realpath /sys/fs/cgroup/memory)$own/cubicle-userns-test-$$
  if ! mkdir "$parent"; then
    skip "--userns with --cgroup" "cannot create $parent"
    return
  fi
  if ! start_holder; then
    rmdir "$parent"
    fail "--userns with --cgroup" "no holder pid" "$(cat "$WORK/holder.err")"
    return
  fi
  sandbox --userns "/proc/$HOLDER_PID/ns/user" --cgroup "$parent/job" --memory-max 64m -- \
    sh -c 'cat /proc/self/cgroup | grep memory; echo ok'
  stop_holder
  local left=no
  [ -e "$parent/job" ] && left=yes
  rmdir "$parent" 2>/dev/null
  [ "$RC" -eq 0 ] && [[ $OUT == *ok ]] && [ "$(json cgroup memoryPeakBytes)" != null ] && [ $left = no ]
  check "--userns with --cgroup: the job runs in its cgroup, removed after" $? "rc=$RC" "$OUT" "$ERR" "$STATUS"
}

TESTS=(
  test_version_help test_usage_errors test_exit_code test_signal_exit test_pid1_and_processes
  test_background_killed test_hostname test_loopback_only test_share_net test_env test_ro_bind
  test_ro_bind_recursive test_overlay test_overlay_root test_overlay_special_paths
  test_overlay_many_layers test_ro_overlay test_caps_and_nnp test_keep_caps test_fds_closed test_timeout
  test_status_json test_exec_errors test_setup_error test_dies_with_parent test_uid_map
  test_uid_map_single test_dev test_proc_readonly test_tmpfs_size_perms test_dir_symlink
  test_remount_ro test_chdir test_signal_forwarding test_sessions test_stdio
  test_userns_shared test_userns_holder_dies_with_parent test_userns_bad_path test_userns_cgroup
)

run_all() {
  local test
  for test in "${TESTS[@]}"; do
    REPORTED=0
    "$test"
    [ "$REPORTED" -eq 1 ] || fail "$test reported nothing"
  done
}

if [ "$INNER" -eq 1 ]; then
  run_all
  finish
fi

plan
run_all
if [ "$(id -u)" -eq 0 ]; then
  if id "$USER_UNDER_TEST" >/dev/null 2>&1; then run_as_user run.sh; else skip_as_user "no user $USER_UNDER_TEST"; fi
fi
finish
