#!/bin/sh
# Print the kernel releases to build and test against, one per line: for each
# series in kernels.conf the pinned release if its image and headers are
# installed, else the newest installed release of that series.
# Usage: scripts/kernels.sh [SERIES]   (e.g. "6.12" prints only that one)
set -eu
conf=$(dirname "$0")/kernels.conf

installed() { [ -e "/boot/vmlinuz-$1" ] && [ -d "/lib/modules/$1/build" ]; }

# Release glob for a series: 6.1 -> 6.1.0-*-amd64, 6.12 -> 6.12.*+deb12-amd64.
series_glob() {
	case $1 in
	6.1) echo '6.1.0-*-amd64' ;;
	*) echo "$1.*-amd64" ;;
	esac
}

grep -v '^#' "$conf" | while read -r series pinned; do
	[ -n "$series" ] || continue
	[ $# -eq 0 ] || [ "$1" = "$series" ] || continue
	if installed "$pinned"; then
		echo "$pinned"
		continue
	fi
	glob=$(series_glob "$series")
	best=$(cd /boot && ls -d vmlinuz-$glob 2>/dev/null | sed 's/^vmlinuz-//' |
		sort -V | while read -r k; do installed "$k" && echo "$k"; done | tail -n 1)
	if [ -z "$best" ]; then
		echo "kernels.sh: no kernel of series $series installed (run make setup)" >&2
		exit 1
	fi
	echo "$best"
done
