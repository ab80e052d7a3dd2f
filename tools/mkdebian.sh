#!/bin/sh
# Build the Debian guest of make run-debian and make bench-apps: bookworm
# minbase from the host's apt mirror with systemd, the services and tools
# the application benchmarks use (PostgreSQL and pgbench, dbench, nginx, a
# C toolchain, the sources of zlib and busybox from Debian's source
# packages), the cached kernel's modules and an initramfs made by Debian's
# own initramfs-tools for that kernel. Made once and cached (again when
# this script or what it copies changes); prints the directory holding
# root.img (ext4, label debroot) and initrd.img.
#   tools/mkdebian.sh KERNEL_DIR       (what tools/fetch-kernel.sh printed)
# Needs root (debootstrap, chroot) and about 3 GB in cache/ while built.
set -e
kdir=$(cd "$1" && pwd)
cd "$(dirname "$0")/.."
. tools/debroot.sh
dir=cache/debian-guest
root=$dir/root.tmp
files=tools/debian
stamp=$(cat tools/mkdebian.sh tools/debroot.sh $files/80-ether.network \
	$files/autologin.conf $files/appbench.service | sha256sum | cut -c1-16)
if [ -f "$dir/root.img" ] && [ -f "$dir/initrd.img" ] &&
	[ "$(cat "$dir/stamp" 2>/dev/null)" = "$stamp" ]; then
	echo "$dir"
	exit 0
fi
rm -f "$dir/root.img" "$dir/initrd.img" "$dir/stamp"
DEBROOT_SRC=1 debroot_bootstrap systemd-sysv,udev,kmod,iproute2,procps
log "apt-get install the workloads' packages in the chroot (minutes)"
debroot_chroot apt.log 'apt-get update -q && apt-get install -y -q \
	--no-install-recommends initramfs-tools zstd postgresql dbench nginx \
	gcc make libc6-dev bzip2 less iputils-ping netcat-openbsd && \
	mkdir -p /usr/src/debian && cd /usr/src/debian && \
	apt-get source -q --download-only zlib/bookworm busybox/bookworm && \
	apt-get clean'
# The compile workload's trees: zlib's and busybox's upstream sources.
src=$root/usr/src
# (The release's versions: the security mirror may not carry sources.)
tar -C "$src" -xaf "$src"/debian/zlib_*.orig.tar.*
tar -C "$src" -xaf "$src"/debian/busybox_*.orig.tar.*
rm -rf "$src/debian"
mv "$src"/zlib-* "$src/zlib"
mv "$src"/busybox-* "$src/busybox"

# The guest kernel's modules and Debian's own initramfs for it.
debroot_modules "$kdir"
cp "$kdir/boot/config-$ver" "$root/boot/"
echo COMPRESS=gzip >"$root/etc/initramfs-tools/conf.d/compress"
echo RESUME=none >"$root/etc/initramfs-tools/conf.d/resume"
debroot_chroot initramfs.log "update-initramfs -c -k $ver"
cp "$root/boot/initrd.img-$ver" "$dir/initrd.img.tmp"

# The system: root by label (vda natively, xvda on a hypervisor), DHCP
# on every Ethernet card, root logged in on the console, no timers that
# would wake during a measurement.
echo "LABEL=debroot / ext4 defaults,noatime 0 1" >"$root/etc/fstab"
echo debian >"$root/etc/hostname"
printf '127.0.0.1 localhost\n127.0.1.1 debian\n' >"$root/etc/hosts"
echo "nameserver 10.0.2.3" >"$root/etc/resolv.conf"
cp $files/80-ether.network "$root/etc/systemd/network/"
mkdir -p "$root/etc/systemd/system/serial-getty@.service.d"
cp $files/autologin.conf "$root/etc/systemd/system/serial-getty@.service.d/"
install -m 755 $files/appbench "$root/usr/local/sbin/appbench"
cp $files/appbench.service "$root/etc/systemd/system/"
debroot_chroot setup.log 'passwd -d root && \
	systemctl enable systemd-networkd appbench.service && \
	systemctl mask systemd-networkd-wait-online.service apt-daily.timer \
		apt-daily-upgrade.timer man-db.timer e2scrub_all.timer \
		fstrim.timer logrotate.timer dpkg-db-backup.timer'
debroot_finish
debroot_pack "$dir/root.img" 3G debroot
mv "$dir/initrd.img.tmp" "$dir/initrd.img"
echo "$stamp" >"$dir/stamp"
echo "$dir"
