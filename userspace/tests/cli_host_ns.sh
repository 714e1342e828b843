#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Part of cli_host.sh, run in a fresh IPC namespace (unshare --ipc) with no
# module: real sets, reap's safety without attribution, parity with dmsetup
# and the re-check race. Prints "PASS name" / "FAIL name" / "SKIP name: why".
S=$(dirname "$0")/cli_semctl	# make test builds it from selftests/cli_semctl.c
[ -x "$S" ] || { echo "SKIP real sets: $S not built (make -C userspace test)"; exit 0; }
res() { if [ "$1" = 0 ]; then echo "PASS $2"; else echo "FAIL $2"; fi; }
survivors() { awk 'NR > 1 { printf "%x\n", $1 < 0 ? $1 + 4294967296 : $1 }' /proc/sysvipc/sem | sort | tr '\n' ' '; }
scenario() {
	"$S" mk 0x0d4d0001 > /dev/null; "$S" mk 0x0d4d0002 1 1 > /dev/null
	"$S" mk 0x0d4e0001 > /dev/null; "$S" mk 0x12340001 > /dev/null
}
clear_all() { ipcrm --all=sem 2> /dev/null; }

scenario
"$BIN" reap --yes > "$T/o" 2> "$T/e"; rc=$?
[ $rc = 1 ] && [ "$(survivors)" = "12340001 d4d0001 d4d0002 d4e0001 " ] && grep -q 'creator unknown' "$T/o"
res $? "no module: reap keeps every set (exit $rc)"
grep -q '^0 semaphores with keys prefixed by 3405 (0xd4d) destroyed. 2 skipped.$' "$T/o"
res $? "dmsetup's last line"
"$BIN" reap --force --dry-run > "$T/o" 2>&1
[ "$(survivors)" = "12340001 d4d0001 d4d0002 d4e0001 " ] && grep -q 'would be destroyed' "$T/o"
res $? "--dry-run changes nothing"
echo n | "$BIN" reap --force > "$T/o" 2> "$T/e"; rc=$?
[ $rc = 4 ] && [ "$(survivors)" = "12340001 d4d0001 d4d0002 d4e0001 " ] &&
	grep -qx 'Do you really want to continue? \[y/n\]: Semaphores with keys prefixed by 3405 (0xd4d) NOT destroyed.' "$T/o" &&
	grep -qx 'WARNING: This operation will destroy all semaphores older than 0 minutes with keys that have a prefix 3405 (0xd4d).' "$T/e"
res $? "answering n destroys nothing (exit $rc)"

if command -v dmsetup > /dev/null; then
	dmsetup udevcomplete_all 0 --yes > "$T/dm" 2>&1
	want=$(survivors)
	clear_all; scenario
	"$BIN" reap --force --older-than 0 --yes > "$T/o" 2>&1
	got=$(survivors)
	[ "$want" = "$got" ] && [ "$got" = "12340001 d4e0001 " ] &&
		[ "$(grep semaphores "$T/dm")" = "$(tail -n 1 "$T/o")" ]
	res $? "--force parity with dmsetup udevcomplete_all 0 (kept: $got)"
	clear_all; scenario
	dmsetup udevcomplete_all 5 --yes > "$T/dm" 2>&1; want=$(survivors)
	clear_all; scenario
	"$BIN" reap --force --older-than 5 --yes > "$T/o" 2>&1; got=$(survivors)
	[ "$want" = "$got" ] && [ "$(grep semaphores "$T/dm")" = "$(tail -n 1 "$T/o")" ]
	res $? "--force parity with dmsetup udevcomplete_all 5"
else
	echo "SKIP dmsetup parity: dmsetup missing"
fi

# Race: the set is replaced (same key, same semid via sem_next_id, new
# ctime) while reap waits between selection and removal.
clear_all
old=$("$S" mk 0x0d4d0077)
rm -f "$T/pause"
SEMWATCH_TEST_PAUSE_BEFORE_RMID=$T/pause "$BIN" reap --force --yes > "$T/o" 2>&1 &
pid=$!
for _ in $(seq 300); do [ -e "$T/pause" ] && break; sleep 0.1; done
"$S" rm "$old"; sleep 1.1; "$S" nextid "$old"; new=$("$S" mk 0x0d4d0077)
rm -f "$T/pause"; wait $pid; rc=$?
[ "$new" = "$old" ] && "$S" exists "$new" 0x0d4d0077 && [ $rc = 1 ] &&
	grep -q 'kept (changed before removal)' "$T/o"
res $? "race: a set replaced before IPC_RMID survives (semid $old -> $new, exit $rc)"
clear_all
