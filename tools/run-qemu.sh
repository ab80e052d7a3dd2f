#!/bin/sh
# Boot the hypervisor under QEMU with the serial console on this terminal.
# TCG by default (this machine's /dev/kvm cannot run ordinary guests);
# XENOLITH_ACCEL=kvm opts in to KVM where VT-x/AMD-V works.
# Extra hypervisor options: XENOLITH_CMDLINE="loglvl=debug ...".
# Domain 0's control channel (a virtio console) listens on the unix socket
# XENOLITH_CTL (default build/xenolith.sock) for the host's tools/xl;
# XENOLITH_CTL=none leaves the device out.
# XENOLITH_DISK=path adds domain 0's devices: that raw image as a
# virtio-blk disk and a virtio-net card on QEMU's user-mode network
# (xl blk-info, blk-read, net-ping; guests on xenbr0 reach the host's
# loopback as 10.0.2.2 and QEMU's DNS at 10.0.2.3);
# XENOLITH_NET_RESTRICT=on cuts the network off from the host.
# Exit QEMU with Ctrl-A x.
set -e
cd "$(dirname "$0")/.."
accel=${XENOLITH_ACCEL:-tcg}
case "$accel" in
tcg) accel_opts="-accel tcg,thread=multi -cpu max" ;;
kvm) accel_opts="-accel kvm -cpu host" ;;
*) echo "XENOLITH_ACCEL must be tcg or kvm, not '$accel'" >&2; exit 2 ;;
esac
ctl=${XENOLITH_CTL:-build/xenolith.sock}
ctl_opts=
if [ "$ctl" != none ]; then
	mkdir -p "$(dirname "$ctl")"
	rm -f "$ctl"
	ctl_opts="-device virtio-serial-pci,id=xlvs \
-chardev socket,id=xlctl,path=$ctl,server=on,wait=off \
-device virtconsole,chardev=xlctl,bus=xlvs.0,nr=0"
fi
dev_opts=
if [ -n "${XENOLITH_DISK:-}" ]; then
	dev_opts="-drive file=$XENOLITH_DISK,if=none,id=xd0,format=raw \
-device virtio-blk-pci,drive=xd0,disable-legacy=on \
-netdev user,id=xn0,restrict=${XENOLITH_NET_RESTRICT:-off} \
-device virtio-net-pci,netdev=xn0,disable-legacy=on"
fi
exec qemu-system-x86_64 $accel_opts -smp "${XENOLITH_SMP:-2}" \
	-m "${XENOLITH_MEM:-1G}" -nographic -no-reboot $ctl_opts $dev_opts \
	-kernel build/xenolith.elf -append "${XENOLITH_CMDLINE:-}" "$@"
