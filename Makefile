# Top-level entry points: build semwatch.ko (per kernel, in build/<kver>/) and
# the semwatch CLI, and run set-up, style, tests and the demo. Kbuild (not this
# file) describes the module, so `make -C KDIR M=...` and DKMS use it directly.
#
#   make                  module for the running kernel (or KVER=/KDIR=) + CLI
#   make modules-all      module for every pinned kernel (scripts/kernels.conf)
#   make setup            install every package needed (root, Debian 12)
#   make style            checkpatch --strict on kmod/
#   make check            build everything, run all tests in QEMU, summary
#   make demo             reproduce a dm udev cookie leak in QEMU and show it

SHELL := /bin/bash
REPO := $(CURDIR)

# KDIR alone determines KVER; otherwise the running kernel when its headers are
# installed, else the pinned kernels.
ifneq ($(KDIR),)
KVER ?= $(shell sed -n 's/.*UTS_RELEASE "\(.*\)"/\1/p' $(KDIR)/include/generated/utsrelease.h)
else ifneq ($(KVER),)
KDIR := /lib/modules/$(KVER)/build
else ifneq ($(wildcard /lib/modules/$(shell uname -r)/build),)
KVER := $(shell uname -r)
KDIR := /lib/modules/$(KVER)/build
endif

.PHONY: all module modules-all cli selftests style check demo setup clean

all: module cli

ifneq ($(KVER),)
module:
	+@scripts/build-module.sh $(KVER) $(KDIR)
else
module: modules-all
	@echo "make: no headers for the running kernel $$(uname -r); built the pinned kernels"
endif

modules-all:
	+@set -e; for k in $$(scripts/kernels.sh); do scripts/build-module.sh $$k; done

# The CLI lives in userspace/ (its own Makefile); tolerate it not existing yet.
cli:
	@if [ -f userspace/Makefile ]; then $(MAKE) -C userspace; \
	else echo "make: userspace/ has no Makefile yet; CLI not built"; fi

selftests:
	$(MAKE) -C selftests

style:
	@scripts/style.sh

check:
	@scripts/check.sh

demo:
	@scripts/demo.sh

setup:
	@scripts/setup.sh

clean:
	rm -rf build
	@if [ -f userspace/Makefile ]; then $(MAKE) -C userspace clean; fi
	@if [ -f selftests/Makefile ]; then $(MAKE) -C selftests clean; fi

# Packaging, benchmarks and the debug-kernel lane keep their targets in mk/.
-include mk/*.mk
