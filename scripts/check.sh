#!/bin/bash
# `make check`: install what is missing, build the module for every pinned
# kernel, the selftests and the CLI, run the host tests (the CLI's unit tests,
# scripts/check-test.sh, promtool on monitoring/semwatch.rules.yml, the
# node_exporter + Prometheus run of monitoring/e2e-test.sh), then boot
# each kernel once in QEMU (SEMWATCH_JOBS at a time) and run the kselftests for
# every hook mode (selftests/run_vm_suite.sh).
# Prints a per-kernel, per-hook, per-test summary and ends with "N passed,
# M failed[, K skipped]". Harness failures (build, insmod/rmmod, kernel splat, guest
# timeout) each count as one failure.
# Exit status is non-zero when anything failed.
# Environment: SEMWATCH_HOOKS (default "kprobe tracepoint"),
# SEMWATCH_KERNELS (default scripts/kernels.sh), SEMWATCH_VM_TIMEOUT (s, 1200),
# SEMWATCH_JOBS (guests booted at once; default: the number of CPUs),
# SEMWATCH_TESTS (only these test programs, by name, space-separated; a name
# that is no test program is a failure; default all),
# SEMWATCH_KARGS (guest kernel arguments; default: an oops or soft lockup
# panics the guest, which ends the boot at once instead of hanging it).

