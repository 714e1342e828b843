#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Host tests of the semwatch command (TAP), run by `make test`: no module and
# no VM needed. /proc/semwatch and /proc/sysvipc/sem are replaced by synthetic
# files through SEMWATCH_PROC / SEMWATCH_SYSVIPC / SEMWATCH_SYSCTL_SEM. Tests
# that touch real semaphore sets run only as root, inside a new IPC namespace
# (unshare --ipc), so they never see the host's own sets.
# Usage: cli_host.sh PATH/TO/semwatch
BIN=$(realpath "${1:-./semwatch}")
T=$(mktemp -d /tmp/semwatch-host.XXXXXX)
trap 'rm -rf "$T"' EXIT
n=0 failed=0

ok() { # ok COND-STATUS NAME
	n=$((n + 1))
	if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; failed=1; fi
}
skip() { n=$((n + 1)); echo "ok $n - $1 # SKIP $2"; }
# status WANT NAME CMD...: the command exits with WANT
status() {
	local want=$1 name=$2 rc
	shift 2
	"$@" > "$T/out" 2> "$T/err" < /dev/null
	rc=$?
	[ "$rc" = "$want" ]
	ok $? "$name (exit $rc, want $want)"
}

NS=$(stat -L -c %i /proc/self/ns/ipc)
NOW=$(date +%s)
cat > "$T/proc" <<EOT
semwatch-format: 1
hook: kprobe
removal: kprobe
watch_prefix: 0x0d4d
prefix_bits: 16
tracked: 3
dropped: 0
max_records: 262144

namespaces:
        ns semmsl     semmns semopm semmni  sets  sems
$NS  32000 1024000000    500  32000     3     3

prefixes:
    prefix   sets   sems oldest_s  alive   dead unknown label
    0x0d4d      2      2      812      0      1       1 dm-udev-cookie

watched:
     pid comm             state   age_s         ns        key  semid nsems   uid cgroup
    1234 dmsetup          dead     3000 $NS 0x0d4d3358      1     1     0 /system.slice/x\\040y.service
    1235 dmsetup          alive    3000 $NS 0x0d4d3359      2     1     0 /
EOT
cat > "$T/sysvipc" <<EOT
       key      semid perms      nsems   uid   gid  cuid  cgid      otime      ctime
 223163224          1   600          1     0     0     0     0          0 $((NOW - 3000))
 223163225          2   600          1     0     0     0     0          0 $((NOW - 3000))
 305397761          3   600          1     0     0     0     0          0 $((NOW - 30))
EOT
printf '32000\t1024000000\t500\t32000\n' > "$T/sysctl"
export SEMWATCH_SYSCTL_SEM=$T/sysctl
fake() { SEMWATCH_PROC=$T/proc SEMWATCH_SYSVIPC=$T/sysvipc "$@"; }

status 2 "unknown flag" "$BIN" report --bogus
status 2 "unknown command" "$BIN" frobnicate
status 2 "negative --older-than" "$BIN" report --older-than -1
status 2 "malformed --older-than" "$BIN" reap --older-than 5m
status 2 "--prefix over 16 bits" "$BIN" reap --prefix 0x10000
status 2 "stray argument" "$BIN" reap 5
status 2 "--json with --prometheus" "$BIN" --json --prometheus=-
status 0 "--help" "$BIN" --help

fake_leak() { fake "$BIN" "$@"; }
status 1 "report finds the synthetic leak" fake_leak report
grep -q 'x y.service' "$T/out"; ok $? "leak grouped with its unescaped cgroup"
grep -q 'semwatch reap --older-than 10' "$T/out"; ok $? "advice gives the reap command"
status 1 "report --json" fake_leak --json
jq -e -s 'length == 1 and (.[0] |
	.semwatch[0].suspected_leaks == 1 and .semwatch[0].module == true and
	.leaks[0].cgroup == "/system.slice/x y.service" and
	(["namespaces", "prefixes", "sets", "leaks", "advice"] - keys) == [])' "$T/out" > /dev/null
