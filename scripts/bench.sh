#!/bin/bash
# `make bench`: the same set-up as `make check` (scripts/setup.sh, the module for
# every pinned kernel, the CLI), then benchmarks in QEMU guests, then
# bench/results.md (build/bench/report, from bench/report*.c). Not part of
# `make check`.
#   1. one boot per kernel: syscall tax + creation path (tax), memory (mem), read
#      cost versus set count (read), reaping (reap);
#   2. one boot per kernel with `ipcmni_extend` on the kernel command line (big):
#      the last kernel of scripts/kernels.sh first, with 100,000 sets and then
#      1,000,000 sets if the time budget leaves room; the others with 100,000 sets
#      while the budget leaves room;
#   3. one -icount boot per kernel for the command against lsipc and dmsetup (cli),
#      one more for the process-exit tax (exit: section 8, bench/exit.awk).
# Environment: SEMWATCH_KERNELS (default scripts/kernels.sh), BENCH_PARTS (default
# "tax mem read reap"), BENCH_BIG (1; 0 skips the ipcmni_extend boots),
# BENCH_BUDGET (s, default 1740: the 1M-set run is skipped when less than
# BENCH_HUGE_NEED (s, 360) remains before it, another kernel's ipcmni_extend boot
# when less than BENCH_BIG_NEED (s, 150) remains), BENCH_CLI (1; 0 skips the
# -icount guests of the command against lsipc and dmsetup), BENCH_EXIT (1; 0 skips
# the -icount guests of the process-exit tax), BENCH_ONLY=exit (only those guests;
# their section 8 replaces the one in BENCH_OUT, the rest of it is kept),
# BENCH_OUT (default bench/results.md), and the BENCH_* sizes of
# scripts/bench-guest.sh.
set -uo pipefail
REPO=$(cd "$(dirname "$0")/.." && pwd)
cd "$REPO" || exit 1
START=$(date +%s)
LOGS=$REPO/build/logs/bench-$(date +%Y%m%d-%H%M%S)
mkdir -p "$LOGS"
ln -sfn "$LOGS" "$REPO/build/logs/bench-latest"
PARTS=${BENCH_PARTS:-tax mem read reap}
BUDGET=${BENCH_BUDGET:-1740}
HUGE_NEED=${BENCH_HUGE_NEED:-360}
BIG_NEED=${BENCH_BIG_NEED:-150}
OUT=${BENCH_OUT:-$REPO/bench/results.md}
ONLY=${BENCH_ONLY:-}
step() { echo; echo "=== $* ($(($(date +%s) - START))s)"; }
fail() { echo "bench: $*" >&2; exit 1; }
case $ONLY in '' | exit) ;; *) fail "BENCH_ONLY=$ONLY: only 'exit' can run alone" ;; esac

step "set-up"
scripts/setup.sh > "$LOGS/setup.log" 2>&1 || { tail -n 20 "$LOGS/setup.log"; fail "set-up failed"; }
KERNELS=${SEMWATCH_KERNELS:-$(scripts/kernels.sh)}

step "build: module for $(echo $KERNELS), CLI, bench programs"
for k in $KERNELS; do
	scripts/build-module.sh "$k" > "$LOGS/build-$k.log" 2>&1 ||
		{ tail -n 20 "$LOGS/build-$k.log"; fail "$k: module build failed"; }
done
make cli > "$LOGS/cli-build.log" 2>&1 || { tail -n 20 "$LOGS/cli-build.log"; fail "CLI build failed"; }
[ -x userspace/semwatch ] || fail "userspace/semwatch was not built"
mkdir -p build/bench
SW=$REPO/build/bench/swbench
gcc -O2 -Wall -Wextra -Werror -o "$SW" bench/swbench.c || fail "bench/swbench.c does not build"
# Built now so that a report that does not compile fails before the guests run.
REPORT=$REPO/build/bench/report
make --no-print-directory bench-report > "$LOGS/report-build.log" 2>&1 ||
	{ tail -n 20 "$LOGS/report-build.log"; fail "bench/report*.c do not build"; }

# The BENCH_* size variables travel into the guest on the command line.
ENVS=$(env | grep -E '^BENCH_(REPS|TAX_REPS|GETPPID_N|ZERO_N|CHURN_N|COUNTS|IPCS_[A-Z_]+|MEM_N|MEM_REPS|BIG_COOKIES|BIG_REPS|BIG_REPS_HUGE|CLI_N|CLI_REPS|EXIT_N|EXIT_REPS|EXIT_ALIVE)=' |
	while IFS='=' read -r name value; do printf '%s=%q ' "$name" "$value"; done)

# guest NAME KVER TIMEOUT EXTRA-VM-ARGS... -- GUEST-ARGS
guest() {
	local name=$1 k=$2 t=$3 t0 rc
	shift 3
	local vmargs=()
	while [ "$1" != -- ]; do vmargs+=("$1"); shift; done
	shift
	t0=$(date +%s)
	local cmd="${ENVS}${GENV:-}scripts/bench-guest.sh $REPO/build/$k/semwatch.ko $SW $*"
	echo "bench: $name: $(date -u +%H:%M:%S) scripts/vm.sh -k $k -t $t ${vmargs[*]} -- \"$cmd\""
	echo "$name scripts/vm.sh -k $k -t $t ${vmargs[*]} -- \"$cmd\"" >> "$LOGS/commands"
	mkdir -p "$LOGS/$name"
	scripts/vm.sh -k "$k" -t "$t" -L "$LOGS/$name" "${vmargs[@]}" -- "$cmd" > /dev/null
	rc=$?
	echo "$(($(date +%s) - t0))" > "$LOGS/$name/seconds"
	echo "bench: $name: guest exit $rc after $(cat "$LOGS/$name/seconds")s"
	grep -a '^@E' "$LOGS/$name/output.log" | tr -d '\r' | sed "s/^/bench: $name: /"
	return 0
}

