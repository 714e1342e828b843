# `make check-debug`: the debug kernel lane (scripts/debug-kernel-check.sh).
# Builds small kernels with KASAN, lockdep, PROVE_RCU, DEBUG_LIST,
# DEBUG_ATOMIC_SLEEP, kmemleak and failslab from Debian's linux-source
# (tinyconfig + scripts/debug-kernel.config) into build/debug-kernel/, one tree
# per flavour: 6.1, and 6.12-rt (linux-source-6.12 + debug-kernel-rt.config:
# PREEMPT_RT, PROVE_RAW_LOCK_NESTING). For each, builds semwatch.ko against it
# and runs the whole kselftest suite on it in QEMU.
# `make check-debug DEBUG_FLAVOURS=6.12-rt` runs one flavour only.
# Not part of `make check` (see README "Hardening" for the times).
DEBUG_FLAVOURS ?= 6.1 6.12-rt
.PHONY: check-debug debug-kernel
check-debug:
	@scripts/debug-kernel-check.sh $(DEBUG_FLAVOURS)

debug-kernel:
	@set -e; for f in $(DEBUG_FLAVOURS); do nice -n 10 scripts/debug-kernel.sh $$f; done
