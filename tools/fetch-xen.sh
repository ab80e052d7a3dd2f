#!/bin/sh
# Fetch Debian's Xen 4.17 hypervisor package into cache/ (apt-get download,
# dpkg-deb -x; nothing installed on the host) and make the multiboot image
# QEMU's -kernel can load: xen.gz is a gzip of a 64-bit ELF whose first
# segment carries a Multiboot 1 header, and QEMU wants it uncompressed.
# Prints the path of the uncompressed image (cache/xen-4.17/xen.elf).
#   tools/fetch-xen.sh
set -e
cd "$(dirname "$0")/.."
cache=cache
dir="$cache/xen-4.17"
img="$dir/xen.elf"
if [ ! -f "$img" ]; then
	mkdir -p "$cache/debs"
	ls "$cache"/debs/xen-hypervisor-4.17-amd64_*.deb >/dev/null 2>&1 ||
		(cd "$cache/debs" && apt-get download -q xen-hypervisor-4.17-amd64 >/dev/null 2>&1) || {
		echo "fetch-xen: apt-get download xen-hypervisor-4.17-amd64 failed" >&2
		exit 1
	}
	rm -rf "$dir.tmp" && mkdir -p "$dir.tmp"
	dpkg-deb -x "$(ls "$cache"/debs/xen-hypervisor-4.17-amd64_*.deb | tail -1)" "$dir.tmp"
	gz=$(ls "$dir.tmp"/boot/xen-4.17*-amd64.gz 2>/dev/null | head -1)
	[ -n "$gz" ] || { echo "fetch-xen: no boot/xen-4.17*.gz in the package" >&2; exit 1; }
	gzip -dc "$gz" > "$dir.tmp/xen.elf"
	rm -rf "$dir" && mv "$dir.tmp" "$dir"
fi
echo "$img"
