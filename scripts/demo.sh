#!/bin/bash
# `make demo`: boot the generic 6.12 kernel (or KVER=) in QEMU with semwatch
# loaded and show the field's failure, then the cure, with Debian's dmsetup:
# leaked udev cookies fill SEMMNI, `dmsetup create` fails, the kernel log,
# /proc/semwatch and `semwatch report` name the leakers, `semwatch reap`
# destroys them and `dmsetup create` works again. The guest half is
# scripts/demo-guest.sh; the exit status is its own (non-zero on failure).
set -euo pipefail
REPO=$(cd "$(dirname "$0")/.." && pwd)
cd "$REPO"
mkdir -p build/logs
scripts/setup.sh > build/logs/demo-setup.log 2>&1 || { cat build/logs/demo-setup.log; exit 1; }
KVER=${KVER:-$(scripts/kernels.sh -f generic 6.12)}
echo "demo: building semwatch.ko for $KVER and the semwatch command"
scripts/build-module.sh "$KVER" > build/logs/demo-build.log 2>&1 ||
	{ tail -n 30 build/logs/demo-build.log; exit 1; }
make -s cli > build/logs/demo-cli.log 2>&1 || { tail -n 30 build/logs/demo-cli.log; exit 1; }
echo "demo: booting $KVER in QEMU (TCG; under a minute)"
exec scripts/vm.sh -k "$KVER" -m "${SEMWATCH_PARAMS:-}" -t 300 -L build/logs/demo -- bash scripts/demo-guest.sh
