#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Issue 12 "Must show" (escaping), end to end through the CLI: creators whose
# comm holds control bytes, a space, a backslash, a double quote and DEL, or
# is exactly "?", leak 0x0d4d sets and exit. /proc/semwatch shows each comm as
# one \ooo-escaped field of printable ASCII (a real "?" as \077, so it cannot
# read as "unknown"), and `semwatch --json` gives back the exact original
# bytes in .sets[].comm (the "?" as a string, not null).
. "$(dirname "$0")/cli_lib.sh"
need_root_module
command -v jq > /dev/null || skip_all "jq missing"
if [ -z "${SW_INNER:-}" ]; then
	SW_INNER=1 exec unshare --ipc "$0" "$@"
fi
ktap_plan 7
k1=0x0d4d0e5c k2=0x0d4d0e5d k3=0x0d4d0e5e
# 14 bytes (comm keeps 15); the final z keeps $(...) from eating the newline.
comm=$(printf 'a\001b\tc\nd \\e"\033\177z')
want='a\001b\011c\012d\040\134e"\033\177z'
"$S" mkcomm "$comm" $k1 > /dev/null && "$S" mkcomm '?' $k2 > /dev/null &&
	"$S" mkcomm "$(printf 'bad\377utf8')" $k3 > /dev/null
check $? "creators with a control-byte comm, comm '?' and a non-UTF-8 comm made their sets"

# watched: pid comm state exit died_s age_s ns key semid nsems uid cgroup
field() { awk -v k="$1" '$8 == k { print $2 }' /proc/semwatch; }
got1=$(field $k1) got2=$(field $k2)
[ "$got1" = "$want" ] && [ "$got2" = '\077' ]
check $? "/proc/semwatch comm fields escaped exactly (got '$got1' and '$got2')"
! LC_ALL=C grep -q '[^ -~]' /proc/semwatch
check $? "/proc/semwatch holds only printable ASCII and newlines"

"$BIN" --json --older-than 0 > "$T/r.json"; rc=$?
jq -e . "$T/r.json" > /dev/null
check $? "--json parses with jq (exit $rc)"
# shellcheck disable=SC2016 # $want is jq's, not the shell's
jq -e --arg want "$comm" '[.sets[] | select(.comm == $want)] | length == 1' \
	"$T/r.json" > /dev/null
check $? "--json: .sets[].comm is the original control-byte string"
jq -e '[.sets[] | select(.comm == "?" and .state == "dead")] | length == 1' "$T/r.json" > /dev/null
check $? "--json: a comm that is really '?' comes back as the string \"?\""
# JSON strings are Unicode: a byte that is not UTF-8 comes as U+FFFD.
jq -e '[.sets[] | select(.comm == "bad\ufffdutf8")] | length == 1' "$T/r.json" > /dev/null
check $? "--json: a non-UTF-8 comm's stray byte is U+FFFD, the document stays valid"
if [ $failed = 1 ]; then
	sed 's/^/# /' "$T/r.json" | head -n 40
	LC_ALL=C cat -v /proc/semwatch | sed 's/^/# /' | tail -n 8
fi
ipcrm --all=sem 2> /dev/null
ktap_exit
