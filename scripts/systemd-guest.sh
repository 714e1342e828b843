#!/bin/bash
# Runs in the systemd guest of scripts/systemd-test.sh, as a service started
# after multi-user.target, with semwatch installed from its .deb packages by
# scripts/systemd-prep.sh. TAP on stdout.
set -u
export SYSTEMD_PAGER= SYSTEMD_COLORS=0
# The CLI kselftests' helpers: check, until_ok, cookies, wait_new_cookie.
. selftests/cli_lib.sh
show() { sed 's/^/# /'; }
has_cookie() { case " $(cookies)" in *" $1 "*) return 0 ;; esac; return 1; }
echo "TAP version 13"

[ "$(cat /proc/1/comm)" = systemd ]
check $? "PID 1 is systemd ($(systemctl --version | head -n 1))"
# Before journald starts, systemd-modules-load logs to kmsg; journald imports
# that with the identifier but not always the unit: look for the identifier.
journalctl -b -o short-monotonic | grep "systemd-modules-load\[[0-9]*\]: Inserted module 'semwatch'" > "$T/ml"
[ -s "$T/ml" ] && [ "$(systemctl show -P Result systemd-modules-load.service)" = success ] &&
	[ -r /proc/semwatch ] && modinfo -n semwatch | grep -q "^/lib/modules/$(uname -r)/updates/dkms/"
check $? "systemd-modules-load loaded the DKMS-built semwatch at boot (/etc/modules-load.d)"
show < "$T/ml"
[ "$(systemctl is-enabled semwatch-textfile.timer)" = enabled ] &&
	[ "$(systemctl is-active semwatch-textfile.timer)" = active ] &&
	[ "$(systemctl is-enabled semwatch-reap.timer)" = disabled ]
check $? "the package enabled semwatch-textfile.timer, not semwatch-reap.timer"

# Leaks the field's way: udev takes events but runs no rules, so dmsetup
# waits on its cookie; one waiter is killed (leak), one lives (kept).
modprobe dm-mod; modprobe dm-zero
udevadm control --stop-exec-queue
b=$(cookies)
dmsetup create swleak --table '0 8 zero' & kpid=$!
leaked=$(wait_new_cookie "$b"); kill -9 $kpid; wait $kpid 2> /dev/null
b=$(cookies)
dmsetup create swlive --table '0 8 zero' & lpid=$!
live=$(wait_new_cookie "$b")
[ -n "$leaked" ] && [ -n "$live" ] && [ "$leaked" != "$live" ]
check $? "cookies: 0x$leaked (dmsetup killed), 0x$live (dmsetup waiting)"

# The timer's next run (every minute) writes the textfile under its sandbox:
# one that started after the kill's second, so that it saw the creator dead.
prom=/var/lib/prometheus/node-exporter/semwatch.prom
t0=$(($(date +%s) + 1))
ran_since() {
	local s e
	s=$(systemctl show -P ExecMainStartTimestamp --timestamp=unix semwatch-textfile.service)
	e=$(systemctl show -P ExecMainExitTimestamp --timestamp=unix semwatch-textfile.service)
	[ -n "$s" ] && [ -n "$e" ] && [ "${s#@}" -ge "$t0" ] && [ "${e#@}" -ge "${s#@}" ]
}
until_ok 150 ran_since	# minutely, plus AccuracySec and a slow run
check $? "semwatch-textfile.timer started the service within $(($(date +%s) - t0)) s"
[ "$(systemctl show -P Result semwatch-textfile.service)" = success ] &&
	grep -qx 'semwatch_module_loaded 1' "$prom" &&
	grep -Eq '^semwatch_suspected_leaked_sets\{ns="[0-9]+",prefix="0x0d4d"\} 1$' "$prom"
check $? "the sandboxed service wrote $prom: module loaded, 1 suspected leak"
grep -E '^semwatch_(module_loaded|suspected_leaked_sets|sets)[{ ]' "$prom" | show

# Debian's node_exporter, on loopback, reading that directory (its default).
prometheus-node-exporter --web.listen-address=127.0.0.1:9100 --collector.disable-defaults \
	--collector.textfile --collector.textfile.directory="${prom%/*}" > "$T/ne.log" 2>&1 &
ne=$!
scrape() { curl -sf -m 5 http://127.0.0.1:9100/metrics > "$T/scrape"; }
until_ok 60 scrape && grep -q '^node_textfile_scrape_error 0$' "$T/scrape" &&
	grep -Eq '^semwatch_suspected_leaked_sets\{ns="[0-9]+",prefix="0x0d4d"\} 1$' "$T/scrape"
check $? "node_exporter on 127.0.0.1:9100 serves the textfile: node_textfile_scrape_error 0"
grep -E '^(node_textfile_scrape_error|semwatch_module_loaded|semwatch_suspected_leaked_sets)[{ ]' "$T/scrape" | show
kill $ne

systemctl start semwatch-reap.service
rrc=$?
has_cookie "$live" && ! has_cookie "$leaked"
check $? "systemctl start semwatch-reap.service (exit $rrc): 0x$leaked destroyed, 0x$live kept"
journalctl -b -u semwatch-reap.service -o cat | show
# The service's stdout is tagged semwatch too: the record is the entry with fields.
journalctl --sync
journalctl -b -t semwatch -o json | jq -c --arg k "0x$leaked" 'select(.SEMWATCH_KEY == $k)' > "$T/audit.json"
[ "$(wc -l < "$T/audit.json")" = 1 ] && jq -e '(.MESSAGE | startswith("destroyed semaphore set key=")) and
	.SEMWATCH_COMM == "dmsetup" and .SEMWATCH_STATE == "dead" and .PRIORITY == "5" and
	(.SEMWATCH_AGE_S | test("^[0-9]+$")) and (.SEMWATCH_CGROUP | startswith("/system.slice/"))' \
	"$T/audit.json" > /dev/null
check $? "the journal has one audit record for 0x$leaked, with structured fields"
jq -c 'with_entries(select(.key | test("^(MESSAGE|SYSLOG_IDENTIFIER|PRIORITY|SEMWATCH_.*)$")))' "$T/audit.json" | show

udevadm control --start-exec-queue
until_ok 60 bash -c "! kill -0 $lpid 2> /dev/null"
wait $lpid
check $? "with udev running again, the waiting dmsetup create finishes"
dmsetup remove swlive; dmsetup remove swleak
systemctl list-units --all --no-legend 'semwatch*' | show
failed_units=$(systemctl --failed --no-legend)
echo "$failed_units" | show
[ -z "$failed_units" ]
check $? "systemctl --failed is empty"
echo "1..$n"
ktap_exit
