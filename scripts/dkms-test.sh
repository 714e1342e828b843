#!/bin/bash
# CI test of how admins install semwatch (issue 6), on this build machine:
#  1. DKMS by hand, for each generic kernel of scripts/kernels.sh (make check
#     covers every flavour): make dkms-install (sources + dkms add), dkms
#     build, dkms install; the DKMS-built .ko is then loaded in a QEMU boot of
#     that kernel and a kselftest runs against it; dkms remove --all, make
#     dkms-uninstall: nothing may be left behind.
#     Also refused: a kernel config without KRETPROBES (BUILD_EXCLUSIVE_CONFIG),
#     a kernel of an unchecked series (BUILD_EXCLUSIVE_KERNEL), and a plain
#     kbuild build for an unchecked series (#error in kmod/compat/compat.h).
#  2. make deb; lintian (no errors); dpkg -i of both packages builds the
#     module for every kernel with headers; one kernel's headers are removed
#     first and installed after, as in an upgrade, and DKMS must build the
#     module for it then; systemd-analyze verify on the installed units;
#     dpkg -r, then dpkg --purge, leave nothing behind.
#  3. The packages on a 6.12 guest booting systemd as PID 1
#     (scripts/systemd-test.sh): modules-load.d, the timers, the sandboxed
#     units, reaping a real leak, the journal; each of its checks counts here.
# Prints "ok N - name" / "not ok N - name" lines and a "1..N" plan; details in
# build/logs/dkms-test/. Needs root; changes /usr/src, /var/lib/dkms,
# /lib/modules/*/updates and the package database (and cleans them up).
# Usage: scripts/dkms-test.sh   (about 12 minutes on 2 cores)
set -uo pipefail
REPO=$(cd "$(dirname "$0")/.." && pwd)
cd "$REPO"
V=$(cat VERSION)
LOGS=$REPO/build/logs/dkms-test
WORK=$REPO/build/dkms-test
rm -rf "$LOGS" "$WORK"
mkdir -p "$LOGS" "$WORK"
LOG=$LOGS/test.log
[ "$(id -u)" = 0 ] || { echo "dkms-test: run as root" >&2; exit 2; }

N=0 FAILED=0
result() { # result STATUS NAME
	N=$((N + 1))
	if [ "$1" = 0 ]; then echo "ok $N - $2"; else echo "not ok $N - $2"; FAILED=$((FAILED + 1)); fi
}
# t NAME CMD...: run CMD (output to the log), report it.
t() {
	local name=$1 rc
	shift
	echo "=== $name: $*" >> "$LOG"
	"$@" >> "$LOG" 2>&1
	rc=$?
	result $rc "$name"
	return $rc
}
timed() { # timed VAR CMD...: like "$@", seconds in VAR
	local var=$1 s rc
	shift
	s=$(date +%s)
	"$@"
	rc=$?
	printf -v "$var" '%s' $(($(date +%s) - s))
	return $rc
}
note() { echo "# $*"; echo "# $*" >> "$LOG"; }
# Nothing of semwatch under the DKMS and module trees (and, with "src", /usr/src).
dkms_clean() {
	local left
	left=$(find /var/lib/dkms /lib/modules -name 'semwatch*' 2>/dev/null
		[ "${1:-}" = src ] && ls -d /usr/src/semwatch-* 2>/dev/null)
	[ -z "$left" ] || { echo "left behind: $left"; return 1; }
}
pkg_installed() { dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null | grep -qv not-installed; }

