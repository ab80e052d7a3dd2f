# Shell functions shared by the scripts that build Debian root file
# systems into cache/ (tools/mkxendom0.sh, tools/mkdebian.sh): debootstrap
# from the host's apt mirror, apt-get in the chroot with no daemon started,
# the cached kernel's modules, and packing into an ext4 image.
# Source it; set $dir (the cache directory) and $root (the tree) first.

log() { echo "$(basename "$0" .sh): $*" >&2; }

debroot_need() {
	command -v debootstrap >/dev/null ||
		apt-get install -y -q debootstrap >/dev/null 2>&1 ||
		{ log "debootstrap missing and apt-get install failed"; exit 1; }
	[ "$(id -u)" = 0 ] || { log "needs root (debootstrap, chroot)"; exit 1; }
}

# The mirrors the host's apt uses (deb.debian.org when it says none).
debroot_mirrors() {
	mirror=$(apt-get indextargets 2>/dev/null |
		sed -n 's|^Repo-URI: \(.*/debian/\)$|\1|p' | head -1)
	secmirror=$(apt-get indextargets 2>/dev/null |
		sed -n 's|^Repo-URI: \(.*/debian-security/\)$|\1|p' | head -1)
	mirror=${mirror:-http://deb.debian.org/debian/}
	secmirror=${secmirror:-http://deb.debian.org/debian-security/}
}

debroot_umount() {
	umount "$root/proc" 2>/dev/null || true
	umount "$root/dev" 2>/dev/null || true
}

# debroot_bootstrap INCLUDE: bookworm minbase plus INCLUDE (comma list),
# sources.list with updates and security (and deb-src when asked with
# DEBROOT_SRC=1), /proc and /dev mounted, and no daemon allowed to start.
debroot_bootstrap() {
	debroot_need
	debroot_mirrors
	mkdir -p "$dir"
	trap debroot_umount EXIT
	# A build killed earlier may have left /proc and /dev mounted.
	debroot_umount
	rm -rf --one-file-system "$root"
	log "debootstrap bookworm from $mirror (a few minutes)"
	debootstrap --variant=minbase --include="$1" \
		bookworm "$root" "$mirror" >"$dir/debootstrap.log" 2>&1 ||
		{ log "debootstrap failed: see $dir/debootstrap.log"; exit 1; }
	{
		for kind in deb ${DEBROOT_SRC:+deb-src}; do
			echo "$kind $mirror bookworm main"
			echo "$kind $mirror bookworm-updates main"
			echo "$kind $secmirror bookworm-security main"
		done
	} >"$root/etc/apt/sources.list"
	printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d"
	chmod 755 "$root/usr/sbin/policy-rc.d"
	mount -t proc proc "$root/proc"
	mount --bind /dev "$root/dev"
}

# debroot_chroot LOG COMMAND: run COMMAND with sh in the chroot, its output
# in $dir/LOG, failing the build with a pointer to that log.
debroot_chroot() {
	chroot "$root" sh -c "export DEBIAN_FRONTEND=noninteractive; $2" \
		>"$dir/$1" 2>&1 || { log "chroot: '$2' failed: see $dir/$1"; exit 1; }
}

debroot_finish() {
	debroot_umount
	rm -f "$root/usr/sbin/policy-rc.d"
	mountpoint -q "$root/dev" && { log "cannot unmount $root/dev"; exit 1; }
	true
}

# debroot_modules KERNEL_DIR: the cached kernel's modules, indexed.
debroot_modules() {
	ver=$(ls "$1/lib/modules" | head -1)
	mkdir -p "$root/lib/modules"
	cp -a "$1/lib/modules/$ver" "$root/lib/modules/"
	chroot "$root" depmod "$ver"
}

# debroot_pack IMAGE SIZE LABEL: the tree as an ext4 image, then removed.
debroot_pack() {
	log "packing $1"
	rm -f "$1.tmp"
	truncate -s "$2" "$1.tmp"
	mke2fs -q -t ext4 -L "$3" -d "$root" "$1.tmp"
	mv "$1.tmp" "$1"
	rm -rf --one-file-system "$root"
}
