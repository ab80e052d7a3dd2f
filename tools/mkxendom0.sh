#!/bin/sh
# Build the root file system of a Debian domain 0 for Xen 4.17, the peer
# that make bench-io measures Xenolith against (Xen's own blkback and
# netback, driven by Xen's own xl). Debian bookworm minbase from the
# host's apt mirror, with xen-utils-4.17 and the guest kernel's modules,
# packed into an ext4 image. Made once and cached; prints its path.
#   tools/mkxendom0.sh KERNEL_DIR      (what tools/fetch-kernel.sh printed)
# Needs root (debootstrap, chroot) and about 1.5 GB in cache/ while built.
set -e
kdir=$(cd "$1" && pwd)
cd "$(dirname "$0")/.."
dir=cache/xen-dom0
img=$dir/root.img
if [ -f "$img" ]; then
	echo "$img"
	exit 0
fi
log() { echo "mkxendom0: $*" >&2; }
command -v debootstrap >/dev/null ||
	apt-get install -y -q debootstrap >/dev/null 2>&1 ||
	{ log "debootstrap missing and apt-get install failed"; exit 1; }
[ "$(id -u)" = 0 ] || { log "needs root (debootstrap, chroot)"; exit 1; }

# The mirror the host's apt uses (falls back to deb.debian.org).
mirror=$(apt-get indextargets 2>/dev/null |
	sed -n 's|^Repo-URI: \(.*/debian/\)$|\1|p' | head -1)
secmirror=$(apt-get indextargets 2>/dev/null |
	sed -n 's|^Repo-URI: \(.*/debian-security/\)$|\1|p' | head -1)
mirror=${mirror:-http://deb.debian.org/debian/}
secmirror=${secmirror:-http://deb.debian.org/debian-security/}

root=$dir/root.tmp
mkdir -p "$dir"
cleanup() {
	umount "$root/proc" 2>/dev/null || true
	umount "$root/dev" 2>/dev/null || true
}
trap cleanup EXIT
# A build killed earlier may have left /proc and /dev mounted in there.
cleanup
rm -rf --one-file-system "$root"
log "debootstrap bookworm from $mirror (a few minutes)"
debootstrap --variant=minbase --include=busybox,kmod,iproute2 \
	bookworm "$root" "$mirror" >"$dir/debootstrap.log" 2>&1 ||
	{ log "debootstrap failed: see $dir/debootstrap.log"; exit 1; }

# The tools must match the hypervisor build: updates and security too.
cat >"$root/etc/apt/sources.list" <<EOF
deb $mirror bookworm main
deb $mirror bookworm-updates main
deb $secmirror bookworm-security main
EOF
# No daemons started inside the chroot.
printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d"
chmod 755 "$root/usr/sbin/policy-rc.d"
mount -t proc proc "$root/proc"
mount --bind /dev "$root/dev"
log "apt-get install xen-utils-4.17 in the chroot"
chroot "$root" sh -c 'export DEBIAN_FRONTEND=noninteractive
	apt-get update -q && apt-get install -y -q --no-install-recommends \
		xen-utils-4.17 xen-utils-common xenstore-utils bridge-utils \
		&& apt-get clean' >"$dir/apt.log" 2>&1 ||
	{ log "apt-get in the chroot failed: see $dir/apt.log"; exit 1; }
cleanup
rm -f "$root/usr/sbin/policy-rc.d"
mountpoint -q "$root/dev" && { log "cannot unmount $root/dev"; exit 1; }

# The kernel's modules (the dom0 runs the guests' kernel).
ver=$(ls "$kdir/lib/modules" | head -1)
mkdir -p "$root/lib/modules"
cp -a "$kdir/lib/modules/$ver" "$root/lib/modules/"
chroot "$root" depmod "$ver"
echo xen-dom0 >"$root/etc/hostname"

log "packing $img"
rm -f "$img.tmp"
truncate -s 1536M "$img.tmp"
mke2fs -q -t ext4 -L xendom0 -d "$root" "$img.tmp"
mv "$img.tmp" "$img"
rm -rf "$root"
echo "$img"