echo "TAP version 13"
mapfile -t KERNELS < <(scripts/kernels.sh -f generic)
mapfile -t ALL_KERNELS < <(scripts/kernels.sh)
[ ${#KERNELS[@]} -gt 0 ] || { echo "Bail out! no kernels (make setup)"; exit 1; }
note "kernels: ${KERNELS[*]} (by hand), ${ALL_KERNELS[*]} (packages); semwatch $V"

# Leftovers of an aborted run would make dkms add fail.
for p in semwatch semwatch-dkms; do pkg_installed $p && dpkg --purge $p >> "$LOG" 2>&1; done
make -s dkms-uninstall >> "$LOG" 2>&1
[ -x selftests/semwatch_smoke_test ] || make -s selftests >> "$LOG" 2>&1

# --- 1. DKMS by hand
t "make dkms-install (sources to /usr/src/semwatch-$V, dkms add)" make -s dkms-install
t "dkms status: semwatch/$V added" bash -c "dkms status -m semwatch -v $V | grep -q ': added'"

# BUILD_EXCLUSIVE_CONFIG: a kernel config without KRETPROBES is skipped (77).
mkdir -p "$WORK/nokretprobes"
grep -v '^CONFIG_KRETPROBES=' "/lib/modules/${KERNELS[0]}/build/.config" > "$WORK/nokretprobes/.config"
dkms build -m semwatch -v "$V" -k "${KERNELS[0]}" --kernelsourcedir "$WORK/nokretprobes" >> "$LOG" 2>&1
rc=$?
result $([ $rc = 77 ] && ! dkms status -m semwatch -v "$V" | grep -q built; echo $?) \
	"dkms refuses a kernel config without CONFIG_KRETPROBES (exit $rc, 77 expected)"

# BUILD_EXCLUSIVE_KERNEL: a series nobody checked (6.11, 6.13) is skipped (77),
# even with a complete config; 6.1 and 6.12 are the only ones that apply.
for fake in 6.11.0-1-amd64 6.13.0-1-amd64; do
	dkms build -m semwatch -v "$V" -k "$fake" \
		--kernelsourcedir "/lib/modules/${KERNELS[0]}/build" > "$LOGS/exclusive-$fake.log" 2>&1
	rc=$?
	cat "$LOGS/exclusive-$fake.log" >> "$LOG"
	result $([ $rc = 77 ] && ! dkms status -m semwatch -v "$V" | grep -q built; echo $?) \
		"dkms skips kernel $fake of an unchecked series (exit $rc, 77 expected)"
done
# Built by hand for an unchecked series, the sources stop with one clear line.
mkdir -p "$WORK/gate"
cp -r Kbuild VERSION kmod "$WORK/gate/"
make -C "/lib/modules/${KERNELS[0]}/build" M="$WORK/gate" PATCHLEVEL=13 modules \
	> "$LOGS/gate.log" 2>&1
rc=$?
cat "$LOGS/gate.log" >> "$LOG"
result $([ $rc != 0 ] && grep -q 'error: #error "semwatch: kernel series not checked' "$LOGS/gate.log"; echo $?) \
	"kbuild for series 6.13 fails with semwatch's #error (make exit $rc)"

for k in "${KERNELS[@]}"; do
	timed secs t "dkms build -k $k" dkms build -m semwatch -v "$V" -k "$k"
	note "dkms build $k: ${secs}s"
	t "dkms install -k $k" dkms install -m semwatch -v "$V" -k "$k"
	ko=$(ls /lib/modules/"$k"/updates/dkms/semwatch.ko* 2>/dev/null | head -n 1)
	result $([ -n "$ko" ]; echo $?) "$k: .ko under /lib/modules/$k/updates/dkms/ (${ko##*/})"
	t "$k: dkms status says installed" bash -c "dkms status -m semwatch -v $V -k $k | grep -q ': installed'"
	[ -n "$ko" ] || continue
	# busybox insmod cannot read a compressed module: decompress to build/.
	load=$ko
	case $ko in
	*.xz) load=$WORK/$k/semwatch.ko; mkdir -p "${load%/*}"; xz -dc "$ko" > "$load" ;;
	*.zst) load=$WORK/$k/semwatch.ko; mkdir -p "${load%/*}"; zstd -qdc "$ko" > "$load" ;;
	esac
	sum=$(sha256sum < "$load" | cut -c1-64)
	# In the guest: hash what vm.sh insmod'ed, check it is loaded, run a kselftest.
	scripts/vm.sh -k "$k" -K "$load" -t 300 -L "$LOGS/vm-$k" -- \
		'echo "loaded-sha256: $(sha256sum < "$SEMWATCH_KO" | cut -c1-64)";
		 grep "^semwatch " /proc/modules && selftests/semwatch_smoke_test' \
		> "$LOGS/vm-$k.out" 2>&1
	rc=$?
	cat "$LOGS/vm-$k.out" >> "$LOG"
	grep -qx "loaded-sha256: $sum" "$LOGS/vm-$k.out"
	result $? "$k: the DKMS-built module is the one loaded in the VM"
	note "$k: loaded $load$([ "$load" != "$ko" ] && echo " (decompressed from $ko)") sha256 ${sum:0:16}"
	result $([ $rc = 0 ] && grep -q '^# Totals: pass:[1-9].* fail:0 ' "$LOGS/vm-$k.out"; echo $?) \
		"$k: semwatch_smoke_test passes against it (vm.sh exit $rc)"
