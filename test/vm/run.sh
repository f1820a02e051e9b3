#!/bin/bash
# Run a command inside a throw-away cgroup-v2 VM (qemu, TCG) whose root is
# the host's root filesystem (read-only 9p + tmpfs overlay).
#
# Usage: test/vm/run.sh [options] -- CMD [ARGS...]
#   --user NAME      run CMD as NAME (default: root)
#   --timeout SECS   kill the VM after SECS seconds (default 600), exit 124
#   --share DIR      share host DIR read-write at the same path (repeatable)
#   --env K=V        extra environment variable for CMD (repeatable)
#   --mem SIZE       guest memory (default 2G)
#   --cpus N         guest CPUs (default 2)
#   --interactive    connect the terminal to CMD (stdin/stdout/stderr, a tty)
#   --debug          show the guest's console (kernel + init) on stderr
#   --systemd        boot Debian's systemd as PID 1 and run CMD as a GitHub runner's
#                    steps run: as --user (default runner, created) in runner.service
#   --no-linger      (--systemd) the user does not linger: no user manager at boot
# CMD runs in the current directory, which must exist in the VM (any host
# path except /tmp, unless shared with --share).  Its stdout and stderr go to
# run.sh's stdout and stderr, and run.sh exits with its exit status.
# Exit codes of run.sh itself: 124 timeout, 125 VM/setup failure.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
CACHE=${CUBICLE_VM_CACHE:-$HERE/.cache}

usage() { sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//' >&2; exit "${1:-125}"; }
die() { printf 'run.sh: %s\n' "$*" >&2; exit 125; }

USER_NAME="" TIMEOUT=600 MEM=2G CPUS=2 INTERACTIVE=0 DEBUG=0 SYSTEMD=0 LINGER=1
SHARES=() ENVS=()
while [ $# -gt 0 ]; do
  case "$1" in
    --user) USER_NAME=${2:?}; shift 2 ;;
    --user=*) USER_NAME=${1#*=}; shift ;;
    --timeout) TIMEOUT=${2:?}; shift 2 ;;
    --timeout=*) TIMEOUT=${1#*=}; shift ;;
    --share) SHARES+=("${2:?}"); shift 2 ;;
    --share=*) SHARES+=("${1#*=}"); shift ;;
    --env) ENVS+=("${2:?}"); shift 2 ;;
    --env=*) ENVS+=("${1#*=}"); shift ;;
    --mem) MEM=${2:?}; shift 2 ;;
    --cpus) CPUS=${2:?}; shift 2 ;;
    --interactive) INTERACTIVE=1; shift ;;
    --debug) DEBUG=1; shift ;;
    --systemd) SYSTEMD=1; shift ;;
    --no-linger) LINGER=0; shift ;;
    -h|--help) usage 0 ;;
    --) shift; break ;;
    *) die "unknown option $1 (did you forget '--'?)" ;;
  esac
