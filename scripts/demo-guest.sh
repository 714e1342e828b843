#!/bin/bash
# Guest half of `make demo` (runs as root in the QEMU guest, semwatch.ko
# loaded): the field's failure, then the cure, with Debian's own dmsetup.
#   1. leak two udev cookies: a `dmsetup create` killed with SIGKILL while it
#      waits on its cookie, and a `dmsetup udevcreatecookie` that exits 0;
#   2. lower SEMMNI to the number of sets in use, so the leaks fill the table;
#   3. a real `dmsetup create` fails with libdevmapper's own messages;
#   4. the kernel log, /proc/semwatch and `semwatch report` name the leakers;
#   5. `semwatch reap` destroys the leaks (creator dead, no waiter);
#   6. the same `dmsetup create` succeeds; clean up.
# There is no udevd in the guest: /run/udev/control makes libdevmapper believe
# udev runs, and where a dmsetup must finish, the demo does udev's part by hand
# (`dmsetup udevcomplete COOKIE`, what lvm2's 95-dm-notify.rules runs).
# Exits non-zero, with a "DEMO FAILED:" line, when a step that must work fails.
set -uo pipefail

step() { printf '\n=== %s\n' "$*"; }
show() { printf '# %s\n' "$*"; }
# show_cmd ARGS: show a command, quoting the arguments that hold spaces.
show_cmd() {
	local a out=''
	for a; do [[ $a == *' '* ]] && a="'$a'"; out+=" $a"; done
	show "${out# }"
}
fail() { printf '\nDEMO FAILED: %s\n' "$*"; exit 1; }
indent() { sed 's/^/    /'; }

# Every process costs a lot under TCG, so the polling below uses bash builtins.
# scan: COOKIES = libdevmapper's cookies (keys 0x0d4d0000-0x0d4dffff, decimal
# 223150080-223215615 in /proc/sysvipc/sem) as 0x0d4dXXXX lines; NSETS = all sets.
scan() {
	local key rest
	COOKIES='' NSETS=0
	{
		read -r _
		while read -r key rest; do
			NSETS=$((NSETS + 1))
			if ((key >= 223150080 && key <= 223215615)); then
				printf -v COOKIES '%s0x%08x\n' "$COOKIES" "$key"
			fi
		done
	} < /proc/sysvipc/sem
}
# new_cookie OLD: NEW = the first cookie not in OLD (an earlier $COOKIES);
# waits up to 20 s for one to appear.
new_cookie() {
	local end=$((SECONDS + 20)) c
	NEW=
	while :; do
		scan
		for c in $COOKIES; do
			[[ $'\n'$1 == *$'\n'$c$'\n'* ]] || { NEW=$c; return 0; }
		done
		((SECONDS < end)) || return 1
		sleep 0.1
	done
}
# wait_dev NAME: wait up to 20 s for device NAME to exist.
wait_dev() {
	local end=$((SECONDS + 20))
	until dmsetup info "$1" > /dev/null 2>&1; do
		((SECONDS < end)) || return 1
		sleep 0.2
	done
}
# Run a dmsetup command that waits on its cookie, doing udev's part: complete
# the new cookie once it exists. Returns the command's exit status.
with_udev() {
	local before pid rc log=/tmp/demo-dmsetup.log
	scan; before=$COOKIES
	show_cmd "$@"
	"$@" > "$log" 2>&1 &
	pid=$!
	if ! new_cookie "$before"; then
		kill -9 "$pid"; wait "$pid" 2> /dev/null
		indent < "$log"; echo "    no cookie appeared"
		return 99
	fi
	show "dmsetup udevcomplete $NEW    (udev's part, as 95-dm-notify.rules)"
	# Its output is DM_COOKIE_COMPLETED=..., for udev's IMPORT: not shown.
	dmsetup udevcomplete "$NEW" > /dev/null 2>&1 || echo "    dmsetup udevcomplete $NEW failed"
	wait "$pid"; rc=$?
	indent < "$log"
	echo "    exit $rc"
	return "$rc"
}

SW=${SEMWATCH_BIN:-}
[ -x "$SW" ] || fail "the semwatch command ($SW) is not built (make cli)"
[ -r /proc/semwatch ] || fail "semwatch.ko is not loaded"
DEV=semwatch-demo

step "0. device-mapper loaded, udev looks alive (/run/udev/control): libdevmapper will use cookies"
modprobe -a dm-mod dm-zero || fail "modprobe dm-mod dm-zero"
{ mkdir -p /run/udev && touch /run/udev/control; } || fail "cannot create /run/udev/control"
read -r semmsl semmns semopm semmni0 < /proc/sys/kernel/sem
scan
echo "sets in use: $NSETS, SEMMNI $semmni0"

step "1a. leak: 'dmsetup create leak1' waits on its cookie for udev, and is killed with SIGKILL"
before=$COOKIES
dmsetup create leak1 --table '0 8 zero' &
pid=$!
show "dmsetup create leak1 --table '0 8 zero' &    (pid $pid)"
new_cookie "$before" || { kill -9 "$pid"; fail "dmsetup create made no cookie (is /run/udev/control there?)"; }
c1=$NEW
# Let it reach its wait: the device exists once its ioctls are done.
wait_dev leak1 || { kill -9 "$pid"; fail "dmsetup create leak1 made no device"; }
sleep 0.5
kill -0 "$pid" 2> /dev/null || fail "dmsetup create leak1 finished without udev: it should wait on cookie $c1"
show "kill -9 $pid"
kill -9 "$pid"
wait "$pid" 2> /dev/null; rc=$?
[ "$rc" = 137 ] || fail "dmsetup create leak1: exit $rc, expected 137 (SIGKILL)"
echo "dmsetup create leak1: killed by SIGKILL (exit 137); its cookie $c1 stays"

