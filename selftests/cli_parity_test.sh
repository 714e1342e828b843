#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Without semwatch.ko, `semwatch reap --force --older-than N --yes` destroys
# exactly what `dmsetup udevcomplete_all N --yes` destroys on an identical
# scenario (same keys, same ages, same otimes), built in two IPC namespaces.
# Without --force it keeps everything. Unloads the module, and reloads it
# with hook=$SEMWATCH_HOOK on exit, always.
. "$(dirname "$0")/cli_lib.sh"
need_root_module
[ -n "${SEMWATCH_KO:-}" ] && [ -r "$SEMWATCH_KO" ] || skip_all "SEMWATCH_KO not set"
command -v dmsetup > /dev/null || skip_all "dmsetup missing"
ktap_plan 7
dm_setup  # dmsetup udevcomplete needs the dm driver
restore() {
	kill "${h1:-}" "${h2:-}" 2> /dev/null
	grep -q '^semwatch ' /proc/modules || insmod "$SEMWATCH_KO" hook="${SEMWATCH_HOOK:-kprobe}"
	rm -rf "$T"
}
trap restore EXIT
rmmod semwatch
[ ! -e /proc/semwatch ]
check $? "semwatch.ko unloaded"

unshare --ipc sleep 600 & h1=$!
unshare --ipc sleep 600 & h2=$!
until_ok 60 other_ipc_ns $h1 && until_ok 60 other_ipc_ns $h2 ||
	echo "# unshare --ipc: no new IPC namespace after 60 s"
in1() { nsenter --ipc=/proc/$h1/ns/ipc "$@"; }
in2() { nsenter --ipc=/proc/$h2/ns/ipc "$@"; }
both() { in1 "$@" > /dev/null && in2 "$@" > /dev/null; }
# Old sets first (older than 1 minute by the time we reap).
both "$S" mk 0x0d4d1001; both "$S" mk 0x0d4d1002 1 1; both "$S" mk 0x0d4e1003
both "$S" mk 0x0d4d1004 1 1
in1 "$BIN" reap --older-than 0 --yes > "$T/keep" 2>&1; rc=$?
[ $rc = 1 ] && grep -q 'creator unknown' "$T/keep" && [ "$(in1 bash -c ". $REPO/selftests/cli_lib.sh; cookies")" = "0d4d1001 0d4d1002 0d4d1004 " ]
check $? "without --force and without the module every set is kept (exit $rc)"
echo "# letting 62 s pass so that some sets are older than 1 minute"
pass_time 62
# Then a young set, and an old one whose otime becomes recent: in each namespace
# just before its own reap, so that a slow guest cannot age them past a minute
# in one namespace and not in the other.
young() { "$@" "$S" mk 0x0d4d2001 > /dev/null && "$@" "$S" mk 0x12342002 > /dev/null &&
	"$@" dmsetup udevcomplete 0x0d4d1004 > /dev/null; }
for age in 1 0; do
	[ $age = 0 ] || young in1
	in1 dmsetup udevcomplete_all $age --yes > "$T/dm" 2>&1
	[ $age = 0 ] || young in2
	in2 "$BIN" reap --force --older-than $age --yes > "$T/sw" 2>&1
	k1=$(in1 bash -c ". $REPO/selftests/cli_lib.sh; all_keys")
	k2=$(in2 bash -c ". $REPO/selftests/cli_lib.sh; all_keys")
	sed 's/^/# dmsetup: /' "$T/dm"; sed 's/^/# semwatch: /' "$T/sw"
	[ "$k1" = "$k2" ]
	check $? "age $age: same sets left ($k2)"
	[ "$(grep 'semaphores with keys' "$T/dm")" = "$(tail -n 1 "$T/sw")" ]
	check $? "age $age: same last line"
done
[ "$k2" = "0d4e1003 12342002 " ]
check $? "at age 0 only the other prefixes remain"
ktap_exit
