#!/bin/bash
# Build the check-debug kernel: Debian's linux-source-6.1, `make tinyconfig`
# plus scripts/debug-kernel.config (KASAN, lockdep, PROVE_RCU, DEBUG_LIST,
# kmemleak, failslab, and what the 9p test guest needs, all built in), into
# build/debug-kernel/linux-source-6.1 (bzImage and a tree to build modules
# against). Incremental: a second run only rebuilds what changed; the tree is
# re-extracted when the tarball is newer, the config is redone when the
# fragment is newer.
# Usage: scripts/debug-kernel.sh        (prints the bzImage path on its last line)
set -euo pipefail
REPO=$(cd "$(dirname "$0")/.." && pwd)
TARBALL=${DEBUG_KERNEL_TARBALL:-/usr/src/linux-source-6.1.tar.xz}
FRAG=$REPO/scripts/debug-kernel.config
TOP=$REPO/build/debug-kernel
SRC=$TOP/linux-source-6.1
JOBS=${JOBS:-$(nproc)}

missing=()
for p in flex bison bc libelf-dev libssl-dev cpio; do
	dpkg -s "$p" > /dev/null 2>&1 || missing+=("$p")
done
[ -r "$TARBALL" ] || missing+=(linux-source-6.1)
if [ ${#missing[@]} -gt 0 ]; then
	echo "debug-kernel: installing ${missing[*]}" >&2
	DEBIAN_FRONTEND=noninteractive apt-get install -y "${missing[@]}" >&2
fi

mkdir -p "$TOP"
if [ ! -f "$SRC/Makefile" ] || [ "$TARBALL" -nt "$SRC/Makefile" ]; then
	echo "debug-kernel: extracting $TARBALL" >&2
	rm -rf "$SRC"
	tar -C "$TOP" -xJf "$TARBALL"
	touch "$SRC/Makefile"
fi

cd "$SRC"
if [ ! -f .config ] || [ "$FRAG" -nt .config ]; then
	echo "debug-kernel: tinyconfig + $FRAG" >&2
	make -s tinyconfig > /dev/null
	scripts/kconfig/merge_config.sh -m .config "$FRAG" > "$TOP/merge.log" 2>&1
	make -s olddefconfig > /dev/null
	# Every option of the fragment must have survived (a dependency we forgot
	# makes olddefconfig drop it silently).
	bad=0
	while IFS= read -r line; do
		case $line in
		CONFIG_*=*) grep -qxF "$line" .config || { echo "debug-kernel: lost $line" >&2; bad=1; } ;;
		"# CONFIG_"*" is not set")
			opt=${line#\# }; opt=${opt%% *}
			if grep -q "^$opt=" .config; then echo "debug-kernel: $opt still set" >&2; bad=1; fi ;;
		esac
	done < "$FRAG"
	[ $bad = 0 ] || { rm -f .config; exit 1; }
fi
# `modules` (there are none) writes Module.symvers, which modpost needs for
# semwatch.ko.
make -j"$JOBS" -s bzImage modules modules_prepare >&2
echo "debug-kernel: $(make -s kernelrelease)" >&2
echo "$SRC/arch/x86/boot/bzImage"
