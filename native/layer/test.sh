#!/bin/bash
# TAP tests of cubicle-layer: ./test.sh [TOOL] (make -C native/layer test).
# As root, extraction and digest run as root and again as user cubtest (runuser) on
# directories cubtest owns, with --owners root since cubtest cannot chown. A test that
# cannot run here says why ("skipped: ...") and counts as skipped.
set -u

HERE=$(cd "$(dirname "$0")" && pwd)
SOURCE_TOOL=$(realpath "${1:-$HERE/cubicle-layer}")
if [ ! -x "$SOURCE_TOOL" ]; then
  echo "Bail out! $SOURCE_TOOL is not built; run make -C native/layer"
  exit 1
fi
USER_UNDER_TEST=cubtest
SANDBOX_HELPER=$HERE/../cubicle-sandbox

WORK=$(mktemp -d "${TMPDIR:-/tmp}/cubicle-layer-test.XXXXXX")
cleanup() {
  chmod -R u+rwx "$WORK" 2>/dev/null
  rm -rf "$WORK"
}
trap cleanup EXIT
chmod 755 "$WORK"
# A copy every user can run, beside the archives every user can read.
TOOL=$WORK/cubicle-layer
cp "$SOURCE_TOOL" "$TOOL"
chmod 755 "$TOOL"

# ---------------------------------------------------------------- TAP

. "$HERE/../test/harness.sh"

# ---------------------------------------------------------------- helpers

# Who extracts: root keeps the archive's owners; cubtest cannot chown, so --owners root.
IDENTITIES=()
NO_USER_REASON=
if [ "$(id -u)" -eq 0 ]; then
  IDENTITIES+=(root)
  if ! id "$USER_UNDER_TEST" >/dev/null 2>&1; then
    NO_USER_REASON="user $USER_UNDER_TEST does not exist"
  elif ! command -v runuser >/dev/null; then
    NO_USER_REASON="runuser is not installed"
  else
    IDENTITIES+=("$USER_UNDER_TEST")
  fi
else
  IDENTITIES+=(self)
  NO_USER_REASON="not root: the tests run once, as $(id -un)"
fi
[ -n "$NO_USER_REASON" ] && echo "skipped: the pass as $USER_UNDER_TEST: $NO_USER_REASON" >&2

as() {
  local who=$1
  shift
  if [ "$who" = "$USER_UNDER_TEST" ]; then runuser -u "$USER_UNDER_TEST" -- "$@"; else "$@"; fi
}
owners_for() { if [ "$1" = root ]; then echo keep; else echo root; fi; }
uid_of() { if [ "$1" = root ]; then echo 0; elif [ "$1" = self ]; then id -u; else id -u "$1"; fi; }

# fresh_dir WHO: a new empty directory WHO owns.
fresh_dir() {
  local dir
  dir=$(mktemp -d "$WORK/dir.XXXXXX")
  chmod 755 "$dir"
  [ "$1" = "$USER_UNDER_TEST" ] && chown "$USER_UNDER_TEST:" "$dir"
  echo "$dir"
}

