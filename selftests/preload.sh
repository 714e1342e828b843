#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Runs BEFORE insmod (see PLAN "Contracts"): make a semaphore set the module
# can only discover by walking the IDR at load, and tell the tests its key.
# nsems 3 (not 1) so the test can tell a read nsems from a default.
set -eu
KEY=0x0d4d5e70
NSEMS=3
ENV=/tmp/semwatch-preload.env
here=$(cd "$(dirname "$0")" && pwd)

mkset=
for p in "${SEMWATCH_MKSET:-}" "$here/mkset" "${OUTPUT:-/nonexistent}/mkset" \
	 "${SEMWATCH_REPO:-$here/..}/build/selftests/mkset"; do
	if [ -n "$p" ] && [ -x "$p" ]; then mkset=$p; break; fi
done
if [ -n "$mkset" ]; then
	"$mkset" "$KEY" "$NSEMS" >/dev/null
else
	# Fallback without the helper: python3 is in the guest chroot.
	python3 -c 'import ctypes, sys
libc = ctypes.CDLL(None, use_errno=True)
if libc.semget(int(sys.argv[1], 0), int(sys.argv[2]), 0o1000 | 0o600) < 0:
    sys.exit("semget: errno %d" % ctypes.get_errno())' "$KEY" "$NSEMS"
fi
# The runner exports these KEY=VALUE lines to the tests.
echo "SEMWATCH_PREEXISTING_KEY=$KEY" > "$ENV"
echo "SEMWATCH_PREEXISTING_NSEMS=$NSEMS" >> "$ENV"
