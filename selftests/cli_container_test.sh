#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Container identity parsed from each runtime's real path shape, in the
# guest: the cgroups are made with those names (fresh 64-hex ids, pod UIDs)
# and a creator runs inside each, makes a 0x0d4d set and is killed by
# SIGKILL. Shapes: Docker (systemd driver) /system.slice/docker-<id>.scope,
# Docker (cgroupfs) /docker/<id>, containerd under Kubernetes' systemd driver
# /kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod<uid_>.slice/
# cri-containerd-<id>.scope, Kubernetes' cgroupfs driver
# /kubepods/burstable/pod<uid>/<id>, Podman /machine.slice/libpod-<id>.scope,
# CRI-O .../kubepods-besteffort-pod<uid_>.slice/crio-<id>.scope, and a plain
# unit, /system.slice/docker.service (comm dockerd). Each creator has its own
# comm, so each is its own leak group. Checked: /proc/semwatch records the
# cgroup path and the SIGKILL; `report --json --older-than 0` gives each group
# its runtime, container_id (12 hex), pod (dashed UID), unit and label; the
# text report's CONTAINER column shows the labels; --prometheus gives each
# group's labels and passes `promtool check metrics`; once the cgroups are
# removed the leaks keep their identity and cgroup path (the module kept
# the paths).
# Runs in its own IPC namespace so no other test's sets interfere.
# shellcheck disable=SC2016,SC2317 # jq programs; functions run by until_ok
. "$(dirname "$0")/cli_lib.sh"
need_root_module
if [ -z "${SW_INNER:-}" ]; then
	SW_INNER=1 exec unshare --ipc "$0" "$@"
fi
ktap_plan 40
CG=/sys/fs/cgroup
made=()			# cgroups this test made, parents first
declare -A comm path rt cid pod unit label key pid semid live

hex64() { od -An -tx1 -N32 /dev/urandom | tr -d ' \n'; }
uuid() { cat /proc/sys/kernel/random/uuid; }

# define NAME COMM PATH RUNTIME ID POD UNIT LABEL KEY (empty: absent, JSON null)
define() {
	names+=("$1")
	comm[$1]=$2 path[$1]=$3 rt[$1]=$4 cid[$1]=$5 pod[$1]=$6 unit[$1]=$7
	label[$1]=$8 key[$1]=$9
}
names=()
d1=$(hex64) d2=$(hex64) c1=$(hex64) k1=$(hex64) p1=$(hex64) r1=$(hex64)
u1=$(uuid) u2=$(uuid) u3=$(uuid)
define docker swc-docker "/system.slice/docker-$d1.scope" \
	docker "${d1:0:12}" "" "" "docker:${d1:0:12}" 0x0d4d0c01
define dockerfs swc-dockerfs "/docker/$d2" \
	docker "${d2:0:12}" "" "" "docker:${d2:0:12}" 0x0d4d0c02
define containerd swc-containerd "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod${u1//-/_}.slice/cri-containerd-$c1.scope" \
	containerd "${c1:0:12}" "$u1" "" "pod $u1 containerd:${c1:0:12}" 0x0d4d0c03
define kubefs swc-kubefs "/kubepods/burstable/pod$u2/$k1" \
	kubernetes "${k1:0:12}" "$u2" "" "pod $u2 kubernetes:${k1:0:12}" 0x0d4d0c04
define podman swc-podman "/machine.slice/libpod-$p1.scope" \
	podman "${p1:0:12}" "" "" "podman:${p1:0:12}" 0x0d4d0c05
define crio swc-crio "/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod${u3//-/_}.slice/crio-$r1.scope" \
	cri-o "${r1:0:12}" "$u3" "" "pod $u3 cri-o:${r1:0:12}" 0x0d4d0c06
define unit dockerd "/system.slice/docker.service" \
	"" "" "" docker.service docker.service 0x0d4d0c07