# icount_guest NAME KVER PARTS: a guest timed by instructions (-icount shift=0).
# 6.1 hangs under -icount bringing up the second CPU: one CPU, then wall-clock time
# (marked in the table) if even that does not boot. NAME/clock says which; the next
# guest of the kernel starts from there.
declare -A CLOCK=()
icount_guest() {
	local name=$1 k=$2 parts=$3 clock start=${CLOCK[$2]:-icount}
	for clock in icount icount-1cpu wall; do
		[ -z "$start" ] || [ "$clock" = "$start" ] || continue
		start=
		case $clock in
		icount) guest "$name" "$k" 1200 -I -b 120 -- "'$parts'" ;;
		icount-1cpu) guest "$name" "$k" 1200 -I -A maxcpus=1 -b 120 -- "'$parts'" ;;
		wall) guest "$name" "$k" 1200 -- "'$parts'" ;;
		esac
		grep -qa '^@I done' "$LOGS/$name/output.log" && break
	done
	CLOCK[$k]=$clock
	echo "$clock" > "$LOGS/$name/clock"
}

uptime > "$LOGS/load-start"
git rev-parse --short HEAD > "$LOGS/commit" 2>/dev/null || true
# The QEMU command line as scripts/vm.sh runs it, for the report.
grep -m 1 -o 'qemu-system-x86_64 -accel.*-m [0-9A-Z]*' scripts/vm.sh > "$LOGS/qemu-cmd" || true
for k in $KERNELS; do
	[ -z "$ONLY" ] || break
	step "kernel $k: $PARTS"
	guest "main-$k" "$k" 1500 -- "'$PARTS'"
done
# The ipcmni_extend boots: the last kernel first (100,000 sets, then 1,000,000 if
# the budget allows), then the others (100,000) while the budget allows.
if [ "${BENCH_BIG:-1}" = 1 ] && [ -z "$ONLY" ]; then
	order=$(echo $KERNELS | tr ' ' '\n' | tac)
	first=1
	for k in $order; do
		left=$((BUDGET - ($(date +%s) - START)))
		counts=${BENCH_BIG_COUNTS:-100000}
		if [ $first = 1 ] && [ -z "${BENCH_BIG_COUNTS:-}" ]; then
			if [ "$left" -ge "$HUGE_NEED" ]; then
				counts="100000 1000000"
			else
				echo "bench: ${left}s left of the ${BUDGET}s budget: 1,000,000 sets skipped"
				echo "1,000,000 sets: ${left} s were left of the ${BUDGET} s budget, ${HUGE_NEED} s needed" >> "$LOGS/big-skipped"
			fi
		elif [ $first = 0 ] && [ "$left" -lt "$BIG_NEED" ]; then
			echo "bench: ${left}s left of the ${BUDGET}s budget: $k ipcmni_extend boot skipped"
			echo "$k: ${left} s were left of the ${BUDGET} s budget, ${BIG_NEED} s needed" >> "$LOGS/big-skipped"
			continue
		fi
		first=0
		step "kernel $k: ipcmni_extend, $counts sets"
		GENV="BENCH_BIG_COUNTS='$counts' " guest "big-$k" "$k" 1500 -A ipcmni_extend -- big
	done
fi
if [ "${BENCH_CLI:-1}" = 1 ] && [ -z "$ONLY" ]; then
	for k in $KERNELS; do
		step "kernel $k: the command against lsipc and dmsetup"
		icount_guest "cli-$k" "$k" cli
	done
fi
if [ "${BENCH_EXIT:-1}" = 1 ] || [ "$ONLY" = exit ]; then
	for k in $KERNELS; do
		step "kernel $k: the process-exit tax"
		icount_guest "exit-$k" "$k" exit
	done
fi
uptime > "$LOGS/load-end"
END=$(date +%s)
echo "$((END - START))" > "$LOGS/seconds"

step "report"
CLI_LOGS=() EXIT_LOGS=()
for k in $KERNELS; do
	[ -e "$LOGS/cli-$k/output.log" ] && CLI_LOGS+=("$LOGS/cli-$k/output.log")
	[ -e "$LOGS/exit-$k/output.log" ] && EXIT_LOGS+=("$LOGS/exit-$k/output.log")
done
# exit_section ALONE: section 8 (ALONE: "COMMIT DATE" when the part ran alone)
exit_section() { awk -v kernels="$KERNELS" -v alone="$1" -f bench/exit.awk "${EXIT_LOGS[@]}" /dev/null; }
write_report() {
	if [ -n "$ONLY" ]; then
		# Everything of OUT but its section 8, then the new section 8.
		if [ -e "$OUT" ]; then awk '/^## / { skip = /^## 8\. / } !skip' "$OUT" || return; fi
		exit_section "$(cat "$LOGS/commit" 2>/dev/null)$(git diff --quiet HEAD 2>/dev/null ||
			echo ' plus uncommitted changes'), $(date -u '+%Y-%m-%d %H:%M')"
	else
		"$REPORT" "$LOGS" "$KERNELS" &&
			awk -v kernels="$KERNELS" -f bench/cli.awk "${CLI_LOGS[@]}" /dev/null &&
			exit_section ''
	fi
}
if write_report > "$OUT.tmp"; then
	mv "$OUT.tmp" "$OUT"
else
	rm -f "$OUT.tmp"
	fail "the report failed (logs: $LOGS)"
fi
echo "bench: wrote ${OUT#"$REPO"/} in $((END - START))s (logs: $LOGS)"
grep -qa '^@E' "$LOGS"/*/output.log && echo "bench: some measurements reported errors (see the report)"
exit 0
