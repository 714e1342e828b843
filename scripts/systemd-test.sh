#!/bin/bash
# A fleet machine in one boot: a 6.12 guest with systemd as PID 1 and
# semwatch installed from the project's .deb packages (scripts/systemd-prep.sh,
# DKMS building the module in the guest), then scripts/systemd-guest.sh as a
# service: module loaded at boot, the textfile timer's sandboxed run, a real
# leaked cookie reaped by semwatch-reap.service and a live one kept, the
# journal's audit record, no failed unit. TAP on stdout; about 4 minutes.
# Usage: scripts/systemd-test.sh [KVER]   (make check-dkms runs it)
set -uo pipefail
REPO=$(cd "$(dirname "$0")/.." && pwd)
cd "$REPO" || exit 1
V=$(cat VERSION)
K=${1:-$(scripts/kernels.sh -f generic | grep '^6\.12' | tail -n 1)}
LOGS=$REPO/build/logs/systemd-test
mkdir -p "$LOGS"
# Packages of this tree (about 10 s), never ones left from older sources.
make -s deb > "$LOGS/deb.log" 2>&1 || { echo "Bail out! make deb failed (see $LOGS/deb.log)"; exit 1; }
DEBS=("$REPO"/build/deb/semwatch_"${V}"_*.deb "$REPO/build/deb/semwatch-dkms_${V}_all.deb")
echo "# kernel $K, packages ${DEBS[*]##*/}"
scripts/vm.sh -k "$K" -t 900 -L "$LOGS/vm" -S "bash $REPO/scripts/systemd-prep.sh ${DEBS[*]}" \
	-A "systemd.show_status=error" -- 'bash scripts/systemd-guest.sh' 2> "$LOGS/vm.err" |
	sed -u '/^\(ok\|not ok\|1\.\.\|TAP\|#\)/!s/^/# /'
rc=${PIPESTATUS[0]}
grep '^vm.sh' "$LOGS/vm.err" | sed 's/^/# /'
[ "$rc" = 0 ] || { echo "not ok - the guest ended with status $rc (logs: $LOGS)"; exit 1; }
