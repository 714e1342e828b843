#!/bin/bash
# Build a check-debug kernel: `make tinyconfig` plus the flavour's fragments
# (KASAN, lockdep, PROVE_RCU, DEBUG_LIST, kmemleak, failslab, and what the test
# guest needs, virtio-fs and 9p included, all built in) from Debian's linux-source tarball, into a
# tree of its own under build/debug-kernel/ (bzImage and a tree to build
# modules against), so that the flavours coexist:
#   6.1      linux-source-6.1,  scripts/debug-kernel.config
#            -> build/debug-kernel/linux-source-6.1
#   6.12-rt  linux-source-6.12, scripts/debug-kernel.config + debug-kernel-rt.config
#            (PREEMPT_RT, PROVE_RAW_LOCK_NESTING) -> build/debug-kernel/linux-source-6.12-rt
# Incremental: a second run only rebuilds what changed; the tree is
# re-extracted when the tarball is newer, the config is redone when a fragment
# is newer.
# Usage: scripts/debug-kernel.sh [6.1|6.12-rt]   (default 6.1; prints the
#        bzImage path on its last line)
# Environment: JOBS (make -j), DEBUG_KERNEL_TARBALL (another source tarball)
set -euo pipefail
REPO=$(cd "$(dirname "$0")/.." && pwd)
FLAVOUR=${1:-6.1}
TOP=$REPO/build/debug-kernel
case $FLAVOUR in
6.1)
	PKG=linux-source-6.1
	FRAGS=("$REPO/scripts/debug-kernel.config") ;;
6.12-rt)
	PKG=linux-source-6.12
	FRAGS=("$REPO/scripts/debug-kernel.config" "$REPO/scripts/debug-kernel-rt.config") ;;
*)
	echo "usage: scripts/debug-kernel.sh [6.1|6.12-rt]" >&2; exit 2 ;;
esac
TARBALL=${DEBUG_KERNEL_TARBALL:-/usr/src/$PKG.tar.xz}
SRC=$TOP/linux-source-$FLAVOUR
JOBS=${JOBS:-$(nproc)}

missing=()
for p in flex bison bc libelf-dev libssl-dev cpio; do
	dpkg -s "$p" > /dev/null 2>&1 || missing+=("$p")
done
[ -r "$TARBALL" ] || missing+=("$PKG")
if [ ${#missing[@]} -gt 0 ]; then
	echo "debug-kernel: installing ${missing[*]}" >&2
	DEBIAN_FRONTEND=noninteractive apt-get install -y "${missing[@]}" >&2
fi

mkdir -p "$TOP"
if [ ! -f "$SRC/Makefile" ] || [ "$TARBALL" -nt "$SRC/Makefile" ]; then
	echo "debug-kernel: extracting $TARBALL into $SRC" >&2
	# Into a scratch directory first: the tarball's top directory
	# (linux-source-6.12) is not the flavour's (linux-source-6.12-rt).
	rm -rf "$SRC" "$SRC.extract"
	mkdir "$SRC.extract"
	tar -C "$SRC.extract" -xJf "$TARBALL"
	mv "$SRC.extract"/* "$SRC"
	rmdir "$SRC.extract"
	touch "$SRC/Makefile"
fi

cd "$SRC"
redo=0
[ -f .config ] || redo=1
for f in "${FRAGS[@]}"; do [ "$f" -nt .config ] && redo=1; done
if [ $redo = 1 ]; then
	echo "debug-kernel: $FLAVOUR: tinyconfig + ${FRAGS[*]##*/}" >&2
	make -s tinyconfig > /dev/null
	scripts/kconfig/merge_config.sh -m .config "${FRAGS[@]}" > "$TOP/merge-$FLAVOUR.log" 2>&1
	make -s olddefconfig > /dev/null
	# Every option of the fragments must have survived (a dependency we forgot
	# makes olddefconfig drop it silently). Per option, the last fragment that
	# sets it wins, as in merge_config.sh.
	bad=0
	while IFS= read -r line; do
		case $line in
		CONFIG_*=*) grep -qxF "$line" .config || { echo "debug-kernel: lost $line" >&2; bad=1; } ;;
		"# CONFIG_"*" is not set")
			opt=${line#\# }; opt=${opt%% *}
			if grep -q "^$opt=" .config; then echo "debug-kernel: $opt still set" >&2; bad=1; fi ;;
		esac
	done < <(cat "${FRAGS[@]}" | awk '
		/^CONFIG_[A-Za-z0-9_]+=/ { o = $0; sub(/=.*/, "", o) }
		/^# CONFIG_[A-Za-z0-9_]+ is not set$/ { o = $2 }
		o != "" { if (!(o in last)) order[n++] = o; last[o] = $0; o = "" }
		END { for (i = 0; i < n; i++) print last[order[i]] }')
	[ $bad = 0 ] || { rm -f .config; exit 1; }
fi
# `modules` (there are none) writes Module.symvers, which modpost needs for
# semwatch.ko.
make -j"$JOBS" -s bzImage modules modules_prepare >&2
echo "debug-kernel: $FLAVOUR: $(make -s kernelrelease)" >&2
echo "$SRC/arch/x86/boot/bzImage"
