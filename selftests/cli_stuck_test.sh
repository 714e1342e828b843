#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# A stuck cookie, as in the field when a cookie lives in a container's IPC
# namespace and udev on the host (lvm2#70, bootc#2089): `dmsetup create` in a
# child IPC namespace waits for udev, which never comes (no udevd runs in the
# guest; dm_setup only makes libdevmapper believe one does). Next to it, in
# the same namespace, a `dmsetup udevcreatecookie` cookie whose creator
# exited: a leak. Right away, with the shipped semwatch, the waited-on
# cookie is in flight (idle less than udev's 180 s event timeout): neither
# stuck nor a leak. Then, through the test build with its clock 200 s ahead
# (SEMWATCH_TEST_CLOCK_SKEW; waiting for real would outlast the 180 s limit
# of ./settings), against the real /proc/semwatch and sets:
# - report, from the initial IPC namespace (--all-namespaces), lists the
#   waited-on cookie under "Stuck cookies", never as a leak, with the exact
#   `nsenter --ipc=/proc/PID/ns/ipc dmsetup udevcomplete 0x...` command, and
#   exits 1; from inside the namespace the command is plain `dmsetup ...`;
# - reap inside the namespace keeps it ("kept (stuck)", "release:" line, exit
#   1), with --force too, and destroys the leak next to it;
# - the advised command, run as written, releases the waiting dmsetup: it
#   wakes, removes its cookie itself and exits 0.
# shellcheck disable=SC2016,SC2317 # awk programs; functions run by until_ok
. "$(dirname "$0")/cli_lib.sh"
need_root_module
command -v jq > /dev/null || skip_all "jq missing"
command -v dmsetup > /dev/null || skip_all "dmsetup missing"
command -v nsenter > /dev/null || skip_all "nsenter missing"
ktap_plan 11
dm_setup
# The reader that sees every namespace: one in the initial IPC namespace.
top() { nsenter --ipc=/proc/1/ns/ipc "$@"; }
# semwatch 200 s from now: stuck needs 180 s of idleness (udev's timeout).
SKEWED=(env SEMWATCH_TEST_CLOCK_SKEW=200 "$TBIN")

