# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# Part of cli_host.sh (sourced), in a fresh IPC namespace as root: report on
# three real sets whose creators a synthetic /proc/semwatch names (one dead,
# one alive; the third set has another prefix and no row).
NS=$(stat -L -c %i /proc/self/ns/ipc)
ID1=$("$S" mk 0x0d4d3358) ID2=$("$S" mk 0x0d4d3359) ID3=$("$S" mk 0x12340001)
cat > "$T/proc" <<EOT
semwatch-format: 1
hook: kprobe
removal: kprobe
watch_prefix: 0x0d4d
prefix_bits: 16
tracked: 2
dropped: 0
max_records: 262144

namespaces:
        ns semmsl     semmns semopm semmni  sets  sems
$NS  32000 1024000000    500  32000     3     3

prefixes:
    prefix   sets   sems oldest_s  alive   dead unknown label
    0x0d4d      2      2     3000      1      1       0 dm-udev-cookie

watched:
     pid comm             state   age_s         ns        key  semid nsems   uid cgroup
    1234 dmsetup          dead     3000 $NS 0x0d4d3358 $ID1     1     0 /system.slice/x\\040y.service
    1235 dmsetup          alive    3000 $NS 0x0d4d3359 $ID2     1     0 /
EOT
fake() { SEMWATCH_PROC=$T/proc "$BIN" "$@"; }
# report judges by idle time (ctime, otime) as reap does: the sets are new
rep() { SEMWATCH_PROC=$T/proc "$BIN" report -a 0 "$@"; }

status 1 "report -a 0 finds the leak" rep
grep -q 'x\\040y.service' "$T/out"; ok $? "text: the cgroup is escaped (\\040)"
grep -q 'semwatch reap --older-than 0' "$T/out"; ok $? "advice gives the reap command"
grep -q '50m00s' "$T/out"; ok $? "ages are human by default"
status 1 "report --json" rep --json
jq -e -s 'length == 1 and (.[0] |
	.semwatch[0].suspected_leaks == 1 and .semwatch[0].module == true and
	.leaks[0].cgroup == "/system.slice/x y.service" and
	(keys == (["semwatch", "namespaces", "prefixes", "sets", "leaks", "stuck", "advice"] | sort)))' \
	"$T/out" > /dev/null
ok $? "--json: one document with the documented keys, JSON-quoted strings"
jq -e '(.sets | length == 2) and (.sets[0] | (.semid | type) == "number" and
	(.leak | type) == "boolean" and (keys | length) == 16 and
	.lastop_pid == null and .lastop_comm == null) and
	(.namespaces[0].sets_pct | type) == "number" and
	(.prefixes[] | select(.prefix == "0x1234") | .label == null and .sets == 1) and
	(.semwatch[0].version | type) == "string"' "$T/out" > /dev/null
ok $? "--json: numbers, booleans, null for a prefix without a name"
status 0 "no module: --json" env SEMWATCH_PROC=/nonexistent "$BIN" --json -v
jq -e '.sets[0] | .comm == null and .cgroup == null and .pid == null and .state == null' \
	"$T/out" > /dev/null
ok $? "--json: unknown creators are null (comm, cgroup, pid, state)"
status 2 "-o key,KEY: a column given twice is a usage error" rep -o key,KEY
err "column 'KEY' given twice" "-o key,KEY: the message names the column"
status 1 "-o key,SEMID,comm" rep -o key,SEMID,comm
awk '/^KEY +SEMID +COMM$/ { h = 1 } END { exit !h }' "$T/out"
ok $? "-o: the sets table has these columns, in this order"
status 1 "--output-all --raw --noheadings" rep --output-all --raw --noheadings
grep -qE "^$NS 0x0d4d3358 $ID1 1 [0-9a-z]+ [0-9a-z]+ 1234 dmsetup dead [^ ]+ [^ ]+ /system.slice/x\\\\x20y.service 0 - - yes 600 0 0$" "$T/out"
ok $? "--output-all --raw --noheadings: one raw line per set, every column, libsmartcols' \\xHH escapes"
! grep -q 'KEY\|Sets with prefix' "$T/out"; ok $? "--noheadings: no headings, no titles"
status 1 "--time-format=seconds" rep -o age_s,semid --time-format=seconds --raw
grep -qx "3000 $ID1" "$T/out"; ok $? "--time-format=seconds: ages in seconds"
status 1 "--json -o semid,leak" rep --json -o semid,leak
jq -e '.sets[0] | keys == ["leak", "semid"]' "$T/out" > /dev/null
ok $? "--json -o: only the chosen keys in sets"
status 0 "report --older-than 60: nothing that old" rep --older-than 60
# The module watches another prefix: no 0x0d4d creator is known. Not "none".
sed -e 's/^watch_prefix: 0x0d4d$/watch_prefix: 0x1234/' -e '/^ *123[45] /d' "$T/proc" > "$T/other"
status 1 "watch_prefix 0x1234: report -a 0 cannot judge, exit 1" \
	env SEMWATCH_PROC="$T/other" "$BIN" report -a 0
