# Xenolith top-level build.
#   make          build the hypervisor image (build/xenolith.elf)
#   make run      install what is missing, build, boot it under QEMU
#   make test     install what is missing, build, run every test
#   make bench    benchmarks: micro-figures, then Linux native/Xenolith/Xen 4.17
#   make fuzz     10 million fuzzed hypercalls from 3 domains (tests/fuzz.py)

BUILD := build
HV := $(BUILD)/hv
CC := gcc
LD := ld

HV_CFLAGS := -std=gnu11 -O2 -g -Wall -Wextra -Werror \
	-ffreestanding -fno-builtin -nostdinc \
	-isystem $(shell $(CC) -print-file-name=include) \
	-fpie -fno-stack-protector -fno-asynchronous-unwind-tables \
	-fno-omit-frame-pointer -fcf-protection=none -fno-strict-aliasing \
	-mno-red-zone -mgeneral-regs-only -fstack-usage -fcallgraph-info=su \
	-Ihv/include -Iinclude -Icommon -I$(HV) -include hv/include/compiler.h
HV_ASFLAGS := -D__ASSEMBLER__ -Ihv/include -Iinclude -Icommon -I$(HV) -g
HV_LDFLAGS := -nostdlib -static -T hv/xenolith.lds -z max-page-size=4096 \
	-z noexecstack --no-warn-rwx-segments

