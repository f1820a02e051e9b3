#!/bin/bash
# The AppArmor checks, run as root INSIDE the 6.12 VM (test/vm/apparmor.sh boots it):
# what this kernel's AppArmor offers, and whether `cubicle setup`'s profile for the helper
# parses, loads, attaches to the helper and leaves cubicle working, with Debian's own
# apparmor_parser. Debian's kernel lacks Ubuntu's kernel.apparmor_restrict_unprivileged_userns
# and Debian 12's parser predates the `userns,` rule, so what needs either is skipped out loud.
# Prints TAP and a final `N passed, N failed, N skipped`.
# Usage: apparmor-guest.sh REPO USER WORK ODD
#   WORK: host dir with profile.txt (for REPO's helper) and odd.txt (for the path ODD); the parser in WORK/../apparmor
set -uo pipefail
repo=$1 user=$2 work=$3 odd=$4
parser_root=$(cd "$work/../apparmor" && pwd)
cli=$repo/bin/cubicle.js
features=/sys/kernel/security/apparmor/features
n=0 passed=0 failed=0 skipped=0

ok() { # ok CONDITION-EXIT-STATUS NAME [DETAIL]
  n=$((n + 1))
  if [ "$1" = 0 ]; then passed=$((passed + 1)); echo "ok $n - $2"
  else failed=$((failed + 1)); echo "not ok $n - $2"; [ -n "${3:-}" ] && printf '%s\n' "$3" | sed 's/^/# /'; fi
}
up() { echo "# guest uptime $(cut -d' ' -f1 /proc/uptime) s: $*"; }
skip() { n=$((n + 1)); skipped=$((skipped + 1)); echo "ok $n - $1 # SKIP $2"; }
finish() { up "done"; echo "$passed passed, $failed failed, $skipped skipped"; [ "$failed" = 0 ]; exit; }
# Debian's parser from the extracted .deb, with its own base dir (abi/, tunables/) and no parser.conf.
parser() { "$parser_root/sbin/apparmor_parser" --config-file=/dev/null -b "$parser_root/etc/apparmor.d" -I "$parser_root/etc/apparmor.d" "$@"; }
# The layer store on the guest's /tmp (tmpfs): an overlay upper dir cannot sit on the guest's overlayfs root.
as_user() {
  setpriv --reuid="$user" --regid="$(id -g "$user")" --init-groups -- \
    env -i HOME="$home" USER="$user" PATH=/usr/bin:/bin NO_COLOR=1 CUBICLE_CACHE_DIR=/tmp/apparmor-cache "$@"
}
home=$(getent passwd "$user" | cut -d: -f6)

# ---------------------------------------------------------------- the kernel
up "checks start"
enabled=$(cat /sys/module/apparmor/parameters/enabled 2>/dev/null)
lsm=$(cat /sys/kernel/security/lsm 2>/dev/null)
echo "# kernel $(uname -r); lsm: $lsm; cmdline: $(cat /proc/cmdline)"
[ "$enabled" = Y ] && [[ ",$lsm," == *,apparmor,* ]] && [ -d "$features" ]
ok $? "AppArmor is enabled (module parameter Y, in the LSM list, features in securityfs)" "enabled=$enabled lsm=$lsm"
if [ "$enabled" != Y ]; then finish; fi
for f in namespaces/mask namespaces/profile namespaces/pivot_root domain/version policy/versions; do
  [ -d "$features/$f" ] && echo "# features/$f: $(ls "$features/$f" | tr '\n' ' ')" || echo "# features/$f: $(cat "$features/$f" 2>/dev/null)"
done
echo "# kernel sysctls: $(cd /proc/sys/kernel && for f in $(ls | grep -E 'apparmor|userns'); do [ -e "$f" ] && printf '%s=%s ' "$f" "$(cat "$f")"; done)"
grep -qw userns_create "$features/namespaces/mask" 2>/dev/null
ok $? "the kernel mediates user namespace creation (features/namespaces/mask: userns_create)"
restrict=/proc/sys/kernel/apparmor_restrict_unprivileged_userns
if [ -e "$restrict" ]; then
  ok 1 "$restrict exists: this bed has no test for the restriction yet (write one)"
else
  skip "the restriction on, the helper allowed, any other binary refused" "$restrict does not exist in $(uname -r) (an Ubuntu kernel patch)"
fi

# ---------------------------------------------------------------- cubicle setup
up "cubicle setup"
out=$(node "$cli" setup --user "$user" 2>&1); rc=$?
[ "$rc" = 0 ] && [ ! -e /etc/apparmor.d/cubicle-sandbox ] && ! grep -qi apparmor <<<"$out"
ok $? "setup --user $user installs no AppArmor profile where nothing restricts user namespaces" "exit $rc: $out"
node "$cli" setup --user "$user" --undo >/dev/null 2>&1

# ---------------------------------------------------------------- the parser
up "the parser"
version=$(parser --version 2>&1 | head -n1)
echo "# $version (Debian's apparmor package, extracted)"
profile=$work/profile.txt
echo "# setup's profile:"; sed 's/^/#   /' "$profile"
perr=$(parser -Q -K -T "$profile" 2>&1); rc=$?
if [ "$rc" = 0 ]; then
  ok 0 "setup's profile parses as written"
