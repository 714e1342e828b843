#!/bin/bash
# `make bench`: the same set-up as `make check` (scripts/setup.sh, the module for
# each generic kernel of scripts/kernels.sh, the CLI), then benchmarks in QEMU
# guests timed by instructions (-icount shift=0, one CPU), then bench/results.md
# (bench/report.sh). Not part of `make check`. Per kernel:
#   1. a memory boot: kernel memory per tracked set (mem);
#   2. a main boot: syscall tax and creation path (tax), read cost versus set
#      count (read), reaping (reap), the command against lsipc and dmsetup (cli),
#      the process-exit tax (exit);
#   3. then a big boot with `ipcmni_extend` on the kernel command line: 100,000
#      sets, and on the last kernel 1,000,000 sets as well.
# The kernels' boots run side by side (BENCH_JOBS at once, default nproc).
# Environment: SEMWATCH_KERNELS (default: scripts/kernels.sh -f generic),
# BENCH_PARTS (default "tax mem read reap cli exit": mem in the memory boot, the
# rest in the main boot), BENCH_BIG (1; 0 skips the big boots), BENCH_BIG_COUNTS
# (the big boots' set counts, for every kernel), BENCH_JOBS, BENCH_OUT (default bench/results.md), and the BENCH_*
# sizes of scripts/bench-guest.sh.
# The logs, with a copy of the report, stay in build/logs/bench-TIME
# (scripts/bench-compare.sh compares two runs).
set -uo pipefail
REPO=$(cd "$(dirname "$0")/.." && pwd)
cd "$REPO" || exit 1
START=$(date +%s)
LOGS=$REPO/build/logs/bench-$(date +%Y%m%d-%H%M%S)
mkdir -p "$LOGS"
ln -sfn "$LOGS" "$REPO/build/logs/bench-latest"
PARTS=${BENCH_PARTS:-tax mem read reap cli exit}
OUT=${BENCH_OUT:-$REPO/bench/results.md}
step() { echo; echo "=== $* ($(($(date +%s) - START))s)"; }
fail() { echo "bench: $*" >&2; exit 1; }

step "set-up"
scripts/setup.sh > "$LOGS/setup.log" 2>&1 || { tail -n 20 "$LOGS/setup.log"; fail "set-up failed"; }
KERNELS=$(echo "${SEMWATCH_KERNELS:-$(scripts/kernels.sh -f generic)}" | xargs)
read -ra KS <<< "$KERNELS"

step "build: module for $KERNELS, CLI, bench/swbench.c"
for k in $KERNELS; do
	scripts/build-module.sh "$k" > "$LOGS/build-$k.log" 2>&1 ||
		{ tail -n 20 "$LOGS/build-$k.log"; fail "$k: module build failed"; }
done
make cli > "$LOGS/cli-build.log" 2>&1 || { tail -n 20 "$LOGS/cli-build.log"; fail "CLI build failed"; }
[ -x userspace/semwatch ] || fail "userspace/semwatch was not built"
mkdir -p build/bench
SW=$REPO/build/bench/swbench
gcc -O2 -Wall -Wextra -Werror -o "$SW" bench/swbench.c || fail "bench/swbench.c does not build"

# The BENCH_* size variables travel into the guest on the command line.
ENVS=$(env | grep -E '^BENCH_(REPS|TAX_REPS|GETPPID_N|ZERO_N|CHURN_N|COUNTS|IPCS_MAX|MEM_N|MEM_REPS|BIG_COOKIES|BIG_REPS|BIG_REPS_HUGE|CLI_N|CLI_REPS|EXIT_N|EXIT_REPS|EXIT_ALIVE)=' |
	while IFS='=' read -r name value; do printf '%s=%q ' "$name" "$value"; done)

# guest NAME KVER EXTRA-VM-ARGS... -- GUEST-ARGS: one boot, logs in LOGS/NAME
guest() {
	local name=$1 k=$2 t0 rc
	shift 2
	local vmargs=()
	while [ "$1" != -- ]; do vmargs+=("$1"); shift; done
	shift
	t0=$(date +%s)
	local cmd="${ENVS}${GENV:-}scripts/bench-guest.sh $REPO/build/$k/semwatch.ko $SW $*"
	echo "bench: $name: $(date -u +%H:%M:%S) scripts/vm.sh -k $k ${vmargs[*]} -- \"$cmd\""
	echo "$name scripts/vm.sh -k $k ${vmargs[*]} -- \"$cmd\"" >> "$LOGS/commands"
	rm -rf "${LOGS:?}/$name"
	mkdir -p "$LOGS/$name"
	scripts/vm.sh -k "$k" -L "$LOGS/$name" "${vmargs[@]}" -- "$cmd" > /dev/null
	rc=$?
	echo "$(($(date +%s) - t0))" > "$LOGS/$name/seconds"
	echo "bench: $name: guest exit $rc after $(cat "$LOGS/$name/seconds")s"
	grep -a '^@E' "$LOGS/$name/output.log" | tr -d '\r' | sed "s/^/bench: $name: /"
	return 0
}

