#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# End to end on the host, with the real parts on loopback: the semwatch CLI
# writes its textfile for a private IPC namespace whose SEMMNI the leaked
# cookies fill; Debian's node_exporter serves it; Debian's Prometheus scrapes
# that and evaluates the shipped rules until the pressure alert fires.
# Run as root by `make check` (needs: unshare, curl, jq, prometheus,
# prometheus-node-exporter; make setup). TAP on stdout.
set -u
cd "$(dirname "$0")/.." || exit 1
BIN=userspace/semwatch S=selftests/cli_semctl
T=$(mktemp -d /tmp/semwatch-e2e.XXXXXX)
n=0 failed=0 pids=()
check() { n=$((n + 1)); if [ "$1" = 0 ]; then echo "ok $n $2"; else echo "not ok $n $2"; failed=1; fi; }
cleanup() { kill "${pids[@]}" 2> /dev/null; wait 2> /dev/null; rm -rf "$T"; }
trap cleanup EXIT
# A loopback port nobody listens on (ss lists the listeners).
free_port() {
	local p
	for p in $(shuf -i 20000-32767 -n 50); do	# below the ephemeral range
		ss -Htln "sport = :$p" | grep -q . || { echo "$p"; return 0; }
	done
	return 1
}
# until_ok SECS CMD...: run CMD every 0.5 s until it succeeds, for at most SECS s.
until_ok() {
	local end=$((SECONDS + $1))
	until "${@:2}"; do [ $SECONDS -lt $end ] || return 1; sleep 0.5; done
}
echo "TAP version 13"
echo "1..7"

# Ten cookies whose creators exited, in a namespace allowing ten sets: 100%.
mkdir -p "$T/textfile"
unshare --ipc bash -c 'echo "250 32000 32 10" > /proc/sys/kernel/sem &&
	for i in $(seq 10); do "$2" mk $((0x0d4d0000 + i)) > /dev/null || exit 1; done &&
	"$1" report --older-than 0 --prometheus="$3"' - "$BIN" "$S" "$T/textfile/semwatch.prom" \
	> "$T/report" 2>&1
rc=$?
grep -Eq '^semwatch_sets\{ns="[0-9]+"\} 10$' "$T/textfile/semwatch.prom" &&
	grep -Eq '^semwatch_sets_limit\{ns="[0-9]+"\} 10$' "$T/textfile/semwatch.prom"
check $? "report --prometheus writes 10 sets of a limit of 10 (exit $rc)"

ne=$(free_port) || exit 1
prometheus-node-exporter --web.listen-address="127.0.0.1:$ne" \
	--collector.disable-defaults --collector.textfile \
	--collector.textfile.directory="$T/textfile" > "$T/node_exporter.log" 2>&1 &
pids+=($!)
scrape() { curl -sf -m 5 "http://127.0.0.1:$ne/metrics" > "$T/scrape"; }
until_ok 30 scrape
check $? "node_exporter on 127.0.0.1:$ne answers"
grep -Eq '^semwatch_sets\{ns="[0-9]+"\} 10$' "$T/scrape" &&
	grep -q '^node_textfile_scrape_error 0$' "$T/scrape"
check $? "the scrape has semwatch_sets and node_textfile_scrape_error 0"
grep -E '^(semwatch_sets|semwatch_sets_limit|node_textfile_scrape_error)[{ ]' "$T/scrape" | sed 's/^/# /'

# The shipped rules as they are, and a copy that holds each alert for 2 s
# instead of minutes (group semwatch-e2e), so that one fires now. The copy's
# alerts carry copy="fast": without it both groups write the same
# ALERTS_FOR_STATE series, and on a loaded host one group's late commit lands
# behind the other's and Prometheus warns of an out-of-order sample.
sed -E 's/^( *for:) .*/\1 2s/; s/^( *- name:) semwatch$/\1 semwatch-e2e/;
	s/^( *)severity: .*$/&\n\1copy: fast/' \
	monitoring/semwatch.rules.yml > "$T/fast.rules.yml"
cat > "$T/prometheus.yml" << EOF
global: { scrape_interval: 1s, evaluation_interval: 1s }
rule_files: ["$PWD/monitoring/semwatch.rules.yml", "$T/fast.rules.yml"]
scrape_configs:
  - job_name: node
    static_configs: [{ targets: ["127.0.0.1:$ne"] }]
EOF
pr=$(free_port) || exit 1
prometheus --config.file="$T/prometheus.yml" --storage.tsdb.path="$T/tsdb" \
	--web.listen-address="127.0.0.1:$pr" > "$T/prometheus.log" 2>&1 &
pids+=($!)
# State of SemwatchSetsNearLimit/critical in rule group $1 (inactive, pending, firing).
alert_state() {
	curl -sf -m 5 "http://127.0.0.1:$pr/api/v1/rules?type=alert" | jq -r --arg g "$1" '
		.data.groups[] | select(.name == $g) | .rules[] |
		select(.name == "SemwatchSetsNearLimit" and .labels.severity == "critical") | .state'
}
fires() { [ "$(alert_state semwatch-e2e)" = firing ]; }
until_ok 90 fires
check $? "Prometheus on 127.0.0.1:$pr: SemwatchSetsNearLimit critical is firing"
curl -sf -m 5 "http://127.0.0.1:$pr/api/v1/alerts" | jq -c '.data.alerts[] |
	select(.labels.alertname == "SemwatchSetsNearLimit") |
	{state, severity: .labels.severity, instance: .labels.instance, ns: .labels.ns, value}' |
	sed 's/^/# /'
[ "$(alert_state semwatch)" = pending ]
check $? "the shipped rule (for: 5m) holds the same alert pending"
# Every alert of both files loaded, and its last evaluation had no error.
rules=$(grep -c '^ *- alert:' monitoring/semwatch.rules.yml)
healthy=$(curl -sf -m 5 "http://127.0.0.1:$pr/api/v1/rules?type=alert" | jq '[.data.groups[] |
	select(.name == "semwatch" or .name == "semwatch-e2e") | .rules[] |
	select(.health == "ok" and (.lastError // "") == "")] | length')
[ "$healthy" = $((2 * rules)) ]
check $? "Prometheus loaded all $rules alerts twice and evaluates them without error ($healthy)"
# Shown when there are any; the first one goes into the TAP line, which is
# what a CI summary keeps.
bad=$(grep -iE 'level=(error|warn)' "$T/prometheus.log" | grep -v 'Failed to resolve')
[ -z "$bad" ] || printf '%s\n' "$bad" | sed 's/^/# /'
[ -z "$bad" ]
check $? "Prometheus logged no warning or error${bad:+: $(head -n1 <<< "$bad" | grep -o 'msg=.*' | cut -c1-160)}"
[ $failed = 0 ]