# The programs among PROG... whose name is one of NAMES (all when NAMES is
# empty), one per line.
# Usage: select_progs "NAME..." PROG...
select_progs() {
	local names=$1 p
	shift
	for p; do
		[ -z "$names" ] || case " $names " in *" ${p##*/} "*) ;; *) continue ;; esac
		printf '%s\n' "$p"
	done
}
# The guest's command: run_vm_suite.sh with every program as an argument, on
# one line. vm.sh writes it into the job script, where each further line
# would be a command of its own, run after the module is unloaded.
# Usage: guest_cmd KO "HOOK..." PROG...
guest_cmd() {
	local ko=$1 hooks=$2
	shift 2
	printf 'selftests/run_vm_suite.sh %q %q' "$ko" "$hooks"
	[ $# = 0 ] || printf ' %q' "$@"
}
# Sourced by scripts/check-test.sh for the functions above: stop here.
[ "${BASH_SOURCE[0]}" = "$0" ] || return 0

set -uo pipefail
REPO=$(cd "$(dirname "$0")/.." && pwd)
cd "$REPO" || exit 1
HOOKS=${SEMWATCH_HOOKS:-kprobe tracepoint}
VM_TIMEOUT=${SEMWATCH_VM_TIMEOUT:-1200}
JOBS=${SEMWATCH_JOBS:-$(nproc)}
KARGS=${SEMWATCH_KARGS-oops=panic softlockup_panic=1}
LOGS=$REPO/build/logs/check-$(date +%Y%m%d-%H%M%S)
mkdir -p "$LOGS"
ln -sfn "$LOGS" "$REPO/build/logs/check-latest"
START=$(date +%s)

pass=0 fail=0 skip=0
ROWS=() PROBLEMS=()
problem() { PROBLEMS+=("$*"); fail=$((fail + 1)); echo "check: FAIL: $*"; }
step() { echo; echo "=== $* ($(($(date +%s) - START))s)"; }
# Run a host test that prints TAP, log it to LOG.log and count its cases.
# Usage: host_tap LOG NAME CMD...
host_tap() {
	local log=$LOGS/$1.log name=$2 rc p f s
	shift 2
	"$@" 2>&1 | tee "$log"
	rc=${PIPESTATUS[0]}
	read -r p f s < <(tr -d '\r' < "$log" | awk '
		/^ok [0-9]/ { if (/# *SKIP/) s++; else p++ } /^not ok [0-9]/ { f++ }
		END { print p + 0, f + 0, s + 0 }')
	pass=$((pass + p)) fail=$((fail + f)) skip=$((skip + s))
	ROWS+=("host - $name $p $f $s")
	[ "$rc" = 0 ] || [ "$f" -gt 0 ] || problem "$name exited $rc"
}
# Run a host test that passes or fails as a whole (its exit status), log it to
# LOG.log and count it as one case.
# Usage: host_cmd LOG NAME CMD...
host_cmd() {
	local log=$LOGS/$1.log name=$2 rc
	shift 2
	"$@" 2>&1 | tee "$log"
	rc=${PIPESTATUS[0]}
	if [ "$rc" = 0 ]; then
		pass=$((pass + 1))
		ROWS+=("host - $name 1 0 0")
	else
		ROWS+=("host - $name 0 1 0")
		problem "$name exited $rc (see $log)"
	fi
}
# Patterns of a kernel splat in the guest's log.
SPLAT='BUG:|WARNING:|Oops|general protection|KASAN|UBSAN|lockdep|possible circular locking|inconsistent lock state|RCU stall|self-detected stall|detected stalls on CPU|soft lockup|hard LOCKUP|blocked for more than|Kernel panic|list_add corruption|list_del corruption|refcount_t:'

step "set-up"
if ! scripts/setup.sh > "$LOGS/setup.log" 2>&1; then
	tail -n 20 "$LOGS/setup.log"
	problem "set-up failed (see $LOGS/setup.log)"
fi
KERNELS=${SEMWATCH_KERNELS:-$(scripts/kernels.sh)}

step "build module for: $(echo $KERNELS)"
BUILT=()
for k in $KERNELS; do
	if scripts/build-module.sh "$k" > "$LOGS/build-$k.log" 2>&1; then
		BUILT+=("$k")
		echo "check: $k: build/$k/semwatch.ko built without warnings"
	else
		grep -E 'warning|error|Error' "$LOGS/build-$k.log" | head -n 20
		problem "$k: module build failed or warned (see $LOGS/build-$k.log)"
	fi
done

step "build selftests and CLI"
make -k -C selftests > "$LOGS/selftests-build.log" 2>&1 ||
	{ tail -n 20 "$LOGS/selftests-build.log"; problem "selftests build failed"; }
make cli > "$LOGS/cli-build.log" 2>&1 ||
	{ tail -n 20 "$LOGS/cli-build.log"; problem "CLI build failed"; }
# shellcheck disable=SC2046 # the list is space-separated paths
mapfile -t PROGS < <(select_progs "${SEMWATCH_TESTS:-}" $(make -s -C selftests list 2>/dev/null))
echo "check: test programs: ${PROGS[*]##*/}"
for n in ${SEMWATCH_TESTS:-}; do
	case " ${PROGS[*]##*/} " in *" $n "*) ;; *) problem "SEMWATCH_TESTS: no test program $n" ;; esac
done

step "host unit tests"
host_tap check-test check-sh-tests scripts/check-test.sh
host_tap install-test install-tests scripts/install-test.sh
if [ -f userspace/Makefile ] && grep -q '^test:' userspace/Makefile; then
	host_tap unit userspace-unit-tests make -s -C userspace test
else
	echo "check: userspace/Makefile has no test target yet; skipped"
fi
# The alerting rules and their unit tests (promtool: package prometheus, make setup).
host_cmd promtool-check promtool-check-rules promtool check rules monitoring/semwatch.rules.yml
host_cmd promtool-test promtool-test-rules promtool test rules monitoring/semwatch.rules.test.yml
# node_exporter serves the CLI's textfile, Prometheus fires the shipped alert.
host_tap monitoring-e2e monitoring-e2e monitoring/e2e-test.sh

# Turn one guest's output.log into "R hook test passed failed skipped" rows and
# "P text" problems. Counts the test cases of each program (nested "# ok" lines);
# a program that failed without a failing case counts as one failure, one that
# printed no case counts as one pass or skip.
parse_suite() {
	tr -d '\r' < "$1" | awk -v hooks="$HOOKS" '
	function reset() { np = nf = ns = 0 }
	/^@@ begin hook=/ { hook = substr($0, 15); reset(); next }
	/^@@ (insmod|rmmod) failed/ { print "P " hook ": " substr($0, 4); next }
	/^@@ preload rc=/ { if ($0 != "@@ preload rc=0") print "P " hook ": preload.sh failed (" substr($0, 4) ")"; next }
	/^@@ end hook=/ { ended[substr($0, 13)] = 1; next }
	/^@@ done/ { done = 1; next }
	/^# selftests: semwatch: / { reset(); next }
	/^# ok [0-9]/ { if (/# SKIP/) ns++; else np++; next }
	/^# not ok [0-9]/ { nf++; next }
	/^(ok|not ok) [0-9]+ selftests: semwatch: / {
		name = $0; sub(/.*selftests: semwatch: /, "", name); sub(/ .*/, "", name)
		if (/^not ok/ && nf == 0) nf = 1
		if (/^ok/ && np + nf + ns == 0) { if (/# SKIP/) ns = 1; else np = 1 }
		print "R " hook " " name " " np " " nf " " ns
		reset()
	}
	END {
		n = split(hooks, h, " ")
		for (i = 1; i <= n; i++) if (!(h[i] in ended)) print "P " h[i] ": did not finish"
		if (!done) print "P suite did not finish"
	}'
}

# One boot of kernel $1 running the suite; the guest's output in LOGS/K/vm.out,
# "EXIT SECONDS" in LOGS/K/rc.
run_guest() {
	local k=$1 t0 vrc
	t0=$(date +%s)
	mkdir -p "$LOGS/$k"
	scripts/vm.sh -k "$k" -t "$VM_TIMEOUT" -L "$LOGS/$k" -A "$KARGS" -- \
		"$(guest_cmd "$REPO/build/$k/semwatch.ko" "$HOOKS" "${PROGS[@]}")" > "$LOGS/$k/vm.out" 2>&1
	vrc=$?
	echo "$vrc $(($(date +%s) - t0))" > "$LOGS/$k/rc"
	echo "check: $k: guest finished in $(($(date +%s) - t0))s (exit $vrc)"
}

# Each guest is one TCG thread: JOBS of them share the host's cores.
step "kernels, $JOBS guests at a time, one boot each, hooks: $HOOKS"
for k in $KERNELS; do
	case " ${BUILT[*]} " in *" $k "*) ;; *) echo "check: $k: not built, not booted"; continue ;; esac
	while [ "$(jobs -rp | wc -l)" -ge "$JOBS" ]; do wait -n; done
	run_guest "$k" &
done
wait

for k in $KERNELS; do
	[ -r "$LOGS/$k/rc" ] || continue
	step "kernel $k"
	cat "$LOGS/$k/vm.out"
	read -r vrc secs < "$LOGS/$k/rc"
	case $vrc in
	0) ;;
	124) problem "$k: guest did not finish within ${VM_TIMEOUT}s" ;;
	*) problem "$k: guest failed (exit $vrc; panic or crash?)" ;;
	esac
	while read -r kind rest; do
		case $kind in
		R)
			read -r hook name p f s <<< "$rest"
			ROWS+=("$k $hook $name $p $f $s")
			pass=$((pass + p)) fail=$((fail + f)) skip=$((skip + s)) ;;
		P)
			# A killed or crashed guest is reported once, not once per hook.
			case $vrc:$rest in [1-9]*:*"did not finish") continue ;; esac
			problem "$k: $rest" ;;
		esac
	done < <(parse_suite "$LOGS/$k/output.log")
	if splats=$(tr -d '\r' < "$LOGS/$k/console.log" | grep -E "$SPLAT" | grep -v 'Command line' | sort -u | head -n 10) &&
		[ -n "$splats" ]; then
		printf '%s\n' "$splats" | sed 's/^/check:   /'
		problem "$k: kernel log shows a splat (see $LOGS/$k/console.log)"
	fi
	echo "check: $k: guest took ${secs}s"
done

step "summary (logs: $LOGS)"
printf '%-26s %-11s %-34s %6s %6s %7s\n' kernel hook test passed failed skipped
for r in "${ROWS[@]}"; do
	read -r k hook name p f s <<< "$r"
	printf '%-26s %-11s %-34s %6s %6s %7s\n' "$k" "$hook" "$name" "$p" "$f" "$s"
done
for p in "${PROBLEMS[@]}"; do echo "FAIL: $p"; done
echo "check: took $(($(date +%s) - START))s"
line="$pass passed, $fail failed"
[ "$skip" = 0 ] || line+=", $skip skipped"
echo "$line" | tee "$LOGS/result"
[ "$fail" = 0 ]
