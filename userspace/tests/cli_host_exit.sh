# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# Part of cli_host.sh (sourced), after cli_host_report.sh and with its sets and
# $T/proc2: the watched table's exit and died_s columns (how and when a
# creator ended) in the leaks table, -o, --json and Prometheus; and a file
# from a module without them.
sed -e 's/^\( *pid comm  *state \)/\1  exit died_s /' \
	-e 's/^\( *1234 dmsetup  *dead \)/\1 SIGKILL 180 /' \
	-e 's/^\( *1235 dmsetup  *alive \)/\1 - - /' "$T/proc2" > "$T/exit"
fake_exit() { SEMWATCH_PROC=$T/$1 "$BIN" report -a 0 "${@:2}"; }

status 1 "exit columns: report finds the leak" fake_exit exit
grep -qE '^dmsetup +x\\040y\.service +killed by SIGKILL +3m00s +1 +50m00s +/system\.slice/x\\040y\.service$' "$T/out"
ok $? "exit columns: the leak reads 'dmsetup, x\\040y.service, killed by SIGKILL 3m00s ago: 1'"
grep -qE '^COMM +CONTAINER +EXIT +DIED_S +SETS +OLDEST_S +CGROUP$' "$T/out"
ok $? "exit columns: the leaks table's columns"
status 1 "exit columns: -o semid,exit,died_s" fake_exit exit -o semid,exit,died_s --raw --noheadings --time-format=seconds
grep -qx "$ID1 SIGKILL 180" "$T/out" && grep -qx "$ID2 - -" "$T/out"
ok $? "exit columns: -o: a named end with its time, '-' while the creator lives"
status 1 "exit columns: --json" fake_exit exit --json
jq -e --argjson id1 "$ID1" --argjson id2 "$ID2" '
	(.leaks | length == 1) and (.leaks[0] | .comm == "dmsetup" and
		.exit == "SIGKILL" and .died_s == 180 and .sets == 1 and
		.container == "x y.service" and .unit == "x y.service" and
		.runtime == null and .container_id == null and .pod == null and
		.cgroup == "/system.slice/x y.service") and
	(.sets[] | select(.semid == $id1) | .exit == "SIGKILL" and .died_s == 180) and
	(.sets[] | select(.semid == $id2) | .exit == null and .died_s == null)' \
	"$T/out" > /dev/null
ok $? "exit columns: --json: exit, died_s, the unit, null container parts"

# In a Docker container: the runtime and the short id.
C=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
sed "s|/system.slice/x\\\\040y.service\$|/system.slice/docker-$C.scope|" "$T/exit" > "$T/exit_docker"
status 1 "exit columns: --prometheus, a container's leak" fake_exit exit_docker --prometheus="$T/exit.prom"
grep -qx 'semwatch_suspected_leaked_sets_by_creator{prefix="0x0d4d",comm="dmsetup",exit="SIGKILL",runtime="docker",container="0123456789ab"} 1' "$T/exit.prom"
ok $? "exit columns: prometheus: the leak's labels (comm, exit, runtime, container)"
promlint "$T/exit.prom" "exit columns: promtool check metrics"
status 1 "exit columns: --json, a container's leak" fake_exit exit_docker --json
jq -e '.leaks[0] | .runtime == "docker" and .container_id == "0123456789ab" and
	.container == "docker:0123456789ab" and .unit == null' "$T/out" > /dev/null
ok $? "exit columns: --json: runtime, container_id and the label"

# A module from before the columns: the same leak, its end unknown.
status 1 "no exit columns: report finds the leak" fake_exit proc2 --json
jq -e '.leaks[0] | .exit == null and .died_s == null and .sets == 1' "$T/out" > /dev/null
ok $? "no exit columns: exit and died_s null"
status 1 "no exit columns: text" fake_exit proc2
grep -qE '^dmsetup +x\\040y\.service +\? +\? +1 ' "$T/out"
ok $? "no exit columns: EXIT and DIED_S '?'"

sed 's/ SIGKILL 180 / SIGkill 180 /' "$T/exit" > "$T/exit_bad"
status 3 "bad exit value: refused" fake_exit exit_bad
err "^semwatch report: $T/exit_bad: line [0-9]+: bad exit value \(want SIGNAME" "bad exit value: the message says what is wanted"
