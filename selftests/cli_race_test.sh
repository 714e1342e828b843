#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Races between what reap selects and what it destroys:
# - between selection and IPC_RMID the selected set is removed and a new one
#   is created with the same key and even the same semid (sem_next_id): the
#   re-check (SEM_STAT: id, key, ctime, otime) must keep the new set;
# - a semop() on the selected set meanwhile makes it too young for
#   --older-than: the re-check must keep it;
# - while reap waits at its prompt, the leaked set is replaced by a set of
#   the same key and semid whose creator lives: the /proc/semwatch row read
#   must be the new set's, so the set is kept as "creator alive".
# The CLI pauses before the re-check while SEMWATCH_TEST_PAUSE_BEFORE_RMID
# names a file that exists.
. "$(dirname "$0")/cli_lib.sh"
need_root_module
if [ -z "${SW_INNER:-}" ]; then
	SW_INNER=1 exec unshare --ipc "$0" "$@"
fi
ktap_plan 11
dm_setup
# A dmsetup cookie whose creator exited: sets key (8 hex digits) and semid.
leak_cookie() {
	local b
	b=$(cookies); dmsetup udevcreatecookie > /dev/null; key=$(new_cookie "$b")
	semid=$(awk -v k=$((0x$key)) '$1 == k { print $2 }' /proc/sysvipc/sem)
}
leak_cookie
old=$semid
[ -n "$old" ]
check $? "a leaked cookie 0x$key (semid $old)"
SEMWATCH_TEST_PAUSE_BEFORE_RMID=$T/pause "$TBIN" reap --yes > "$T/o" 2>&1 &
pid=$!
until_ok 30 test -s "$T/pause"	# written whole at its fclose()
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

# A semop() during the pause: otime is now, within --older-than 1.
leak_cookie
id=$semid
pass_time 61
rm -f "$T/pause"
SEMWATCH_TEST_PAUSE_BEFORE_RMID=$T/pause "$TBIN" reap --older-than 1 --yes > "$T/o" 2>&1 &
pid=$!
until_ok 30 test -s "$T/pause"
check $? "reap --older-than 1 paused before the re-check of cookie 0x$key (semid $id)"
"$S" up "$id"
rm -f "$T/pause"; wait $pid; rc=$?
sed 's/^/# /' "$T/o"
"$S" exists "$id" "0x$key"
check $? "the set operated on meanwhile survives"
grep -q 'kept (changed before removal)' "$T/o" && [ $rc = 1 ]
check $? "counted as changed before removal (exit $rc)"
ipcrm --all=sem 2> /dev/null

# The leaked set is replaced while reap waits at its prompt.
leak_cookie
old=$semid
mkfifo "$T/answer"
"$TBIN" reap < "$T/answer" > "$T/o" 2> "$T/e" &
pid=$!
exec 3> "$T/answer"
until_ok 30 grep -q 'continue?' "$T/o"
check $? "reap asks before destroying cookie 0x$key (semid $old)"
"$S" rm "$old"
"$S" nextid "$old" 2> /dev/null; same_id=$?
"$S" mkhold lvcreate "0x$key" > "$T/new" & holder=$!
until_ok 30 test -s "$T/new"
new=$(cat "$T/new")
until_ok 30 eval '[ "$(watched_row "0x$key" state)" = alive ]'
echo y >&3; exec 3>&-
wait $pid; rc=$?
sed 's/^/# /' "$T/o" "$T/e"
if [ $same_id = 0 ]; then
	[ "$new" = "$old" ]
	check $? "the replacement, created by a living lvcreate, took semid $old"
else
	ktap_skip "the replacement took semid $old" "no /proc/sys/kernel/sem_next_id"
fi
"$S" exists "$new" "0x$key" && grep -q 'kept (creator alive) .*comm=lvcreate ' "$T/o" &&
	[ $rc = 0 ]
check $? "the replacement survives as kept (creator alive) (exit $rc)"
kill "$holder"; wait "$holder" 2> /dev/null
ipcrm --all=sem 2> /dev/null
ktap_exit
