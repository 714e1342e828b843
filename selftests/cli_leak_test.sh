#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The field's leak, reproduced with dmsetup and reaped at age 0 (issue 5).
# Destroyed: the cookie of a killed `dmsetup create` and two
# `dmsetup udevcreatecookie` cookies whose creators exited. Kept: the cookie
# of a `dmsetup create` that is alive and waiting, a set with another prefix,
# (first pass, --older-than 5) every set younger than the threshold, and a
# dead creator's set that another process waits on (semop, wait for zero).
# Runs in its own IPC namespace so no other test's sets interfere.
. "$(dirname "$0")/cli_lib.sh"
need_root_module
if [ -z "${SW_INNER:-}" ]; then
	SW_INNER=1 exec unshare --ipc "$0" "$@"
fi
ktap_plan 13
dm_setup
command -v dmsetup > /dev/null || { echo "# dmsetup missing"; }

b=$(cookies); dmsetup udevcreatecookie > /dev/null; c1=$(new_cookie "$b")
b=$(cookies); dmsetup udevcreatecookie > /dev/null; c2=$(new_cookie "$b")
b=$(cookies); dmsetup create swcli_k --table '0 8 zero' > /dev/null 2>&1 &
kpid=$!
killed=$(wait_new_cookie "$b"); sleep 0.5; kill -9 $kpid; wait $kpid 2> /dev/null
b=$(cookies); dmsetup create swcli_a --table '0 8 zero' > /dev/null 2>&1 &
apid=$!
alive=$(wait_new_cookie "$b"); sleep 0.5
other=$("$S" mk 0x12345678)
echo "# cookies: exited $c1 $c2, killed $killed, alive $alive; other semid $other"
[ -n "$c1" ] && [ -n "$c2" ] && [ -n "$killed" ] && [ -n "$alive" ]
check $? "dmsetup made four cookies"

"$BIN" report --older-than 0 --json > "$T/r.json"; rc=$?
leaks=$(jq '.semwatch[0].suspected_leaks' "$T/r.json")
[ $rc = 1 ] && [ "$leaks" = 3 ]
check $? "report --older-than 0: 3 suspected leaks, exit 1 (exit $rc, $leaks)"
jq -e '[.leaks[] | select(.comm == "dmsetup")] | length == 2 and
	any(.exit == "status:0" and .sets == 2) and any(.exit == "SIGKILL" and .sets == 1)' \
	"$T/r.json" > /dev/null
check $? "leaks grouped by how dmsetup ended: 2 exited with status 0, 1 killed by SIGKILL"
"$BIN" report > "$T/r.txt"; rc=$?
[ $rc = 0 ]
check $? "report (default --older-than 10): young sets are no leak (exit $rc)"

"$BIN" reap --older-than 5 --yes > "$T/o1" 2>&1; rc=$?
sed 's/^/# /' "$T/o1"
[ $rc = 0 ] && [ "$(cookies)" = "$(echo "$c1 $c2 $killed $alive" | tr ' ' '\n' | sort | tr '\n' ' ')" ]
check $? "reap --older-than 5: every young set kept, which is success (exit $rc)"
grep -qx '0 semaphores with keys prefixed by 3405 (0xd4d) destroyed. 4 skipped.' "$T/o1"
check $? "summary line counts the young sets as skipped"

"$BIN" reap --dry-run > "$T/o2" 2>&1
[ "$(grep -c '^would destroy' "$T/o2")" = 3 ] && [ "$(cookies)" = "$(echo "$c1 $c2 $killed $alive" | tr ' ' '\n' | sort | tr '\n' ' ')" ]
check $? "--dry-run lists 3 and destroys nothing"

"$BIN" reap --yes > "$T/o3" 2>&1; rc=$?
sed 's/^/# /' "$T/o3"
[ "$(cookies)" = "$alive " ]
check $? "reap at age 0 destroyed the 3 leaked cookies, kept the waiting one"
"$S" exists "$other" 0x12345678
check $? "set with another prefix kept"
grep -qx '3 semaphores with keys prefixed by 3405 (0xd4d) destroyed. 1 skipped.' "$T/o3" &&
	grep -q "kept (creator alive) key=0x$alive" "$T/o3" && [ $rc = 0 ]
check $? "one line per set, dmsetup's last line, exit 0: a set kept for a living creator is no failure (exit $rc)"
[ "$(grep -c '^destroyed key=0x0d4d.*comm=dmsetup state=dead' "$T/o3")" = 3 ]
check $? "each destroyed line names the dead dmsetup creator"

# A dead creator's cookie (value 1, its creator exited) that another
# process waits on: reap must keep it, in a dry run and for real.
wid=$("$S" mk 0x0d4d7777 1 1)
"$S" waitzero "$wid" &
wpid=$!
until_ok 60 zcnt_is "$wid" 1 || echo "# no waiter on set $wid after 60 s"
"$BIN" reap --dry-run > "$T/o4" 2>&1
grep -q 'kept (waiters) key=0x0d4d7777' "$T/o4" && ! grep -q '^would destroy key=0x0d4d7777' "$T/o4"
check $? "--dry-run keeps a dead creator's set that has a waiter"
"$BIN" reap --yes > "$T/o5" 2>&1
sed 's/^/# /' "$T/o5"
grep -q 'kept (waiters) key=0x0d4d7777' "$T/o5" && "$S" exists "$wid" 0x0d4d7777
check $? "reap keeps a dead creator's set while someone waits on it"
"$S" rm "$wid"
wait $wpid 2> /dev/null

# Let the waiting dmsetup finish, then clean the devices up.
dmsetup udevcomplete "0x$alive" > /dev/null 2>&1
wait $apid 2> /dev/null
dmsetup remove --noudevsync swcli_a > /dev/null 2>&1
dmsetup remove --noudevsync swcli_k > /dev/null 2>&1
ipcrm --all=sem 2> /dev/null
ktap_exit
