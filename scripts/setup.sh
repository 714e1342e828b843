#!/bin/bash
# Install everything semwatch needs to build, test and demo on Debian 12:
# QEMU, busybox, the six pinned kernels (image + headers, see kernels.conf),
# the kernel sources (kselftest headers, checkpatch), compilers and test tools.
# Idempotent: does nothing when all is installed; otherwise needs root.
set -euo pipefail
REPO=$(cd "$(dirname "$0")/.." && pwd)
export DEBIAN_FRONTEND=noninteractive

PKGS=(qemu-system-x86 busybox-static build-essential gcc-multilib libc6-dev-i386
	libjson-c-dev libsmartcols-dev libsystemd-dev pkg-config dmsetup util-linux jq xz-utils zstd cpio
	kmod procps git make curl iproute2
	linux-source-6.1 linux-source-6.12
	flex bison bc libelf-dev libssl-dev) # the debug kernels of make check-debug
# promtool, and the real server and exporter of monitoring/e2e-test.sh;
# recommends would pull in more exporters and their timers.
NORECOMMENDS=(prometheus prometheus-node-exporter)
# Packaging (dkms helper, scripts/dkms-test.sh): DKMS, debhelper + dh_dkms, lintian;
# no recommends, or dkms would pull in the newest linux-headers-amd64.
NORECOMMENDS+=(dkms dh-dkms debhelper lintian fakeroot dpkg-dev systemd man-db)

installed() { dpkg-query -W -f='${db:Status-Status}\n' "$1" 2>/dev/null | grep -qx installed; }
available() { apt-cache show "$1" > /dev/null 2>&1; }

UPDATED=0
apt_update() {
	[ $UPDATED = 1 ] && return
	apt-get update -q >&2
	UPDATED=1
}

need_root() {
	[ "$(id -u)" = 0 ] || { echo "setup.sh: missing packages: $*; run as root (make setup)" >&2; exit 1; }
}

# Kernel packages for one line of kernels.conf: the pinned release, else the
# newest release of the same series and flavour.
kernel_pkgs() {
	local series=$1 flavour=$2 pinned=$3 rel re
	if installed "linux-image-$pinned-unsigned" && installed "linux-headers-$pinned"; then
		return
	fi
	if ! available "linux-image-$pinned-unsigned" && [ "$(id -u)" = 0 ]; then
		apt_update
	fi
	rel=$pinned
	if ! available "linux-image-$pinned-unsigned" || ! available "linux-headers-$pinned"; then
		re=$("$REPO/scripts/kernel-release-re.sh" "$series" "$flavour")
		rel=$(apt-cache search --names-only '^linux-image-.*-unsigned$' | awk '{print $1}' |
			sed 's/^linux-image-//; s/-unsigned$//' | grep -E "$re" | sort -V | tail -n 1)
		[ -n "$rel" ] || { echo "setup.sh: no $series $flavour kernel available" >&2; exit 1; }
		echo "setup.sh: $pinned is no longer available; using $rel" >&2
	fi
	echo "linux-image-$rel-unsigned linux-headers-$rel"
}

MISSING=()
for p in "${PKGS[@]}"; do installed "$p" || MISSING+=("$p"); done
while read -r series flavour pinned; do
	case $series in '#'* | '') continue ;; esac
	for p in $(kernel_pkgs "$series" "$flavour" "$pinned"); do
		installed "$p" || MISSING+=("$p")
	done
done < "$REPO/scripts/kernels.conf"
MISSING_NR=()
for p in "${NORECOMMENDS[@]}"; do installed "$p" || MISSING_NR+=("$p"); done

if [ ${#MISSING[@]} = 0 ] && [ ${#MISSING_NR[@]} = 0 ]; then
	echo "setup.sh: everything is installed"
	exit 0
fi
need_root "${MISSING[@]}" "${MISSING_NR[@]}"
apt_update
APT=(apt-get install -y -q -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold)
[ ${#MISSING[@]} = 0 ] || "${APT[@]}" "${MISSING[@]}"
[ ${#MISSING_NR[@]} = 0 ] || "${APT[@]}" --no-install-recommends "${MISSING_NR[@]}"
echo "setup.sh: installed ${MISSING[*]} ${MISSING_NR[*]}"
