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
. tools/debroot.sh
dir=cache/xen-dom0
img=$dir/root.img
root=$dir/root.tmp
if [ -f "$img" ]; then
	echo "$img"
	exit 0
fi
debroot_bootstrap busybox,kmod,iproute2
# The tools must match the hypervisor build: updates and security too.
log "apt-get install xen-utils-4.17 in the chroot"
debroot_chroot apt.log 'apt-get update -q && apt-get install -y -q \
	--no-install-recommends xen-utils-4.17 xen-utils-common \
	xenstore-utils bridge-utils && apt-get clean'
debroot_finish
# The kernel's modules (the dom0 runs the guests' kernel).
debroot_modules "$kdir"
echo xen-dom0 >"$root/etc/hostname"
debroot_pack "$img" 1536M xendom0
echo "$img"