done

t "dkms remove semwatch/$V --all" dkms remove "semwatch/$V" --all
t "nothing left under /var/lib/dkms or /lib/modules" dkms_clean
# dkms never deletes the sources it was given; they are exactly the installed list.
t "/usr/src/semwatch-$V holds only the sources (no build products)" bash -c \
	"diff <(cd /usr/src/semwatch-$V && find . -type f | sort) \
	      <(make -s -f mk/install.mk dkms-src DESTDIR=$WORK/src >/dev/null &&
		cd $WORK/src/usr/src/semwatch-$V && find . -type f | sort)"
t "make dkms-uninstall" make -s dkms-uninstall
t "nothing left under /usr/src, /var/lib/dkms or /lib/modules" dkms_clean src

# --- 2. Debian packages
timed secs t "make deb" make -s deb
note "make deb: ${secs}s"
DEBS=(build/deb/semwatch_"${V}"_*.deb build/deb/semwatch-dkms_"${V}"_all.deb)
t "both packages built" ls "${DEBS[@]}"
lintian "${DEBS[@]}" > "$LOGS/lintian.txt" 2>&1
lrc=$?
sed 's/^/# lintian: /' "$LOGS/lintian.txt" | grep -v 'root privileges'
result $([ $lrc = 0 ] && ! grep -q '^E:' "$LOGS/lintian.txt"; echo $?) "lintian: no errors"

# A kernel upgrade: one kernel's headers arrive after semwatch-dkms. Its
# package is set aside (the .deb from apt's cache, else apt-get download) and
# put back on any exit.
UK=${ALL_KERNELS[-1]} HDR=linux-headers-${ALL_KERNELS[-1]}
HDR_DEB=$(ls /var/cache/apt/archives/"${HDR}"_*.deb 2>/dev/null | tail -n 1)
[ -n "$HDR_DEB" ] || HDR_DEB=$(cd "$WORK" && apt-get download "$HDR" >> "$LOG" 2>&1 &&
	ls "$WORK/${HDR}"_*.deb | tail -n 1)
hdr_ok() { dpkg-query -W -f='${db:Status-Abbrev}' "$HDR" 2> /dev/null | grep -qx 'ii '; }
restore_hdr() { hdr_ok || { dpkg --configure -a; dpkg -i "$HDR_DEB"; } >> "$LOG" 2>&1; }
trap restore_hdr EXIT
trap 'exit 130' INT TERM
# Without the package at hand, the headers are not removed (nothing could
# put them back), and the upgrade checks below fail.
t "the $HDR package is at hand (${HDR_DEB:-none})" test -f "$HDR_DEB" &&
	t "dpkg -r $HDR (its kernel is not there yet)" dpkg -r "$HDR"

