#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# How a creator ended, end to end: creators that end by SIGKILL, by SIGTERM,
# by exit(3), and by an OOM kill in a memory-limited cgroup (cgroup v2,
# memory.max 16M, no swap) each make a 0x0d4d set first, under a comm of their
# own. Each shows the right reason in /proc/semwatch's watched table (the
# exit column: SIGKILL, SIGTERM, status:3, oom-kill; died_s a number no
# larger than age_s; `-` in both while a creator runs), in the leaks table of
# `semwatch report --older-than 0` ("killed by SIGKILL", "killed by SIGTERM",
# "exited with status 3", "killed by the OOM killer") and in --json
# (.leaks[].exit, .sets[].exit). Only a missing memory controller skips
# (the OOM case alone); anything else missing fails.
# Runs in its own IPC namespace so no other test's sets interfere.
# shellcheck disable=SC2016,SC2317 # jq programs; functions run by until_ok
. "$(dirname "$0")/cli_lib.sh"
need_root_module
if [ -z "${SW_INNER:-}" ]; then
	SW_INNER=1 exec unshare --ipc "$0" "$@"
fi
ktap_plan 25
CG=/sys/fs/cgroup
OOMCG=$CG/sw-cli-oom-$$
made_oom=0 memctl_added=0
declare -A comm key xname phrase wstatus pid live semid
names=(sigkill sigterm exit3 oom)
# NAME: comm, key, exit column, the report's words, wait status in the shell
comm[sigkill]=swx-sigkill key[sigkill]=0x0d4d0e01 xname[sigkill]=SIGKILL
phrase[sigkill]="killed by SIGKILL" wstatus[sigkill]=137
comm[sigterm]=swx-sigterm key[sigterm]=0x0d4d0e02 xname[sigterm]=SIGTERM
phrase[sigterm]="killed by SIGTERM" wstatus[sigterm]=143
comm[exit3]=swx-exit3 key[exit3]=0x0d4d0e03 xname[exit3]=status:3
phrase[exit3]="exited with status 3" wstatus[exit3]=3
comm[oom]=swx-oom key[oom]=0x0d4d0e04 xname[oom]=oom-kill
phrase[oom]="killed by the OOM killer" wstatus[oom]=137

rmcg() { rmdir "$1" 2> /dev/null; }
cleanup() {
	local r
	for r in "${!live[@]}"; do
		kill -KILL "${pid[$r]}" 2> /dev/null
		wait "${pid[$r]}" 2> /dev/null
		unset "live[$r]"
	done
	if [ $made_oom = 1 ]; then
		until_ok 10 rmcg "$OOMCG" || echo "# cannot remove $OOMCG"
		made_oom=0
	fi
	# Only if no other cgroup uses it; then the hierarchy is as it was.
	if [ $memctl_added = 1 ]; then
		echo -memory > "$CG/cgroup.subtree_control" 2> /dev/null
		memctl_added=0
	fi
	for r in "${!semid[@]}"; do "$S" rm "${semid[$r]}" 2> /dev/null; done
	semid=()
}
trap cleanup EXIT
trap 'exit 143' TERM
if ! command -v jq > /dev/null; then
	check 1 "jq installed (the checks need it)"
	ktap_exit
