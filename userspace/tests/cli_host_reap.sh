# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# Part of cli_host.sh (sourced), after cli_host_report.sh and with its sets
# and $T/proc: reap's verdicts, exit statuses and --json.
chmod 0644 "$T/proc"
status 0 "reap --dry-run: only an alive creator kept" fake reap --dry-run
grep -q "^would destroy key=0x0d4d3358 semid=$ID1 " "$T/out" &&
	grep -q "^kept (creator alive) key=0x0d4d3359 semid=$ID2 " "$T/out"
ok $? "reap --dry-run: the text lines are unchanged"
status 0 "reap --dry-run -a 5: only young sets kept" fake reap --dry-run -a 5
grep -qx '0 semaphores with keys prefixed by 3405 (0xd4d) would be destroyed (dry run). 2 skipped.' "$T/out"
ok $? "reap -a 5: the young sets are counted as skipped"
status 0 "reap --dry-run --json" fake reap --dry-run --json
jq -e --argjson id1 "$ID1" --argjson id2 "$ID2" --argjson ns "$NS" '
	.prefix == "0x0d4d" and .dry_run == true and .force == false and
	(.sets | length == 2) and
	(.sets[] | select(.semid == $id1) | .verdict == "would destroy" and
		.reason == null and .key == "0x0d4d3358" and .ns == $ns and
		.creator_pid == 1234 and .comm == "dmsetup" and .state == "dead" and
		.cgroup == "/system.slice/x y.service" and (.age_s | type) == "number") and
	(.sets[] | select(.semid == $id2) | .verdict == "kept" and .reason == "creator alive") and
	.summary.destroyed == 1 and .summary.skipped == 1 and
	.summary.skipped_by_reason["creator alive"] == 1 and .summary.declined == false' \
	"$T/out" > /dev/null
ok $? "reap --json: every set considered, its verdict and the counts"
status 0 "reap --json -a 5 lists the young sets too" fake reap --dry-run --json -a 5
jq -e '[.sets[].reason] == ["too young", "too young"]' "$T/out" > /dev/null
ok $? "reap --json: too young sets listed with their reason"
echo n | SEMWATCH_PROC=$T/proc "$BIN" reap > "$T/out" 2> "$T/err"; rc=$?
[ $rc = 4 ] && grep -q 'NOT destroyed' "$T/out" && "$S" exists "$ID1" 0x0d4d3358
ok $? "declined at the prompt: exit 4, nothing destroyed (exit $rc)"
echo n | SEMWATCH_PROC=$T/proc "$BIN" reap --json > "$T/out" 2> "$T/err"; rc=$?
[ $rc = 4 ] && jq -e '.summary.declined == true and .sets == []' "$T/out" > /dev/null &&
	grep -q 'Do you really want to continue' "$T/err"
ok $? "declined with --json: the prompt on stderr, a JSON document on stdout (exit $rc)"
status 0 "reap --yes --json: destroyed, the alive one kept" fake reap --yes --json
jq -e --argjson id1 "$ID1" '.sets[] | select(.semid == $id1) | .verdict == "destroyed"' \
	"$T/out" > /dev/null && ! "$S" exists "$ID1" 0x0d4d3358 && "$S" exists "$ID2" 0x0d4d3359
ok $? "reap --yes --json: the dead creator's set is gone"
status 1 "reap without the module: kept as unsafe" env SEMWATCH_PROC=/nonexistent "$BIN" reap --yes
grep -q 'kept (creator unknown)' "$T/out"; ok $? "creator unknown: listed as kept"
if command -v setpriv > /dev/null; then
	status 3 "non-root reap refused" setpriv --reuid=65534 --regid=65534 \
		--clear-groups "$BIN" reap --yes --force
	err '^semwatch reap: only root may reap$' "non-root reap: says so"
fi
sed 's/dead /zombie /' "$T/proc" > "$T/garbled"
status 3 "garbled /proc/semwatch: reap refuses" env SEMWATCH_PROC="$T/garbled" "$BIN" reap --yes --force
"$S" exists "$ID2" 0x0d4d3359; ok $? "garbled input: nothing destroyed"
"$S" rm "$ID2"; "$S" rm "$ID3"