step "1b. leak: 'dmsetup udevcreatecookie' creates a cookie and exits normally"
scan; before=$COOKIES
show "dmsetup udevcreatecookie"
out=$(dmsetup udevcreatecookie 2>&1); rc=$?
printf '%s\n' "$out" | indent
[ "$rc" = 0 ] || fail "dmsetup udevcreatecookie: exit $rc, expected 0"
new_cookie "$before" || fail "dmsetup udevcreatecookie made no cookie"
c2=$NEW
echo "dmsetup udevcreatecookie: exit 0; its cookie $c2 stays until udevreleasecookie"
show "dmsetup udevcookies    (keys, values, times: no creator)"
dmsetup udevcookies | indent

scan; n=$NSETS
step "2. lower SEMMNI to the $n sets in use: the leaks fill the table"
show "echo '$semmsl $semmns $semopm $n' > /proc/sys/kernel/sem    (SEMMNI was $semmni0)"
echo "$semmsl $semmns $semopm $n" > /proc/sys/kernel/sem || fail "cannot set SEMMNI to $n"
read -r _ _ _ semmni < /proc/sys/kernel/sem; scan
echo "sets in use: $NSETS of SEMMNI $semmni"

step "3. the field's failure: a new 'dmsetup create' finds no room for its cookie"
show "dmsetup create $DEV --table '0 8 zero'"
out=$(timeout 60 dmsetup create "$DEV" --table '0 8 zero' 2>&1); rc=$?
printf '%s\n' "$out" | indent
echo "    exit $rc"
[ "$rc" != 0 ] || fail "dmsetup create $DEV succeeded with SEMMNI full"
[ "$rc" != 124 ] || fail "dmsetup create $DEV hung (60 s) instead of failing"
printf '%s\n' "$out" | grep -qE 'Limit for the maximum number of semaphores reached|dm_task_set_cookie failed' ||
	fail "dmsetup's stderr has neither 'Limit for the maximum number of semaphores reached' nor 'dm_task_set_cookie failed'"
dmsetup info "$DEV" > /dev/null 2>&1 && fail "the failed create left device $DEV behind"

step "4. who leaked them: the kernel log, /proc/semwatch, semwatch report"
show "dmesg | grep 'semwatch:'"
# The module's worker prints it moments after the failed semget.
for _ in 1 2 3 4 5 6 7 8 9 10; do
	klog=$(dmesg | grep 'semwatch:')
	[[ $klog == *'sets (SEMMNI)'* ]] && break
	sleep 0.5
done
printf '%s\n' "$klog" | indent
# At 90% and at 100% of SEMMNI semwatch logs one line; here it comes once, at step
# 3's failed semget (lowering SEMMNI creates no set, so there is no 90% line). A tie
# between the two dead creators goes to the killed one.
grep -qE 'semwatch: ipc ns [0-9]+: 2/2 sets \(SEMMNI\); 2 are 0x0d4d cookies, 1 of them from dmsetup killed by SIGKILL' <<< "$klog" ||
	fail "no SEMMNI pressure line from semwatch in the kernel log"
show "cat /proc/semwatch"
cat /proc/semwatch || fail "cannot read /proc/semwatch"
show "semwatch report --older-than 0    (leaks count after 10 idle minutes by default; these are seconds old)"
"$SW" report --older-than 0; rc=$?
[ "$rc" = 1 ] || fail "semwatch report: exit $rc, expected 1 (suspected leaks)"

step "5. the cure: semwatch reap (only cookies whose creator is dead and nobody waits on)"
show "semwatch reap --older-than 0 --yes"
"$SW" reap --older-than 0 --yes; rc=$?
[ "$rc" = 0 ] || fail "semwatch reap: exit $rc, expected 0"
scan
case $COOKIES in *"$c1"* | *"$c2"*) fail "cookies left after reaping: ${COOKIES//$'\n'/ }" ;; esac
echo "sets in use: $NSETS of SEMMNI $semmni"

step "6. the same 'dmsetup create' succeeds now"
with_udev dmsetup create "$DEV" --table '0 8 zero' || fail "dmsetup create $DEV failed after reaping"
show "dmsetup ls"
dmsetup ls | indent
dmsetup info "$DEV" > /dev/null 2>&1 || fail "device $DEV missing after its create succeeded"

step "clean up: remove the devices, restore SEMMNI"
with_udev dmsetup remove "$DEV" || fail "dmsetup remove $DEV"
with_udev dmsetup remove leak1 || fail "dmsetup remove leak1"
echo "$semmsl $semmns $semopm $semmni0" > /proc/sys/kernel/sem || fail "cannot restore SEMMNI"
scan
[ -z "$COOKIES" ] || fail "cookies left over: ${COOKIES//$'\n'/ }"
[ "$(dmsetup ls 2>&1)" = 'No devices found' ] || fail "devices left over: $(dmsetup ls 2>&1)"
echo "no devices, no cookies, SEMMNI $semmni0 again"
echo
echo "DEMO OK"