unshare --ipc dmsetup create swcli_stuck --table '0 8 zero' > /dev/null 2>&1 &
pid=$!
inside() { nsenter --ipc="/proc/$pid/ns/ipc" "$@"; }
# "KEY SEMID" (key as 8 hex digits) of the namespace's cookie made by $pid.
cookie_of() {
	inside awk 'NR > 1 && $1 >= 223150080 && $1 <= 223215615 {
		printf "%08x %d\n", $1, $2 }' /proc/sysvipc/sem | head -n 1
}
waits() { # the dmsetup create is in its own namespace, waiting for zero
	local k id
	other_ipc_ns "$pid" && read -r k id <<< "$(cookie_of)" && [ -n "$k" ] &&
		[ "$(inside "$S" zcnt "$id")" = 1 ]
}
until_ok 30 waits
check $? "dmsetup create waits on its cookie in a child IPC namespace"
read -r key semid <<< "$(cookie_of)"
b=$(inside awk 'NR > 1 { print $1 }' /proc/sysvipc/sem | tr '\n' ' ')
inside dmsetup udevcreatecookie > /dev/null
leak=$(inside awk -v b=" $b" 'NR > 1 && $1 >= 223150080 && $1 <= 223215615 &&
	index(b, " " $1 " ") == 0 { printf "%08x\n", $1 }' /proc/sysvipc/sem)
cns=$(stat -L -c %i "/proc/$pid/ns/ipc")
echo "# stuck 0x$key (semid $semid), leak 0x$leak, dmsetup $pid, namespace $cns"

top "$BIN" report --all-namespaces --older-than 0 --json > "$T/now.json" 2> /dev/null
jq -e --arg k "0x$key" --argjson ns "$cns" '
	([.stuck[] | select(.ns == $ns and .key == $k)] == []) and
	([.sets[] | select(.ns == $ns and .key == $k) | .leak] == [false])' \
	"$T/now.json" > /dev/null
check $? "idle less than 180 s: in flight, neither stuck nor a leak (shipped semwatch)"

top "${SKEWED[@]}" report --all-namespaces --older-than 1 --json > "$T/r.json" 2> "$T/r.err"; rc=$?
jq -e --arg k "0x$key" --argjson pid "$pid" --argjson ns "$cns" '
	[.stuck[] | select(.ns == $ns and .key == $k)] | length == 1 and (.[0] |
	.pid == $pid and .comm == "dmsetup" and .waiters == 1 and .value == 1 and
	.idle_s >= 200)' "$T/r.json" > /dev/null && [ $rc = 1 ]
check $? "report -A --older-than 1: stuck, its creator, waiters and value (exit $rc)"
cmd=$(jq -r --arg k "0x$key" --argjson ns "$cns" \
	'.stuck[] | select(.ns == $ns and .key == $k) | .command' "$T/r.json")
[ "$cmd" = "nsenter --ipc=/proc/$pid/ns/ipc dmsetup udevcomplete 0x$key" ]
check $? "the release command enters its namespace through the creator ('$cmd')"
jq -e --arg k "0x$key" --arg l "0x$leak" --argjson ns "$cns" '
	([.sets[] | select(.ns == $ns and .key == $k) | .leak] == [false]) and
	([.sets[] | select(.ns == $ns and .key == $l) | .leak] == [true]) and
	([.stuck[] | select(.ns == $ns and .key == $l)] == [])' "$T/r.json" > /dev/null
check $? "the waited-on cookie is no leak; the exited creator's cookie is one, not stuck"
top "${SKEWED[@]}" report --all-namespaces --older-than 1 > "$T/r.txt" 2>&1
grep -q '^Stuck cookies: waited on, creator alive' "$T/r.txt" && grep -qF "$cmd" "$T/r.txt"
check $? "text: the Stuck cookies section and its command"
inside "${SKEWED[@]}" report --older-than 1 --json > "$T/in.json" 2> /dev/null
jq -e --arg k "0x$key" '.stuck[] | select(.key == $k) |
	.command == "dmsetup udevcomplete \($k)"' "$T/in.json" > /dev/null
check $? "report inside its namespace: plain dmsetup udevcomplete"

inside "${SKEWED[@]}" reap --older-than 1 --dry-run > "$T/o1" 2>&1; rc=$?
sed 's/^/# /' "$T/o1"
grep -q "^kept (stuck) key=0x$key semid=$semid .*comm=dmsetup state=alive" "$T/o1" &&
	grep -qx "release: dmsetup udevcomplete 0x$key" "$T/o1" &&
	grep -q "^would destroy key=0x$leak " "$T/o1" && [ $rc = 1 ]
check $? "reap --dry-run keeps it as stuck, says how to release it, exit 1 (exit $rc)"
inside "${SKEWED[@]}" reap --older-than 1 --force --yes --json > "$T/o2" 2> "$T/o2.err"; rc=$?
jq -e --arg k "0x$key" --arg l "0x$leak" '
	(.sets[] | select(.key == $k) | .verdict == "kept" and .reason == "stuck" and
		.release == "dmsetup udevcomplete \($k)") and
	(.sets[] | select(.key == $l) | .verdict == "destroyed") and
	.summary.skipped_by_reason.stuck == 1' "$T/o2" > /dev/null && [ $rc = 1 ]
check $? "reap --force --yes: the stuck cookie kept, the leak destroyed, exit 1 (exit $rc)"
kill -0 "$pid" 2> /dev/null && [ "$(inside "$S" zcnt "$semid")" = 1 ]
check $? "dmsetup create still waits on its cookie"

read -ra argv <<< "$cmd"
"${argv[@]}" > /dev/null 2>&1
gone() { ! kill -0 "$pid" 2> /dev/null; }
rc=timeout
until_ok 30 gone && { wait "$pid"; rc=$?; }
[ "$rc" = 0 ]
check $? "the advised command released it: dmsetup create woke and finished (exit $rc)"

if [ "$failed" = 1 ]; then
	jq -c '.stuck, .advice' "$T/r.json" | sed 's/^/# /'
	sed 's/^/# /' "$T/o2" "$T/o2.err" "$T/r.err"
fi
kill -9 "$pid" 2> /dev/null
dmsetup remove --noudevsync swcli_stuck > /dev/null 2>&1
ktap_exit
