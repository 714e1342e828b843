#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Issue 14 "Must show", two wrong answers the CLI gave:
# - watch_prefix mismatch: with the module watching 0x1234, three dead 0x0d4d
#   cookies have no known creator. The report must not say "none" and exit 0:
#   it says why it cannot judge and how to fix it (the exact echo), and reap
#   says why it kept them.
# - a forged audit line: a creator named "x\ndestroyed k", and one in a
#   cgroup whose path has spaces and is over 600 bytes. reap --yes prints
#   exactly one "destroyed" line per set, each whole (age_s last), every field
#   one key=value token.
. "$(dirname "$0")/cli_lib.sh"
need_root_module
command -v jq > /dev/null || skip_all "jq missing"
if [ -z "${SW_INNER:-}" ]; then
	SW_INNER=1 exec unshare --ipc "$0" "$@"
fi
ktap_plan 10
CG=/sys/fs/cgroup
# Writes are taken from the initial IPC namespace only; this test runs in its own.
watch() { nsenter --ipc=/proc/1/ns/ipc sh -c "echo 'watch_prefix $1' > /proc/semwatch"; }
trap 'watch 0x0d4d' EXIT

for k in 0x0d4d0b01 0x0d4d0b02 0x0d4d0b03; do "$S" mk $k > /dev/null || break; done
check $? "three cookies made by processes that exited"
watch 0x1234 && grep -qx 'watch_prefix: 0x1234' /proc/semwatch
check $? "the module lists prefix 0x1234 now"
"$BIN" report --older-than 0 > "$T/text" 2>&1; rc=$?
[ $rc = 1 ] && ! grep -qi 'nothing to do' "$T/text" && ! grep -q ': none$' "$T/text" &&
	grep -qF "echo 'watch_prefix 0x0d4d' > /proc/semwatch" "$T/text"
check $? "mismatch: the report says it cannot judge, with the fix (exit $rc)"
"$BIN" report --json --older-than 0 > "$T/r.json"
jq -e '.semwatch[0].suspected_leaks == 0 and .semwatch[0].unattributed == 3 and
	[.advice[] | select(.kind == "watch-prefix")] != []' "$T/r.json" > /dev/null
check $? "mismatch: --json counts 3 unattributed sets, advice watch-prefix"
"$BIN" reap --dry-run --older-than 0 > "$T/dry" 2>&1
grep -q 'Creator unknown for 3: semwatch.ko lists prefix 0x1234' "$T/dry"
check $? "mismatch: reap --dry-run says why the creators are unknown"
watch 0x0d4d
"$BIN" report --json --older-than 0 > "$T/r.json"
jq -e '.semwatch[0].suspected_leaks == 3' "$T/r.json" > /dev/null
check $? "watching 0x0d4d again, the same three are leaks"
"$BIN" reap --yes --older-than 0 > /dev/null 2>&1

# A cgroup path of 7 levels of 99 bytes, each with spaces: 700 bytes.
dir=$CG
for i in 1 2 3 4 5 6 7; do
	dir="$dir/my app $i $(printf '%0.sx' $(seq 88))"
done
mkdir -p "$dir"
(echo $BASHPID > "$dir/cgroup.procs" && exec "$S" mk 0x0d4d0b11 > /dev/null)
c1=$?
"$S" mkcomm "$(printf 'x\ndestroyed k')" 0x0d4d0b12 > /dev/null
check $((c1 | $?)) "cookies from a ${#dir}-byte cgroup and from comm 'x\\ndestroyed k'"
"$BIN" reap --yes --older-than 0 > "$T/reap" 2>&1
grep -c '^destroyed' "$T/reap" | grep -qx 2 &&
	! grep '^destroyed' "$T/reap" | grep -qv '^destroyed key=0x'
check $? "reap printed exactly two destroyed lines, none forged"
awk '/^destroyed / { for (i = 2; i <= NF; i++) if ($i !~ /^[a-z_]+=/) bad = 1
		     if ($NF !~ /^age_s=[0-9]+$/) bad = 1 } END { exit bad }' "$T/reap"
check $? "each destroyed line is whole key=value tokens, age_s last"
want="cgroup=${dir#"$CG"}"
want=${want// /\\040}
grep -qF -- "$want age_s=" "$T/reap"
check $? "the ${#dir}-byte cgroup path is printed whole, spaces escaped"
if [ $failed = 1 ]; then
	sed 's/^/# /' "$T/text" "$T/dry" "$T/reap" | cut -c1-300
fi
while [ "$dir" != "$CG" ]; do rmdir "$dir"; dir=${dir%/*}; done
ipcrm --all=sem 2> /dev/null
ktap_exit
