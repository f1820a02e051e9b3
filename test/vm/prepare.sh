#!/bin/bash
# Prepare the cgroup-v2 test VM: install qemu, fetch a Debian kernel and a
# static busybox (extracted into .cache/, never installed on the host) and
# build a small initramfs.  Idempotent: a second run only checks the cache.
#
# Usage: test/vm/prepare.sh [--force]
# Environment:
#   CUBICLE_VM_KERNEL_PKG  concrete kernel package (default: what
#                          linux-image-amd64 depends on, e.g. linux-image-6.1.0-56-amd64)
#   CUBICLE_VM_CACHE       cache directory (default: test/vm/.cache)
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
CACHE=${CUBICLE_VM_CACHE:-$HERE/.cache}
FORCE=0
[ "${1:-}" = "--force" ] && FORCE=1

log() { printf 'prepare: %s\n' "$*" >&2; }
die() { printf 'prepare: error: %s\n' "$*" >&2; exit 1; }

# Modules needed for virtio-9p, virtio-serial and overlayfs, in load order,
# plus fuse and tun (/dev/fuse, /dev/net/tun for rootless tools).  Dependencies
# that modules.dep lists are added automatically; names absent from the
# kernel (built in, or not existing in this version) are skipped.
WANTED_MODULES=(virtio_ring virtio virtio_pci_modern_dev virtio_pci_legacy_dev
                virtio_pci virtio_console netfs fscache 9pnet 9pnet_virtio 9p overlay fuse tun)

APT_UPDATED=0
LOGF=$(mktemp)
trap 'rm -f "$LOGF"' EXIT
apt_update() {
  if [ "$APT_UPDATED" = 0 ]; then
    log "apt-get update"
    apt-get update -qq > "$LOGF" 2>&1 || { cat "$LOGF" >&2; die "apt-get update failed"; }
    APT_UPDATED=1
  fi
}