# Stuck cookies: a live creator waits for zero (cli_semctl wait, as
# dm_udev_wait waits for udev), once here and once in a child IPC namespace
# seen through --all-namespaces. The test build's clock runs 200 s ahead
# (SEMWATCH_TEST_CLOCK_SKEW): stuck needs 180 s of idleness at least.
"$S" wait 0x0d4d335a > "$T/w1" & SPID1=$!
unshare --ipc "$S" wait 0x0d4d335b > "$T/w2" & SPID2=$!
waiting() { # waiting PID SEMID-FILE: its set exists and it waits for zero
	[ -s "$2" ] && [ "$(nsenter --ipc="/proc/$1/ns/ipc" "$S" zcnt "$(cat "$2")")" = 1 ]
}
for _ in $(seq 100); do waiting $SPID1 "$T/w1" && waiting $SPID2 "$T/w2" && break; sleep 0.1; done
SETID1=$(cat "$T/w1") SETID2=$(cat "$T/w2") CNS=$(stat -L -c %i "/proc/$SPID2/ns/ipc")
cat > "$T/stuck" <<EOT
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
$NS  32000 1024000000    500  32000     1     1
$CNS  32000 1024000000    500  32000     1     1

prefixes:
    prefix   sets   sems oldest_s  alive   dead unknown label
    0x0d4d      2      2     3000      2      0       0 dm-udev-cookie

watched:
     pid comm             state   age_s         ns        key  semid nsems   uid cgroup
     $SPID1 lvcreate         alive    3000 $NS 0x0d4d335a $SETID1     1     0 /system.slice/x\\040y.service
     $SPID2 x\\012kept\\040y   alive    3000 $CNS 0x0d4d335b $SETID2     1     0 /docker/c1
EOT
stuck() { SEMWATCH_PROC=$T/stuck SEMWATCH_TEST_CLOCK_SKEW=200 "$BIN" "$@"; }
# --all-namespaces enters every IPC namespace of the machine: root may not
# everywhere (a namespace of another user namespace), then skip.
env SEMWATCH_PROC=/nonexistent "$BIN" report -A > /dev/null 2>&1
if [ $? -le 1 ]; then
	status 1 "stuck: report -A -a 1 exits 1" stuck report -A -a 1 --json
	jq -e --argjson w1 "$SPID1" --argjson w2 "$SPID2" --argjson ns "$NS" --argjson cns "$CNS" '
		(.stuck | length == 2) and
		(.stuck[] | select(.key == "0x0d4d335a") | .ns == $ns and .pid == $w1 and
			.comm == "lvcreate" and .cgroup == "/system.slice/x y.service" and
			.waiters == 1 and .value == 1 and .idle_s >= 200 and
			.command == "dmsetup udevcomplete 0x0d4d335a") and
		(.stuck[] | select(.key == "0x0d4d335b") | .ns == $cns and .comm == "x\nkept y" and
			.command == "nsenter --ipc=/proc/\($w2)/ns/ipc dmsetup udevcomplete 0x0d4d335b") and
		([.sets[] | select(.ns == $ns or .ns == $cns) | .leak] == [false, false]) and
		(.advice[] | select(.kind == "release-stuck") | .command == null)' "$T/out" > /dev/null
	ok $? "stuck: JSON 'stuck': creator, waiters, value, the release command here and through nsenter"
	stuck report -A -a 1 > "$T/out" 2>&1
	grep -q '^Stuck cookies: waited on, creator alive, idle for 3 min or more$' "$T/out" &&
		grep -qF "nsenter --ipc=/proc/$SPID2/ns/ipc dmsetup udevcomplete 0x0d4d335b" "$T/out" &&
		grep -q 'x\\012kept\\040y' "$T/out" && ! grep -q '^kept' "$T/out"
	ok $? "stuck: text section with the command, comm escaped (\\ooo)"
else
	skip "stuck: report -A" "cannot enter every IPC namespace here"
fi
status 0 "stuck: not before 180 s of idleness (report -a 0, no skew)" \
	env SEMWATCH_PROC="$T/stuck" "$BIN" report -a 0 --json
jq -e '.stuck == [] and (.advice | map(.kind) == ["none"])' "$T/out" > /dev/null
ok $? "in flight: no stuck cookie, nothing to do"
status 0 "stuck: not at 120 s either: udev may still complete it (report -a 1)" \
	env SEMWATCH_PROC="$T/stuck" SEMWATCH_TEST_CLOCK_SKEW=120 "$BIN" report -a 1 --json
jq -e '.stuck == [] and ([.sets[] | select(.key == "0x0d4d335a") | .idle_s >= 120] == [true])' \
	"$T/out" > /dev/null
ok $? "idle 120 s, within udev's event timeout: in flight, not stuck"
status 1 "stuck: report --prometheus, exit 1" stuck report -a 1 --prometheus="$T/stuck.prom"
grep -qx "semwatch_stuck_cookies{ns=\"$NS\"} 1" "$T/stuck.prom" &&
	[ "$(grep -c '^semwatch_stuck_cookies{' "$T/stuck.prom")" = 1 ]
