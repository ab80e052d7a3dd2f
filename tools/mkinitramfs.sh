#!/bin/sh
# Build a Linux guest's initramfs (an uncompressed newc cpio archive):
# busybox-static, the kernel's Xen block and network front-end modules
# (loaded at boot), zram and its zsmalloc in lib/modules/extra (for the
# memory tests to load: zsmalloc first), tools/initramfs/init, and any
# extra files given as SRC:DEST pairs.
#   tools/mkinitramfs.sh KERNEL_DIR OUT [SRC:DEST ...]
# KERNEL_DIR is what tools/fetch-kernel.sh printed.
set -e
kdir=$1
out=$2
shift 2
top=$(cd "$(dirname "$0")/.." && pwd)
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage/bin" "$stage/lib/modules" "$stage/etc"
cp "$top/cache/busybox/bin/busybox" "$stage/bin/busybox"
cp "$top/tools/initramfs/init" "$stage/init"
chmod 755 "$stage/init"
for m in xen-blkfront xen-netfront; do
	f=$(find "$kdir/lib/modules" -name "$m.ko*" | head -1)
	[ -n "$f" ] && cp "$f" "$stage/lib/modules/"
done
mkdir -p "$stage/lib/modules/extra"
for m in zsmalloc zram; do
	f=$(find "$kdir/lib/modules" -name "$m.ko*" | head -1)
	[ -n "$f" ] && cp "$f" "$stage/lib/modules/extra/"
done
echo 'PS1="\h:\w# "' > "$stage/etc/profile"
for pair in "$@"; do
	src=${pair%%:*}
	dst=${pair#*:}
	mkdir -p "$stage/$(dirname "$dst")"
	cp "$src" "$stage/$dst"
done
(cd "$stage" && find . | LC_ALL=C sort | cpio -o -H newc --quiet) > "$out.tmp"
mv "$out.tmp" "$out"
