#!/usr/bin/env bash
# AppArmor on a real kernel: boots the cgroup-v2 VM on Debian's 6.12 kernel (AppArmor on)
# with its own cache, and runs test/vm/apparmor-guest.sh there against the checkout REPO:
# `cubicle setup`'s helper profile parsed and loaded with Debian's apparmor_parser, attached
# to the helper, and a job run under it as USER. Prepares its cache itself (kernel and the
# apparmor .deb, extracted, never installed). Prints TAP and `N passed, N failed, N skipped`.
# Usage: test/vm/apparmor.sh [--user USER] [REPO]   (USER: default cubtest; REPO: this checkout)
#        test/vm/apparmor.sh --prepare                only fill the cache (CI, next to test/vm/prepare.sh)
# Environment: CUBICLE_VM_APPARMOR_CACHE (default test/vm/.cache-6.12).
set -uo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
user=${CUBICLE_TEST_USER:-cubtest}
prepare_only=0
if [ "${1:-}" = "--prepare" ]; then prepare_only=1; shift; fi
if [ "${1:-}" = "--user" ]; then user=$2; shift 2; fi
repo=$(cd "${1:-$here/../..}" && pwd -P)
cache=${CUBICLE_VM_APPARMOR_CACHE:-$here/.cache-6.12}
export CUBICLE_VM_CACHE=$cache
export CUBICLE_VM_APPEND="${CUBICLE_VM_APPEND:+$CUBICLE_VM_APPEND }apparmor=1 security=apparmor"

bail() { echo "not ok 1 - $*"; echo "0 passed, 1 failed, 0 skipped"; exit 1; }

# ---------------------------------------------------------------- cache
mkdir -p "$cache/debs" || bail "cannot create $cache"
if [ ! -s "$cache/kernel-pkg" ] && [ -z "${CUBICLE_VM_KERNEL_PKG:-}" ]; then
  resolve() { apt-cache depends linux-image-6.12-amd64 2>/dev/null | awk '/Depends: linux-image-6\.12\./ {print $2; exit}'; }
  kpkg=$(resolve)
  [ -n "$kpkg" ] || { apt-get update -qq >/dev/null 2>&1; kpkg=$(resolve); }
  [ -n "$kpkg" ] || bail "cannot resolve Debian's 6.12 kernel (apt-cache depends linux-image-6.12-amd64; bookworm-security in the apt sources?)"
  export CUBICLE_VM_KERNEL_PKG=$kpkg
fi
bash "$here/prepare.sh" 2>&1 | sed 's/^/# /'
[ "${PIPESTATUS[0]}" = 0 ] || bail "test/vm/prepare.sh for the 6.12 kernel failed (cache $cache)"
if [ ! -x "$cache/apparmor/sbin/apparmor_parser" ]; then
  (cd "$cache/debs" && { ls apparmor_*.deb >/dev/null 2>&1 || apt-get download -qq -o APT::Sandbox::User=root apparmor; }) >/dev/null 2>&1 ||
    bail "apt-get download apparmor failed"
  rm -rf "$cache/apparmor" && dpkg -x "$(ls "$cache"/debs/apparmor_*.deb | head -n1)" "$cache/apparmor" ||
    bail "cannot extract the apparmor .deb into $cache/apparmor"
fi

if [ "$prepare_only" = 1 ]; then
  echo "# ready: $cache ($(cat "$cache/kernel-pkg"), $("$cache/apparmor/sbin/apparmor_parser" --config-file=/dev/null --version 2>&1 | head -n1))"
  exit 0
fi

# ---------------------------------------------------------------- the profile setup writes
# ... for the real helper, and for a helper path (on the guest's /tmp) that only matches literally when quoted and escaped.
odd='/tmp/cubicle odd [1] {a,b} ^x*?"q\b @{HOME}/cubicle-sandbox'
# The guest sees the host's root, but not its /tmp: the work dir lives in the cache (shared below).
work=$(mktemp -d "$cache/run.XXXXXX") || bail "cannot create a work dir in $cache"
trap 'rm -rf "$work"' EXIT
chmod 755 "$work"
printf 'import { appArmorProfile } from %s;\nprocess.stdout.write(appArmorProfile(process.argv[2]));\n' \
  "'$repo/src/host/setup.ts'" > "$work/entry.ts"
"$repo/node_modules/.bin/esbuild" "$work/entry.ts" --bundle --platform=node --format=esm --log-level=error --outfile="$work/entry.mjs" &&
  node "$work/entry.mjs" "$(readlink -f "$repo/native/cubicle-sandbox")" > "$work/profile.txt" &&
  node "$work/entry.mjs" "$odd" > "$work/odd.txt" ||
  bail "cannot render setup.ts's appArmorProfile() (npm run build first?)"

# ---------------------------------------------------------------- the VM
echo "# booting the VM on $(cat "$cache/kernel-pkg") with AppArmor, checks as root and $user"
start=$EPOCHREALTIME
log=$work/log
# This checkout is shared (CI clones under the host's /tmp, which the guest does not see):
# the guest script and the work dir in the cache live in it.
own_checkout=$(cd "$here/../.." && pwd -P)
(cd "$repo" && "$here/run.sh" --timeout 240 --share "$own_checkout" -- /bin/bash "$here/apparmor-guest.sh" "$repo" "$user" "$work" "$odd") 2>&1 | tee "$log"
echo "# VM run: $(awk -v a="$start" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f s", b - a }')"
summary=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$log" | tail -n 1)
[ -n "$summary" ] || bail "the AppArmor checks in the VM did not finish"
echo "$summary"
[[ "$summary" == *" 0 failed"* ]]