ok $? "stuck: prometheus: semwatch_stuck_cookies 1, one sample for the namespace"
promlint "$T/stuck.prom" "stuck: promtool check metrics"
status 1 "stuck: reap --dry-run keeps it, exit 1" stuck reap -a 1 --dry-run
grep -q "^kept (stuck) key=0x0d4d335a semid=$SETID1 .*comm=lvcreate state=alive" "$T/out" &&
	grep -qx 'release: dmsetup udevcomplete 0x0d4d335a' "$T/out" &&
	grep -qx 'Skipped: 1 stuck.' "$T/out" && grep -q '^Stuck cookies: 1, waited on' "$T/out" &&
	grep -qx '0 semaphores with keys prefixed by 3405 (0xd4d) would be destroyed (dry run). 1 skipped.' "$T/out"
ok $? "stuck: kept line, release line, its skip reason and summary"
status 1 "stuck: reap --force --yes keeps it, exit 1" stuck reap -a 1 --force --yes --json
jq -e '.sets[0].verdict == "kept" and .sets[0].reason == "stuck" and
	.sets[0].release == "dmsetup udevcomplete 0x0d4d335a" and
	.summary.skipped_by_reason.stuck == 1 and .summary.destroyed == 0' "$T/out" > /dev/null &&
	"$S" exists "$SETID1" 0x0d4d335a
ok $? "stuck: --force --json: reason stuck, the release command, set kept"
status 1 "stuck: reap inside the child namespace" nsenter --ipc="/proc/$SPID2/ns/ipc" \
	env SEMWATCH_PROC="$T/stuck" SEMWATCH_TEST_CLOCK_SKEW=200 "$BIN" reap -a 1 --yes
grep -qx 'release: dmsetup udevcomplete 0x0d4d335b' "$T/out" &&
	nsenter --ipc="/proc/$SPID2/ns/ipc" "$S" exists "$SETID2" 0x0d4d335b
ok $? "stuck: reaped from its own namespace, kept, released there without nsenter"
status 0 "in flight: reap -a 0 keeps an alive creator's cookie, exit 0" \
	env SEMWATCH_PROC="$T/stuck" "$BIN" reap --yes
grep -q '^kept (creator alive) key=0x0d4d335a' "$T/out"; ok $? "in flight: creator alive"

# The last-operator hint, without the module: no creator is known.
"$S" mk 0x0d4d0b0b 1 1 > /dev/null	# SETVAL by a process that exited
"$S" mk 0x0d4d0d0d > /dev/null		# never operated on
cp "$S" "$T/x y"
"$T/x y" wait 0x0d4d0c0c > "$T/w3" & SPID3=$!
for _ in $(seq 100); do [ -s "$T/w3" ] && break; sleep 0.1; done
status 0 "hint: report -v --json without the module" \
	env SEMWATCH_PROC=/nonexistent "$BIN" report -v --json
jq -e --argjson w1 "$SPID1" --argjson w3 "$SPID3" '
	(.sets[] | select(.key == "0x0d4d0b0b") | .lastop_pid > 0 and .lastop_comm == null) and
	(.sets[] | select(.key == "0x0d4d0c0c") | .lastop_pid == $w3 and .lastop_comm == "x y" and
		.pid == null and .comm == null) and
	(.sets[] | select(.key == "0x0d4d0d0d") | .lastop_pid == null and .lastop_comm == null) and
	(.sets[] | select(.key == "0x0d4d335a") | .lastop_pid == $w1 and .lastop_comm == "cli_semctl")' \
	"$T/out" > /dev/null
ok $? "hint: last operator's pid and comm (exited: null; never: no pid), never in pid/comm"
status 0 "hint: report -o key,lastop_pid,lastop_comm" \
	env SEMWATCH_PROC=/nonexistent "$BIN" report -o key,lastop_pid,lastop_comm
grep -qE "^0x0d4d0c0c +$SPID3 x\\\\040y$" "$T/out" && grep -qE '^0x0d4d0d0d +- -$' "$T/out" &&
	grep -qE '^0x0d4d0b0b +[0-9]+ \?$' "$T/out"
ok $? "hint: text escapes the comm (\\040); - for no hint, ? for an exited one"
status 1 "hint: with the module, a known creator has no hint (stuck: exit 1)" stuck report -a 1 -v --json
jq -e '.sets[] | select(.key == "0x0d4d335a") | .lastop_pid == null and .pid != null' \
	"$T/out" > /dev/null
ok $? "hint: only for unknown creators"
kill "$SPID1" "$SPID2" "$SPID3" 2> /dev/null
wait "$SPID1" "$SPID2" "$SPID3" 2> /dev/null
ipcrm --all=sem 2> /dev/null