grep -q "2 more cannot be judged.*: none attributable$" "$T/out" && ! grep -q ': none$' "$T/out" &&
	! grep -qi "nothing to do" "$T/out" &&
	grep -qF "echo 'watch_prefix 0x0d4d' > /proc/semwatch" "$T/out"
ok $? "watch_prefix 0x1234: says why, and the exact echo that fixes it"

status 1 "report --prometheus=FILE" rep --prometheus="$T/semwatch.prom"
grep -q '^semwatch_suspected_leaked_sets{ns="'"$NS"'",prefix="0x0d4d"} 1$' "$T/semwatch.prom"
ok $? "prometheus: the leak count"
grep -q '^semwatch_prefix_sets{ns="'"$NS"'",prefix="0x1234"} 1$' "$T/semwatch.prom" &&
	! grep -q 'label="-"' "$T/semwatch.prom"
ok $? "prometheus: no placeholder label"
grep -qE '^semwatch_build_info\{version="[^"]+"\} 1$' "$T/semwatch.prom"; ok $? "prometheus: build_info"
ts=$(awk '/^semwatch_oldest_leak_created_timestamp_seconds / { print $2 }' "$T/semwatch.prom")
[ -n "$ts" ] && [ $(( $(date +%s) - 3000 - ts )) -lt 5 ]
ok $? "prometheus: the oldest leak's creation time ($ts)"
promlint "$T/semwatch.prom" "promtool check metrics"
mkdir -m 0777 "$T/ww"
status 3 "world-writable directory refused" fake --prometheus="$T/ww/x.prom"
ln -s "$T/semwatch.prom" "$T/link.prom"
status 3 "symlinked target refused" fake --prometheus="$T/link.prom"
err "^semwatch report: $T/link.prom: refusing a symlinked target" "the message names the command and the file"

printf 'semwatch-format: 1\n' > "$T/stub"
head -c 300 "$T/proc" > "$T/trunc"
sed 's/dead /zombie /' "$T/proc" > "$T/garbled"
for f in stub trunc garbled; do
	status 3 "report with $f /proc/semwatch" env SEMWATCH_PROC="$T/$f" "$BIN"
	err "^semwatch report: $T/$f" "$f: message names the command and the file"
done
# Format 2: the same file with "truncated: 0" and a closing "end" line.
sed -e 's/^semwatch-format: 1$/semwatch-format: 2/' \
	-e '/^max_records:/a truncated: 0' "$T/proc" > "$T/proc2"
printf '\nend\n' >> "$T/proc2"
sed 's/^truncated: 0$/truncated: 2/' "$T/proc2" > "$T/v2trunc"
head -n -1 "$T/proc2" > "$T/v2noend"
fake_v2() { SEMWATCH_PROC=$T/$1 "$BIN" --json -a 0; }
status 1 "format 2: report finds the leak" fake_v2 proc2
jq -e '.semwatch[0].format_version == 2 and .semwatch[0].suspected_leaks == 1' "$T/out" > /dev/null
ok $? "format 2: format_version 2 in --json"
status 3 "format 2 with truncated: 2" fake_v2 v2trunc
err 'left 2 sets out \(truncated: 2\); try again' "truncated: 2 is explained"
status 3 "format 2 without end" fake_v2 v2noend
err 'truncated\?' "missing end is reported as truncation"
status 0 "no module: report works" env SEMWATCH_PROC=/nonexistent "$BIN"
err '^semwatch report: note: .*attribution needs semwatch.ko' "no module: one-line note"
chmod 0600 "$T/proc"
if command -v setpriv > /dev/null; then
	# in a namespace without sets: SEM_STAT of root's 0600 sets is refused
	status 0 "non-root report: the no-module view" unshare --ipc setpriv \
		--reuid=65534 --regid=65534 --clear-groups env SEMWATCH_PROC="$T/proc" "$BIN"
	err "^semwatch report: note: $T/proc: Permission denied: creators unknown" \
		"non-root report: a note says why creators are unknown"
else
	skip "non-root report" "no setpriv"
fi
