#!/bin/sh
# Fetch Debian's stock kernel package (the one linux-image-amd64 depends
# on) and busybox-static into cache/, and unpack them there with dpkg-deb.
# Nothing is installed on the host. Prints the kernel's cache directory.
#   tools/fetch-kernel.sh            latest 6.1 kernel
#   XENOLITH_KVER=6.1.0-50-amd64 tools/fetch-kernel.sh
set -e
cd "$(dirname "$0")/.."
cache=cache
mkdir -p "$cache/debs"
kver=${XENOLITH_KVER:-$(apt-cache depends linux-image-amd64 2>/dev/null |
	sed -n 's/.*Depends: linux-image-\(6\.1\.0-[0-9]*-amd64\)$/\1/p' |
	head -1)}
if [ -z "$kver" ]; then
	echo "fetch-kernel: cannot find linux-image-amd64 in apt (run apt-get update?)" >&2
	exit 1
fi
dir="$cache/linux-$kver"
if [ ! -f "$dir/boot/vmlinuz-$kver" ]; then
	(cd "$cache/debs" && apt-get download -q "linux-image-$kver" >/dev/null 2>&1) || {
		echo "fetch-kernel: apt-get download linux-image-$kver failed" >&2
		exit 1
	}
	rm -rf "$dir.tmp" && mkdir -p "$dir.tmp"
	dpkg-deb -x "$cache"/debs/linux-image-"$kver"_*.deb "$dir.tmp"
	rm -rf "$dir" && mv "$dir.tmp" "$dir"
fi
if [ ! -x "$cache/busybox/bin/busybox" ]; then
	(cd "$cache/debs" && apt-get download -q busybox-static >/dev/null 2>&1) || {
		echo "fetch-kernel: apt-get download busybox-static failed" >&2
		exit 1
	}
	rm -rf "$cache/busybox" && mkdir -p "$cache/busybox"
	dpkg-deb -x "$cache"/debs/busybox-static_*.deb "$cache/busybox"
fi
echo "$dir"
