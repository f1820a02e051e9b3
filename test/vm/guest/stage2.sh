# Stage 2 of the cubicle test VM.  Runs as PID 1 under busybox sh, in the
# host's root (9p, read-only, under a tmpfs overlay) after switch_root;
# run.sh copies it into the control share (/run/cubicle-vm/ctl/stage2.sh).
# Sets up a systemd-like cgroup-v2 system, runs the job described in
# /run/cubicle-vm/ctl/job, writes its exit status to /run/cubicle-vm/ctl/rc
# and powers the VM off.  Not meant to be run on the host.

BB=/run/cubicle-vm/busybox
CTL=/run/cubicle-vm/ctl
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

say() { echo "cubicle-vm: $*" >&2; }
finish() { # finish RC: report and power off
  echo "$1" > "$CTL/rc.tmp" && $BB mv "$CTL/rc.tmp" "$CTL/rc"
  $BB sync
  # qemu runs with -no-reboot, so a reset ends it.
  $BB reboot -f
  echo b > /proc/sysrq-trigger
  $BB sleep 100
}
fail() { say "$*"; echo "$*" > "$CTL/error"; finish 125; }

# `stage2.sh finish` (systemd mode): runner.service's ExecStopPost=+, as root, once the
# command ended; systemd says how in $EXIT_CODE (exited|killed|dumped) and $EXIT_STATUS.
if [ "${1:-}" = finish ]; then
  case "${EXIT_CODE:-}" in
    exited) rc=${EXIT_STATUS:-125} ;;
    killed|dumped) rc=$((128 + $($BB kill -l "${EXIT_STATUS:-KILL}" 2>/dev/null || echo 9))) ;;
    *) echo "runner.service ended without running its command (${SERVICE_RESULT:-unknown result})" > "$CTL/error"; rc=125 ;;
  esac
  finish "$rc"
fi

# Job description written by run.sh: CUB_USER, CUB_CWD, CUB_SHARES,
# CUB_INTERACTIVE, CUB_MSIZE, CUB_ENV (newline separated K=V) and `set -- CMD...`.
. "$CTL/job" || fail "cannot read the job file"
[ -n "$CUB_DEBUG" ] && set -x

# ---------------------------------------------------------------- mounts
# /proc /sys /dev were moved here by stage 1, /run is a fresh tmpfs.
$BB mkdir -p /dev/pts /dev/shm /dev/mqueue
$BB mount -t devpts -o gid=5,mode=620,ptmxmode=666 devpts /dev/pts
[ -e /dev/ptmx ] || $BB ln -sf pts/ptmx /dev/ptmx
$BB mount -t tmpfs -o mode=1777,nosuid,nodev shm /dev/shm
$BB mount -t mqueue mqueue /dev/mqueue 2>/dev/null
$BB ln -sfn /proc/self/fd /dev/fd
$BB ln -sfn /proc/self/fd/0 /dev/stdin
$BB ln -sfn /proc/self/fd/1 /dev/stdout
$BB ln -sfn /proc/self/fd/2 /dev/stderr
$BB mount -t tmpfs -o mode=1777,nosuid,nodev tmpfs /tmp
# What udev would do for the nodes rootless tools use.
$BB chmod 666 /dev/fuse /dev/net/tun 2>/dev/null
$BB mkdir -p /run/lock /run/user && $BB chmod 1777 /run/lock
# Pure cgroup v2, mounted the way systemd does it (in systemd mode, by systemd itself).
[ "$CUB_SYSTEMD" = 1 ] || $BB mount -t cgroup2 -o nsdelegate,memory_recursiveprot cgroup2 /sys/fs/cgroup 2>/dev/null ||
  $BB mount -t cgroup2 cgroup2 /sys/fs/cgroup || fail "cannot mount cgroup2"
[ "$CUB_SYSTEMD" = 1 ] || $BB mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
[ "$CUB_SYSTEMD" = 1 ] || $BB mount -t tracefs tracefs /sys/kernel/tracing 2>/dev/null
[ "$CUB_SYSTEMD" = 1 ] || $BB mount -t securityfs securityfs /sys/kernel/security 2>/dev/null
[ "$CUB_SYSTEMD" = 1 ] || $BB mount -t fusectl fusectl /sys/fs/fuse/connections 2>/dev/null
[ "$CUB_SYSTEMD" = 1 ] || $BB mount -t bpf bpf /sys/fs/bpf 2>/dev/null
$BB hostname cubicle-vm
# The host may itself be a container (/.dockerenv): the VM is not; systemd and doctor must not think so.
$BB rm -f /.dockerenv /run/.containerenv 2>/dev/null
$BB ip link set lo up || say "warning: cannot bring up lo"

# Writable host directories, at the same absolute path as on the host.
i=0
for dir in $CUB_SHARES; do
  $BB mkdir -p "$dir" 2>/dev/null
  $BB mount -t 9p -o trans=virtio,version=9p2000.L,msize=$CUB_MSIZE,cache=mmap,access=client \
    "share$i" "$dir" || fail "cannot mount share $dir"
  i=$((i + 1))
done

