#!/bin/sh
# Install what the build, `make run` and `make test` need, through apt, if
# it is missing. Safe to run repeatedly; does nothing when all is present.
set -e
need=""
check() { command -v "$1" >/dev/null 2>&1 || need="$need $2"; }
check gcc build-essential
check make build-essential
check python3 python3
check qemu-system-x86_64 qemu-system-x86
check grub-mkrescue grub-common
check xorriso xorriso
check mformat mtools
check cpio cpio
check xz xz-utils
# grub-mkrescue needs the BIOS platform files to build a bootable ISO.
[ -d /usr/lib/grub/i386-pc ] || need="$need grub-pc-bin"
# The unit ABI test compares include/xen with Xen's public headers.
[ -f /usr/include/xen/xen.h ] || need="$need libxen-dev"
# The Debian guest (tools/mkdebian.sh), the copies the application
# benchmark writes into (debugfs) and its web load generator (wrk).
check debootstrap debootstrap
check debugfs e2fsprogs
check wrk wrk
# make bench (install-deps.sh bench): gnuplot draws results/linux_bench.png.
[ "${1:-}" = bench ] && check gnuplot gnuplot-nox
[ -z "$need" ] && exit 0
if [ "$(id -u)" != 0 ]; then
	echo "install-deps: missing packages:$need (run as root to install)" >&2
	exit 1
fi
echo "install-deps: installing$need"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $need >/dev/null