done
[ $# -gt 0 ] || usage
[[ "$TIMEOUT" =~ ^[0-9]+$ ]] || die "--timeout needs a number of seconds"

# ---------------------------------------------------------------- checks
QEMU=$(command -v qemu-system-x86_64 || true)
[ -n "$QEMU" ] || die "qemu-system-x86_64 not found: run test/vm/prepare.sh (as root)"
[ -f "$CACHE/initramfs.cpio.gz" ] && [ -e "$CACHE/vmlinuz" ] ||
  die "no VM image in $CACHE: run test/vm/prepare.sh"
KVER=$(basename "$(readlink "$CACHE/vmlinuz")"); KVER=${KVER#vmlinuz-}
STAMP=$(cat "$HERE/guest/init" "$HERE/prepare.sh" | sha256sum | cut -c1-16)-$KVER
if [ "$(cat "$CACHE/initramfs.stamp" 2>/dev/null)" != "$STAMP" ]; then
  "$HERE/prepare.sh" >&2 || die "prepare.sh failed"
fi
# Prefer the uncompressed kernel (PVH boot, ~3.5 s faster under TCG).
KERNEL=$CACHE/vmlinuz
[ -s "$CACHE/vmlinux" ] && [ "$(cat "$CACHE/vmlinux.kver" 2>/dev/null)" = "$KVER" ] && KERNEL=$CACHE/vmlinux
[ "$SYSTEMD" = 1 ] && [ "$INTERACTIVE" = 1 ] && die "--systemd and --interactive cannot be combined"
if [ -n "$USER_NAME" ] && [ "$SYSTEMD" = 0 ]; then
  getent passwd "$USER_NAME" >/dev/null || die "no such user: $USER_NAME"
fi

# ---------------------------------------------------------------- job
CWD=$(pwd -P)
case "$CWD/" in
  /tmp/*|/run/*|/dev/shm/*)
    covered=0
    for d in ${SHARES[@]+"${SHARES[@]}"}; do
      d=$(cd "$d" 2>/dev/null && pwd -P) || continue
      case "$CWD/" in "$d"/*) covered=1 ;; esac
    done
    [ "$covered" = 1 ] || echo "run.sh: warning: $CWD is on a fresh tmpfs in the VM (not the host's); use --share" >&2 ;;
esac
MSIZE=512000
CTL=$(mktemp -d "${TMPDIR:-/tmp}/cubicle-vm.XXXXXX")
chmod 755 "$CTL"
QEMU_PID="" CAT_PIDS=()
cleanup() {
  [ -n "$QEMU_PID" ] && kill -9 "$QEMU_PID" 2>/dev/null && { wait "$QEMU_PID" 2>/dev/null || true; }
  for p in "${CAT_PIDS[@]}"; do kill "$p" 2>/dev/null; done
  rm -rf "$CTL"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

q() { # quote for sh
  local s=${1//\'/\'\\\'\'}
  printf "'%s'" "$s"
}

share_list=""
QEMU_SHARES=()
i=0
for d in ${SHARES[@]+"${SHARES[@]}"}; do
  [ -d "$d" ] || die "--share $d: not a directory"
  d=$(cd "$d" && pwd -P)
  case "$d" in *[[:space:]]*) die "--share $d: paths with spaces are not supported" ;; esac
  share_list+="$d "
  QEMU_SHARES+=(-fsdev "local,id=share$i,path=${d//,/,,},security_model=none,multidevs=remap"
                -device "virtio-9p-pci,fsdev=share$i,mount_tag=share$i")
  i=$((i + 1))
done

env_list=""
for e in ${ENVS[@]+"${ENVS[@]}"}; do
  [[ "$e" == *=* ]] || die "--env $e: expected NAME=VALUE"
  [[ "$e" != *$'\n'* ]] || die "--env: newlines are not supported"
  env_list+="$e"$'\n'
done

{
  echo "CUB_USER=$(q "$USER_NAME")"
  echo "CUB_CWD=$(q "$CWD")"
  echo "CUB_SHARES=$(q "$share_list")"
  echo "CUB_ENV=$(q "${env_list%$'\n'}")"
  echo "CUB_MSIZE=$MSIZE"
  echo "CUB_INTERACTIVE=$INTERACTIVE"
  echo "CUB_TERM=$(q "${TERM:-}")"
  echo "CUB_LANG=$(q "${LANG:-}")"
  echo "CUB_DEBUG=$([ "$DEBUG" = 1 ] && echo 1)"
  echo "CUB_SYSTEMD=$SYSTEMD"
  echo "CUB_LINGER=$LINGER"
  printf 'set --'
  for a in "$@"; do printf ' %s' "$(q "$a")"; done
  echo
} > "$CTL/job"
# Stage 1 runs this from the control share after switch_root (a copy, so
# that it works even when this checkout is under the host's /tmp).
cp "$HERE/guest/stage2.sh" "$CTL/stage2.sh"
cp "$HERE/guest/systemd.sh" "$CTL/systemd.sh"

# ---------------------------------------------------------------- qemu
APPEND="console=ttyS0 quiet loglevel=0 panic=-1 cubicle.msize=$MSIZE"
APPEND+=" mitigations=off nokaslr tsc=reliable random.trust_cpu=on i8042.noaux i8042.nokbd"
APPEND+=${CUBICLE_VM_APPEND:+ $CUBICLE_VM_APPEND}
[ "$SYSTEMD" = 1 ] && APPEND+=" systemd.unified_cgroup_hierarchy=1 systemd.show_status=0 systemd.unit=cubicle-vm.target"
[ "$DEBUG" = 1 ] && APPEND=${APPEND/quiet loglevel=0/loglevel=7}" cubicle.debug=1"

IO=()
if [ "$INTERACTIVE" = 1 ]; then
  # A second 16550 UART (ttyS1): more dependable for input than hvc.
  IO=(-chardev stdio,id=con,signal=off -serial chardev:con)
else
  mkfifo "$CTL/stdout.fifo" "$CTL/stderr.fifo"
  cat "$CTL/stdout.fifo" & CAT_PIDS+=($!)
  cat "$CTL/stderr.fifo" >&2 & CAT_PIDS+=($!)
  IO=(-chardev file,id=out,path="$CTL/stdout.fifo"
      -device virtserialport,bus=vser.0,chardev=out,name=stdout
      -chardev file,id=err,path="${CTL//,/,,}/stderr.fifo"
      -device virtserialport,bus=vser.0,chardev=err,name=stderr)
fi
if [ "$DEBUG" = 1 ]; then  # append=on: do not truncate a redirected stderr
  CONSOLE=(-chardev file,id=dbg,path=/dev/stderr,append=on -serial chardev:dbg)
else CONSOLE=(-serial "file:${CTL//,/,,}/console.log"); fi

QEMU_ARGS=(
  -nodefaults -no-user-config -display none
  -machine "${CUBICLE_VM_MACHINE:-q35},accel=tcg" -cpu "${CUBICLE_VM_CPU:-max}" -smp "$CPUS" -m "$MEM"
  -kernel "$KERNEL" -initrd "$CACHE/initramfs.cpio.gz" -append "$APPEND"
  -no-reboot
  "${CONSOLE[@]}"
  -fsdev local,id=hostroot,path=/,security_model=none,readonly=on,multidevs=remap
  -device virtio-9p-pci,fsdev=hostroot,mount_tag=hostroot
  -fsdev "local,id=cubctl,path=${CTL//,/,,},security_model=none"
  -device virtio-9p-pci,fsdev=cubctl,mount_tag=cubctl
  ${QEMU_SHARES[@]+"${QEMU_SHARES[@]}"}
  -device virtio-serial-pci,id=vser
  "${IO[@]}"
)

# qemu dies with run.sh, even if run.sh is SIGKILLed.
PDEATH=()
setpriv --help 2>/dev/null | grep -q -- --pdeathsig && PDEATH=(setpriv --pdeathsig KILL --)
if [ "$INTERACTIVE" = 1 ]; then
  # Background jobs get /dev/null as stdin unless it is passed explicitly.
  exec 4<&0
  "${PDEATH[@]}" "$QEMU" "${QEMU_ARGS[@]}" <&4 4<&- &
  exec 4<&-
else
  "${PDEATH[@]}" "$QEMU" "${QEMU_ARGS[@]}" </dev/null &
fi
QEMU_PID=$!

# Watchdog: poll (with a builtin, no fork) so that a finished VM is noticed at once.
mkfifo "$CTL/tick"
exec 3<> "$CTL/tick"
now_ms() { local t=${EPOCHREALTIME/./}; echo $((t / 1000)); }
deadline=$(( $(now_ms) + TIMEOUT * 1000 ))
timed_out=0
while kill -0 "$QEMU_PID" 2>/dev/null; do
  if [ "$(now_ms)" -ge "$deadline" ]; then
    timed_out=1
    kill -9 "$QEMU_PID" 2>/dev/null
    break
  fi
  read -r -t 0.1 -u 3 _ || true
done
exec 3>&-
qrc=0
wait "$QEMU_PID" 2>/dev/null || qrc=$?
QEMU_PID=""
# The output pipes close when qemu exits; let cat drain them.
for p in "${CAT_PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
CAT_PIDS=()

console_tail() {
  [ -s "$CTL/console.log" ] || return 0
  echo "run.sh: --- last lines of the VM console ---" >&2
  tail -n 30 "$CTL/console.log" | tr -d '\r' >&2
  echo "run.sh: ---" >&2
}
if [ "$timed_out" = 1 ]; then
  console_tail
  printf 'run.sh: TIMEOUT: the VM was killed after %ss (command: %s)\n' "$TIMEOUT" "$*" >&2
  exit 124
fi
if [ ! -f "$CTL/rc" ]; then
  console_tail
  [ -f "$CTL/error" ] && printf 'run.sh: %s\n' "$(cat "$CTL/error")" >&2
  die "the VM exited (qemu status $qrc) without reporting the command's exit status (try --debug)"
fi
rc=$(cat "$CTL/rc")
if [ "$rc" = 125 ] && [ -f "$CTL/error" ]; then
  console_tail
  printf 'run.sh: VM setup failed: %s\n' "$(cat "$CTL/error")" >&2
fi
exit "$rc"
