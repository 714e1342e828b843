#!/bin/bash
# Guest side of `make check-debug` (runs as root in the chroot of the guest
# booted from the debug kernel by scripts/vm.sh -B): the whole kselftest suite
# for both hooks (selftests/run_vm_suite.sh, which includes the stress test
# and its failslab case), then kmemleak scans after the last rmmod.
# Lines starting "@@ " are markers for scripts/debug-kernel-check.sh.
# Usage: debug-kernel-guest.sh KO SRC PROG...   (SRC: the kernel build tree)
KO=$1 SRC=$2
shift 2
KL=/sys/kernel/debug/kmemleak
rel=$(uname -r)

# dm-mod and dm-zero are built in; give modprobe this kernel's
# modules.builtin so that `modprobe dm-mod` (the dmsetup test) succeeds.
if [ ! -d "/lib/modules/$rel" ] && mount -t tmpfs -o mode=755 tmpfs /lib/modules; then
	mkdir -p "/lib/modules/$rel"
	cp "$SRC/modules.builtin" "$SRC/modules.builtin.modinfo" "/lib/modules/$rel/" 2>/dev/null
	touch "/lib/modules/$rel/modules.order"
	depmod "$rel" 2>/dev/null || echo "@@ note: depmod failed; dm tests may skip"
fi

# Forget what the kernel itself leaked while booting (reported once, then
# cleared), so that later reports come from the tests and the module.
if [ -w "$KL" ]; then
	echo scan > "$KL"; sleep 2; echo scan > "$KL"
	n=$(grep -c '^unreferenced object' "$KL")
	echo "@@ kmemleak: $n boot-time reports cleared"
	echo clear > "$KL"
else
	echo "@@ kmemleak: unavailable"
fi

# Seconds since boot: a test may step the clock (selftests/cli_lib.sh pass_time).
uptime_s() { local s _; read -r s _ < /proc/uptime; echo "${s%.*}"; }
t0=$(uptime_s)
# Bounded work per program on this slow kernel (TCG + KASAN + lockdep).
export SEMWATCH_STRESS_SECS=${SEMWATCH_STRESS_SECS:-30}
export SEMWATCH_FUZZ_WRITES=${SEMWATCH_FUZZ_WRITES:-8000}
# Programs took up to 161 s here (semwatch_memory_test; 180 s in settings).
export SEMWATCH_TIMEOUT=${SEMWATCH_TIMEOUT:-600}
# Each case's own limit (30 s unless the test sets one), likewise.
export SEMWATCH_TIMEOUT_SCALE=${SEMWATCH_TIMEOUT_SCALE:-3}
# KASAN's quarantine holds freed copies out of MemAvailable (semwatch_memory_test).
export SEMWATCH_MEM_NOISE_KIB=${SEMWATCH_MEM_NOISE_KIB:-32768}
# The CLI's tests run in the first hook only here, the report of exits too: the
# debug kernel checks the module, and make check runs that test under both hooks.
export SEMWATCH_EVERY=${SEMWATCH_EVERY-}
selftests/run_vm_suite.sh "$KO" "kprobe tracepoint" "$@"
echo "@@ suite took $(($(uptime_s) - t0))s"

if grep -q '^semwatch ' /proc/modules; then
	echo "@@ rmmod failed: semwatch still loaded after the suite"
	rmmod semwatch
fi
if [ -w "$KL" ]; then
	# An object must be older than 5 s and unreferenced in two scans.
	sleep 6; echo scan > "$KL"; sleep 6; echo scan > "$KL"
	n=$(grep -c '^unreferenced object' "$KL")
	echo "@@ kmemleak: $n reports after unload"
	if [ "$n" != 0 ]; then
		sed 's/^/@@   /' "$KL" | head -n 200
	fi
fi
echo "@@ debug done"
