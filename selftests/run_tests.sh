#!/bin/bash
# Run semwatch kselftest programs and print KTAP, as the kernel's kselftest
# runner does: each program's own output indented with "# ", then one
# "ok/not ok N selftests: semwatch: NAME" line. Exit 4 is a skip; the
# per-program time limit comes from ./settings, or from SEMWATCH_TIMEOUT
# (seconds) on a kernel known to be slow (the check-debug lane: KASAN and
# lockdep under TCG). Works on a real host (make run_tests) and in the QEMU
# guest (scripts/check.sh).
# Usage: run_tests.sh PROG...
cd "$(dirname "$0")" || exit 1
limit=$(sed -n 's/^timeout=//p' settings 2>/dev/null)
limit=${SEMWATCH_TIMEOUT:-${limit:-45}}
echo "TAP version 13"
echo "1..$#"
n=0 failed=0
# Seconds since boot: unlike date, not moved by a test that steps the clock.
uptime_s() { local s _; read -r s _ < /proc/uptime; echo "${s%.*}"; }
for t; do
	n=$((n + 1))
	name=${t##*/}
	case $t in */*) ;; *) t=./$t ;; esac
	echo "# selftests: semwatch: $name"
	if [ ! -x "$t" ]; then
		echo "ok $n selftests: semwatch: $name # SKIP not built"
		continue
	fi
	start=$(uptime_s)
	timeout -k 5 "$limit" "$t" < /dev/null 2>&1 | sed -u 's/^/# /'
	rc=${PIPESTATUS[0]}
	echo "# $name: $(($(uptime_s) - start))s"
	case $rc in
	0) echo "ok $n selftests: semwatch: $name" ;;
	4) echo "ok $n selftests: semwatch: $name # SKIP" ;;
	124 | 137) echo "not ok $n selftests: semwatch: $name # TIMEOUT ${limit} seconds"; failed=1 ;;
	*) echo "not ok $n selftests: semwatch: $name # exit=$rc"; failed=1 ;;
	esac
done
exit $failed
