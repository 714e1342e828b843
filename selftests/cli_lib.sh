# SPDX-License-Identifier: GPL-2.0
# Shared by the cli_*_test.sh kselftests (sourced): KTAP helpers, the paths
# of the semwatch binary and of the cli_semctl helper, skip rules.
REPO=${SEMWATCH_REPO:-$(cd "$(dirname "$0")/.." && pwd)}
BIN=${SEMWATCH_BIN:-$REPO/userspace/semwatch}
# The same command with its test hooks (SEMWATCH_PROC, SEMWATCH_TEST_PAUSE_BEFORE_RMID)
# compiled in; the shipped one above ignores them.
TBIN=${SEMWATCH_TEST_BIN:-$REPO/userspace/semwatch-test}
# Built from cli_semctl.c by selftests/Makefile (TEST_GEN_FILES).
S=$(dirname "$0")/cli_semctl
T=$(mktemp -d /tmp/semwatch-cli.XXXXXX)
n=0 failed=0

ktap_plan() { echo "TAP version 13"; echo "1..$1"; }
check() { # check STATUS NAME
	n=$((n + 1))
	if [ "$1" = 0 ]; then echo "ok $n $2"; else echo "not ok $n $2"; failed=1; fi
}
ktap_skip() { n=$((n + 1)); echo "ok $n $1 # SKIP $2"; }
ktap_exit() { rm -rf "$T"; [ $failed = 0 ] && exit 0; exit 1; }
skip_all() { echo "TAP version 13"; echo "1..0 # SKIP $1"; rm -rf "$T"; exit 4; }
need_root_module() {
	[ "$(id -u)" = 0 ] || skip_all "not root"
	[ -r /proc/semwatch ] || skip_all "/proc/semwatch missing (semwatch.ko not loaded)"
	[ -x "$BIN" ] || skip_all "$BIN not built (make -C userspace)"
	[ -x "$TBIN" ] || skip_all "$TBIN not built (make -C userspace)"
	[ -x "$S" ] || skip_all "$S not built (make -C selftests)"
}
# Keys (hex, no 0x) of this namespace's sets with prefix 0x0d4d.
cookies() {
	awk 'NR > 1 && $1 >= 223150080 && $1 <= 223215615 { printf "%08x\n", $1 }' \
		/proc/sysvipc/sem | sort | tr '\n' ' '
}
# Keys of all sets in this namespace.
all_keys() {
	awk 'NR > 1 { printf "%08x\n", $1 < 0 ? $1 + 4294967296 : $1 }' \
		/proc/sysvipc/sem | sort | tr '\n' ' '
}
# New 0x0d4d key that appeared since "$1" (a cookies() snapshot).
new_cookie() {
	local k
	for k in $(cookies); do
		case " $1 " in *" $k "*) ;; *) echo "$k"; return 0 ;; esac
	done
	return 1
}
wait_new_cookie() { # wait_new_cookie BEFORE: print the new key, up to 20 s
	local i
	for i in $(seq 200); do new_cookie "$1" && return 0; sleep 0.1; done
	return 1
}
# until_ok SECS CMD...: run CMD every 0.1 s until it succeeds, for at most
# SECS seconds; a background step is waited for by its effect, not by a
# guessed sleep. CMD is run anew each time: pass a function, not "$(...)".
until_ok() {
	local end=$((SECONDS + $1))
	until "${@:2}"; do
		[ $SECONDS -lt $end ] || return 1
		sleep 0.1
	done
}
# pass_time SECS: make SECS seconds pass for the sets' ages (ctime, otime),
# which are whole minutes. In a throwaway test guest (SEMWATCH_CLOCK_STEP=1,
# set by scripts/vm.sh) the clock is stepped forward, as an NTP step would
# move it: the kernel's IPC times, semwatch.ko, the ages semwatch and dmsetup
# print all read CLOCK_REALTIME, and sleeps and timeouts run on CLOCK_MONOTONIC.
# On a real host, or if the step fails, the test sleeps.
pass_time() {
	local now
	if [ "${SEMWATCH_CLOCK_STEP:-0}" = 1 ] && now=$(date +%s.%N) &&
		date -s "@$((${now%.*} + $1)).${now#*.}" > /dev/null; then
		return 0
	fi
	sleep "$1"
}
# Does semaphore 0 of set $1 have $2 processes waiting for zero?
zcnt_is() { [ "$("$S" zcnt "$1")" = "$2" ]; }
# Has process $1 left this shell's IPC namespace (unshare --ipc done)?
other_ipc_ns() {
	local ns
	ns=$(stat -L -c %i "/proc/$1/ns/ipc") && [ "$ns" != "$(stat -L -c %i /proc/self/ns/ipc)" ]
}
dm_setup() {
	modprobe dm-mod 2> /dev/null; modprobe dm-zero 2> /dev/null
	mkdir -p /run/udev && touch /run/udev/control
	[ -e /dev/mapper/control ] || dmsetup mknodes > /dev/null 2>&1
}
# watched_row KEY COLUMN...: the named columns (header names: pid, comm,
# state, exit, died_s, age_s, cgroup, ...) of the row of KEY (as the table
# prints it: 0x and 8 hex digits) in /proc/semwatch's watched table, space
# separated; nothing if there is no such row.
watched_row() {
	awk -v key="$1" -v cols="${*:2}" '
		/^watched:$/ { t = 1; next }
		t == 1 { for (i = 1; i <= NF; i++) c[$i] = i; t = 2; next }
		t == 2 && NF == 0 { exit }
		t == 2 && ("key" in c) && $(c["key"]) == key {
			n = split(cols, want, " "); s = ""
			for (i = 1; i <= n; i++)
				s = s (i > 1 ? " " : "") ((want[i] in c) ? $(c[want[i]]) : "no-column-" want[i])
			print s
			exit
		}' /proc/semwatch
}