# icount_guest NAME KVER KARGS PARTS: a boot timed by instructions, with one CPU, or
# by the wall clock if it does not boot so. One CPU: 6.1 hangs under -icount bringing
# up its second; and with two, TCG runs one vCPU at a time for up to 100 ms of guest
# time, so the pool refill queued for the other waits, and a burst of creations on
# 6.12 dropped 555 to 1,024 of 32,000 sets, a different number each run (on one CPU
# the high-priority refill preempts the burst). NAME/clock says which clock.
icount_guest() {
	local name=$1 k=$2 kargs=$3 parts=$4 clock
	for clock in icount-1cpu wall; do
		case $clock in
		icount-1cpu) guest "$name" "$k" -t 2400 -I -b 90 -A "maxcpus=1${kargs:+ $kargs}" -- "'$parts'" ;;
		wall) guest "$name" "$k" -t 2400 ${kargs:+-A "$kargs"} -- "'$parts'" ;;
		esac
		grep -qa '^@I done' "$LOGS/$name/output.log" && break
		# A boot that hung before the command: try the wall clock. One that
		# started and then failed would fail again: keep its logs.
		grep -qa '^@I kernel' "$LOGS/$name/output.log" && break
	done
	echo "$clock" > "$LOGS/$name/clock"
}

uptime | sed 's/.*load average: //' > "$LOGS/load-start"
echo "$(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo | head -n 1) × $(nproc)" > "$LOGS/host"
qemu-system-x86_64 --version | head -n 1 > "$LOGS/qemu-version"
{ git rev-parse --short HEAD && git diff --quiet HEAD -- . ':!bench/results.md' || echo ' plus uncommitted changes'; } 2> /dev/null |
	tr -d '\n' > "$LOGS/commit"
# The QEMU command line as scripts/vm.sh runs it, for the report.
grep -m 1 -o 'qemu-system-x86_64 -accel.*-m [0-9A-Z]*' scripts/vm.sh > "$LOGS/qemu-cmd" || true
# chain KVER BIG-COUNTS: a kernel's boots one after the other, so that its clock
# carries over (its memory boot, its main boot, then its big boot unless
# BIG-COUNTS is empty).
chain() {
	local k=$1 counts=$2 main=" $PARTS "
	# The memory part in a boot of its own: the tax part keeps empty slabs
	# (scripts/bench-guest.sh), which a later slab count would see.
	case $main in *" mem "*)
		main=${main/ mem / }
		step "kernel $k: mem"
		icount_guest "mem-$k" "$k" "" mem ;;
	esac
	if [ -n "${main// /}" ]; then
		step "kernel $k:$main"
		icount_guest "main-$k" "$k" "" "$main"
	fi
	[ -n "$counts" ] || return 0
	step "kernel $k: ipcmni_extend, $counts sets"
	GENV="BENCH_BIG_COUNTS='$counts' " icount_guest "big-$k" "$k" ipcmni_extend big
}
# Guest time counts instructions, so guests running side by side do not change
# each other's figures: up to JOBS kernels' chains run at once. 1,000,000 sets on
# the last kernel only (the slowest boot of all).
JOBS=${BENCH_JOBS:-$(nproc)}
last=$((${#KS[@]} - 1))
for ((i = last; i >= 0; i--)); do	# the longest chain (the last kernel's) first
	counts=${BENCH_BIG_COUNTS:-100000}
	[ -n "${BENCH_BIG_COUNTS:-}" ] || [ "$i" != "$last" ] || counts="100000 1000000"
	[ "${BENCH_BIG:-1}" = 1 ] || counts=
	[ "$(jobs -rp | wc -l)" -lt "$JOBS" ] || wait -n
	chain "${KS[i]}" "$counts" &
	sleep 2	# apart, so that their first lines do not interleave
done
wait
uptime | sed 's/.*load average: //' > "$LOGS/load-end"
END=$(date +%s)
echo "$((END - START))" > "$LOGS/seconds"
date -u '+%Y-%m-%d %H:%M UTC' > "$LOGS/end-date"

step "report"
bench/report.sh "$LOGS" "$KERNELS" > "$LOGS/results.md" || fail "the report failed (logs: $LOGS)"
cp "$LOGS/results.md" "$OUT"
echo "bench: wrote ${OUT#"$REPO"/} in $((END - START))s (logs: $LOGS)"
grep -qa '^@E' "$LOGS"/*/output.log && echo "bench: some measurements reported errors (see the report)"
exit 0
