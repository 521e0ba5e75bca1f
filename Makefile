# SPDX-License-Identifier: GPL-2.0
#
# gpupart top-level Makefile.
#
#   make            module, gpupartctl and selftests
#   make check      everything, lint, then the selftests in the QEMU test bed
#   make demo       boot the test bed and tour gpupartctl
#   make check-debug  the selftests on a debug kernel (KASAN, lockdep, kmemleak)
#   make lint       W=1, sparse and checkpatch --strict on kmod/ and uapi/
#   make vm-shell   interactive shell in the test bed
#   make vm-run SCRIPT=path [TOPOLOGY="..."]   run a script in the test bed
#
# KDIR: the running kernel's build tree when it has one (a real host),
# otherwise the newest installed Debian kernel's, which the test bed boots.

KVER ?= $(shell scripts/kdir.sh kver)
KDIR ?= /lib/modules/$(KVER)/build
BUILD := $(CURDIR)/build
LINUX_SRC_TAR ?= $(lastword $(wildcard /usr/src/linux-source-*.tar.xz))
SRC_TOP = $(notdir $(LINUX_SRC_TAR:.tar.xz=))
KSRC := $(BUILD)/linux-src

export KVER KDIR BUILD KSRC

.PHONY: all module tool selftests lint check check-debug debug-module demo \
	vm-shell vm-run deps ksrc clean kdir-info

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

selftests: ksrc tool
	$(MAKE) -C selftests KSFT_INC=$(KSRC)/tools/testing/selftests

lint: kdir-info ksrc
	scripts/lint.sh

deps:
	scripts/deps.sh

check: deps
	$(MAKE) all
	$(MAKE) lint
	scripts/testbed/vm.sh check

# The debug kernel is built once per machine (~12 minutes) and cached in
# ~/.cache/gpupart; gpupart is built for it from a copy of the sources, so
# the Debian build in this tree is left alone.
DEBUG_MOD := $(BUILD)/debug-mod
debug-module:
	dk=$$(scripts/testbed/debug-kernel.sh) && \
	rm -rf $(DEBUG_MOD) && mkdir -p $(DEBUG_MOD) && \
	cp -r Kbuild kmod uapi $(DEBUG_MOD)/ && \
	$(MAKE) -C $$dk/build M=$(DEBUG_MOD) modules

check-debug: deps
	$(MAKE) tool selftests debug-module
	DEBUG_KERNEL=$$(scripts/testbed/debug-kernel.sh) scripts/testbed/vm.sh check

demo: deps
	$(MAKE) all
	scripts/testbed/vm.sh demo

vm-shell: all
	scripts/testbed/vm.sh shell

vm-run: all
	@test -n "$(SCRIPT)" || { echo "usage: make vm-run SCRIPT=path [TOPOLOGY=...]" >&2; exit 2; }
	scripts/testbed/vm.sh run $(SCRIPT)

clean:
	-test -d "$(KDIR)" && $(MAKE) -C $(KDIR) M=$(CURDIR) clean
	$(MAKE) -C userspace clean
	$(MAKE) -C selftests clean
	rm -rf $(BUILD)
