#!/bin/bash
# Build semwatch.ko for one kernel in its own shadow directory build/<kver>/
# (kbuild puts objects next to the sources, so two kernels cannot share the
# tree): a real directory tree of per-file symlinks to Kbuild and kmod/.
# Builds with W=1 and fails on any compiler or modpost warning.
# Usage: scripts/build-module.sh KVER [KDIR]
set -euo pipefail
REPO=$(cd "$(dirname "$0")/.." && pwd)
KVER=$1
KDIR=${2:-/lib/modules/$KVER/build}
[ -d "$KDIR" ] || { echo "build-module: no headers for $KVER at $KDIR (make setup)" >&2; exit 1; }
OUT=$REPO/build/$KVER
mkdir -p "$OUT/kmod"
# Refresh the symlink tree: new sources appear, removed ones disappear.
find "$OUT" -xtype l -delete
cp -rs --remove-destination "$REPO/kmod" "$OUT/"
ln -sfn "$REPO/Kbuild" "$OUT/Kbuild"
ln -sfn "$REPO/VERSION" "$OUT/VERSION"
LOG=$OUT/build.log
set +e
make -C "$KDIR" M="$OUT" W=1 modules 2>&1 | tee "$LOG"
rc=${PIPESTATUS[0]}
set -e
[ "$rc" = 0 ] || { echo "build-module: $KVER: build failed" >&2; exit "$rc"; }
if grep -Ei '(^|[^a-z])(warning|error):' "$LOG" >&2; then
	echo "build-module: $KVER: warnings are errors (see $LOG)" >&2
	# Clean, so the next build compiles everything again and shows them again.
	make -C "$KDIR" M="$OUT" clean > /dev/null
	exit 1
fi
echo "build-module: $KVER: $OUT/semwatch.ko"
