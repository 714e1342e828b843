# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# Part of cli_host.sh (sourced): usage errors, help and version. Nothing here
# reads a semaphore set.
status 2 "unknown flag" "$BIN" report --bogus
err "^semwatch report: unknown option '--bogus'$" "unknown flag: named, with the command"
status 2 "unknown command" "$BIN" frobnicate
err "^semwatch: unknown command 'frobnicate'" "unknown command: named"
status 2 "negative --older-than" "$BIN" report --older-than -1
err "^semwatch report: --older-than: invalid value '-1'" "negative age: said so"
status 2 "malformed -a" "$BIN" reap -a 5m
err "^semwatch reap: --older-than: invalid value '5m'" "reap's messages say 'semwatch reap:'"
status 2 "--older-than past its limit" "$BIN" report --older-than 99999999999
err "99999999999 is more than the limit of 1000000000 minutes" "age limit: says the limit"
status 2 "--prefix over 16 bits" "$BIN" reap --prefix 0x10000
err "0x10000 is more than the limit of 0xffff" "prefix limit: says the limit"
status 2 "stray argument" "$BIN" reap 5
err "^semwatch reap: unexpected argument '5'$" "stray argument: named"
status 2 "--prometheus PATH with a space" "$BIN" report --prometheus /tmp/x.prom
err "--prometheus takes its path as --prometheus=PATH" "--prometheus PATH: says to use ="
status 2 "--json with --prometheus" "$BIN" --json --prometheus=-
status 2 "-o with an unknown column" "$BIN" report -o key,bogus
err "^semwatch report: --output: unknown column 'bogus'$" "-o: names the unknown column"
status 2 "--time-format=weeks" "$BIN" report --time-format=weeks
status 2 "flag with a value" "$BIN" report --json=yes
err "'--json=yes' takes no value" "flag with a value: said so"
status 2 "missing value" "$BIN" reap --older-than
err "option --older-than needs a value" "missing value: said so"
status 0 "--help" "$BIN" --help
grep -q '^ 4  reap: the answer at the prompt' "$T/out"; ok $? "--help lists the exit statuses"
status 0 "help" "$BIN" help
status 0 "help reap" "$BIN" help reap
grep -q -- '--dry-run' "$T/out" && grep -q '^ 4  the answer at the prompt' "$T/out"
ok $? "help reap: options and exit statuses"
status 2 "help bogus" "$BIN" help bogus
status 0 "report --help" "$BIN" report --help
for o in older-than prefix all-namespaces json prometheus verbose output output-all \
	raw noheadings notruncate time-format help version; do
	grep -q -- "--$o" "$T/out" || break
done
ok $? "report --help lists every option (last checked: --$o)"
want="semwatch $(cat "$(dirname "$0")/../../VERSION")"
for v in --version -V "report --version" "reap -V"; do
	status 0 "$v" "$BIN" $v
	[ "$(cat "$T/out")" = "$want" ]; ok $? "$v prints '$want'"
done
