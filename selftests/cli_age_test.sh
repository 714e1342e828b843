#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Issue 14 "Must show": report and reap agree on age. Two dead 0x0d4d cookies
# are made more than a minute ago; one is changed (SETVAL moves its ctime) a
# few seconds before the report. For --older-than 1 the report must count only
# the untouched one (reap, like dmsetup, judges by ctime and otime, not by the
# creation), and the reap command that the report advises, run as written
# (plus --yes), must destroy exactly that one and keep the other as too young.
# Takes a minute and a few seconds on a real host (ages are whole minutes),
# seconds in the test guest (pass_time).
. "$(dirname "$0")/cli_lib.sh"
need_root_module
command -v jq > /dev/null || skip_all "jq missing"
if [ -z "${SW_INNER:-}" ]; then
	SW_INNER=1 exec unshare --ipc "$0" "$@"
fi
ktap_plan 6
ka=0x0d4d0a9e kb=0x0d4d0a9f
ida=$("$S" mk $ka) && idb=$("$S" mk $kb)
check $? "two cookies made by a process that exited (semids $ida $idb)"
pass_time 55
"$S" touch "$idb"
pass_time 7

"$BIN" report --json --older-than 1 > "$T/r.json"; rc=$?
jq -e --arg ka "$ka" '.semwatch[0].suspected_leaks == 1 and
	[.sets[] | select(.leak) | .key] == [$ka]' "$T/r.json" > /dev/null
check $? "report --older-than 1: only the untouched cookie is a leak (exit $rc)"
jq -e --arg kb "$kb" '[.sets[] | select(.key == $kb) | .age_s >= 60 and .idle_s < 60] == [true]' \
	"$T/r.json" > /dev/null
check $? "the touched cookie is over a minute old, idle less than one"
cmd=$(jq -r '.advice[] | select(.kind == "reap") | .command' "$T/r.json")
[ "$cmd" = "semwatch reap --older-than 1" ]
check $? "the advice is the exact reap command ('$cmd')"
read -ra argv <<< "${cmd#semwatch }"
"$BIN" "${argv[@]}" --yes > "$T/reap" 2>&1; rc=$?
grep -c '^destroyed ' "$T/reap" | grep -qx 1 && grep -q "^destroyed key=$ka " "$T/reap"
check $? "the advised reap destroyed exactly the reported leak (exit $rc)"
"$S" exists "$idb" $kb && ! "$S" exists "$ida" $ka && grep -q '1 too young' "$T/reap"
check $? "the touched cookie is kept as too young, as the report said"
if [ $failed = 1 ]; then
	sed 's/^/# /' "$T/reap"
	jq -c '.sets, .advice' "$T/r.json" | sed 's/^/# /'
fi
ipcrm --all=sem 2> /dev/null
ktap_exit
