#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Race: between selection and IPC_RMID the selected set is removed and a new
# one is created with the same key and even the same semid (sem_next_id).
# The re-check (SEM_STAT: id, key, ctime) must keep the new set. The CLI
# pauses before the re-check while SEMWATCH_TEST_PAUSE_BEFORE_RMID names a
# file that exists.
. "$(dirname "$0")/cli_lib.sh"
need_root_module
if [ -z "${SW_INNER:-}" ]; then
	SW_INNER=1 exec unshare --ipc "$0" "$@"
fi
ktap_plan 5
dm_setup
b=$(cookies); dmsetup udevcreatecookie > /dev/null; key=$(new_cookie "$b")
old=$(awk -v k=$((0x$key)) '$1 == k { print $2 }' /proc/sysvipc/sem)
[ -n "$old" ]
check $? "a leaked cookie 0x$key (semid $old)"
SEMWATCH_TEST_PAUSE_BEFORE_RMID=$T/pause "$TBIN" reap --yes > "$T/o" 2>&1 &
pid=$!
for _ in $(seq 300); do [ -e "$T/pause" ] && break; sleep 0.1; done
[ "$(cat "$T/pause" 2> /dev/null)" = "$old" ]
check $? "reap paused before the re-check of semid $old"
# Without sem_next_id (CONFIG_CHECKPOINT_RESTORE) the new set still takes the
# key, but gets another semid; the same-semid case is then a skip.
"$S" rm "$old"; sleep 1.1
"$S" nextid "$old" 2> /dev/null; same_id=$?
new=$("$S" mk "0x$key")
rm -f "$T/pause"; wait $pid; rc=$?
sed 's/^/# /' "$T/o"
[ -n "$new" ] && "$S" exists "$new" "0x$key"
check $? "the new set (same key 0x$key, semid $new) survives"
if [ $same_id = 0 ]; then
	[ "$new" = "$old" ]
	check $? "the new set reused semid $old"
else
	ktap_skip "the new set reused semid $old" "no /proc/sys/kernel/sem_next_id"
fi
grep -q 'kept (changed before removal)' "$T/o" && [ $rc = 1 ] &&
	grep -qx '0 semaphores with keys prefixed by 3405 (0xd4d) destroyed. 1 skipped.' "$T/o"
check $? "counted as skipped: changed before removal (exit $rc)"
ipcrm --all=sem 2> /dev/null
ktap_exit
