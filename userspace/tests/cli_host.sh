#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Host tests of the semwatch command (TAP), run by `make test` on the test
# build (semwatch-test: SEMWATCH_PROC and the other hooks work). No module and
# no VM needed. Usage errors need nothing; the rest needs root and re-runs in
# a new IPC namespace (unshare --ipc), with real sets made by cli_semctl and a
# synthetic /proc/semwatch (SEMWATCH_PROC) that names their creators.
# Usage: cli_host.sh PATH/TO/semwatch-test
BIN=$(realpath "${1:-./semwatch-test}")
S=$(dirname "$(realpath "$0")")/cli_semctl
if [ "$(id -u)" = 0 ] && [ -z "$SW_HOST_NS" ] && unshare --ipc true 2> /dev/null; then
	SW_HOST_NS=1 exec unshare --ipc bash "$0" "$@"
fi
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
# err WANT-REGEX NAME: stderr of the last status says it
err() { grep -qE -- "$1" "$T/err"; ok $? "$2"; }
# promlint FILE NAME: promtool check metrics finds nothing in FILE (else skip)
promlint() {
	if command -v promtool > /dev/null; then
		promtool check metrics < "$1" > "$T/lint" 2>&1
		ok $? "$2$(head -c 200 "$T/lint" | tr '\n' ' ')"
	else
		skip "$2" "promtool missing (Debian package prometheus)"
	fi
}

. "$(dirname "$0")/cli_host_usage.sh"

if [ -z "$SW_HOST_NS" ]; then
	skip "real sets" "needs root and unshare --ipc"
	echo "1..$n"
	exit $failed
fi
. "$(dirname "$0")/cli_host_report.sh"
. "$(dirname "$0")/cli_host_exit.sh"
. "$(dirname "$0")/cli_host_reap.sh"

if [ -x "$S" ]; then
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
