#!/bin/bash
# Guest half of `make demo` (runs as root in the QEMU guest, module loaded):
# leak two udev cookies the way they leak in the field, then look at them with
# dmsetup, /proc/semwatch and the semwatch command, and reap them.
heading() { printf '\n##### %s\n' "$*"; }
run() { printf '# %s\n' "$*"; "$@"; }

heading "device-mapper is loaded and udev looks alive, so libdevmapper uses cookies"
run modprobe -a dm-mod dm-zero
run mkdir -p /run/udev
run touch /run/udev/control

heading "leak 1: 'dmsetup create' waits on its cookie for udev, and is killed (-9)"
dmsetup create leak1 --table '0 8 zero' &
pid=$!
echo "# dmsetup create leak1 --table '0 8 zero' &    (pid $pid)"
# Wait until a 0x0d4dXXXX set (decimal 223150080-223215615) exists.
for _ in $(seq 100); do
	awk '$1 >= 223150080 && $1 <= 223215615 { f = 1 } END { exit !f }' /proc/sysvipc/sem && break
	sleep 0.1
done
sleep 0.5
run kill -9 "$pid"
wait "$pid" 2> /dev/null

heading "leak 2: 'dmsetup udevcreatecookie' creates a cookie and exits"
run dmsetup udevcreatecookie

heading "what dmsetup and ipcs know: a key, no creator"
run dmsetup udevcookies
run ipcs -s

heading "what semwatch knows: cat /proc/semwatch"
run cat /proc/semwatch

if [ -x "${SEMWATCH_BIN:-}" ]; then
	heading "semwatch report (leaks count after 10 minutes by default; these are seconds old)"
	run "$SEMWATCH_BIN" report --older-than 0
	heading "semwatch reap --older-than 0 --yes"
	run "$SEMWATCH_BIN" reap --older-than 0 --yes
	heading "after reaping"
	run "$SEMWATCH_BIN" report
else
	heading "semwatch report"
	echo "(the semwatch command is not built yet: make cli)"
	heading "reaping with dmsetup instead: dmsetup --yes udevcomplete_all 0"
	run dmsetup --yes udevcomplete_all 0
fi
run dmsetup udevcookies
run cat /proc/semwatch
