# `make check-debug`: the debug kernel lane (scripts/debug-kernel-check.sh).
# Builds a small 6.1 kernel with KASAN, lockdep, PROVE_RCU, DEBUG_LIST,
# DEBUG_ATOMIC_SLEEP, kmemleak and failslab from Debian's linux-source-6.1
# (tinyconfig + scripts/debug-kernel.config) into build/debug-kernel/, builds
# semwatch.ko against it and runs the whole kselftest suite on it in QEMU.
# Not part of `make check` (see README "Hardening" for the times).
.PHONY: check-debug debug-kernel
check-debug:
	@scripts/debug-kernel-check.sh

debug-kernel:
	@nice -n 10 scripts/debug-kernel.sh
