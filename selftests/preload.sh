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
[ -n "$mkset" ] || { echo "preload: mkset not built (make -C selftests)" >&2; exit 1; }
"$mkset" "$KEY" "$NSEMS" > /dev/null
# The runner exports these KEY=VALUE lines to the tests.
echo "SEMWATCH_PREEXISTING_KEY=$KEY" > "$ENV"
echo "SEMWATCH_PREEXISTING_NSEMS=$NSEMS" >> "$ENV"