timed secs t "dpkg -i semwatch-dkms semwatch" dpkg -i "${DEBS[@]}"
note "dpkg -i (DKMS builds for every kernel with headers): ${secs}s"
for k in "${ALL_KERNELS[@]}"; do
	[ "$k" = "$UK" ] && continue
	t "dpkg -i built and installed the module for $k" bash -c \
		"ls /lib/modules/$k/updates/dkms/semwatch.ko* &&
		 dkms status -m semwatch -v $V -k $k | grep -q ': installed'"
done
t "no module for $UK, whose headers are missing" bash -c "! ls /lib/modules/$UK/updates/dkms/semwatch.ko*"
timed secs t "dpkg -i $HDR (the upgrade)" dpkg -i "$HDR_DEB"
note "dpkg -i $HDR, with DKMS's autoinstall: ${secs}s"
t "installing $HDR built and installed the module for $UK" bash -c \
	"ls /lib/modules/$UK/updates/dkms/semwatch.ko* &&
	 dkms status -m semwatch -v $V -k $UK | grep -q ': installed' &&
	 modinfo -F vermagic /lib/modules/$UK/updates/dkms/semwatch.ko* | grep -q '^$UK '"
UNITS=(/lib/systemd/system/semwatch-{textfile,reap}.{service,timer})
t "systemd-analyze verify accepts the installed units" systemd-analyze verify "${UNITS[@]}"
t "semwatch-textfile.timer enabled, semwatch-reap.timer not" bash -c \
	"[ -L /etc/systemd/system/timers.target.wants/semwatch-textfile.timer ] &&
	 [ ! -e /etc/systemd/system/timers.target.wants/semwatch-reap.timer ]"
t "man -l reads the installed man pages" bash -c \
	"man -l /usr/share/man/man8/semwatch.8.gz | grep -q 'semwatch reap' &&
	 man -l /usr/share/man/man4/semwatch.4.gz | grep -q 'watch_prefix'"

t "dpkg -r semwatch semwatch-dkms" dpkg -r semwatch semwatch-dkms
t "after dpkg -r: only the conffile /etc/default/semwatch is left" bash -c \
	"dkms_clean() { ! find /var/lib/dkms /lib/modules /usr/src -name 'semwatch*' | grep .; }; dkms_clean &&
	 ! ls /usr/sbin/semwatch /lib/systemd/system/semwatch-* /etc/systemd/system/timers.target.wants/semwatch-* 2>/dev/null"
t "dpkg --purge semwatch semwatch-dkms" dpkg --purge semwatch semwatch-dkms
t "after purge: nothing left" bash -c \
	"! ls /etc/default/semwatch /usr/share/doc/semwatch* /usr/share/man/man*/semwatch.* 2>/dev/null &&
	 ! dpkg-query -W semwatch semwatch-dkms 2>/dev/null | grep -q . &&
	 ! find /var/lib/dkms /lib/modules /usr/src -name 'semwatch*' | grep ."

# --- 3. The packages on a systemd machine (scripts/systemd-test.sh, a guest)
timed secs scripts/systemd-test.sh > "$LOGS/systemd-test.log" 2>&1
sed -n 's/^# //p' "$LOGS/systemd-test.log" | grep -E '^(kernel|prep:|vm\.sh)' | sed 's/^/# /'
seen=0
while read -r line; do
	case $line in
	"ok "*) result 0 "systemd guest: ${line#ok [0-9]* }"; seen=$((seen + 1)) ;;
	"not ok "*) result 1 "systemd guest: ${line#not ok * }" ;;
	esac
done < "$LOGS/systemd-test.log"
[ $seen -gt 0 ] || result 1 "systemd guest: no test ran (see $LOGS/systemd-test.log)"
note "systemd guest: ${secs}s"

echo "1..$N"
note "$((N - FAILED)) passed, $FAILED failed (log: $LOG)"
[ $FAILED = 0 ]