fi
# jqok FILE ARGS...: jq -e ARGS on FILE; false for an empty FILE too (jq 1.6
# -e exits 0 when there is no input at all).
jqok() { [ -s "$1" ] && jq -e "${@:2}" "$1" > /dev/null; }
# ERE matching $1 literally.
re() { printf '%s' "$1" | sed 's/[].[\*^$+?(){}|]/\\&/g'; }
# Has process $1 ended (gone, or a zombie not yet waited for)?
gone() {
	local s
	s=$(cat "/proc/$1/stat" 2> /dev/null) || return 0
	s=${s##*) }
	[ "${s:0:1}" = Z ]
}
made_set() { [ -s "$T/$1.id" ] || gone "${pid[$1]}"; }
# Its row says how it ended (no longer "-").
ended() { local x; x=$(watched_row "${key[$1]}" exit); [ -n "$x" ] && [ "$x" != - ]; }
# started NAME: once the creator of NAME made its set (or died trying),
# record the semid; 0 if the set is there.
started() {
	until_ok 30 made_set "$1"
	semid[$1]=$(cat "$T/$1.id" 2> /dev/null)
	[ -n "${semid[$1]}" ] && "$S" exists "${semid[$1]}" "${key[$1]}" && return 0
	sed 's/^/# /' "$T/$1.err" 2> /dev/null
	return 1
}
# ends NAME: wait for the creator of NAME (reaped), check its wait status.
ends() {
	local st
	wait "${pid[$1]}" 2> /dev/null
	st=$?
	unset "live[$1]"
	[ "$st" = "${wstatus[$1]}" ] && return 0
	echo "# $1: wait status $st, want ${wstatus[$1]}"
	sed 's/^/# /' "$T/$1.err" 2> /dev/null
	return 1
}
hold_alive() {
	local got
	got=$(watched_row "${key[$1]}" pid state exit died_s)
	[ "$got" = "${pid[$1]} alive - -" ] && return 0
	echo "# $1: watched row: '$got'"
	return 1
}

# Killed by a signal: created, alive with `-`, then killed.
for r in sigkill sigterm; do
	"$S" mkhold "${comm[$r]}" "${key[$r]}" > "$T/$r.id" 2> "$T/$r.err" &
	pid[$r]=$! live[$r]=1
	started "$r"
	check $? "$r: creator ${comm[$r]} made ${key[$r]}"
	hold_alive "$r"
	check $? "$r: while it runs: /proc/semwatch says alive, exit and died_s '-'"
done
kill -KILL "${pid[sigkill]}"
ends sigkill
check $? "sigkill: creator killed by SIGKILL (wait status 137)"
kill -TERM "${pid[sigterm]}"
ends sigterm
check $? "sigterm: creator killed by SIGTERM (wait status 143)"

# exit(3): the creator itself exits 3 right after making its set.
"$S" mkexit "${comm[exit3]}" "${key[exit3]}" 3 > "$T/exit3.id" 2> "$T/exit3.err" &
pid[exit3]=$! live[exit3]=1
ends exit3
rc=$?
started exit3
check $? "exit3: creator ${comm[exit3]} made ${key[exit3]}"
check $rc "exit3: creator exited with status 3"

# The OOM killer's choice: alone in a cgroup with memory.max 16M, no swap.
oom_why=
if [ ! -e "$CG/cgroup.controllers" ]; then
	oom_why="no cgroup v2 hierarchy at $CG"
elif ! grep -qw memory "$CG/cgroup.controllers"; then
	oom_why="cgroup v2 without the memory controller ($CG/cgroup.controllers)"
fi
oom_setup() {
	if ! grep -qw memory "$CG/cgroup.subtree_control"; then
		echo +memory > "$CG/cgroup.subtree_control" || return 1
		memctl_added=1
	fi
	mkdir "$OOMCG" || return 1
	made_oom=1
	echo 16M > "$OOMCG/memory.max" || return 1
	# absent without swap accounting
	[ ! -e "$OOMCG/memory.swap.max" ] || echo 0 > "$OOMCG/memory.swap.max"
}
if [ -n "$oom_why" ]; then
	echo "# $oom_why: no OOM case"
	ktap_skip "oom: cgroup $OOMCG with memory.max 16M, no swap" "$oom_why"
	ktap_skip "oom: creator ${comm[oom]} made ${key[oom]}" "$oom_why"
	ktap_skip "oom: creator killed by the OOM killer" "$oom_why"
elif ! oom_setup; then
	# No hog without its limit: unlimited, it would starve the whole guest.
	check 1 "oom: cgroup $OOMCG with memory.max 16M, no swap"
	check 1 "oom: creator ${comm[oom]} made ${key[oom]} (not started)"
	check 1 "oom: creator killed by the OOM killer (not started)"
else
	check 0 "oom: cgroup $OOMCG with memory.max 16M, no swap"
	(echo "$BASHPID" > "$OOMCG/cgroup.procs" && exec "$S" mkhog "${comm[oom]}" "${key[oom]}") \
		> "$T/oom.id" 2> "$T/oom.err" &
	pid[oom]=$! live[oom]=1
	started oom
	check $? "oom: creator ${comm[oom]} made ${key[oom]}"
	until_ok 90 gone "${pid[oom]}" || { echo "# oom: still running after 90 s"; kill -KILL "${pid[oom]}"; }
	ends oom
	rc=$?
	kills=$(awk '$1 == "oom_kill" { print $2 }' "$OOMCG/memory.events" 2> /dev/null)
	echo "# oom: $OOMCG/memory.events: oom_kill ${kills:-missing}"
	[ $rc = 0 ] && [ "${kills:-0}" -ge 1 ]
	check $? "oom: creator killed by the OOM killer (wait status 137, memory.events oom_kill)"
fi

# /proc/semwatch: each row says how its creator ended.
for r in "${names[@]}"; do
	if [ "$r" = oom ] && [ -n "$oom_why" ]; then
		ktap_skip "oom: /proc/semwatch: exit oom-kill" "$oom_why"
		continue
	fi
	until_ok 10 ended "$r"
	got=$(watched_row "${key[$r]}" pid comm state exit died_s age_s)
	read -r gpid gcomm gstate gexit gdied gage <<< "$got"
	[ "$gpid" = "${pid[$r]}" ] && [ "$gcomm" = "${comm[$r]}" ] && [ "$gstate" = dead ] &&
		[ "$gexit" = "${xname[$r]}" ] && [[ $gdied =~ ^[0-9]+$ ]] &&
		[[ $gage =~ ^[0-9]+$ ]] && [ "$gdied" -le "$gage" ]
	check $? "$r: /proc/semwatch: pid, comm, dead, exit ${xname[$r]}, died_s <= age_s (got '$got')"
done

want=4
[ -z "$oom_why" ] || want=3
"$BIN" report --older-than 0 --notruncate > "$T/r.txt"; rc=$?
grep -qE '^COMM +CONTAINER +EXIT +DIED_S +SETS +OLDEST_S +CGROUP$' "$T/r.txt" && [ $rc = 1 ]
check $? "report --older-than 0: a leaks table, exit 1 (exit $rc)"
for r in "${names[@]}"; do
	if [ "$r" = oom ] && [ -n "$oom_why" ]; then
		ktap_skip "oom: report: '${phrase[oom]}'" "$oom_why"
		continue
	fi
	grep -qE "^$(re "${comm[$r]}") +.+ +$(re "${phrase[$r]}") +[^ ]+ +1 +" "$T/r.txt"
	check $? "$r: report: ${comm[$r]}'s leak '${phrase[$r]}'"
done

"$BIN" report --json --older-than 0 > "$T/r.json"; rc=$?
jqok "$T/r.json" --argjson n $want \
	'.semwatch[0].suspected_leaks == $n and (.leaks | length == $n)' && [ $rc = 1 ]
check $? "report --json --older-than 0: $want leak groups (exit $rc)"
for r in "${names[@]}"; do
	if [ "$r" = oom ] && [ -n "$oom_why" ]; then
		ktap_skip "oom: --json: exit oom-kill" "$oom_why"
		continue
	fi
	jqok "$T/r.json" --arg comm "${comm[$r]}" --arg key "${key[$r]}" --arg x "${xname[$r]}" '
		([.leaks[] | select(.comm == $comm)] | length == 1 and (.[0] |
			.exit == $x and .sets == 1 and (.died_s | type == "number"))) and
		([.sets[] | select(.key == $key)] | length == 1 and (.[0] |
			.comm == $comm and .state == "dead" and .exit == $x and
			(.died_s | type == "number") and .leak == true))'
	check $? "$r: --json: .leaks[].exit and .sets[].exit are '${xname[$r]}'"
done

if [ $failed = 1 ]; then
	sed -n '/^watched:/,/^$/p' /proc/semwatch | sed 's/^/# /'
	sed 's/^/# /' "$T/r.txt"
fi
cleanup
ktap_exit