# ---------------------------------------------------------------- host tools
need_install=()
command -v qemu-system-x86_64 >/dev/null || need_install+=(qemu-system-x86)
command -v cpio >/dev/null || need_install+=(cpio)
command -v xz >/dev/null || need_install+=(xz-utils)
command -v zstd >/dev/null || need_install+=(zstd)
command -v depmod >/dev/null || [ -x /sbin/depmod ] || need_install+=(kmod)
if [ ${#need_install[@]} -gt 0 ]; then
  [ "$(id -u)" = 0 ] || die "need root to install: ${need_install[*]}"
  apt_update
  log "installing ${need_install[*]}"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    "${need_install[@]}" > "$LOGF" 2>&1 || { cat "$LOGF" >&2; die "apt-get install failed"; }
fi

mkdir -p "$CACHE/debs"

# ---------------------------------------------------------------- packages
# Resolve the concrete kernel package once and remember it, so later runs do
# not need apt at all.
KPKG=${CUBICLE_VM_KERNEL_PKG:-}
if [ -z "$KPKG" ] && [ -s "$CACHE/kernel-pkg" ] && [ "$FORCE" = 0 ]; then
  KPKG=$(cat "$CACHE/kernel-pkg")
fi
if [ -z "$KPKG" ]; then
  resolve() { apt-cache depends linux-image-amd64 2>/dev/null |
              awk '/Depends: linux-image-[0-9]/ {print $2; exit}'; }
  KPKG=$(resolve || true)
  if [ -z "$KPKG" ]; then apt_update; KPKG=$(resolve || true); fi
  [ -n "$KPKG" ] || die "cannot resolve the kernel package behind linux-image-amd64"
fi
echo "$KPKG" > "$CACHE/kernel-pkg"

# fetch_extract PKG DIR: apt-get download PKG and dpkg -x it into DIR (once).
fetch_extract() {
  local pkg=$1 dir=$2
  if [ "$(cat "$dir/.done" 2>/dev/null)" = "$pkg" ] && [ "$FORCE" = 0 ]; then return; fi
  rm -rf "$dir"
  local deb
  deb=$(ls "$CACHE/debs/${pkg}_"*.deb 2>/dev/null | head -n1 || true)
  if [ -z "$deb" ]; then
    log "downloading $pkg"
    ( cd "$CACHE/debs" && { apt-get download -qq -o APT::Sandbox::User=root "$pkg" >&2 ||
          { apt_update; apt-get download -qq -o APT::Sandbox::User=root "$pkg" >&2; }; } ) ||
      die "apt-get download $pkg failed"
    deb=$(ls "$CACHE/debs/${pkg}_"*.deb | head -n1)
  fi
  log "extracting $(basename "$deb")"
  mkdir -p "$dir"
  dpkg -x "$deb" "$dir"
  echo "$pkg" > "$dir/.done"
}
# apt_update inside fetch_extract runs in a subshell; make sure lists exist.
if ! ls /var/lib/apt/lists/*_Packages* >/dev/null 2>&1; then apt_update; fi

fetch_extract "$KPKG" "$CACHE/kernel"
fetch_extract busybox-static "$CACHE/busybox"

KVER=$(ls "$CACHE/kernel/lib/modules" | head -n1)
[ -n "$KVER" ] || die "no modules in $CACHE/kernel"
VMLINUZ="$CACHE/kernel/boot/vmlinuz-$KVER"
[ -f "$VMLINUZ" ] || die "no kernel image $VMLINUZ"
BUSYBOX="$CACHE/busybox/bin/busybox"
[ -x "$BUSYBOX" ] || die "no static busybox in $CACHE/busybox"
ln -sfn "kernel/boot/vmlinuz-$KVER" "$CACHE/vmlinuz"

# Decompressing the bzImage takes ~3.5 s under TCG.  If the kernel supports
# PVH entry (CONFIG_PVH), qemu can boot the uncompressed ELF vmlinux directly.
extract_vmlinux() {
  local img=$1 out=$2 magic tool off
  for spec in 'xz:\xfd7zXZ\x00' 'zstd:\x28\xb5\x2f\xfd' 'gzip:\x1f\x8b\x08'; do
    tool=${spec%%:*} magic=${spec#*:}
    command -v "$tool" >/dev/null || continue
    for off in $(LC_ALL=C grep -obUaP "$magic" "$img" 2>/dev/null | cut -d: -f1 | head -n 5); do
      tail -c +$((off + 1)) "$img" | "$tool" -dc > "$out.tmp" 2>/dev/null || true
      if [ "$(head -c 4 "$out.tmp" | od -An -c | tr -d ' ')" = '177ELF' ]; then
        mv "$out.tmp" "$out"; return 0
      fi
    done
  done
  rm -f "$out.tmp"; return 1
}
if [ ! -s "$CACHE/vmlinux" ] || [ "$(cat "$CACHE/vmlinux.kver" 2>/dev/null)" != "$KVER" ] || [ "$FORCE" = 1 ]; then
  rm -f "$CACHE/vmlinux" "$CACHE/vmlinux.kver"
  if grep -q '^CONFIG_PVH=y' "$CACHE/kernel/boot/config-$KVER" 2>/dev/null &&
     extract_vmlinux "$VMLINUZ" "$CACHE/vmlinux"; then
    echo "$KVER" > "$CACHE/vmlinux.kver"
    log "extracted uncompressed vmlinux for PVH boot"
  else
    log "warning: no PVH-bootable vmlinux, booting the bzImage (slower)"
  fi
fi

# ---------------------------------------------------------------- initramfs
# Rebuild when the init script, this script or the kernel changed.
STAMP=$(cat "$HERE/guest/init" "$HERE/prepare.sh" | sha256sum | cut -c1-16)-$KVER
if [ -f "$CACHE/initramfs.cpio.gz" ] && [ "$(cat "$CACHE/initramfs.stamp" 2>/dev/null)" = "$STAMP" ] \
   && [ "$FORCE" = 0 ]; then
  log "up to date (kernel $KVER, $CACHE)"
  exit 0
fi

MODDIR="$CACHE/kernel/lib/modules/$KVER"
DEP="$MODDIR/modules.dep"
if [ ! -s "$DEP" ]; then
  # The .deb does not ship modules.dep (its postinst runs depmod).
  DEPMOD=$(command -v depmod || echo /sbin/depmod)
  "$DEPMOD" -b "$CACHE/kernel" "$KVER" || die "depmod failed"
fi
[ -s "$DEP" ] || die "missing $DEP"

# modpath NAME -> path relative to $MODDIR, or empty (built in / absent).
# modules.dep uses file names where '-' and '_' may both appear.
modpath() {
  local re=${1//_/[_-]}
  awk -F: -v re="(^|/)${re}\\.ko(\\.xz|\\.zst|\\.gz)?$" '$1 ~ re {print $1; exit}' "$DEP"
}
moddeps() {
  awk -F: -v p="$1" '$1 == p {print $2; exit}' "$DEP"
}
ORDER=()
declare -A SEEN=()
add_module() { # path: add dependencies first (post-order)
  local p=$1 d
  [ -n "${SEEN[$p]:-}" ] && return
  SEEN[$p]=1
  for d in $(moddeps "$p"); do add_module "$d"; done
  ORDER+=("$p")
}
for m in "${WANTED_MODULES[@]}"; do
  p=$(modpath "$m")
  if [ -z "$p" ]; then
    if grep -qE "(^|/)${m//_/[_-]}\\.ko" "$MODDIR/modules.builtin" 2>/dev/null; then
      log "module $m is built in"
    else
      log "module $m does not exist in $KVER (skipped)"
    fi
    continue
  fi
  add_module "$p"
done

WORK=$(mktemp -d "$CACHE/initramfs.XXXXXX")
trap 'rm -rf "$WORK" "$LOGF"' EXIT
mkdir -p "$WORK"/{bin,dev,proc,sys,newroot,mnt,lib/modules}
cp "$BUSYBOX" "$WORK/bin/busybox"
for a in sh mount umount mkdir insmod switch_root cat echo sleep poweroff ls cp mknod; do
  ln -s busybox "$WORK/bin/$a"
done
: > "$WORK/lib/modules/load-order"
for p in "${ORDER[@]}"; do
  base=$(basename "$p")
  case "$base" in
    *.ko.xz)  xz -dc "$MODDIR/$p"   > "$WORK/lib/modules/${base%.xz}";  base=${base%.xz} ;;
    *.ko.zst) zstd -qdc "$MODDIR/$p" > "$WORK/lib/modules/${base%.zst}"; base=${base%.zst} ;;
    *.ko.gz)  gzip -dc "$MODDIR/$p" > "$WORK/lib/modules/${base%.gz}";  base=${base%.gz} ;;
    *)        cp "$MODDIR/$p" "$WORK/lib/modules/$base" ;;
  esac
  echo "$base" >> "$WORK/lib/modules/load-order"
done
install -m 0755 "$HERE/guest/init" "$WORK/init"
log "modules: $(tr '\n' ' ' < "$WORK/lib/modules/load-order")"
( cd "$WORK" && find . -mindepth 1 | LC_ALL=C sort | cpio -o -H newc --quiet -R 0:0 ) |
  gzip -1 > "$CACHE/initramfs.cpio.gz.tmp"
mv "$CACHE/initramfs.cpio.gz.tmp" "$CACHE/initramfs.cpio.gz"
echo "$STAMP" > "$CACHE/initramfs.stamp"
log "built $CACHE/initramfs.cpio.gz ($(du -h "$CACHE/initramfs.cpio.gz" | cut -f1), kernel $KVER)"
