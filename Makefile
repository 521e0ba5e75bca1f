# SPDX-License-Identifier: GPL-2.0
#
# gpupart top-level Makefile.
#
#   make            module, gpupartctl and selftests
#   make check      everything, lint, then the selftests in the QEMU test bed
#   make demo       boot the test bed and tour gpupartctl
#   make check-debug  the selftests on a debug kernel (KASAN, lockdep, kmemleak)
#   make check-6.12  lint and the selftests where 6.12 differs, on Debian 12's
#                   6.12 kernel (unpacked into a cache, not installed)
#   make lint       W=1, sparse and checkpatch --strict on kmod/ and uapi/,
#                   shellcheck, and the generated netlink files as the spec
#                   generates them
#   make nl-gen     generate kmod/gpupart_nl.[ch] and uapi/linux/gpupart.h
#                   from Documentation/netlink/specs/gpupart.yaml (ynl-gen-c)
#   make vm-shell   interactive shell in the test bed
#   make vm-run SCRIPT=path [TOPOLOGY="..."]   run a script in the test bed
#   make install [DESTDIR=] [PREFIX=/usr/local]   module, gpupartctl, man
#                   page, bash completion, systemd unit, modprobe.d example
#   make uninstall  the same, removed
#   make dkms-install / dkms-remove   register gpupart with DKMS (as root)
#   make check-host the host-side tests: install, DKMS, docs, cluster check
#   make check-all  check-host, check, check-big, check-6.12 and check-debug,
#                   summed
#   make bench      each cost as a ratio to its floor, in the test bed
#   make stress     STRESS_SECONDS (300) of concurrency stress, Debian's and
#                   the debug kernel; make fuzz: FUZZ_MESSAGES (1000000) of
#                   netlink fuzzing, the same; make faults: every fault point
#                   of the fault-injection sweeps, on the debug kernel
#
# The module's sources, and only them: copies built elsewhere (the debug
# kernel, lint, DKMS) must not pick up objects built here for another kernel.
MOD_SRCS = Kbuild $(wildcard kmod/*.[ch]) $(wildcard uapi/linux/*.h)

# KDIR: the running kernel's build tree when it has one (a real host),
# otherwise the newest installed Debian kernel's, which the test bed boots.

KVER ?= $(shell scripts/kdir.sh kver)
KDIR ?= /lib/modules/$(KVER)/build
BUILD := $(CURDIR)/build
# Debian's 6.1 source gives checkpatch, the kselftest headers and the debug
# kernel; the 6.12 source only the netlink generator (YNL_SRC_TAR below).
LINUX_SRC_TAR ?= /usr/src/linux-source-6.1.tar.xz
SRC_TOP = $(notdir $(LINUX_SRC_TAR:.tar.xz=))
KSRC := $(BUILD)/linux-src

export KVER KDIR BUILD KSRC LINUX_SRC_TAR

VERSION := $(shell sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' dkms.conf)
PREFIX ?= /usr/local
SBINDIR ?= $(PREFIX)/sbin
DATADIR ?= $(PREFIX)/share
MANDIR ?= $(DATADIR)/man
INCLUDEDIR ?= $(PREFIX)/include
UNITDIR ?= $(PREFIX)/lib/systemd/system
SYSCONFDIR ?= /etc
# Modules go where modprobe looks, whatever the prefix; OCF agents where
# Pacemaker looks.
MODDIR ?= /lib/modules/$(KVER)/updates
OCFDIR ?= /usr/lib/ocf

.PHONY: install-files all module tool selftests lint check check-debug check-6.12 check-big debug-module demo \
	vm-shell vm-run deps ksrc ynl nl-gen clean kdir-info install uninstall \
	dkms-install dkms-remove check-host check-all stress fuzz faults pci-core-hang bench \
	libvirt-xml

all: module tool selftests

kdir-info:
	@echo "gpupart: building for kernel $(KVER), KDIR=$(KDIR)"
	@test -d "$(KDIR)" || { echo "KDIR $(KDIR) not found: run 'make deps' or set KDIR=" >&2; exit 1; }

module: kdir-info
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules

tool:
	$(MAKE) -C userspace

# Files taken out of Debian's linux-source at build time, never committed.
KSRC_FILES := scripts/checkpatch.pl scripts/spelling.txt \
	scripts/const_structs.checkpatch \
	tools/testing/selftests/kselftest.h \
	tools/testing/selftests/kselftest_harness.h

$(KSRC)/.stamp:
	@test -f "$(LINUX_SRC_TAR)" || { echo "no /usr/src/linux-source-*.tar.xz: run 'make deps'" >&2; exit 1; }
	rm -rf $(KSRC) && mkdir -p $(KSRC)
	tar -xJf $(LINUX_SRC_TAR) -C $(KSRC) --strip-components=1 \
		$(addprefix $(SRC_TOP)/,$(KSRC_FILES))
	touch $@

ksrc: $(KSRC)/.stamp

# The kernel's netlink code generator, from Debian's linux-source-6.12 (the
# first kernel whose ynl-gen-c has "kernel-policy: per-op"). The generator
# finds the top of the tree it runs in by its MAINTAINERS file, so the copy
# gets an empty one.
YNL := $(BUILD)/ynl
YNL_SRC_TAR ?= /usr/src/linux-source-6.12.tar.xz
YNL_FILES := tools/net/ynl/ynl-gen-c.py tools/net/ynl/lib \
	Documentation/netlink/genetlink.yaml \
	Documentation/netlink/genetlink-c.yaml \
	Documentation/netlink/genetlink-legacy.yaml

$(YNL)/.stamp:
	@test -f "$(YNL_SRC_TAR)" || { echo "no $(YNL_SRC_TAR): run 'make deps'" >&2; exit 1; }
	rm -rf $(YNL) && mkdir -p $(YNL)
	tar -xJf $(YNL_SRC_TAR) -C $(YNL) --strip-components=1 \
		$(addprefix $(notdir $(YNL_SRC_TAR:.tar.xz=))/,$(YNL_FILES))
	touch $(YNL)/MAINTAINERS $@

ynl: $(YNL)/.stamp

# Write the generated netlink files into the tree, after a change to the spec.
nl-gen: ynl
	scripts/nl-gen.sh $(YNL) $(CURDIR)

selftests: ksrc tool
	$(MAKE) -C selftests KSFT_INC=$(KSRC)/tools/testing/selftests

lint: kdir-info ksrc ynl
	MOD_SRCS="$(MOD_SRCS)" YNL=$(YNL) scripts/lint.sh

deps:
	scripts/deps.sh

# Domain XML as libvirtd writes it, for the hook's test in the test bed.
libvirt-xml:
	scripts/testbed/libvirt-xml.sh $(BUILD)/libvirt-xml

# Every selftest, by name; those that need the bigger stand-ins of
# check-big run there only.
ALL_TESTS := $(sort $(notdir $(wildcard selftests/*_test.sh) \
	$(patsubst %.c,%,$(wildcard selftests/*_test.c))))
BIG_TESTS := dump_test iommu_test.sh
check: deps
	$(MAKE) all
	$(MAKE) lint
	$(MAKE) libvirt-xml
	GPUPART_TESTS="$(filter-out $(BIG_TESTS),$(ALL_TESTS))" scripts/testbed/vm.sh check

# The debug kernel is built once per machine (~12 minutes) and cached in
# ~/.cache/gpupart; gpupart is built for it from a copy of the sources, so
# the Debian build in this tree is left alone.
DEBUG_MOD := $(BUILD)/debug-mod
debug-module:
	dk=$$(scripts/testbed/debug-kernel.sh) && \
	rm -rf $(DEBUG_MOD) && mkdir -p $(DEBUG_MOD) && \
	cp --parents $(MOD_SRCS) $(DEBUG_MOD)/ && \
	$(MAKE) -C $$dk/build M=$(DEBUG_MOD) modules

# Every selftest of check but valgrind's and the benchmark's, which measure
# userspace (memory errors, costs), and those of the userspace tools
# (gpupartctl's grammar, config files, the libvirt hook, the OCF agent,
# the vendor profile hook):
# the kernel requests they make are the ones the C tests, the fuzzer and
# the stress make here under KASAN and lockdep, and CI's time is short.
USER_TESTS := cli_test.sh config_test.sh hook_test.sh ocf_test.sh libvirt_test.sh profile_test.sh
DEBUG_TESTS := $(filter-out valgrind_test.sh bench_test.sh $(USER_TESTS) $(BIG_TESTS),$(ALL_TESTS))
check-debug: deps
	$(MAKE) tool selftests debug-module libvirt-xml
	DEBUG_KERNEL=$$(scripts/testbed/debug-kernel.sh) GPUPART_TESTS="$(DEBUG_TESTS)" \
		scripts/testbed/vm.sh check

# Debian 12's 6.12 kernel, unpacked into a cache (kernel-6.12.sh), not
# installed: lint against its headers (W=1, sparse), then the selftests
# of what differs between 6.1 and 6.12 under gpupart: the genetlink API
# (spec, policy, security, monitor), vfio and a VMM holding a device
# (vm, vmm: its removal test runs only here), pciehp hot-unplug (unplug:
# the debug kernel's lockdep trips on 6.1's), and the PCI core's error
# recovery and saved state (aer, dda, reload), and 6.12's nvme and
# sriov_numvfs locking (vendor). Then, in a second boot, with the
# stand-ins held beside nvme as their vendor's driver (HOLD=vendor), the
# way a real GPU is held on the kernels its vendor's host driver needs
# (NVIDIA's vGPU 17 and later: 6.8+): error recovery, DDA, a VMM holding
# a partition (through the vendor driver letting go, removal, errors)
# and removal, where the vendor's driver and 6.12's pciehp meet. The
# rest runs on 6.1 and the debug kernel; all of it here would not fit
# CI's time.
MOD612 := $(BUILD)/mod-6.12
TESTS612 := spec_test policy_test security_test.sh monitor_test.sh vm_test \
	vmm_test.sh dda_test.sh unplug_test.sh aer_test.sh reload_test.sh \
	vendor_test.sh
TESTS612_VENDOR := aer_test.sh dda_test.sh vmm_test.sh unplug_test.sh
check-6.12: deps
	$(MAKE) tool selftests
	k=$$(scripts/testbed/kernel-6.12.sh) && \
	rm -rf $(MOD612) && mkdir -p $(MOD612) && \
	cp --parents $(MOD_SRCS) $(MOD612)/ && \
	$(MAKE) -C $$k/build M=$(MOD612) modules && \
	$(MAKE) lint KDIR=$$k/build KVER=$$(cat $$k/kernelrelease) && \
	ALT_KERNEL=$$k GPUPART_KO=$(MOD612)/gpupart.ko TAG=-6.12 \
		GPUPART_TESTS="$(TESTS612)" scripts/testbed/vm.sh check && \
	ALT_KERNEL=$$k GPUPART_KO=$(MOD612)/gpupart.ko TAG=-6.12-vendor HOLD=vendor \
		GPUPART_TESTS="$(TESTS612_VENDOR)" scripts/testbed/vm.sh check

# The selftests that need other stand-ins than the test bed's usual four
# of 8 VFs: dumps of GPUs bigger than one netlink message (dump_test), on
# two GPUs of 64 VFs, and a GPU whose VFs share an IOMMU group with it
# (iommu_test.sh), behind a port without ACS. Debian's 6.1 only: the code
# is the same on every kernel, and lockdep has nothing here that the other
# runs do not take.
check-big: deps
	$(MAKE) all
	TOPOLOGY="redhat:64*2 shared:8" VM_MEM=2048 TAG=-big GPUPART_TESTS="$(BIG_TESTS)" \
		scripts/testbed/vm.sh check

demo: deps
	$(MAKE) all
	scripts/testbed/vm.sh demo

# Timings are not tests: "make bench" prints each cost as a ratio to its
# floor, on 4 stand-in GPUs of 64 VFs; "make check" runs only its smoke.
bench: deps
	$(MAKE) all
	mkdir -p $(BUILD)
	echo 'sh /usr/lib/gpupart/selftests/bench.sh' >$(BUILD)/bench-job.sh
	TOPOLOGY="redhat:64*4" VM_MEM=3072 scripts/testbed/vm.sh run $(BUILD)/bench-job.sh

vm-shell: all
	scripts/testbed/vm.sh shell

vm-run: all
	@test -n "$(SCRIPT)" || { echo "usage: make vm-run SCRIPT=path [TOPOLOGY=...]" >&2; exit 2; }
	scripts/testbed/vm.sh run $(SCRIPT)

# The files "make install" puts in place, relative to DESTDIR; the install
# test checks the list against what appears.
INSTALL_FILES = $(MODDIR)/gpupart.ko $(SBINDIR)/gpupartctl $(SBINDIR)/gpupart-hostdev \
	$(MANDIR)/man8/gpupartctl.8 \
	$(DATADIR)/bash-completion/completions/gpupartctl \
	$(UNITDIR)/gpupart.service $(UNITDIR)/gpupart-utilization.service \
	$(SYSCONFDIR)/modprobe.d/gpupart.conf $(OCFDIR)/resource.d/gpupart/partition \
	$(DATADIR)/gpupart/libvirt-hook-qemu $(DATADIR)/gpupart/gpupart.conf.example \
	$(DATADIR)/gpupart/profile-nvidia $(INCLUDEDIR)/linux/gpupart.h

install-files:
	@echo $(INSTALL_FILES) | tr ' ' '\n'

install: module tool
	install -D -m 0644 gpupart.ko $(DESTDIR)$(MODDIR)/gpupart.ko
	install -D -m 0755 userspace/gpupartctl $(DESTDIR)$(SBINDIR)/gpupartctl
	install -D -m 0755 userspace/gpupart-hostdev $(DESTDIR)$(SBINDIR)/gpupart-hostdev
	install -D -m 0644 Documentation/gpupartctl.8 $(DESTDIR)$(MANDIR)/man8/gpupartctl.8
	install -D -m 0644 dist/gpupartctl.bash-completion \
		$(DESTDIR)$(DATADIR)/bash-completion/completions/gpupartctl
	install -D -m 0644 uapi/linux/gpupart.h $(DESTDIR)$(INCLUDEDIR)/linux/gpupart.h
	install -D -m 0755 dist/libvirt-hook-qemu $(DESTDIR)$(DATADIR)/gpupart/libvirt-hook-qemu
	install -D -m 0755 dist/profile-nvidia $(DESTDIR)$(DATADIR)/gpupart/profile-nvidia
	install -D -m 0755 dist/ocf/partition $(DESTDIR)$(OCFDIR)/resource.d/gpupart/partition
	mkdir -p $(DESTDIR)$(UNITDIR) $(DESTDIR)$(SYSCONFDIR)/modprobe.d \
		$(DESTDIR)$(SYSCONFDIR)/gpupart $(DESTDIR)$(DATADIR)/gpupart
	sed 's|@SBINDIR@|$(SBINDIR)|g' dist/gpupart.service.in >$(DESTDIR)$(UNITDIR)/gpupart.service
	sed 's|@SBINDIR@|$(SBINDIR)|g' dist/gpupart-utilization.service.in \
		>$(DESTDIR)$(UNITDIR)/gpupart-utilization.service
	sed 's|@SBINDIR@|$(SBINDIR)|g' dist/gpupart.conf.in >$(DESTDIR)$(DATADIR)/gpupart/gpupart.conf.example
	# An operator's own modprobe.d file is never overwritten.
	test -e $(DESTDIR)$(SYSCONFDIR)/modprobe.d/gpupart.conf || \
		cp $(DESTDIR)$(DATADIR)/gpupart/gpupart.conf.example \
			$(DESTDIR)$(SYSCONFDIR)/modprobe.d/gpupart.conf
	if [ -z "$(DESTDIR)" ]; then depmod -a $(KVER); \
		! command -v systemctl >/dev/null || systemctl daemon-reload || true; fi

uninstall:
	rm -f $(addprefix $(DESTDIR),$(filter-out $(SYSCONFDIR)/%,$(INSTALL_FILES)))
	-rmdir $(DESTDIR)$(DATADIR)/gpupart $(DESTDIR)$(SYSCONFDIR)/gpupart \
		$(DESTDIR)$(OCFDIR)/resource.d/gpupart 2>/dev/null
	if [ -z "$(DESTDIR)" ]; then depmod -a $(KVER); fi

# DKMS builds from a copy of the module's sources in /usr/src.
DKMS_SRC := /usr/src/gpupart-$(VERSION)
dkms-install:
	rm -rf $(DKMS_SRC) && mkdir -p $(DKMS_SRC)
	cp --parents $(MOD_SRCS) dkms.conf $(DKMS_SRC)/
	dkms add -m gpupart -v $(VERSION)
	dkms build -m gpupart -v $(VERSION) -k $(KVER)
	dkms install -m gpupart -v $(VERSION) -k $(KVER)

dkms-remove:
	-dkms remove -m gpupart -v $(VERSION) --all
	rm -rf $(DKMS_SRC)

check-host: deps
	$(MAKE) module tool
	selftests/host/run.sh

# Each target of check-all installs its packages first (deps), so each
# finds KVER and KDIR again after that: on a fresh machine, found here
# they would be "none" (no kernel installed yet), and exported to all.
# Given ones (the command line, the environment) are passed on.
CHECK_ALL ?= scripts/check-all.sh
check-all:
	env $(if $(filter file,$(origin KVER)),-u KVER) \
		$(if $(filter file,$(origin KDIR)),-u KDIR) $(CHECK_ALL)

# Long runs, not tests of "make check" (each has a smoke run there).
stress fuzz faults: deps
	$(MAKE) all
	scripts/testbed/long-run.sh $@

# The PCI core's own hang (sriov_numvfs racing removal), with pci-pf-stub
# and without gpupart: the admin guide's "Concurrency and the PCI core".
pci-core-hang: deps
	$(MAKE) all
	VM_TIMEOUT=900 scripts/testbed/vm.sh run scripts/testbed/pci-core-hang.sh

clean:
	-test -d "$(KDIR)" && $(MAKE) -C $(KDIR) M=$(CURDIR) clean
	$(MAKE) -C userspace clean
	$(MAKE) -C selftests clean
	rm -rf $(BUILD)
