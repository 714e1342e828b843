#!/bin/bash
# `make style`: run the kernel's checkpatch.pl --strict over kmod/. The script
# (with spelling.txt and const_structs.checkpatch) is taken from Debian's
# linux-source tarball into build/checkpatch/ on first use. Any error, warning
# or check fails; nothing is ignored.
set -euo pipefail
REPO=$(cd "$(dirname "$0")/.." && pwd)
CP=$REPO/build/checkpatch
if [ ! -x "$CP/checkpatch.pl" ]; then
	tarball=$(ls /usr/src/linux-source-6.12.tar.xz /usr/src/linux-source-6.1.tar.xz 2>/dev/null | head -n 1)
	[ -n "$tarball" ] || { echo "style.sh: no linux-source tarball (make setup)" >&2; exit 1; }
	mkdir -p "$CP"
	tar -xJf "$tarball" -C "$CP" --wildcards --strip-components=2 \
		'linux-source-*/scripts/checkpatch.pl' 'linux-source-*/scripts/spelling.txt' \
		'linux-source-*/scripts/const_structs.checkpatch'
fi
cd "$REPO"
shopt -s nullglob
files=(kmod/*.c kmod/*.h kmod/compat/*.h)
[ ${#files[@]} -gt 0 ] || { echo "style.sh: no sources in kmod/" >&2; exit 1; }
CHECKPATCH=(perl "$CP/checkpatch.pl" --strict --no-tree --terse --no-summary --show-types --color=never)
out=$("${CHECKPATCH[@]}" -f "${files[@]}" 2>&1 || true)
bad=$(printf '%s\n' "$out" | grep -E '(ERROR|WARNING|CHECK):' || true)
if [ -n "$bad" ]; then
	printf '%s\n' "$bad"
	echo "style.sh: checkpatch --strict: $(printf '%s\n' "$bad" | wc -l) problems" >&2
	exit 1
fi
echo "style.sh: ${#files[@]} files clean (checkpatch --strict)"