# mkcg PATH: make each missing component of $CG/PATH (a plain mkdir in
# cgroup v2), remembering those it made; an existing one is used as it is.
mkcg() {
	local p=$CG c parts
	IFS=/ read -ra parts <<< "${1#/}"
	for c in "${parts[@]}"; do
		p=$p/$c
		[ -d "$p" ] && continue
		mkdir "$p" || return 1
		made+=("$p")
	done
}
rmcg() { rmdir "$1" 2> /dev/null; }
# Kill the creators still running, then remove the cgroups, deepest first
# (the reverse of making them). Returns 1 if a cgroup stays. After the first
# that stays, one try each: its parents cannot go either.
rmcgroups() {
	local r i ret=0 secs=10
	for r in "${!live[@]}"; do
		kill -KILL "${pid[$r]}" 2> /dev/null
		wait "${pid[$r]}" 2> /dev/null
		unset "live[$r]"
	done
	for ((i = ${#made[@]} - 1; i >= 0; i--)); do
		until_ok $secs rmcg "${made[i]}" && continue
		echo "# cannot remove ${made[i]}"
		ret=1 secs=0
	done
	made=()
	return $ret
}
cleanup() {
	local r
	rmcgroups
	for r in "${!semid[@]}"; do "$S" rm "${semid[$r]}" 2> /dev/null; done
	semid=()
}
trap cleanup EXIT
trap 'exit 143' TERM
# What is missing is this test's failure, not a skip.
require() { # require WHAT CMD...
	"${@:2}" > /dev/null && return 0
	check 1 "$1"
	ktap_exit
}
is_cgroup2() { [ -e "$CG/cgroup.controllers" ] && [ -e "$CG/cgroup.procs" ]; }
require "cgroup v2 mounted at $CG" is_cgroup2
require "jq installed (the checks need it)" command -v jq
# jqok FILE ARGS...: jq -e ARGS on FILE; false for an empty FILE too (jq 1.6
# -e exits 0 when there is no input at all).
jqok() { [ -s "$1" ] && jq -e "${@:2}" "$1" > /dev/null; }
# ERE matching $1 literally.
re() { printf '%s' "$1" | sed 's/[].[\*^$+?(){}|]/\\&/g'; }
# The creator of NAME: in its cgroup (this subshell moves itself there, then
# execs cli_semctl), named after its runtime, holding its set until killed.
start() {
	local d=$CG${path[$1]}
	(echo "$BASHPID" > "$d/cgroup.procs" && exec "$S" mkhold "${comm[$1]}" "${key[$1]}") \
		> "$T/$1.id" 2> "$T/$1.err" &
	pid[$1]=$! live[$1]=1
}
# Has process $1 ended (gone, or a zombie not yet waited for)?
gone() {
	local s
	s=$(cat "/proc/$1/stat" 2> /dev/null) || return 0
	s=${s##*) }
	[ "${s:0:1}" = Z ]
}
made_set() { [ -s "$T/$1.id" ] || gone "${pid[$1]}"; }
ended() { [ "$(watched_row "${key[$1]}" exit)" = SIGKILL ]; }

for r in "${names[@]}"; do
	mkcg "${path[$r]}" || echo "# cannot make $CG${path[$r]}"
	[ -d "$CG${path[$r]}" ] && start "$r"
done
for r in "${names[@]}"; do
	ok=1
	if [ -n "${live[$r]:-}" ]; then
		until_ok 30 made_set "$r"
		semid[$r]=$(cat "$T/$r.id")
		# The set exists, and its creator runs in the cgroup made for it.
		[ -n "${semid[$r]}" ] && "$S" exists "${semid[$r]}" "${key[$r]}" &&
			grep -qxF "0::${path[$r]}" "/proc/${pid[$r]}/cgroup" && ok=0
	fi
	[ $ok = 0 ] || sed 's/^/# /' "$T/$r.err" 2> /dev/null
	check $ok "$r: a creator (comm ${comm[$r]}) in ${path[$r]} made ${key[$r]}"
done
for r in "${names[@]}"; do
	[ -n "${live[$r]:-}" ] || continue
	kill -KILL "${pid[$r]}"
	wait "${pid[$r]}" 2> /dev/null
	echo "# $r: creator ${pid[$r]} ended, wait status $?"
	unset "live[$r]"
done

# /proc/semwatch: the module saw each creator, its cgroup and its end.
for r in "${names[@]}"; do
	until_ok 10 ended "$r"
	got=$(watched_row "${key[$r]}" pid comm state exit cgroup)
	want="${pid[$r]} ${comm[$r]} dead SIGKILL ${path[$r]}"
	[ "$got" = "$want" ]
	check $? "$r: /proc/semwatch: pid, comm, dead, SIGKILL, cgroup (got '$got')"
done

"$BIN" report --json --older-than 0 > "$T/r.json"; rc=$?
jqok "$T/r.json" '.semwatch[0].suspected_leaks == 7 and (.leaks | length == 7) and
	all(.leaks[]; .sets == 1 and .exit == "SIGKILL")' && [ $rc = 1 ]
check $? "report --json --older-than 0: 7 leak groups of 1 set, killed by SIGKILL (exit $rc)"
for r in "${names[@]}"; do
	jqok "$T/r.json" --arg comm "${comm[$r]}" --arg rt "${rt[$r]}" --arg id "${cid[$r]}" \
		--arg pod "${pod[$r]}" --arg unit "${unit[$r]}" --arg lbl "${label[$r]}" \
		--arg cg "${path[$r]}" --arg key "${key[$r]}" '
		def opt: if . == "" then null else . end;
		([.leaks[] | select(.comm == $comm)] | length == 1 and (.[0] |
			.runtime == ($rt | opt) and .container_id == ($id | opt) and
			.pod == ($pod | opt) and .unit == ($unit | opt) and
			.container == $lbl and .cgroup == $cg and .exit == "SIGKILL" and
			(.died_s | type == "number") and .sets == 1)) and
		([.sets[] | select(.key == $key)] | length == 1 and (.[0] |
			.comm == $comm and .state == "dead" and .exit == "SIGKILL" and
			.leak == true))'
	check $? "$r: --json: runtime '${rt[$r]}', container_id '${cid[$r]}', pod '${pod[$r]}', unit '${unit[$r]}'"
done

"$BIN" report --older-than 0 --notruncate > "$T/r.txt"; rc=$?
for r in "${names[@]}"; do
	grep -qE "^$(re "${comm[$r]}") +$(re "${label[$r]}") +killed by SIGKILL +[^ ]+ +1 +[^ ]+ +$(re "${path[$r]}")$" "$T/r.txt"
	check $? "$r: text report: CONTAINER reads '${label[$r]}' (exit $rc)"
done

mkdir -p "$T/prom"
"$BIN" report --older-than 0 --prometheus="$T/prom/semwatch.prom"; rc=$?
[ $rc = 1 ] && [ -s "$T/prom/semwatch.prom" ]
check $? "--prometheus=PATH writes the metrics (exit $rc)"
for r in "${names[@]}"; do
	want="{prefix=\"0x0d4d\",comm=\"${comm[$r]}\",exit=\"SIGKILL\""
	[ -z "${rt[$r]}" ] || want+=",runtime=\"${rt[$r]}\",container=\"${cid[$r]}\""
	[ -z "${pod[$r]}" ] || want+=",pod=\"${pod[$r]}\""
	[ -z "${unit[$r]}" ] || want+=",unit=\"${unit[$r]}\""
	want="semwatch_suspected_leaked_sets_by_creator$want} 1"
	grep -qxF "$want" "$T/prom/semwatch.prom"
	check $? "$r: metrics: $want"
done
if command -v promtool > /dev/null; then
	promtool check metrics < "$T/prom/semwatch.prom" 2>&1 | sed 's/^/# /'
	check "${PIPESTATUS[0]}" "promtool check metrics"
else
	ktap_skip "promtool check metrics" "promtool missing (Debian package prometheus)"
fi

# The containers go away; their leaks stay attributed (paths kept by the module).
jq -c '[.leaks[] | [.comm, .container, .runtime, .container_id, .pod, .unit, .cgroup]] | sort' \
	"$T/r.json" > "$T/before"
rmcgroups
check $? "creators killed, cgroups removed deepest first"
"$BIN" report --json --older-than 0 > "$T/r2.json"; rc=$?
jq -c '[.leaks[] | [.comm, .container, .runtime, .container_id, .pod, .unit, .cgroup]] | sort' \
	"$T/r2.json" > "$T/after"
cmp -s "$T/before" "$T/after" && [ "$(jq length "$T/after")" = 7 ] && [ $rc = 1 ]
check $? "cgroups gone: every leak keeps its container identity (exit $rc)"

if [ $failed = 1 ]; then
	sed -n '/^watched:/,/^$/p' /proc/semwatch | sed 's/^/# /'
	sed 's/^/# /' "$T/r.txt"
	grep '^semwatch_suspected_leaked_sets_by_creator' "$T/prom/semwatch.prom" | sed 's/^/# /'
	diff "$T/before" "$T/after" | sed 's/^/# /'
fi
cleanup
ktap_exit
