#!/usr/bin/env bash
# The systemd bed (a GitHub-hosted runner, emulated): boots the cgroup-v2 VM with systemd as
# PID 1 (run.sh --systemd) and runs test/vm/systemd-bed.mjs as `runner` in runner.service
# against the cubicle checkout REPO; prints its TAP and a final `N passed, N failed, N skipped`.
# Usage: test/vm/systemd-bed.sh [REPO]   (REPO: default, this checkout; built, dist/ included)
# Node 24 for the Action: the first v24 in CUBICLE_TEST_NODES (as .ci/run sets it).
set -uo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=${1:-$(cd "$here/../.." && pwd)}
args=(--systemd --timeout 900 --share "$repo")
IFS=: read -ra nodes <<<"${CUBICLE_TEST_NODES:-}"
for node in "${nodes[@]}"; do
  if [ -x "$node" ] && [[ "$("$node" --version 2>/dev/null)" == v24.* ]]; then
    args+=(--share "$(cd "$(dirname "$node")/../.." && pwd)" --env "CUBICLE_BED_NODE24=$node")
    break
  fi
done
log=$(mktemp)
echo "# booting the cgroup-v2 VM with systemd as PID 1"
start=$(date +%s)
(cd "$repo" && "$here/run.sh" "${args[@]}" -- /usr/bin/node "$repo/test/vm/systemd-bed.mjs" "$repo") 2>&1 | tee "$log"
echo "# systemd bed: $(( $(date +%s) - start )) s in all, boot included"
line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$log" | tail -n 1)
rm -f "$log"
if [ -z "$line" ]; then
  echo "not ok - the systemd bed did not finish"
  echo "0 passed, 1 failed, 0 skipped"
  exit 1
fi
echo "$line"
read -r _ _ failed _ <<<"${line//,/}"
[ "$failed" -eq 0 ]
