#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# --json parses with the documented keys and values; --prometheus
# writes a file that passes `promtool check metrics`, atomically, and refuses
# unsafe targets; --all-namespaces sees a leak in another IPC namespace.
. "$(dirname "$0")/cli_lib.sh"
need_root_module
ktap_plan 9
dm_setup
unshare --ipc bash -c 'dmsetup udevcreatecookie > /dev/null && touch "$1"; exec sleep 600' \
	- "$T/cookie-made" & h=$!
until_ok 60 test -e "$T/cookie-made" || echo "# dmsetup udevcreatecookie: no cookie after 60 s"
ns=$(stat -L -c %i /proc/$h/ns/ipc)
in_ns() { nsenter --ipc=/proc/$h/ns/ipc "$@"; }

in_ns "$BIN" --json --older-than 0 > "$T/r.json"; rc=$?
jq -e . "$T/r.json" > /dev/null
check $? "--json parses with jq (exit $rc)"
jq -e --argjson ns "$ns" '
	(keys == (["semwatch", "namespaces", "prefixes", "sets", "leaks", "stuck", "advice"] | sort)) and
	.semwatch[0].module == true and .semwatch[0].format_version == 2 and
	.semwatch[0].suspected_leaks == 1 and
	.sets[0].state == "dead" and .sets[0].comm == "dmsetup" and
	.namespaces[0].ns == $ns' "$T/r.json" > /dev/null
check $? "--json: keys and values as documented"

mkdir -p "$T/prom"
in_ns "$BIN" --older-than 0 --prometheus="$T/prom/semwatch.prom"; rc=$?
[ $rc = 1 ] && [ -f "$T/prom/semwatch.prom" ] && [ "$(ls -A "$T/prom")" = semwatch.prom ]
check $? "--prometheus=PATH writes the file, no temporary left (exit $rc)"
grep -q "^semwatch_suspected_leaked_sets{ns=\"$ns\",prefix=\"0x0d4d\"} 1$" "$T/prom/semwatch.prom" &&
	grep -q '^semwatch_module_loaded 1$' "$T/prom/semwatch.prom"
check $? "metrics: leaked sets of the namespace, module loaded"
if command -v promtool > /dev/null; then
	promtool check metrics < "$T/prom/semwatch.prom" 2>&1 | sed 's/^/# /'
	check "${PIPESTATUS[0]}" "promtool check metrics"
else
	ktap_skip "promtool check metrics" "promtool missing (Debian package prometheus)"
fi
mkdir -m 0777 "$T/ww"
in_ns "$BIN" --prometheus="$T/ww/x.prom" 2> "$T/e"; rc=$?
[ $rc = 3 ] && [ ! -e "$T/ww/x.prom" ] && grep -q sticky "$T/e"
check $? "world-writable directory without sticky bit refused (exit $rc)"
ln -s "$T/prom/semwatch.prom" "$T/prom/link.prom"
in_ns "$BIN" --prometheus="$T/prom/link.prom" 2> "$T/e"; rc=$?
[ $rc = 3 ] && grep -q symlink "$T/e"
check $? "symlinked target refused (exit $rc)"

"$BIN" --all-namespaces --older-than 0 --json > "$T/all.json"; rc=$?
jq -e --argjson ns "$ns" '[.namespaces[].ns] | index($ns) != null' "$T/all.json" > /dev/null &&
	jq -e --argjson ns "$ns" '[.sets[] | select(.ns == $ns and .state == "dead")] | length == 1' "$T/all.json" > /dev/null
check $? "--all-namespaces covers the other namespace and its dead cookie (exit $rc)"
"$BIN" --all-namespaces --older-than 0 > "$T/all.txt"; rc=$?
grep -q 'semwatch reap --older-than 0 --all-namespaces' "$T/all.txt" && [ $rc = 1 ]
check $? "advice gives the exact reap command (exit $rc)"
kill $h
rm -rf "$T"
ktap_exit