ok $? "--json is one document with the documented keys"
status 0 "report --older-than 60: nothing that old" fake_leak --older-than 60
status 1 "report --prometheus=FILE" fake_leak --prometheus="$T/semwatch.prom"
grep -q '^semwatch_suspected_leaked_sets{ns="'"$NS"'",prefix="0x0d4d"} 1$' "$T/semwatch.prom"
ok $? "prometheus file has the leak count"
if command -v promtool > /dev/null; then
	promtool check metrics < "$T/semwatch.prom" > "$T/lint" 2>&1
	ok $? "promtool check metrics"
else
	skip "promtool check metrics" "promtool missing (Debian package prometheus)"
fi
mkdir -m 0777 "$T/ww"
status 3 "world-writable directory refused" fake_leak --prometheus="$T/ww/x.prom"
ln -s "$T/semwatch.prom" "$T/link.prom"
status 3 "symlinked target refused" fake_leak --prometheus="$T/link.prom"

printf 'semwatch-format: 1\n' > "$T/stub"
head -c 300 "$T/proc" > "$T/trunc"
sed 's/dead /zombie /' "$T/proc" > "$T/garbled"
for f in stub trunc garbled; do
	status 3 "report with $f /proc/semwatch" env SEMWATCH_PROC="$T/$f" \
		SEMWATCH_SYSVIPC="$T/sysvipc" "$BIN"
	grep -q "semwatch: $T/$f" "$T/err"; ok $? "$f: message names the file"
done
# Format 2: the same file with "truncated: 0" and a closing "end" line.
sed -e 's/^semwatch-format: 1$/semwatch-format: 2/' \
	-e '/^max_records:/a truncated: 0' "$T/proc" > "$T/proc2"
printf '\nend\n' >> "$T/proc2"
sed 's/^truncated: 0$/truncated: 2/' "$T/proc2" > "$T/v2trunc"
head -n -1 "$T/proc2" > "$T/v2noend"
fake_v2() { SEMWATCH_PROC=$T/$1 SEMWATCH_SYSVIPC=$T/sysvipc "$BIN" --json; }
status 1 "format 2: report finds the leak" fake_v2 proc2
jq -e '.semwatch[0].format_version == 2 and .semwatch[0].suspected_leaks == 1 and
	.leaks[0].cgroup == "/system.slice/x y.service"' "$T/out" > /dev/null
ok $? "format 2: format_version 2 in --json"
status 3 "format 2 with truncated: 2" fake_v2 v2trunc
grep -q 'left 2 sets out (truncated: 2); try again' "$T/err"; ok $? "truncated: 2 is explained"
status 3 "format 2 without end" fake_v2 v2noend
grep -q 'truncated?' "$T/err"; ok $? "missing end is reported as truncation"
status 0 "no module: report works" env SEMWATCH_PROC=/nonexistent SEMWATCH_SYSVIPC="$T/sysvipc" "$BIN"
grep -q 'attribution needs semwatch.ko' "$T/err"; ok $? "no module: one-line note"

if [ "$(id -u)" != 0 ]; then
	skip "real sets" "not root"
	echo "1..$n"
	exit $failed
fi
unset SEMWATCH_SYSCTL_SEM
status 3 "garbled /proc/semwatch: reap refuses" env SEMWATCH_PROC="$T/garbled" "$BIN" reap --yes --force
if command -v setpriv > /dev/null; then
	status 3 "non-root reap refused" setpriv --reuid=65534 --regid=65534 --clear-groups \
		"$BIN" reap --yes --force
else
	skip "non-root reap refused" "no setpriv"
fi
if ! unshare --ipc true 2> /dev/null; then
	skip "real sets" "unshare --ipc failed"
else
	SEMWATCH_PROC=/nonexistent BIN=$BIN T=$T unshare --ipc bash "$(dirname "$0")/cli_host_ns.sh" > "$T/inner"
	while read -r word rest; do
		case $word in
		PASS) ok 0 "$rest" ;;
		FAIL) ok 1 "$rest" ;;
		*) skip "${rest%%:*}" "${rest#*: }" ;;
		esac
	done < "$T/inner"
fi
echo "1..$n"
exit $failed