# Output channels: virtio-serial ports named by run.sh.
OUT=/dev/null ERR=/dev/null IN=/dev/null
for p in /sys/class/virtio-ports/*; do
  [ -e "$p/name" ] || continue
  case "$($BB cat "$p/name")" in
    stdout) OUT=/dev/${p##*/} ;;
    stderr) ERR=/dev/${p##*/} ;;
  esac
done

# ---------------------------------------------------------------- systemd
# systemd as PID 1, as on GitHub's runners: the command runs in runner.service.
[ "$CUB_SYSTEMD" = 1 ] && . "$CTL/systemd.sh"

# ---------------------------------------------------------------- user
if [ -n "$CUB_USER" ]; then
  pw=$($BB grep "^$CUB_USER:" /etc/passwd | $BB head -n1)
  [ -n "$pw" ] || fail "no such user: $CUB_USER"
else
  pw=$($BB awk -F: '$3 == 0 {print; exit}' /etc/passwd)
  [ -n "$pw" ] || pw="root:x:0:0:root:/root:/bin/sh"
fi
IFS=: read -r uname _ uid gid _ uhome ushell <<EOF
$pw
EOF
[ -n "$ushell" ] || ushell=/bin/sh
if [ "$uid" = 0 ]; then
  upath=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
else
  upath=/usr/local/bin:/usr/bin:/bin:/usr/local/games:/usr/games
fi
# XDG runtime dir, as pam_systemd would create it.
$BB mkdir -p "/run/user/$uid" && $BB chown "$uid:$gid" "/run/user/$uid" && $BB chmod 700 "/run/user/$uid"

# ---------------------------------------------------------------- cgroups
# Layout of a systemd user session:
#   /user.slice/user-UID.slice/user@UID.service          delegated to the user
#   .../user@UID.service/app.slice/cubicle-run.scope      leaf running CMD
# All available controllers are enabled down to (and including) app.slice.
CG=/sys/fs/cgroup
enable_all() { # enable every controller available in $1 for its children
  for c in $($BB cat "$1/cgroup.controllers"); do
    echo "+$c" > "$1/cgroup.subtree_control" 2>/dev/null || say "warning: cannot enable $c in $1"
  done
}
SLICE=$CG/user.slice/user-$uid.slice
DELEG=$SLICE/user@$uid.service
LEAF=$DELEG/app.slice/cubicle-run.scope
$BB mkdir -p "$LEAF" || fail "cannot create $LEAF"
enable_all $CG
enable_all $CG/user.slice
enable_all "$SLICE"
enable_all "$DELEG"
enable_all "$DELEG/app.slice"
# Delegation (see systemd's Delegate=): the subtree root's directory and its
# cgroup.procs, cgroup.subtree_control and cgroup.threads belong to the user;
# everything below it was created by the user's manager, so it is the user's.
$BB chown "$uid:$gid" "$DELEG" "$DELEG/cgroup.procs" "$DELEG/cgroup.subtree_control" "$DELEG/cgroup.threads" ||
  fail "cannot delegate $DELEG"
$BB chown -R "$uid:$gid" "$DELEG/app.slice"

# ---------------------------------------------------------------- job
if [ "$CUB_INTERACTIVE" = 1 ]; then IN=/dev/ttyS1 OUT=/dev/ttyS1 ERR=/dev/ttyS1; fi

[ -d "$CUB_CWD" ] || fail "working directory $CUB_CWD does not exist in the VM (host /tmp is not shared; use --share)"

# Environment of the command: login-ish, plus --env values.
envfile=/run/cubicle-vm/env
{
  echo "HOME=$uhome"
  echo "USER=$uname"
  echo "LOGNAME=$uname"
  echo "SHELL=$ushell"
  echo "PATH=$upath"
  echo "LANG=${CUB_LANG:-C.UTF-8}"
  echo "XDG_RUNTIME_DIR=/run/user/$uid"
  echo "CUBICLE_VM=1"
  echo "CUBICLE_VM_CGROUP=${DELEG#$CG}"
  [ "$CUB_INTERACTIVE" = 1 ] && echo "TERM=${CUB_TERM:-linux}"
  [ -n "$CUB_ENV" ] && printf '%s\n' "$CUB_ENV"
} > "$envfile"

# Build "K=V ... CMD ARGS" in the positional parameters for `env -i`.
n=$#
while IFS= read -r line; do set -- "$@" "$line"; done < "$envfile"
while [ "$n" -gt 0 ]; do a=$1; shift; set -- "$@" "$a"; n=$((n - 1)); done

if [ "$uid" = 0 ]; then
  DROP=""
else
  [ -x /usr/bin/setpriv ] || fail "setpriv (util-linux) not found in the host root"
  DROP="/usr/bin/setpriv --reuid=$uid --regid=$gid --init-groups"
fi
SETSID=""
[ "$CUB_INTERACTIVE" = 1 ] && SETSID="$BB setsid -c"

(
  echo 0 > "$LEAF/cgroup.procs" || { say "cannot enter $LEAF"; exit 125; }
  cd "$CUB_CWD" || exit 125
  # Host env, not busybox env: busybox would prefer its own applets for CMD.
  exec $SETSID $DROP /usr/bin/env -i "$@" <$IN >$OUT 2>$ERR
)
rc=$?
finish $rc
