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
