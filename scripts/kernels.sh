#!/bin/sh
# Print the kernel releases to build and test against, one per line: for each
# line of kernels.conf the pinned release if its image and headers are
# installed, else the newest installed release of that series and flavour.
# Usage: scripts/kernels.sh [-f "FLAVOUR..."] [SERIES]
#   -f "generic rt"  only these flavours (default: every flavour)
#   SERIES           only this series, e.g. 6.12
set -eu
dir=$(dirname "$0")
flavours=
if [ "${1:-}" = -f ]; then flavours=$2; shift 2; fi

installed() { [ -e "/boot/vmlinuz-$1" ] && [ -d "/lib/modules/$1/build" ]; }

grep -v '^#' "$dir/kernels.conf" | while read -r series flavour pinned; do
	[ -n "$series" ] || continue
	[ $# -eq 0 ] || [ "$1" = "$series" ] || continue
	case " ${flavours:-$flavour} " in *" $flavour "*) ;; *) continue ;; esac
	if installed "$pinned"; then
		echo "$pinned"
		continue
	fi
	re=$("$dir/kernel-release-re.sh" "$series" "$flavour")
	best=$(ls /boot | sed -n 's/^vmlinuz-//p' | grep -E "$re" | sort -V |
		while read -r k; do installed "$k" && echo "$k"; done | tail -n 1)
	if [ -z "$best" ]; then
		echo "kernels.sh: no $series $flavour kernel installed (run make setup)" >&2
		exit 1
	fi
	echo "$best"
done