HV_C := $(filter-out hv/arch/x86/asm-offsets.c, \
	$(wildcard hv/arch/x86/*.c hv/core/*.c hv/mm/*.c common/*.c))
HV_S := $(wildcard hv/arch/x86/*.S)
HV_OBJS := $(patsubst %.c,$(BUILD)/%.o,$(HV_C)) \
	$(patsubst %.S,$(BUILD)/%.o,$(HV_S))

.PHONY: all run run-demo run-debian test unit bench bench-io bench-apps fuzz clean deps format guests
all: $(BUILD)/xenolith.elf guests

$(HV)/asm-offsets.h: hv/arch/x86/asm-offsets.c $(wildcard hv/include/*.h)
	@mkdir -p $(@D)
	@$(CC) $(HV_CFLAGS) -S $< -o $(HV)/asm-offsets.s
	@sed -n 's/.*->\([A-Za-z_0-9]*\) \$$\{0,1\}\([0-9]*\).*/#define \1 \2/p' \
		$(HV)/asm-offsets.s > $@.tmp && mv $@.tmp $@

$(BUILD)/%.o: %.c $(HV)/asm-offsets.h
	@mkdir -p $(@D)
	@echo "  CC      $<"
	@$(CC) $(HV_CFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/%.o: %.S $(HV)/asm-offsets.h
	@mkdir -p $(@D)
	@echo "  AS      $<"
	@$(CC) $(HV_ASFLAGS) -include $(HV)/asm-offsets.h -MMD -MP -c $< -o $@

# Two links: the second adds the symbol table generated from the first.
$(HV)/pass1.elf: $(HV_OBJS) hv/xenolith.lds tools/gensyms.sh
	@echo "  LD      $@"
	@./tools/gensyms.sh < /dev/null > $(HV)/symbols0.S
	@$(CC) -c $(HV)/symbols0.S -o $(HV)/symbols0.o
	@$(LD) $(HV_LDFLAGS) -o $@ $(HV_OBJS) $(HV)/symbols0.o

$(BUILD)/xenolith.elf: $(HV)/pass1.elf tools/stack-check.py tools/stack-check.conf
	@echo "  LD      $@"
	@nm -n $< | ./tools/gensyms.sh > $(HV)/symbols.S
	@$(CC) -c $(HV)/symbols.S -o $(HV)/symbols.o
	@$(LD) $(HV_LDFLAGS) -o $@ $(HV_OBJS) $(HV)/symbols.o
	@./tools/check-image.sh $(HV)/pass1.elf $@
	@python3 tools/stack-check.py tools/stack-check.conf $@ \
		$(patsubst %.c,$(BUILD)/%.ci,$(HV_C)) || { rm -f $@; exit 1; }

-include $(HV_OBJS:.o=.d)

# --- PV kernels built on libpv (guest/): the test guests ------------------
GB := $(BUILD)/guests
GUEST_CFLAGS := -std=gnu11 -O2 -g -Wall -Wextra -Werror -ffreestanding \
	-fno-builtin -nostdinc -isystem $(shell $(CC) -print-file-name=include) \
	-fno-pie -mcmodel=kernel -mno-red-zone -mgeneral-regs-only \
	-fno-stack-protector -fno-asynchronous-unwind-tables \
	-fcf-protection=none -fno-omit-frame-pointer \
	-Iguest/include -Iinclude -Icommon
LIBPV_SRCS := guest/libpv.c common/vsprintf.c common/string.c
LIBPV_OBJS := $(patsubst %.c,$(GB)/%.o,$(LIBPV_SRCS)) \
	$(GB)/guest/entry.o
GUEST_SRCS := $(wildcard tests/guests/*.c bench/guests/*.c)
GUESTS := $(addprefix $(GB)/,$(addsuffix .elf,$(basename $(notdir $(GUEST_SRCS)))))
guests: $(GUESTS)

# Keep the guests' object files (they are intermediates of a pattern chain).
.SECONDARY:

$(GB)/%.o: %.c
	@mkdir -p $(@D)
	@echo "  CC      $< (guest)"
	@$(CC) $(GUEST_CFLAGS) -MMD -MP -c $< -o $@

$(GB)/%.o: %.S
	@mkdir -p $(@D)
	@echo "  AS      $< (guest)"
	@$(CC) -D__ASSEMBLER__ -Iguest/include -Icommon -MMD -MP -c $< -o $@

# A test guest named *_hcpage uses the hypercall page, others SYSCALL.
vpath %.c tests/guests bench/guests
$(GB)/obj/%.o: %.c
	@mkdir -p $(@D)
	@echo "  CC      $< (guest)"
	@$(CC) $(GUEST_CFLAGS) -MMD -MP -c $< -o $@

$(GB)/%.elf: $(GB)/obj/%.o $(LIBPV_OBJS) $(GB)/guest/head.o \
		$(GB)/guest/hcpage.o $(GB)/guest/nohcpage.o guest/guest.lds
	@echo "  LD      $@"
	@$(LD) -nostdlib -static -T guest/guest.lds -z max-page-size=4096 \
		--no-warn-rwx-segments -z noexecstack -o $@ $(GB)/guest/head.o $< \
		$(LIBPV_OBJS) $(if $(findstring _hcpage,$*),$(GB)/guest/hcpage.o,$(GB)/guest/nohcpage.o)

-include $(wildcard $(GB)/*/*.d $(GB)/*/*/*.d)

# --- Domain 0: the control domain's kernel (dom0/) on libpv ------------
DOM0_DIRS := dom0/lib dom0/kernel dom0/xenstored dom0/drivers dom0/backends dom0/ctl \
	dom0/toolstack
# The builder's pure part is the hypervisor's too (one copy of the code).
DOM0_COMMON := common/xenelf.c common/pvlayout.c common/pvbuild.c
DOM0_SRCS := $(wildcard $(addsuffix /*.c,$(DOM0_DIRS))) $(DOM0_COMMON)
DOM0_ASM := $(wildcard $(addsuffix /*.S,$(DOM0_DIRS)))
DOM0_OBJS := $(patsubst %.c,$(GB)/%.o,$(DOM0_SRCS)) \
	$(patsubst %.S,$(GB)/%.o,$(DOM0_ASM))
$(DOM0_OBJS): GUEST_CFLAGS += -Idom0/include -Idom0/xenstored
all: $(BUILD)/dom0.elf
$(BUILD)/dom0.elf: $(DOM0_OBJS) $(LIBPV_OBJS) $(GB)/guest/head.o \
		$(GB)/guest/nohcpage.o guest/guest.lds
	@echo "  LD      $@"
	@$(LD) -nostdlib -static -T guest/guest.lds -z max-page-size=4096 \
		--no-warn-rwx-segments -z noexecstack -o $@ $(GB)/guest/head.o \
		$(DOM0_OBJS) $(LIBPV_OBJS) $(GB)/guest/nohcpage.o

# --- Host tools ----------------------------------------------------------
all: $(BUILD)/xl
$(BUILD)/xl: $(BUILD)/bzimage2elf tools/xl.c dom0/lib/xlcfg.c dom0/lib/xldisk.c \
		dom0/lib/xlvif.c dom0/lib/xlstr.c dom0/include/ctlproto.h dom0/include/xlcfg.h \
		dom0/include/xldisk.h dom0/include/xlvif.h
	@mkdir -p $(@D)
	@echo "  HOSTCC  $@"
	@$(CC) -std=gnu11 -O2 -g -Wall -Wextra -Werror -iquote dom0/include \
		-iquote common -o $@ tools/xl.c dom0/lib/xlcfg.c dom0/lib/xldisk.c \
		dom0/lib/xlvif.c dom0/lib/xlstr.c

# The boot bundle of `make run`: a test guest and its autostart config.
all: $(BUILD)/bundle.cpio
$(BUILD)/bundle.cpio: tools/mkbundle.sh tools/bundle/demo.cfg \
		$(GB)/tk_guest.elf
	@echo "  CPIO    $@"
	@./tools/mkbundle.sh $@ boot/tk_guest.elf=$(GB)/tk_guest.elf \
		etc/xen/auto/demo.cfg=tools/bundle/demo.cfg

# --- The Linux PV guest: Debian's kernel (fetched into cache/), its ELF,
# and an initramfs with busybox and the static test program --------------
LINUX := $(BUILD)/linux
DHCP_SCRIPT := tools/initramfs/udhcpc.script
.PHONY: linux
linux: $(LINUX)/vmlinux $(LINUX)/initramfs.cpio $(BUILD)/bundle-linux.cpio
$(BUILD)/bzimage2elf: tools/bzimage2elf.c
	@mkdir -p $(@D)
	@$(CC) -std=gnu11 -O2 -Wall -Wextra -Werror -o $@ $<
$(LINUX)/kernel-dir: tools/fetch-kernel.sh
	@mkdir -p $(@D)
	@./tools/fetch-kernel.sh > $@.tmp && mv $@.tmp $@
$(LINUX)/vmlinux: $(LINUX)/kernel-dir $(BUILD)/bzimage2elf
	@echo "  ELF     $@ (from $$(cat $<)'s bzImage)"
	@./$(BUILD)/bzimage2elf $$(cat $<)/boot/vmlinuz-* $@
$(LINUX)/lxtest: tests/linux/lxtest.c
	@$(CC) -O2 -static -pthread -Wall -Wextra -Werror -o $@ $<
$(LINUX)/lxmem: tests/linux/lxmem.c
	@$(CC) -std=gnu11 -O2 -static -Wall -Wextra -Werror -o $@ $<
$(LINUX)/lxnet: tests/linux/lxnet.c
	@$(CC) -std=gnu11 -O2 -static -Wall -Wextra -Werror -o $@ $<

$(LINUX)/lxtlb: tests/linux/lxtlb.c
	@$(CC) -std=gnu11 -O2 -static -pthread -Wall -Wextra -Werror -o $@ $<
$(LINUX)/xbench: bench/linux/xbench.c
	@mkdir -p $(@D)
	@$(CC) -std=gnu11 -O2 -static -pthread -Wall -Wextra -Werror -o $@ $<
$(LINUX)/xio: bench/linux/xio.c
	@mkdir -p $(@D)
	@$(CC) -std=gnu11 -O2 -static -Wall -Wextra -Werror -o $@ $<
$(LINUX)/initramfs.cpio: $(LINUX)/kernel-dir $(LINUX)/lxtest \
		$(LINUX)/xbench $(LINUX)/lxmem $(LINUX)/lxnet $(LINUX)/lxtlb \
		tools/mkinitramfs.sh tools/initramfs/init \
		tools/initramfs/udhcpc.script
	@echo "  CPIO    $@"
	@./tools/mkinitramfs.sh $$(cat $<) $@ $(LINUX)/lxtest:bin/lxtest \
		$(LINUX)/xbench:bin/xbench $(LINUX)/lxmem:bin/lxmem \
		$(LINUX)/lxnet:bin/lxnet $(LINUX)/lxtlb:bin/lxtlb \
		$(DHCP_SCRIPT):etc/udhcpc/default.script

deps:
	@./tools/install-deps.sh

# make run: Debian's Linux as the autostarted guest, on the terminal,
# with a persistent disk (cache/run-disk.img, 1 GiB sparse, made once)
# mounted at /mnt: its initramfs adds ext4 and rc.disk; and a network
# interface on xenbr0 configured by DHCP from QEMU's user-mode network
# (rc.net, udhcpc with its default.script).
RUN_DISK := cache/run-disk.img
FS_MODS := lib/crc16.ko crypto/crc32c_generic.ko fs/mbcache.ko \
	fs/jbd2/jbd2.ko fs/ext4/ext4.ko
$(LINUX)/initramfs-run.cpio: $(LINUX)/kernel-dir $(LINUX)/lxtest \
		$(LINUX)/xbench tools/mkinitramfs.sh tools/initramfs/init \
		tools/initramfs/rc.disk tools/initramfs/rc.net $(DHCP_SCRIPT)
	@echo "  CPIO    $@"
	@k=$$(cat $<); m=$$(ls -d $$k/lib/modules/*/kernel); i=0; mods=; \
	for f in $(FS_MODS); do \
		mods="$$mods $$m/$$f:lib/modules/fs$$i-$$(basename $$f)"; \
		i=$$((i + 1)); \
	done; \
	./tools/mkinitramfs.sh $$k $@ $(LINUX)/lxtest:bin/lxtest \
		$(LINUX)/xbench:bin/xbench \
		tools/initramfs/rc.disk:etc/rc.local \
		tools/initramfs/rc.net:etc/rc.d/net \
		$(DHCP_SCRIPT):etc/udhcpc/default.script $$mods
$(RUN_DISK):
	@echo "  DISK    $@ (1 GiB sparse; the guest makes its file system)"
	@truncate -s 1G $@
$(BUILD)/bundle-linux.cpio: tools/mkbundle.sh tools/bundle/linux.cfg \
		$(LINUX)/vmlinux $(LINUX)/initramfs-run.cpio
	@echo "  CPIO    $@"
	@./tools/mkbundle.sh $@ boot/vmlinux=$(LINUX)/vmlinux \
		boot/initramfs.cpio=$(LINUX)/initramfs-run.cpio \
		etc/xen/auto/linux.cfg=tools/bundle/linux.cfg

run: deps all linux $(BUILD)/bundle-linux.cpio $(RUN_DISK)
	XENOLITH_CMDLINE="dom0_mem=400M dom0_console=raw $${XENOLITH_CMDLINE:-}" \
	XENOLITH_DISK=$${XENOLITH_DISK:-$(RUN_DISK)} \
	XENOLITH_MEM=$${XENOLITH_MEM:-1536M} ./tools/run-qemu.sh \
		-initrd "$(BUILD)/dom0.elf attach=linux,$(BUILD)/bundle-linux.cpio"

# make run-debian: a Debian bookworm guest with systemd, its root on a VBD
# (cache/debian-run.img, copied once from tools/mkdebian.sh's image, kept
# across runs; delete it to start over) and eth0 on xenbr0 by DHCP.
DEBIAN := cache/debian-guest
DEBIAN_RUN_DISK := cache/debian-run.img
.PHONY: debian
debian: $(LINUX)/kernel-dir
	@./tools/mkdebian.sh $$(cat $<) >/dev/null
$(BUILD)/bundle-debian.cpio: debian tools/mkbundle.sh tools/bundle/debian.cfg \
		$(LINUX)/vmlinux
	@echo "  CPIO    $@"
	@./tools/mkbundle.sh $@ boot/vmlinux=$(LINUX)/vmlinux \
		boot/initrd.img=$(DEBIAN)/initrd.img \
		etc/xen/auto/debian.cfg=tools/bundle/debian.cfg
$(DEBIAN_RUN_DISK): | debian
	@echo "  DISK    $@ (a copy of $(DEBIAN)/root.img)"
	@cp --sparse=always $(DEBIAN)/root.img $@
run-debian: deps all linux $(BUILD)/bundle-debian.cpio $(DEBIAN_RUN_DISK)
	XENOLITH_CMDLINE="dom0_mem=400M dom0_console=raw $${XENOLITH_CMDLINE:-}" \
	XENOLITH_DISK=$(DEBIAN_RUN_DISK) \
	XENOLITH_MEM=$${XENOLITH_MEM:-2G} ./tools/run-qemu.sh \
		-initrd "$(BUILD)/dom0.elf attach=debian,$(BUILD)/bundle-debian.cpio"

# The small test guest instead of Linux (no kernel download).
run-demo: deps all
	./tools/run-qemu.sh -initrd "$(BUILD)/dom0.elf,$(BUILD)/bundle.cpio"

unit:
	$(MAKE) -C tests/unit all

test: deps all unit linux debian
	python3 tests/run.py

# Micro-benchmarks (bench/run.py), then the Linux table native / Xenolith /
# Xen 4.17 (bench/linux_bench.py; XENOLITH_LINUX_ROUNDS, --quick by hand).
bench: deps all
	@./tools/install-deps.sh bench || echo "bench: no gnuplot, no PNG chart"
	@$(MAKE) --no-print-directory linux || echo "bench: make linux failed"
	@rc=0; python3 bench/run.py || rc=1; \
	python3 bench/linux_bench.py || rc=1; \
	python3 bench/io_bench.py || rc=1; exit $$rc

# Block and network I/O alone (bench/io_bench.py; XENOLITH_IO_ROUNDS,
# default 3, 2-4 min per round under TCG, then XENOLITH_IO_FAIR_ROUNDS
# two-guest rounds, default 1, about 4 min): native / Xenolith / Xen 4.17
# with a Debian domain 0 (tools/mkxendom0.sh: root, and about 3 minutes
# to build once into cache/xen-dom0).
bench-io: deps all
	@$(MAKE) --no-print-directory linux
	@python3 bench/io_bench.py

# The paper's Figure 3: PostgreSQL, dbench, nginx, a busybox build and an
# integer workload in a Debian guest, native / Xenolith / Xen 4.17
# (bench/app_bench.py; XENOLITH_APP_ROUNDS, default 3).
bench-apps: deps all
	@./tools/install-deps.sh bench || echo "bench-apps: no gnuplot, no PNG chart"
	@$(MAKE) --no-print-directory linux debian
	@python3 bench/app_bench.py

# The hypercall fuzzer at length (XENOLITH_FUZZ_CALLS, _DOMAINS, _SEED).
fuzz: deps all
	python3 tests/fuzz.py

format:
	clang-format -i $$(git ls-files '*.c' '*.h')

clean:
	rm -rf $(BUILD) tests/unit/build