elif grep -qE "Could not open 'abi/4.0'|line [0-9]+: syntax error" <<<"$perr"; then
  skip "setup's profile parses as written" "$version lacks abi/4.0 and the userns rule (AppArmor >= 4.0, which Ubuntu 23.10+ ships): $perr"
else
  ok 1 "setup's profile parses as written, or fails only on what this parser predates" "$perr"
fi
# The same profile in the form this parser knows: abi 3.0, no userns rule.
reduced=/tmp/cubicle-sandbox
sed -e 's#<abi/4.0>#<abi/3.0>#' -e '/^ *userns,$/d' "$profile" > "$reduced"
perr=$(parser -Q -K -T "$reduced" 2>&1)
ok $? "the profile without the userns rule (abi 3.0) parses: attachment, flags=(unconfined), includes" "$perr"
perr=$(parser -r -K -T "$reduced" 2>&1)
ok $? "apparmor_parser -r loads it into the kernel" "$perr"
grep -qx 'cubicle-sandbox (unconfined)' /sys/kernel/security/apparmor/profiles
ok $? "it shows in /sys/kernel/security/apparmor/profiles as 'cubicle-sandbox (unconfined)'" "$(cat /sys/kernel/security/apparmor/profiles)"

# ---------------------------------------------------------------- a job under it
up "a job under it"
project=$(mktemp -d /tmp/apparmor-project.XXXXXX)
printf 'jobs:\n  hello:\n    run: echo hello from the job; cat /proc/self/attr/current; echo; sleep 3\n' > "$project/cubicle.config.yaml"
chown -R "$user:" "$project"
(cd "$project" && as_user /usr/bin/node "$cli" run --json results.json > "$project/out.txt" 2>&1; echo $? > "$project/rc") &
labels="" deadline=$((SECONDS + 60))
while [ -z "$labels" ] && [ "$SECONDS" -lt "$deadline" ] && [ ! -e "$project/rc" ]; do
  if pgrep -x sleep >/dev/null && pgrep -x cubicle-sandbox >/dev/null; then
    for pid in $(pgrep -x cubicle-sandbox); do  # one that exited since pgrep has no label to read
      label=$(cat "/proc/$pid/attr/current" 2>/dev/null) && labels+="$pid: $label"$'\n'
    done
  fi
  sleep 0.2
done
wait
rc=$(cat "$project/rc" 2>/dev/null)
grep -q 'hello from the job' "$project/out.txt" && [ "$rc" = 0 ] && grep -q '"status": *"passed"' "$project/results.json"
ok $? "cubicle run of a small job as $user works with the profile loaded" "exit $rc: $(tail -n 20 "$project/out.txt")"
echo "# the helper processes' labels while the job ran: $(tr '\n' ';' <<<"${labels:-none seen}")"
[ -n "$labels" ] && ! grep -v '^$' <<<"$labels" | grep -vq '^[0-9]*: cubicle-sandbox (unconfined)$'
ok $? "every cubicle-sandbox process runs under the profile (/proc/PID/attr/current)" "labels: ${labels:-none seen}"
echo "# the job's own label: $(sed -n 2p "$project/out.txt" 2>/dev/null | grep -o '[a-z-]* ([a-z]*)\|unconfined' | head -n1)"
other=$(as_user unshare -Ur cat /proc/self/attr/current 2>&1); rc=$?
[ "$rc" = 0 ] && [ "$other" = unconfined ]
ok $? "another binary (unshare -Ur) is not under the profile: it attaches to the helper's path only" "exit $rc: $other"

# ---------------------------------------------------------------- undo
up "undo"
perr=$(parser -R -K "$reduced" 2>&1) && ! grep -q '^cubicle-sandbox ' /sys/kernel/security/apparmor/profiles
ok $? "apparmor_parser -R (what setup --undo runs) removes it" "$perr"

# ---------------------------------------------------------------- a helper path with a space and pattern characters
up "odd path"
sed -e 's#<abi/4.0>#<abi/3.0>#' -e '/^ *userns,$/d' "$work/odd.txt" > "$reduced"
perr=$(parser -r -K -T "$reduced" 2>&1)
ok $? "setup's profile for a helper at '$odd' loads" "$perr"
label_of() { mkdir -p "$(dirname "$1")" && cp /usr/bin/cat "$1" && "$1" /proc/self/attr/current 2>&1; }
got=$(label_of "$odd")
[ "$got" = 'cubicle-sandbox (unconfined)' ]
ok $? "it attaches to a binary at exactly that path" "label: $got"
decoy=$(sed -e 's/\[1\]/1/' -e 's/{a,b}/a/' -e 's/\*?/zz/' <<<"$odd")
got=$(label_of "$decoy")
[ "$got" = unconfined ]
ok $? "and not to '$decoy', which its characters would match as a pattern" "label: $got"
parser -R -K "$reduced" >/dev/null 2>&1
finish
