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

test_pid1_cmdline_hidden() {
  local dir
  dir=$(mktemp -d)
  sandbox --ro-bind "$dir" /mnt/marker-dir --hostname box-cmdline -- sh -c 'tr "\0" " " </proc/1/cmdline'
  # The host still sees the whole argv of the outer process; the job sees only a title.
  [ "$RC" -eq 0 ] && [ "$(echo $OUT)" = cubicle-sandbox ] && ! grep -q -e "$dir" -e box-cmdline <<<"$OUT"
  check "PID 1's /proc/1/cmdline shows no host path or option, only its name" $? "$OUT" "$ERR"
  rmdir "$dir"
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

# --volatile-upper: the overlay is mounted `volatile` (no syncs of a throwaway upper), through
# both mount paths; writes still land in the upper dir; without the flag no overlay is volatile.
test_overlay_volatile() {
  make_layers
  local ov=$WORK/ov show='grep " /work " /proc/self/mountinfo'
  sandbox --volatile-upper --overlay "$ov/l1:$ov/l2" "$ov/upper" "$ov/work" /work -- sh -c \
    "echo new > /work/new; $show"
  local fsconfig=$OUT written
  written=$(cat "$ov/upper/new" 2>/dev/null)
  chmod -R u+rwx "$ov/work" && rm -rf "$ov/upper" "$ov/work" && mkdir "$ov/upper" "$ov/work"
  CUBICLE_SANDBOX_LEGACY_OVERLAY=1 sandbox --volatile-upper --overlay "$ov/l1:$ov/l2" "$ov/upper" \
    "$ov/work" /work -- sh -c "$show"
  local legacy=$OUT
  chmod -R u+rwx "$ov/work" && rm -rf "$ov/upper" "$ov/work" && mkdir "$ov/upper" "$ov/work"
  sandbox --overlay "$ov/l1:$ov/l2" "$ov/upper" "$ov/work" /work -- sh -c "$show"
  [[ $fsconfig == *volatile* && $legacy == *volatile* && $OUT != *volatile* ]] &&
    [ "$written" = new ]
  check "--volatile-upper mounts the overlay volatile (lowerdir+ and mount(2)); without it, not" \
    $? "fsconfig: $fsconfig / legacy: $legacy / plain: $OUT" "$ERR"
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

# An upper dir on overlayfs (a container's root): the error names the kernel's refusal, not
# the "unknown key" our fsconfig probe provoked first (the fs log queues both).
test_overlay_error_names_refusal() {
  make_layers
  local outer=$WORK/outer
  chmod -R u+rwx "$outer" 2>/dev/null; rm -rf "$outer" && mkdir -p "$outer/"{lower,upper,work,merged}
  local script='mount -t overlay overlay -o "lowerdir=$1/lower,upperdir=$1/upper,workdir=$1/work,userxattr" "$1/merged" &&
    mkdir "$1/merged/up" "$1/merged/wk" && shift && exec "$@"'
  if ! unshare -Urm sh -c "$script" sh "$outer" true 2>/dev/null; then
    skip "--overlay error names the kernel's refusal" "no overlayfs mount in a user namespace here (Linux 5.11)"
    return
  fi
  rm -rf "$outer/merged/"* "$outer/upper/"* && chmod -R u+rwx "$outer/work" && rm -rf "$outer/work/"*
  OUT=$(unshare -Urm sh -c "$script" sh "$outer" "$HELPER" "${BASE[@]}" --overlay "$WORK/ov/l1" \
    "$outer/merged/up" "$outer/merged/wk" /work -- true 2>&1)
  [[ $OUT == *"not supported as upperdir"* && $OUT != *cubicle-probe-unknown-key* ]]
  check "--overlay with an upper on overlayfs: the error names the kernel's refusal" $? "$OUT"
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

test_build_caps() {
  # Docker's default set (moby oci/caps/defaults.go) is CapEff 00000000a80425fb in `docker run`.
  sandbox --build-caps -- grep -E '^(CapEff|CapBnd|NoNewPrivs):' /proc/self/status
  [ "$OUT" = $'CapEff:\t00000000a80425fb\nCapBnd:\t00000000a80425fb\nNoNewPrivs:\t1' ]
  check "--build-caps: Docker's default capability set, effective and bounding; NoNewPrivs 1" $? "$OUT" "$ERR"
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
        "peakRssBytes", "timedOut", "oomKilled", "cgroup", "seccomp", "disk", "error"]
assert list(status) == keys, list(status)
assert status["exitCode"] == 3 and status["signal"] is None and status["error"] is None
assert status["seccomp"] == "default" and status["disk"] is None
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

# --join PID: a command in a running sandbox's namespaces (docker exec). It sees the sandbox's
# /tmp, hostname and processes; it is prepared like a job (no capabilities, no_new_privs,
# seccomp); a timeout ends it alone, the sandbox runs on; misuse is refused.
test_join() {
  local marker="join-target-$$"
  "$HELPER" "${BASE[@]}" --proc /proc --dev /dev --tmpfs /tmp --hostname joined -- \
    sh -c "echo inside > /tmp/only-here; exec sleep 30 # $marker" >/dev/null 2>&1 &
  local outer=$! init= job=
  for _ in $(seq 100); do
    init=$(tr -d ' ' <"/proc/$outer/task/$outer/children" 2>/dev/null)
    [ -n "$init" ] && job=$(tr -d ' ' <"/proc/$init/task/$init/children" 2>/dev/null)
    [ -n "$job" ] && grep -q "$marker" "/proc/$job/cmdline" 2>/dev/null && break
    sleep 0.02
  done
  OUT=$("$HELPER" --join "$job" --status-fd 9 --setenv PATH /usr/bin:/bin -- sh -c \
    'cat /tmp/only-here; hostname; grep -c "" /proc/1/cmdline >/dev/null && echo sees-pid-1;
     grep -E "^(CapEff|NoNewPrivs|Seccomp):" /proc/self/status' 2>"$WORK/stderr" 9>"$WORK/status")
  RC=$? ERR=$(cat "$WORK/stderr") STATUS=$(cat "$WORK/status")
  local seen=$OUT seen_rc=$RC seen_err=$ERR
  "$HELPER" --join "$job" --timeout-ms 300 -- /usr/bin/sleep 20 2>"$WORK/stderr"
  local timeout_rc=$? alive=no
  kill -0 "$job" 2>/dev/null && alive=yes
  "$HELPER" --join "$job" --tmpfs /x -- true 2>"$WORK/stderr"
  local misuse_rc=$? misuse=$(cat "$WORK/stderr")
  "$HELPER" --join $$ -- true 2>"$WORK/stderr"
  local self_rc=$? self=$(cat "$WORK/stderr")
  kill "$outer" 2>/dev/null
  wait "$outer" 2>/dev/null
  [ "$seen_rc" -eq 0 ] && [[ $seen == inside$'\n'joined$'\n'sees-pid-1$'\n'* ]] &&
    [[ $seen == *"CapEff:	0000000000000000"* && $seen == *"NoNewPrivs:	1"* && $seen == *"Seccomp:	2"* ]] &&
    [ "$(json exitCode)" = 0 ] && [ "$timeout_rc" -eq 137 ] && [ "$alive" = yes ] &&
    [ "$misuse_rc" -eq 125 ] && [[ $misuse == *"--join runs in an existing sandbox"* ]] &&
    [ "$self_rc" -eq 125 ] && [[ $self == *"not a sandbox"* ]]
  check "--join: runs in the sandbox's namespaces as a job would; a timeout ends only it" $? \
    "seen ($seen_rc): $seen $seen_err" "timeout rc $timeout_rc, sandbox alive: $alive" \
    "misuse ($misuse_rc): $misuse" "self ($self_rc): $self"
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

# ---- hardening: seccomp, mount destinations, masked proc, PID 1, disk limits

# probe: test/probe.c compiled once per pass into $WORK/probe; false without a compiler.
probe() {
  [ -x "$WORK/probe" ] && return 0
  command -v cc >/dev/null 2>&1 && cc -O1 -o "$WORK/probe" "$HERE/probe.c" 2>"$WORK/probe.err" &&
    chmod 755 "$WORK/probe"
}

# probe_in [OPTION...] -- ARG: runs the probe in a sandbox (OUT, ERR, RC, STATUS).
probe_in() {
  local options=()
  while [ "$1" != -- ]; do options+=("$1"); shift; done
  shift
  sandbox "${options[@]}" --ro-bind "$WORK/probe" /probe -- /probe "$@"
}

# result NAME: the probe's result for NAME in OUT.
result() { awk -v name="$1" '$1 == name {print $2}' <<<"$OUT"; }

# Calls whose arguments fail with another errno where the filter is absent.
SECCOMP_TELLING="keyctl add_key request_key perf_event_open name_to_handle_at userfaultfd
  io_uring_setup settimeofday clock_settime quotactl mount umount2 fsconfig
  open_tree mount_setattr ioctl_tiocsti ioctl_tiocsti_high_bits ioctl_tioclinux
  unshare_newuser clone_newuser clone3"

test_seccomp_denials() {
  if ! probe; then
    skip "--seccomp default denials" "no C compiler to build test/probe.c"
    return
  fi
  probe_in -- seccomp
  local denied=$OUT status=$STATUS bad=
  local name value
  while read -r name value; do
    case $name in
      allowed_*) [ "$value" != EPERM ] || bad+=" $name=$value" ;;
      clone3) [ "$value" = ENOSYS ] || bad+=" $name=$value" ;;
      *) [ "$value" = EPERM ] || bad+=" $name=$value" ;;
    esac
  done <<<"$denied"
  probe_in --seccomp unconfined -- seccomp
  for name in $SECCOMP_TELLING; do
    value=$(result "$name")
    [ -n "$value" ] && [ "$value" != EPERM ] && [ "$value" != ENOSYS ] || bad+=" unconfined:$name=$value"
  done
  [ -z "$bad" ] && [ "$(printf '%s\n' "$denied" | wc -l)" -ge 40 ] &&
    [[ $status == *'"seccomp":"default"'* ]] && [[ $STATUS == *'"seccomp":"unconfined"'* ]]
  check "--seccomp default: each denied call fails with EPERM (clone3 ENOSYS); unconfined: not" $? \
    "wrong:$bad" "$denied" "$ERR"
}

test_seccomp_foreign_arch() {
  if [ "$(uname -m)" != x86_64 ]; then
    skip "--seccomp default denies i386 and x32 calls" "not x86_64 ($(uname -m))"
    return
  fi
  if ! probe; then
    skip "--seccomp default denies i386 and x32 calls" "no C compiler to build test/probe.c"
    return
  fi
  probe_in -- seccomp
  local i386=$(result i386_getpid) x32=$(result x32_getpid)
  probe_in --seccomp unconfined -- seccomp
  local i386_open=$(result i386_getpid)
  if [ -z "$i386_open" ]; then
    skip "--seccomp default denies i386 and x32 calls" "int 0x80 killed the probe (no IA32 emulation)"
    return
  fi
  [ "$i386" = EPERM ] && [ "$x32" = EPERM ] && [ "$i386_open" = ok ]
  check "--seccomp default: i386 (int 0x80) and x32 calls get EPERM" $? \
    "i386=$i386 x32=$x32 unconfined i386=$i386_open" "$ERR"
}

test_seccomp_keep_caps() {
  if ! probe; then
    skip "--seccomp default with --keep-caps" "no C compiler to build test/probe.c"
    return
  fi
  probe_in --keep-caps -- seccomp
  local filtered=$(result mount) newuser=$(result unshare_newuser)
  probe_in --keep-caps --seccomp unconfined -- seccomp
  [ "$filtered" = EPERM ] && [ "$newuser" = EPERM ] && [ "$(result mount)" = EFAULT ]
  check "--keep-caps keeps the default filter (mount EPERM); --seccomp unconfined lifts it" $? \
    "default: mount=$filtered unshare=$newuser; unconfined: mount=$(result mount)" "$ERR"
}

test_tiocsti() {
  if ! probe; then
    skip "TIOCSTI" "no C compiler to build test/probe.c"
    return
  fi
  probe_in -- tiocsti
  local filtered=$OUT
  probe_in --no-new-session -- tiocsti
  [ "$filtered" = "tiocsti EPERM" ] && [ "$OUT" = "tiocsti EPERM" ]
  check "TIOCSTI on the job's controlling terminal fails (EPERM), with and without a new session" \
    $? "$filtered" "$OUT" "$ERR"
}

test_pid1_unreachable() {
  if ! probe; then
    skip "PID 1 and host fds unreachable" "no C compiler to build test/probe.c"
    return
  fi
  local caps out failed= all=
  for caps in "" --keep-caps; do
    # fd 7 and the status fd 9 are open in the helper.
    out=$("$HELPER" --status-fd 9 "${BASE[@]}" $caps --chdir /tmp --ro-bind "$WORK/probe" /probe \
      -- /probe fds 7</dev/null 9>"$WORK/status" 2>&1)
    all+=$'\n'"[$caps]"$'\n'"$out"
    [ "$(grep -c '^fd ' <<<"$out")" -eq 3 ] && grep -q '^cwd /tmp$' <<<"$out" &&
      grep -q '^pid1_fds_reachable 0$' <<<"$out" && ! grep -qE '^pid1_[a-z0-9_]+ ok$' <<<"$out" ||
      failed+=" [$caps]"
  done
  [ -z "$failed" ]
  check "only fds 0-2 in the job; /proc/1/exe, fd, root, cwd, environ, mem not openable (also --keep-caps)" \
    $? "failed:$failed" "$all"
}

# A layer whose symlinks point out of the new root, at $WORK/outside on the host.
make_escape_layer() {
  chmod -R u+rwx "$WORK/esc" 2>/dev/null
  rm -rf "$WORK/esc"
  mkdir -p "$WORK/esc/layer/usr" "$WORK/esc/layer/var/tmp" "$WORK/esc/layer/tmp2" \
    "$WORK/esc/outside" "$WORK/esc/upper" "$WORK/esc/work"
  ln -s "/oldroot$WORK/esc/outside" "$WORK/esc/layer/abs"
  ln -s "../../../../../../../../../../oldroot$WORK/esc/outside" "$WORK/esc/layer/rel"
  ln -s /var/tmp "$WORK/esc/layer/tmp"
  ln -s tmp2 "$WORK/esc/layer/proc"
}

# escape_run OPTION...: a root from the escape layer, then OPTION..., running true.
escape_run() {
  "$HELPER" --overlay "$WORK/esc/layer" "$WORK/esc/upper" "$WORK/esc/work" / \
    --ro-bind /usr /usr --symlink usr/bin /bin --symlink usr/lib /lib --symlink usr/lib64 /lib64 "$@"
}

test_mount_dest_symlinks() {
  local legacy op escapes= inside= proc= proc_rc= failed=
  for legacy in 0 1; do
    export CUBICLE_SANDBOX_LEGACY_MOUNT=$legacy
    for op in "--dir /abs/made" "--tmpfs /abs/mnt" "--symlink /etc/passwd /rel/link" \
      "--ro-bind /usr /rel/usr" "--dir /rel/made"; do
      make_escape_layer
      escape_run $op -- true 2>/dev/null
      [ -z "$(ls -A "$WORK/esc/outside")" ] || escapes+=" [$op: $(ls -A "$WORK/esc/outside")]"
    done
    # Inside the root, a symlink is followed as in a chroot: /tmp -> /var/tmp.
    make_escape_layer
    inside=$(escape_run --tmpfs /tmp --dir /tmp/sub -- sh -c 'ls /var/tmp; stat -f -c %T /var/tmp' 2>&1)
    make_escape_layer
    proc=$(escape_run --proc /proc -- true 2>&1)
    proc_rc=$?
    [ -z "$escapes" ] && [ "$inside" = $'sub\ntmpfs' ] && [ $proc_rc -eq 125 ] &&
      [[ $proc == *"/proc"*"symlink"* ]] || failed+=" legacy=$legacy"
  done
  unset CUBICLE_SANDBOX_LEGACY_MOUNT
  [ -z "$failed" ]
  check "symlinks in a DEST stay inside the new root (openat2, and the O_PATH walk); --proc refuses one" \
    $? "failed:$failed" "escapes:$escapes" "inside: $inside" "proc: $proc_rc $proc"
}

test_masked_proc() {
  # Each entry reads as empty, or cannot be opened at all (root's own, root unmapped).
  sandbox -- sh -c 'for f in keys timer_list kpageflags; do
      [ -e /proc/$f ] || continue
      if [ -r /proc/$f ]; then printf "%s:%s " $f "$(wc -c < /proc/$f)"; else printf "%s:- " $f; fi
    done
    printf "acpi:%s\n" "$(ls -A /proc/acpi 2>/dev/null | wc -l)"
    (echo x > /proc/keys) 2>&1 | grep -c "Read-only"
    grep -cE " /proc/(fs|sys|irq|bus) ro," /proc/self/mountinfo
    grep -E " /proc/(keys|timer_list|kpageflags|acpi) " /proc/self/mountinfo | grep -vc " ro,"'
  local masked=$OUT
  sandbox --ro-bind /sys /sys -- sh -c 'ls -A /sys/firmware | wc -l; ls /sys | wc -l'
  local firmware=${OUT%%$'\n'*} sys=${OUT##*$'\n'}
  [[ $masked =~ ^keys:0\ (timer_list:[0-]\ )?(kpageflags:[0-]\ )?acpi:0$'\n'1$'\n'4$'\n'0$ ]] &&
    [ "$firmware" = 0 ] && [ "$sys" -gt 3 ]
  check "--proc: keys, timer_list, kpageflags, acpi masked (empty or unopenable, read-only); fs read-only; /sys/firmware masked" \
    $? "$masked" "sys: $OUT" "$ERR"
}

make_disk_layers() {
  chmod -R u+rwx "$WORK/disk" 2>/dev/null
  rm -rf "$WORK/disk"
  mkdir -p "$WORK/disk/layer" "$WORK/disk/upper" "$WORK/disk/work"
}

test_disk_tmpfs_full() {
  make_disk_layers
  local d=$WORK/disk
  sandbox --disk-tmpfs 4m --overlay "$d/layer" "$d/upper" "$d/work" /work -- sh -c \
    'head -c 8000000 /dev/zero > /work/big; echo "rc=$?"'
  local full=$OUT full_status=$STATUS full_err=$ERR
  make_disk_layers
  sandbox --disk-tmpfs 4m --overlay "$d/layer" "$d/upper" "$d/work" /work -- sh -c \
    'head -c 1000000 /dev/zero > /work/small'
  python3 - "$full_status" "$STATUS" <<'PYEOF'
import json, sys
full, fits = (json.loads(arg)["disk"] for arg in sys.argv[1:])
assert list(full) == ["limitBytes", "usedBytes", "full"], full
assert full["limitBytes"] == 4194304 and full["full"] is True, full
assert full["usedBytes"] >= 4194304 - 8192, full
assert fits["full"] is False and 1000000 <= fits["usedBytes"] < 2000000, fits
PYEOF
  [ $? -eq 0 ] && [ "$full" = rc=1 ] && [[ $full_err == *"No space left on device"* ]] &&
    [ -z "$(ls -A "$d/upper")" ]
  check "--disk-tmpfs: writing past the limit gives ENOSPC, disk.full true; UPPER untouched" $? \
    "$full" "$full_err" "$full_status" "$STATUS"
}

test_keep_upper() {
  make_disk_layers
  local d=$WORK/disk
  sandbox --disk-tmpfs 16m --overlay "$d/layer" "$d/upper" "$d/work" /work \
    --keep-upper /work 'reports/*.xml' --keep-upper /work '**/keep-*.txt' \
    --keep-upper /work 'out/**' -- sh -c 'cd /work && mkdir -p reports a/b/c .hidden node_modules/m &&
      echo junit > reports/junit.xml && echo dot > reports/.dot.xml && echo no > reports/no.txt &&
      ln -s /etc/passwd reports/evil.xml && ln -s / out && mkfifo reports/fifo.xml &&
      echo 1 > a/b/c/keep-1.txt && echo 2 > .hidden/keep-2.txt && echo 3 > node_modules/m/keep-3.txt &&
      chmod 600 a/b/c/keep-1.txt'
  local listing
  listing=$(cd "$d/upper" && find . -printf '%y %p %m\n' | LC_ALL=C sort)
  [ "$RC" -eq 0 ] && [ "$listing" = "d . 755
d ./a 755
d ./a/b 755
d ./a/b/c 755
d ./node_modules 755
d ./node_modules/m 755
d ./reports 755
f ./a/b/c/keep-1.txt 600
f ./node_modules/m/keep-3.txt 644
f ./reports/junit.xml 644" ] && [ "$(cat "$d/upper/reports/junit.xml")" = junit ] &&
    [[ $ERR == *"warning: --keep-upper: not a regular file"*"(3 file(s) copied, 3 not)"* ]]
  check "--keep-upper: matched regular files copied to UPPER; dotfiles unmatched; symlinks, fifos refused" \
    $? "$listing" "$ERR"
}

test_keep_upper_sparse() {
  make_disk_layers
  local d=$WORK/disk
  # 1 TB apparent in a 16m tmpfs: only its data may reach UPPER (before: zeros until the host disk was full).
  sandbox --disk-tmpfs 16m --overlay "$d/layer" "$d/upper" "$d/work" /work --keep-upper /work 'out/**' -- sh -c \
    'mkdir -p /work/out && truncate -s 1T /work/out/sparse && printf x | dd of=/work/out/holey bs=1 seek=10000000 2>/dev/null &&
      head -c 100000 /dev/zero | tr "\\0" y > /work/out/dense'
  local sizes
  sizes=$(cd "$d/upper/out" && stat -c '%n %s' dense holey sparse | tr '\n' ' ')
  local blocks
  blocks=$(cd "$d/upper/out" && stat -c '%b' sparse holey | paste -sd+ | bc)
  [ "$RC" -eq 0 ] && [ "$sizes" = "dense 100000 holey 10000001 sparse 1099511627776 " ] && [ "$blocks" -lt 64 ] &&
    [ "$(tail -c 1 "$d/upper/out/holey")" = x ] && [ "$(head -c 4 "$d/upper/out/holey" | od -An -tx1 | tr -d ' ')" = 00000000 ] &&
    [ "$(tr -d y < "$d/upper/out/dense" | wc -c)" -eq 0 ]
  check "--keep-upper: sparse files copied with their holes (1 TB apparent, no blocks), data intact" $? "$sizes" "$blocks" "$ERR"
}

test_keep_upper_usage() {
  sandbox --keep-upper /nowhere '*.xml' -- true
  local e1=$ERR r1=$RC
  sandbox --disk-tmpfs 1m --disk-tmpfs 1m -- true
  [ "$r1" -eq 125 ] && [[ $e1 == *"--keep-upper"*"/nowhere"* ]] && [ "$RC" -eq 125 ] &&
    [[ $ERR == *"--disk-tmpfs"* ]]
  check "--keep-upper without its --overlay, --disk-tmpfs twice: usage errors" $? "$r1 $e1" "$RC $ERR"
}

TESTS=(
  test_version_help test_usage_errors test_exit_code test_signal_exit test_pid1_and_processes test_pid1_cmdline_hidden
  test_background_killed test_hostname test_loopback_only test_share_net test_env test_ro_bind
  test_ro_bind_recursive test_overlay test_overlay_volatile test_overlay_root test_overlay_special_paths
  test_overlay_error_names_refusal test_overlay_many_layers test_ro_overlay test_caps_and_nnp test_keep_caps test_build_caps test_fds_closed test_timeout
  test_status_json test_exec_errors test_setup_error test_dies_with_parent test_uid_map
  test_uid_map_single test_dev test_proc_readonly test_tmpfs_size_perms test_dir_symlink
  test_remount_ro test_chdir test_signal_forwarding test_sessions test_stdio
  test_userns_shared test_join test_userns_holder_dies_with_parent test_userns_bad_path test_userns_cgroup
  test_seccomp_denials test_seccomp_foreign_arch test_seccomp_keep_caps test_tiocsti
  test_pid1_unreachable test_mount_dest_symlinks test_masked_proc test_disk_tmpfs_full
  test_keep_upper test_keep_upper_sparse test_keep_upper_usage
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
