#!/usr/bin/env bash
# The cgroup-v2 limits suite in a real cgroup-v2 kernel: boots the VM (test/vm/run.sh)
# as root, and as USER when given, runs test/vm/limits-v2.mjs there against the cubicle
# checkout REPO, and sums the TAP counts into one `N passed, N failed, N skipped` line.
# Usage: test/vm/limits-v2.sh [--user USER] [REPO]   (REPO: default, this checkout)
set -uo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
user=""
if [ "${1:-}" = "--user" ]; then user=$2; shift 2; fi
repo=${1:-$(cd "$here/../.." && pwd)}
passed=0 failed=0 skipped=0

run_as() { # $1: user name or "root"
  local who=$1 log
  log=$(mktemp)
  local args=(--timeout 600 --share "$repo")
  [ "$who" != root ] && args+=(--user "$who")
  echo "# booting the cgroup-v2 VM, suite as $who"
  (cd "$repo" && "$here/run.sh" "${args[@]}" -- /usr/bin/node "$repo/test/vm/limits-v2.mjs" "$repo") 2>&1 | tee "$log"
  local line
  line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$log" | tail -n 1)
  if [ -z "$line" ]; then
    failed=$((failed + 1))
    echo "not ok - the v2 suite as $who did not finish"
  else
    read -r p _ f _ s _ <<<"${line//,/}"
    passed=$((passed + p)) failed=$((failed + f)) skipped=$((skipped + s))
  fi
  rm -f "$log"
}

run_as root
[ -n "$user" ] && run_as "$user"
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
