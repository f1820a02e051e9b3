#!/bin/sh
# Start to exit of /bin/true in cubicle-sandbox's full sandbox, next to bare
# /bin/true, bwrap and unshare. Run it as root and as a user with a subuid
# range: test/bench.sh [HELPER]   (needs hyperfine and bwrap; RUNS=300)
set -eu
HELPER=$(realpath "${1:-$(dirname "$0")/../cubicle-sandbox}")
DIR=$(mktemp -d "${TMPDIR:-/tmp}/cubicle-bench.XXXXXX")
# overlayfs leaves WORK/work with mode 000.
trap 'chmod -R u+rwx "$DIR"; rm -rf "$DIR"' EXIT
mkdir -p "$DIR/l1" "$DIR/l2" "$DIR/l3/usr" "$DIR/l3/proc" "$DIR/l3/dev" "$DIR/l3/tmp"
echo 1 >"$DIR/l1/one"
echo 2 >"$DIR/l2/two"
cd "$DIR"
ROOT="--ro-bind /usr /usr --symlink usr/bin /bin --symlink usr/lib /lib
  --symlink usr/lib64 /lib64 --proc /proc --dev /dev --tmpfs /tmp"
# A fresh UPPER and WORK per run, as the runner gives each job (a reused WORK
# costs overlayfs ~2 ms of cleanup). The prepare step is not timed and runs
# before every command, bwrap's too.
FRESH="sh -c 'chmod -R u+rwx $DIR/run 2>/dev/null; rm -rf $DIR/run; mkdir -p $DIR/run/upper $DIR/run/work'"
hyperfine -N --warmup 20 --runs "${RUNS:-300}" --prepare "$FRESH" \
  /bin/true \
  'bwrap --unshare-all --ro-bind / / --proc /proc --dev /dev /bin/true' \
  'unshare -Urmpfn /bin/true' \
  "$HELPER --overlay l1:l2:l3 run/upper run/work / $(echo $ROOT) -- /bin/true" \
  "$HELPER --uid-map single --overlay l1:l2:l3 run/upper run/work / $(echo $ROOT) -- /bin/true"
