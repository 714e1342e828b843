#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Bad input gets a message on stderr, the documented exit status (2 usage,
# 3 runtime, 4 declined at the prompt) and destroys nothing: a leaked cookie
# stays through all of it, until the last case reaps it to a full stdout.
# Format 2 (issue 12): a file without its final `end` line, or one whose
# header says `truncated: N` with N > 0, is incomplete: an error too.
. "$(dirname "$0")/cli_lib.sh"
need_root_module
if [ -z "${SW_INNER:-}" ]; then
	SW_INNER=1 exec unshare --ipc "$0" "$@"
fi
ktap_plan 21
dm_setup
dmsetup udevcreatecookie > /dev/null
before=$(cookies)
expect() { # expect STATUS NAME CMD...
	local want=$1 name=$2 rc
	shift 2
	"$@" < /dev/null > "$T/o" 2> "$T/e"; rc=$?
	[ $rc = "$want" ] && [ -s "$T/e" ] && [ "$(cookies)" = "$before" ]
	check $? "$name: exit $rc (want $want), message, nothing destroyed"
	sed 's/^/# stderr: /' "$T/e" | head -n 3
}
expect 2 "unknown flag" "$BIN" reap --yes --bogus
expect 2 "unknown command" "$BIN" destroy-everything
expect 2 "negative --older-than" "$BIN" reap --yes --older-than -5
expect 2 "malformed --older-than" "$BIN" reap --yes --older-than 5min
expect 2 "--older-than overflow" "$BIN" reap --yes --older-than 99999999999999999999
expect 2 "malformed --prefix" "$BIN" reap --yes --prefix 0xd4g
expect 2 "negative --prefix" "$BIN" reap --yes --prefix -1
expect 2 "--prefix over 16 bits" "$BIN" reap --yes --prefix 0x10d4d
expect 2 "missing option value" "$BIN" reap --yes --older-than
head -c 200 /proc/semwatch > "$T/trunc"
# A bad row inside the watched table (after its column header).
awk '{ print } w == 1 { print "   1 x zombie 1 1 0x0d4d0000 1 1 0 /"; w = 2 } /^watched:/ { w = 1 }' \
	/proc/semwatch > "$T/garbled"
printf 'semwatch-format: 9\n' > "$T/v9"
# The whole file but its last line (`end`), and one whose module left sets out.
awk 'NR > 1 { print prev } { prev = $0 }' /proc/semwatch > "$T/noend"
sed 's/^truncated: 0$/truncated: 1/' /proc/semwatch > "$T/trunc1"
grep -qx 'end' "$T/noend" && echo "# noend still has its end line: not format 2?"
grep -qx 'truncated: 1' "$T/trunc1" || echo "# no 'truncated: 0' line to change: not format 2?"
expect 3 "truncated /proc/semwatch" env SEMWATCH_PROC="$T/trunc" "$TBIN" reap --yes --force
expect 3 "garbled /proc/semwatch" env SEMWATCH_PROC="$T/garbled" "$TBIN" reap --yes --force
expect 3 "unknown format version" env SEMWATCH_PROC="$T/v9" "$TBIN" reap --yes
expect 3 "format 2 without its end line" env SEMWATCH_PROC="$T/noend" "$TBIN" reap --yes --force
expect 3 "truncated: 1 (sets left out)" env SEMWATCH_PROC="$T/trunc1" "$TBIN" reap --yes --force
expect 3 "report with truncated /proc/semwatch" env SEMWATCH_PROC="$T/trunc" "$TBIN" report
expect 3 "non-root reap" setpriv --reuid=65534 --regid=65534 --clear-groups "$BIN" reap --yes --force
expect 0 "non-root report: the view without the module, with a note" setpriv --reuid=65534 --regid=65534 --clear-groups "$BIN" report
cp "$BIN" "$T/semwatch-suid"; chmod 4755 "$T/semwatch-suid"; chmod 755 "$T"
expect 3 "setuid binary run by nobody" setpriv --reuid=65534 --regid=65534 --clear-groups "$T/semwatch-suid" reap --yes --force
# on a nosuid /tmp the bit is ignored and "only root" answers instead
grep -q 'refusing to run setuid' "$T/e" && echo "# setuid refused by semwatch" || echo "# setuid bit not honoured here (nosuid?)"
# The shipped binary has no test hooks: SEMWATCH_PROC does not reach it.
env SEMWATCH_PROC="$T/garbled" "$BIN" reap --dry-run > "$T/o" 2>&1; rc=$?
[ $rc -le 1 ] && ! grep -q garbled "$T/o" && [ "$(cookies)" = "$before" ]
check $? "the shipped semwatch ignores SEMWATCH_PROC (exit $rc)"
echo | "$BIN" reap > "$T/o" 2>&1; rc=$?
[ $rc = 4 ] && [ "$(cookies)" = "$before" ] && grep -q 'NOT destroyed' "$T/o"
check $? "an empty answer at the prompt is no (exit $rc)"
# Where no journal or syslog listens, stdout is the only record of what was
# destroyed: a stdout that cannot be written is an error.
"$BIN" reap --yes --force > /dev/full 2> "$T/e"; rc=$?
[ $rc = 3 ] && [ -z "$(cookies)" ] && grep -q 'cannot print' "$T/e"
check $? "reap whose stdout is full: exit $rc (want 3), cannot print"
sed 's/^/# stderr: /' "$T/e" | head -n 3
ipcrm --all=sem 2> /dev/null
ktap_exit