ARCHIVES=$WORK/archives
mkdir "$ARCHIVES"
OUTSIDE=$WORK/outside-target
echo outside > "$OUTSIDE"
chmod 666 "$OUTSIDE"
archive() { # NAME [ARG]: the archive's path, made once
  local file=$ARCHIVES/$1${2:+-${2//\//_}}.tar
  [ -f "$file" ] || python3 "$HERE/test-archives.py" "$1" "$file" ${2:+"$2"} || echo "Bail out! test-archives.py $1 failed"
  chmod 644 "$file"
  echo "$file"
}

# extract WHO ARCHIVE-FILE [OPTION...]: sets DIR, OUT, ERR and RC.
extract() {
  local who=$1 file=$2
  shift 2
  DIR=$(fresh_dir "$who")
  OUT=$(cd / && as "$who" "$TOOL" extract "$DIR" "$@" <"$file" 2>"$WORK/stderr")
  RC=$?
  ERR=$(cat "$WORK/stderr")
}

# json FIELD: FIELD of OUT's JSON.
json() { python3 -c 'import json, sys; print(json.loads(sys.argv[1])[sys.argv[2]])' "$OUT" "$1" 2>/dev/null; }

# expect_stat FILE FORMAT EXPECTED: collects mismatches in PROBLEMS.
PROBLEMS=()
expect_stat() {
  local got
  got=$(stat -c "$2" "$1" 2>&1)
  [ "$got" = "$3" ] || PROBLEMS+=("stat -c '$2' $1: got '$got', want '$3'")
}
# matches STRING PATTERN: a glob match, for expect (which cannot take [[ ]]).
matches() { [[ $1 == $2 ]]; }
expect() { # DESCRIPTION COMMAND...
  local what=$1
  shift
  "$@" || PROBLEMS+=("$what")
}
# report DESCRIPTION: one TAP line for the collected PROBLEMS.
report() {
  if [ "${#PROBLEMS[@]}" -eq 0 ]; then pass "$1"; else fail "$1" "rc=$RC out=$OUT" "err=$ERR" "${PROBLEMS[@]}"; fi
  PROBLEMS=()
}

# The archive's own count of entries and of regular-file bytes, from Python.
archive_counts() {
  python3 -c 'import sys, tarfile
members = tarfile.open(sys.argv[1]).getmembers()
print(len(members), sum(m.size for m in members if m.isreg() and not m.name.split("/")[-1].startswith(".wh.")))' "$1"
}

LONG_DIR=long-$(printf 'd%.0s' $(seq 150))
LONG_FILE=$(printf 'f%.0s' $(seq 200))
LONG_TARGET=$(printf 't%.0s' $(seq 150))

# ---------------------------------------------------------------- extract

test_basic() { # WHO FORMAT
  local who=$1 format=$2 file uid gid
  file=$(archive "basic-$format")
  extract "$who" "$file" --owners "$(owners_for "$who")"
  expect "exit status 0" [ "$RC" -eq 0 ]
  if [ "$who" = root ]; then uid=1000 gid=1001; else uid=$(uid_of "$who") gid=$(stat -c %g "$DIR"); fi
  expect_stat "$DIR/etc/hello" '%a %u %g %Y %s' "4755 $uid $gid 1600000001 6"
  expect_stat "$DIR/etc/readonly" '%a' 444
  if [ "$who" = root ]; then expect_stat "$DIR/etc/setgid" '%a %g' "2711 50"; fi
  expect_stat "$DIR/etc" '%F %a %Y' "directory 755 1500000000"
  expect_stat "$DIR/tmp" '%a' 1777
  expect_stat "$DIR/locked" '%a' 555
  expect "locked/inside written" [ "$(cat "$DIR/locked/inside" 2>&1)" = in ]
  expect_stat "$DIR/run/fifo" '%F %a' "fifo 620"
  expect "dev/null skipped" [ ! -e "$DIR/dev/null" ]
  expect "dev/sda skipped" [ ! -e "$DIR/dev/sda" ]
  expect_stat "$DIR/etc/link" '%F' "symbolic link"
  expect "etc/link -> hello" [ "$(readlink "$DIR/etc/link")" = hello ]
  expect "etc/abs-link -> /etc/passwd" [ "$(readlink "$DIR/etc/abs-link")" = /etc/passwd ]
  expect "etc/long-link target of 150" [ "$(readlink "$DIR/etc/long-link")" = "$LONG_TARGET" ]
  expect "etc/hard is etc/hello" [ "$DIR/etc/hard" -ef "$DIR/etc/hello" ]
  expect_stat "$DIR/etc/hello" '%h' 2
  expect "long name (> 255 in all)" [ "$(cat "$DIR/etc/$LONG_DIR/$LONG_FILE" 2>&1)" = "long name" ]
  expect "long hardlink target" [ "$DIR/etc/long-hard" -ef "$DIR/etc/$LONG_DIR/$LONG_FILE" ]
  [ "$who" = root ] && expect_stat "$DIR/big-uid" '%u %g' "3000000 3000001"
  local want_random
  want_random=$(python3 -c 'import hashlib; print(hashlib.sha256(bytes(range(256)) * 4099).hexdigest())')
  expect "random content" [ "$(sha256sum <"$DIR/random" | cut -c1-64)" = "$want_random" ]
  local entries bytes
  read -r entries bytes < <(archive_counts "$file")
  expect "JSON entries=$entries" [ "$(json entries)" = "$entries" ]
  expect "JSON bytes=$bytes" [ "$(json bytes)" = "$bytes" ]
  expect "JSON skippedDevices=2" [ "$(json skippedDevices)" = 2 ]
  if [ "$format" = pax ]; then
    expect "user.foo=bar" [ "$(getfattr --absolute-names --only-values -n user.foo "$DIR/xattrs" 2>&1)" = bar ]
    expect "user.bin binary" [ "$(getfattr --absolute-names --only-values -n user.bin "$DIR/xattrs" 2>/dev/null | od -An -tx1 | tr -d ' ')" = 0102 ]
    expect "no security.*, trusted.* xattr" [ -z "$(getfattr --absolute-names -d -m '^(security|trusted)\.' "$DIR/xattrs" 2>/dev/null)" ]
    expect "dir xattr" [ "$(getfattr --absolute-names --only-values -n user.d "$DIR/xdir" 2>&1)" = dir ]
    expect "JSON skippedXattrs=3 (security, trusted, on a symlink)" [ "$(json skippedXattrs)" = 3 ]
    expect_stat "$DIR/xattrs" '%.9Y' 1600000000.123456789
    expect_stat "$DIR/before-1970" '%.9Y' -1.250000000
    expect_stat "$DIR/xdir" '%a' 750
    expect "pax path of 401" [ "$(cat "$DIR/$(printf 'p%.0s' $(seq 200))/$(printf 'q%.0s' $(seq 200))" 2>&1)" = "pax path" ]
  fi
  local extra=", base-256 uid"
  [ "$format" = pax ] && extra=", xattrs, fractional and negative mtimes, pax uid and path"
  report "[$who] extract a $format archive: files, modes, owners, times, links, long names, fifos$extra"
}

test_ustar() {
  local who=$1
  extract "$who" "$(archive basic-ustar)" --owners "$(owners_for "$who")"
  expect "exit status 0" [ "$RC" -eq 0 ]
  expect "prefix field joined" [ "$(cat "$DIR/u/$(printf 'n%.0s' $(seq 90))/$(printf 'm%.0s' $(seq 90))" 2>&1)" = prefix ]
  expect_stat "$DIR/u/plain" '%a' 640
  report "[$who] extract a ustar archive (name in the prefix field)"
}

test_pax_global() {
  local who=$1
  if [ "$who" != root ]; then skip "[$who] pax global header sets uid" "owners are only kept as root"; return; fi
  extract "$who" "$(archive pax-global)"
  expect "exit status 0" [ "$RC" -eq 0 ]
  expect_stat "$DIR/a" '%u' 4242
  expect_stat "$DIR/b" '%u' 77
  report "[$who] pax global header ('g') applies to later entries, an entry's own ('x') wins"
}

test_whiteouts() {
  local who=$1
  extract "$who" "$(archive whiteouts)" --owners "$(owners_for "$who")"
  expect "exit status 0" [ "$RC" -eq 0 ]
  local name
  for name in w/gone w/dir w/dev00 top; do
    expect_stat "$DIR/$name" '%F %t %T' "character special file 0 0"
  done
  expect "w/kept stays" [ "$(cat "$DIR/w/kept" 2>&1)" = kept ]
  expect "w opaque" [ "$(getfattr --absolute-names --only-values -n user.overlay.opaque "$DIR/w" 2>&1)" = y ]
  expect "o opaque (marker before the dir)" [ "$(getfattr --absolute-names --only-values -n user.overlay.opaque "$DIR/o" 2>&1)" = y ]
  expect_stat "$DIR/o" '%a' 700
  expect "no .wh. file left" [ -z "$(find "$DIR" -name '.wh.*')" ]
  expect "JSON whiteouts=4" [ "$(json whiteouts)" = 4 ]
  expect "JSON opaqueDirs=2" [ "$(json opaqueDirs)" = 2 ]
  report "[$who] OCI whiteouts become 0/0 char devices, opaque markers user.overlay.opaque=y"
}

test_overlay_accepts() {
  local who=$1 lower merged
  if ! unshare -Urm true 2>/dev/null; then skip "[$who] overlayfs honours the whiteouts" "unshare -Urm fails here"; return; fi
  extract "$who" "$(archive overlay)" --owners "$(owners_for "$who")"
  lower=$(fresh_dir "$who")
  merged=$(fresh_dir "$who")
  mkdir "$lower/dir" && echo old >"$lower/dir/old" && echo file >"$lower/file" && echo other >"$lower/other"
  [ "$who" = "$USER_UNDER_TEST" ] && chown -R "$USER_UNDER_TEST:" "$lower"
  local listing
  listing=$(cd / && as "$who" unshare -Urm sh -c "mount -t overlay overlay -o lowerdir=$DIR:$lower,userxattr $merged && cd $merged && find . | sort" 2>&1)
  local want
  want=$(printf '%s\n' . ./dir ./dir/new ./other)
  if [[ $listing == *"mount:"* ]]; then
    skip "[$who] overlayfs honours the whiteouts" "overlay with userxattr cannot be mounted in a user namespace here (needs Linux 5.11): $listing"
    return
  fi
  [ "$RC" -eq 0 ] && [ "$listing" = "$want" ]
  check "[$who] overlayfs honours the whiteouts: file hidden, opaque dir hides the lower dir/old" $? \
    "rc=$RC err=$ERR" "got: $listing" "want: $want"
}

test_replace() {
  local who=$1
  extract "$who" "$(archive replace "$OUTSIDE")" --owners "$(owners_for "$who")"
  expect "exit status 0" [ "$RC" -eq 0 ]
  expect "x: the dir replaced the file" [ "$(cat "$DIR/x/y" 2>&1)" = y ]
  expect "d: the file replaced the dir" [ "$(cat "$DIR/d" 2>&1)" = "now a file" ]
  expect "m: dirs merged" [ "$(cat "$DIR/m/keep" 2>&1)" = keep ]
  expect_stat "$DIR/m" '%a %Y' "700 1234567890"
  expect "s: the file replaced the symlink" [ "$(stat -c %F "$DIR/s")" = "regular file" ]
  expect "the symlink's target is untouched" [ "$(cat "$OUTSIDE")" = outside ]
  expect "same: the later entry wins" [ "$(cat "$DIR/same" 2>&1)" = two ]
  report "[$who] later entries replace earlier ones (never through a symlink); dir over dir merges"
}

# attack WHO NAME EXPECT-RC MESSAGE-PART [ENV]: extraction fails (or not) and says why.
attack() {
  local who=$1 name=$2 want_rc=$3 message=$4 env=${5:-}
  local file
  file=$(archive "$name")
  if [ -n "$env" ]; then
    DIR=$(fresh_dir "$who")
    OUT=$(cd / && as "$who" env "$env" "$TOOL" extract "$DIR" --owners "$(owners_for "$who")" <"$file" 2>"$WORK/stderr")
    RC=$?
    ERR=$(cat "$WORK/stderr")
  else
    extract "$who" "$file" --owners "$(owners_for "$who")"
  fi
  expect "$name: exit status $want_rc, not $RC ($ERR)" [ "$RC" -eq "$want_rc" ]
  [ -n "$message" ] && expect "$name: the message names '$message'" matches "$ERR" "*$message*"
  [ "$want_rc" -ne 0 ] && expect "$name: the message starts with 'cubicle-layer extract: '" matches "$ERR" "cubicle-layer extract: *"
}

test_attacks() {
  local who=$1 mode env passwd_before passwd_links
  passwd_before=$(sha256sum /etc/passwd)
  passwd_links=$(stat -c %h /etc/passwd)
  for mode in openat2 walk; do
    env=
    [ "$mode" = walk ] && env=CUBICLE_LAYER_NO_OPENAT2=1
    attack "$who" attack-dotdot 1 '../x' "$env"
    expect "nothing written beside DIR" [ ! -e "$WORK/x" ]
    attack "$who" attack-dotdot-inner 1 'a/../../x' "$env"
    attack "$who" attack-abs 0 '' "$env"
    expect "/abs/x landed in DIR" [ -f "$DIR/abs/x" ]
    expect "///abs/./y landed in DIR" [ -f "$DIR/abs/y" ]
    expect "no /abs" [ ! -e /abs ]
    attack "$who" attack-symlink-etc 1 'a/passwd' "$env"
    expect "a is still the symlink" [ "$(readlink "$DIR/a")" = /etc ]
    attack "$who" attack-symlink-up 1 'b/x' "$env"
    expect "no /x" [ ! -e /x ]
    attack "$who" attack-symlink-deep 1 'c/d/e/f/g' "$env"
    expect "no /tmp/f" [ ! -e /tmp/f ]
    attack "$who" attack-hardlink-dotdot 1 '../../../etc/passwd' "$env"
    attack "$who" attack-hardlink-abs 1 'etc/passwd' "$env"
    attack "$who" attack-hardlink-symlink 1 'e/passwd' "$env"
    expect "/etc/passwd untouched" [ "$(sha256sum /etc/passwd)" = "$passwd_before" ]
    expect "/etc/passwd not linked" [ "$(stat -c %h /etc/passwd)" = "$passwd_links" ]
    report "[$who] nothing lands outside DIR ($mode): .., /abs, symlink parents (/etc, ../../..), hardlinks out"
  done
}

test_stream_errors() {
  local who=$1 owners file
  owners=$(owners_for "$who")
  head -c 600000 "$(archive basic-pax)" >"$ARCHIVES/truncated.tar"
  head -c 4096 /dev/urandom >"$ARCHIVES/garbage.tar"
  gzip -c "$(archive basic-gnu)" >"$ARCHIVES/gzip.tar"
  chmod 644 "$ARCHIVES"/*.tar
  extract "$who" "$ARCHIVES/truncated.tar" --owners "$owners"
  expect "truncated: rc 1" [ "$RC" -eq 1 ]
  expect "truncated: says so" matches "$ERR" "*ends in the middle*"
  extract "$who" "$ARCHIVES/garbage.tar" --owners "$owners"
  expect "garbage: rc 1" [ "$RC" -eq 1 ]
  expect "garbage: bad checksum" matches "$ERR" "*bad header checksum*"
  extract "$who" "$ARCHIVES/gzip.tar" --owners "$owners"
  expect "gzip: rc 1" [ "$RC" -eq 1 ]
  expect "gzip: says compressed" matches "$ERR" "*compressed*"
  extract "$who" "$(archive empty)" --owners "$owners"
  expect "empty archive: rc 0" [ "$RC" -eq 0 ]
  expect "empty archive: 0 entries" [ "$(json entries)" = 0 ]
  : >"$ARCHIVES/zero-bytes.tar"
  extract "$who" "$ARCHIVES/zero-bytes.tar" --owners "$owners"
  expect "no input at all: rc 0" [ "$RC" -eq 0 ]
  DIR=$(fresh_dir "$who")
  touch "$DIR/already"
  OUT=$(as "$who" "$TOOL" extract "$DIR" --owners "$owners" <"$(archive empty)" 2>&1)
  RC=$?
  expect "DIR not empty: rc 1" [ "$RC" -eq 1 ]
  expect "DIR not empty: says so" matches "$OUT" "*must be empty*"
  OUT=$(as "$who" "$TOOL" extract "$WORK/missing" <"$(archive empty)" 2>&1)
  RC=$?
  expect "DIR missing: rc 1" [ "$RC" -eq 1 ]
  expect "DIR missing: names it" matches "$OUT" "*$WORK/missing: No such file*"
  report "[$who] broken input fails with a message: truncated, not tar, still gzip, DIR not empty or missing"
}

test_owners_unmapped() {
  local who=$1
  if [ "$who" = root ]; then skip "[$who] --owners keep refuses unmapped owners" "root can chown to anything"; return; fi
  extract "$who" "$(archive owned 0)"
  expect "rc 1" [ "$RC" -eq 1 ]
  expect "names chown and suggests --owners root" matches "$ERR" "*chown to uid 0 gid 0*--owners root*: mine: Operation not permitted"
  extract "$who" "$(archive owned 0)" --owners root
  expect "--owners root: rc 0" [ "$RC" -eq 0 ]
  expect_stat "$DIR/mine" '%u' "$(uid_of "$who")"
  report "[$who] --owners keep fails clearly when the uid cannot be set; --owners root works"
}

test_owners_userns() {
  local who=$1
  if ! as "$who" unshare -Ur true 2>/dev/null; then skip "[$who] --owners keep in a user namespace" "unshare -Ur fails here"; return; fi
  local file0 file5
  file0=$(archive owned 0)
  file5=$(archive owned 5)
  DIR=$(fresh_dir "$who")
  OUT=$(cd / && as "$who" unshare -Ur "$TOOL" extract "$DIR" <"$file0" 2>"$WORK/stderr")
  RC=$?
  ERR=$(cat "$WORK/stderr")
  expect "uid 0 (mapped): rc 0" [ "$RC" -eq 0 ]
  expect_stat "$DIR/mine" '%u' "$(uid_of "$who")"
  DIR=$(fresh_dir "$who")
  OUT=$(cd / && as "$who" unshare -Ur "$TOOL" extract "$DIR" <"$file5" 2>"$WORK/stderr")
  RC=$?
  ERR=$(cat "$WORK/stderr")
  expect "uid 5 (unmapped): rc 1" [ "$RC" -eq 1 ]
  expect "uid 5 (unmapped): EINVAL, suggests --owners root" matches "$ERR" "*chown to uid 5 gid 5*--owners root*Invalid argument"
  report "[$who] in a user namespace (unshare -Ur): mapped owners kept, unmapped ones fail clearly"
}

test_owners_sandbox() {
  local who=$1
  if [ "$who" != "$USER_UNDER_TEST" ]; then skip "[$who] --owners keep in cubicle-sandbox --keep-caps" "a test of the rootless path"; return; fi
  if [ ! -x "$SANDBOX_HELPER" ]; then skip "[$who] --owners keep in cubicle-sandbox --keep-caps" "native/cubicle-sandbox is not built"; return; fi
  local start
  start=$(awk -F: -v u="$USER_UNDER_TEST" '$1 == u { print $2; exit }' /etc/subuid)
  if [ -z "$start" ]; then skip "[$who] --owners keep in cubicle-sandbox --keep-caps" "$USER_UNDER_TEST has no /etc/subuid range"; return; fi
  local helper=$WORK/cubicle-sandbox base=(--ro-bind /usr /usr --ro-bind /etc /etc) dir
  cp "$SANDBOX_HELPER" "$helper" && chmod 755 "$helper"
  for dir in bin sbin lib lib32 lib64 libx32; do
    if [ -L "/$dir" ]; then base+=(--symlink "$(readlink "/$dir")" "/$dir")
    elif [ -d "/$dir" ]; then base+=(--ro-bind "/$dir" "/$dir"); fi
  done
  DIR=$(fresh_dir "$who")
  OUT=$(cd / && as "$who" "$helper" --keep-caps "${base[@]}" --proc /proc --dev /dev --tmpfs /tmp \
    --bind "$WORK" "$WORK" -- "$TOOL" extract "$DIR" <"$(archive owned 1000)" 2>"$WORK/stderr")
  RC=$?
  ERR=$(cat "$WORK/stderr")
  expect "rc 0" [ "$RC" -eq 0 ]
  expect_stat "$DIR/mine" '%u %g' "$((start + 999)) $((start + 999))"
  report "[$who] --owners keep inside cubicle-sandbox --keep-caps: uid 1000 lands on subuid $((start + 999))"
}

test_input_paths() {
  local who=$1 file digests=() how owners
  owners=$(owners_for "$who")
  file=$(archive basic-pax)
  for how in file pipe buffered-file buffered-pipe; do
    DIR=$(fresh_dir "$who")
    case $how in
      file) as "$who" "$TOOL" extract "$DIR" --owners "$owners" <"$file" >/dev/null 2>&1 ;;
      pipe) cat "$file" | as "$who" "$TOOL" extract "$DIR" --owners "$owners" >/dev/null 2>&1 ;;
      buffered-file) as "$who" env CUBICLE_LAYER_NO_SPLICE=1 "$TOOL" extract "$DIR" --owners "$owners" <"$file" >/dev/null 2>&1 ;;
      buffered-pipe) cat "$file" | as "$who" env CUBICLE_LAYER_NO_SPLICE=1 "$TOOL" extract "$DIR" --owners "$owners" >/dev/null 2>&1 ;;
    esac
    digests+=("$how: $(digest_as "$who" "$DIR")")
  done
  [ "$(printf '%s\n' "${digests[@]}" | sed 's/^[^:]*: //' | sort -u | wc -l)" -eq 1 ] &&
    [[ ${digests[0]} == *sha256:* ]]
  check "[$who] the same layer from a file (copy_file_range), a pipe (splice) and through the buffer" $? "${digests[@]}"
}

test_usage() {
  local help version rc1 rc2 rc3 rc4
  help=$("$TOOL" --help)
  version=$("$TOOL" --version)
  "$TOOL" >/dev/null 2>&1; rc1=$?
  "$TOOL" extract "$WORK" --owners nobody </dev/null >/dev/null 2>&1; rc2=$?
  "$TOOL" digest >/dev/null 2>&1; rc3=$?
  "$TOOL" frobnicate >/dev/null 2>&1; rc4=$?
  [[ $help == *"extract DIR [--owners keep|root]"* && $help == *"digest DIR [DIR...]"* &&
    $version == "cubicle-layer "* ]] && [ $rc1 -eq 2 ] && [ $rc2 -eq 2 ] && [ $rc3 -eq 2 ] && [ $rc4 -eq 2 ]
  check "--help, --version; usage errors exit 2" $? "version: $version" "rcs: $rc1 $rc2 $rc3 $rc4"
}

# ---------------------------------------------------------------- digest

# digest_as WHO DIR...: prints the digest (or the error).
digest_as() {
  local who=$1
  shift
  (cd / && as "$who" "$TOOL" digest "$@" 2>&1)
}

# A small tree WHO owns: files, a dir, a symlink, a hardlink, a fifo, an xattr.
make_tree() {
  local who=$1 tree
  tree=$(fresh_dir "$who")
  as "$who" sh -c "cd '$tree' && mkdir -p sub/deeper && echo content >file && echo two >sub/two &&
    ln -s file link && ln file hard && mkfifo fifo && chmod 640 sub/two && printf 'é' >'sub/naïve' &&
    setfattr -n user.a -v one file && touch -d 2001-01-01 file"
  echo "$tree"
}

test_digest_stable() {
  local who=$1 tree copy d1 d2 d3 d4
  tree=$(make_tree "$who")
  d1=$(digest_as "$who" "$tree")
  d2=$(digest_as "$who" "$tree")
  copy=$(fresh_dir "$who")
  as "$who" cp -a "$tree/." "$copy/"
  d3=$(digest_as "$who" "$copy")
  as "$who" touch "$tree/file" "$tree/sub" "$tree/link"
  as "$who" touch -h "$tree/link"
  d4=$(digest_as "$who" "$tree/")
  [[ $d1 =~ ^sha256:[0-9a-f]{64}$ ]] && [ "$d1" = "$d2" ] && [ "$d1" = "$d3" ] && [ "$d1" = "$d4" ]
  check "[$who] digest: the same twice, for a cp -a copy, after touch" $? "$d1" "$d2" "copy: $d3" "touched: $d4"
}

test_digest_changes() {
  local who=$1 tree base name changed=() unchanged=()
  tree=$(make_tree "$who")
  base=$(digest_as "$who" "$tree")
  # change NAME COMMAND: COMMAND (as WHO, in tree) must change the digest; then restore.
  change() {
    local name=$1 command=$2 undo=$3 after
    as "$who" sh -c "cd '$tree' && $command"
    after=$(digest_as "$who" "$tree")
    if [ "$after" = "$base" ]; then unchanged+=("$name"); else changed+=("$name"); fi
    as "$who" sh -c "cd '$tree' && $undo"
    [ "$(digest_as "$who" "$tree")" = "$base" ] || unchanged+=("$name (undo did not restore it)")
  }
  change content "echo other >sub/two" "echo two >sub/two"
  change same-size-content "echo cont3nt >file" "echo content >file"
  change mode "chmod 600 sub/two" "chmod 640 sub/two"
  change dir-mode "chmod 700 sub" "chmod 755 sub"
  change symlink-target "ln -sfn other link" "ln -sfn file link"
  change xattr-value "setfattr -n user.a -v two file" "setfattr -n user.a -v one file"
  change xattr-added "setfattr -n user.b -v x sub" "setfattr -x user.b sub"
  change rename "mv sub/two sub/tw0" "mv sub/tw0 sub/two"
  change new-empty-dir "mkdir sub/deeper/x" "rmdir sub/deeper/x"
  if [ "$who" = root ]; then
    change owner "chown 1234 sub/two" "chown 0 sub/two"
    change group "chgrp 1234 sub/two" "chgrp 0 sub/two"
    change trusted.overlay "setfattr -n trusted.overlay.opaque -v y sub" "setfattr -x trusted.overlay.opaque sub"
  fi
  [ "${#unchanged[@]}" -eq 0 ]
  check "[$who] digest changes with content, mode, owner, symlink target, xattrs, names (${changed[*]})" $? \
    "unchanged: ${unchanged[*]}"
}

test_digest_details() {
  local who=$1 a b c1 c2 d_ab d_ba d_a hard copies
  a=$(make_tree "$who")
  b=$(make_tree "$who")
  as "$who" sh -c "echo extra >'$b/extra'"
  d_ab=$(digest_as "$who" "$a" "$b")
  d_ba=$(digest_as "$who" "$b" "$a")
  d_a=$(digest_as "$who" "$a")
  hard=$(fresh_dir "$who")
  copies=$(fresh_dir "$who")
  as "$who" sh -c "cd '$hard' && echo x >f && ln f g && cd '$copies' && echo x >f && echo x >g"
  c1=$(digest_as "$who" "$hard")
  c2=$(digest_as "$who" "$copies")
  local trusted_other=0
  if [ "$who" = root ]; then
    local before after
    before=$(digest_as root "$a")
    setfattr -n trusted.other -v 1 "$a/file"
    after=$(digest_as root "$a")
    setfattr -x trusted.other "$a/file"
    [ "$before" = "$after" ] || trusted_other=1
  fi
  [ "$d_ab" != "$d_ba" ] && [ "$d_ab" != "$d_a" ] && [ "$c1" = "$c2" ] && [ "$trusted_other" -eq 0 ]
  check "[$who] digest: trees in order count; hardlinks hash as files; other xattrs ignored" $? \
    "a b: $d_ab" "b a: $d_ba" "a: $d_a" "hardlinked: $c1" "copies: $c2" "trusted.other changed it: $trusted_other"
}

test_digest_reference() {
  local who=$1 tree mine reference
  extract "$who" "$(archive basic-pax)" --owners "$(owners_for "$who")"
  local layer=$DIR
  extract "$who" "$(archive whiteouts)" --owners "$(owners_for "$who")"
  tree=$(make_tree "$who")
  mine=$(digest_as "$who" "$layer" "$DIR" "$tree")
  reference=$(cd / && as "$who" python3 "$HERE/test-digest.py" "$layer" "$DIR" "$tree" 2>&1)
  [ "$mine" = "$reference" ]
  check "[$who] digest equals test-digest.py (the documented format, hashlib) on 3 trees" $? \
    "cubicle-layer: $mine" "reference:     $reference"
}

test_digest_errors() {
  local out rc
  out=$("$TOOL" digest "$WORK/missing" 2>&1)
  rc=$?
  [ $rc -eq 1 ] && [[ $out == "cubicle-layer digest: open: $WORK/missing: No such file or directory" ]]
  check "digest of a missing tree: rc 1, names it" $? "rc=$rc: $out"
}

# ---------------------------------------------------------------- sha256

test_sha256_vectors() {
  local vectors=$WORK/vectors impl file mismatches=() impls=(generic)
  mkdir -p "$vectors"
  printf '' >"$vectors/empty"
  printf 'abc' >"$vectors/abc"
  printf 'abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq' >"$vectors/448-bits"
  head -c 1000000 /dev/zero >"$vectors/1MB-zeros"
  head -c 1048639 /dev/urandom >"$vectors/1MiB+63-random"
  for length in 55 56 63 64 65 119 120 127 128; do head -c "$length" /dev/urandom >"$vectors/random-$length"; done
  if [[ $("$TOOL" --version) == *"sha-ni"* ]]; then
    impls+=(sha-ni)
  else
    skip "sha256 with SHA-NI" "this CPU has no SHA extensions; only the portable code runs"
  fi
  for impl in "${impls[@]}"; do
    for file in "$vectors"/*; do
      local want got
      want=$(sha256sum <"$file" | cut -c1-64)
      got=$(CUBICLE_LAYER_SHA256=$impl "$TOOL" sha256 "$file" | cut -c1-64)
      [ "$want" = "$got" ] || mismatches+=("$impl $(basename "$file"): $got, sha256sum $want")
    done
  done
  [ "${#mismatches[@]}" -eq 0 ]
  check "sha256 = sha256sum: '', abc, 448 bits, 1 MB of zeros, block edges (${impls[*]})" $? "${mismatches[@]}"
}

test_sha256_sparse() {
  local file=$WORK/sparse-1GiB want got
  if ! truncate -s 1G "$file" 2>/dev/null; then skip "sha256 of a 1 GiB sparse file" "truncate failed"; return; fi
  want=$(sha256sum <"$file" | cut -c1-64)
  got=$("$TOOL" sha256 "$file" | cut -c1-64)
  rm -f "$file"
  [ "$want" = "$got" ]
  check "sha256 of a 1 GiB sparse file = sha256sum" $? "$got" "$want"
}

# ---------------------------------------------------------------- run

command -v python3 >/dev/null || { echo "Bail out! python3 is needed to write the test archives"; exit 1; }
# Why xattr tests cannot run here, if they cannot.
XATTR_REASON=
if ! command -v setfattr >/dev/null || ! command -v getfattr >/dev/null; then
  XATTR_REASON="setfattr/getfattr are not installed (apt-get install attr)"
elif ! { touch "$WORK/xattr-probe" && setfattr -n user.probe -v 1 "$WORK/xattr-probe"; } 2>/dev/null; then
  XATTR_REASON="the filesystem of $WORK has no user xattrs (tmpfs before Linux 6.6?); set TMPDIR"
fi
# with_xattrs TEST ARGS...: runs TEST, or skips it out loud without xattr support.
with_xattrs() {
  if [ -z "$XATTR_REASON" ]; then "$@"; else skip "[${2:-}] $1" "$XATTR_REASON"; fi
}

test_usage
test_sha256_vectors
test_sha256_sparse
test_digest_errors
for who in "${IDENTITIES[@]}"; do
  test_basic "$who" gnu
  with_xattrs test_basic "$who" pax
  with_xattrs test_input_paths "$who"
  test_ustar "$who"
  test_pax_global "$who"
  with_xattrs test_whiteouts "$who"
  with_xattrs test_overlay_accepts "$who"
  test_replace "$who"
  test_attacks "$who"
  test_stream_errors "$who"
  test_owners_unmapped "$who"
  test_owners_userns "$who"
  test_owners_sandbox "$who"
  with_xattrs test_digest_stable "$who"
  with_xattrs test_digest_changes "$who"
  with_xattrs test_digest_details "$who"
  with_xattrs test_digest_reference "$who"
done
[ -n "$NO_USER_REASON" ] && skip "the tests as $USER_UNDER_TEST" "$NO_USER_REASON"

echo "1..$NUMBER"
summary
