#!/bin/bash
# Boot one Debian kernel in QEMU (TCG: this machine cannot load modules and
# KVM hangs) and run a shell command as root in a chroot of the host's root
# file system, mounted read-only over virtio-fs (or 9p), optionally after
# insmod'ing the freshly built semwatch.ko.
# Used by developers, `make check` and `make demo`.
#
# Usage: scripts/vm.sh [-k KVER] [-B BZIMAGE] [-m 'PARAMS'] [-K KO] [-t SECS] [-L DIR] [-A ARGS] [-I] [-v] -- 'COMMAND'
#   -k KVER    kernel release (default: the running one if installed, else the newest
#              from scripts/kernels.sh)
#   -B BZIMAGE boot this self-built kernel (release KVER, required) instead of
#              /boot/vmlinuz-KVER; virtio and 9p or virtio-fs must be built in
#              (make check-debug)
#   -m PARAMS  insmod the module with PARAMS before COMMAND (-m '' for no parameters)
#   -K KO      module to insmod (default build/KVER/semwatch.ko; implies -m '')
#   -t SECS    wall-clock limit for the whole guest (default 600), then qemu is killed
#   -b SECS    kill the guest if it has not reached COMMAND after SECS (exit 123)
#   -L DIR     keep console.log (kernel) and output.log (command) in DIR
#              (default build/logs/vm-KVER-TIME)
#   -A ARGS    extra kernel command-line arguments (e.g. -A ipcmni_extend)
#   -S PREP    boot systemd as PID 1 on a writable root (the host root under a
#              tmpfs overlay, over 9p): PREP (shell code) runs first in
#              a chroot of it, then COMMAND as a service after multi-user.target
#   -I         deterministic guest clock (QEMU -icount shift=0): guest time
#              counts instructions, so guest-measured ratios do not move with
#              the host's load (make bench); wall-clock time runs slower
#   -v         also copy the kernel console to stderr as it arrives
# COMMAND runs in bash in the repo directory with SEMWATCH_KO, SEMWATCH_HOOK,
# SEMWATCH_REPO, SEMWATCH_BIN set. Its output goes to stdout; kernel messages of
# level warning and worse go to stderr prefixed "[kernel] ".
# Exit status: the command's, 123 when the guest did not boot within -b SECS,
# 124 when the guest timed out, 125 when the guest died without reporting one
# (panic, crash), 126 when insmod failed.
set -euo pipefail

REPO=$(cd "$(dirname "$0")/.." && pwd)
KVER= PARAMS= LOAD=0 KO= TIMEOUT=600 BOOT_LIMIT= LOGDIR= VERBOSE=0 KARGS= BZIMAGE= PREP= ICOUNT=()
while getopts k:B:m:K:t:b:L:A:S:Ivh opt; do
	case $opt in
	k) KVER=$OPTARG ;;
	B) BZIMAGE=$OPTARG ;;
	m) PARAMS=$OPTARG LOAD=1 ;;
	K) KO=$OPTARG LOAD=1 ;;
	t) TIMEOUT=$OPTARG ;;
	b) BOOT_LIMIT=$OPTARG ;;
	L) LOGDIR=$OPTARG ;;
	A) KARGS=$OPTARG ;;
	S) PREP=$OPTARG ;;
	I) ICOUNT=(-icount shift=0) ;;
	v) VERBOSE=1 ;;
	*) sed -n '2,/^set -e/p' "$0" | sed '$d; s/^# \{0,1\}//' >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
[ "${1:-}" = -- ] && shift
CMD=${*:-true}

if [ -z "$KVER" ]; then
	if [ -e "/boot/vmlinuz-$(uname -r)" ]; then KVER=$(uname -r)
	else KVER=$("$REPO/scripts/kernels.sh" | tail -n 1); fi
fi
VMLINUZ=/boot/vmlinuz-$KVER MODDIR=/lib/modules/$KVER
if [ -n "$BZIMAGE" ]; then
	VMLINUZ=$BZIMAGE	# everything built in: the initramfs gets no module
	[ -r "$VMLINUZ" ] || { echo "vm.sh: $BZIMAGE missing" >&2; exit 2; }
else
	[ -r "$VMLINUZ" ] && [ -d "$MODDIR" ] || { echo "vm.sh: kernel $KVER not installed (make setup)" >&2; exit 2; }
fi
[ -n "$KO" ] || KO=$REPO/build/$KVER/semwatch.ko
KO=$(realpath -m "$KO")
if [ $LOAD = 1 ] && [ ! -r "$KO" ]; then
	echo "vm.sh: $KO missing (make KVER=$KVER)" >&2; exit 2
fi

# --- how the guest reaches the host root: virtio-fs served by virtiofsd where
# the kernel has it (every Debian flavour; self-built kernels whose .config says
# so), else 9p. The root is read-only and nothing the guest reads changes while
# it runs, so virtiofsd lets the guest cache everything (cache=always): under
# TCG each FUSE round trip costs, and the CLI's tests, which exec much, ran 2 to
# 4 times faster than over 9p or uncached virtio-fs. -S needs 9p (an overlay
# hides virtio-fs submounts).
# A self-built kernel (-B) gets no module in the initramfs: it must have the
# transport built in (=y), and its .config is the one of the tree it was built in.
CONFIG=/boot/config-$KVER BUILTIN='[ym]'
[ -z "$BZIMAGE" ] || CONFIG=$(dirname "$BZIMAGE")/../../../.config BUILTIN=y
[ -r "$CONFIG" ] || { echo "vm.sh: no kernel config at $CONFIG: cannot tell 9p from virtio-fs" >&2; exit 2; }
VIRTIOFSD=/usr/lib/qemu/virtiofsd
has() { grep -qE "^CONFIG_$1=$BUILTIN" "$CONFIG"; }
if [ -n "$PREP" ]; then
	has 9P_FS || { echo "vm.sh: -S needs a kernel with 9p (an overlay hides virtio-fs submounts)" >&2; exit 2; }
	FS=9p
elif has VIRTIO_FS; then
	FS=virtiofs
	[ -x "$VIRTIOFSD" ] || { echo "vm.sh: $VIRTIOFSD is missing (make setup)" >&2; exit 2; }
elif has 9P_FS; then
	FS=9p
else
	echo "vm.sh: kernel $KVER has neither virtio-fs nor 9p (see $CONFIG)" >&2
	exit 2
fi

# --- initramfs: busybox, the virtio modules for either transport (decompressed),
# /init; cached per kernel. The kernel command line says which transport to use
# (semwatch_fs=), so one image serves both.
INITRD=$REPO/build/initramfs/$KVER.cpio.gz
build_initramfs() {
	local tmp mods seen m line dep fs base
	tmp=$(mktemp -d "$REPO/build/initramfs/tmp.XXXXXX")
	mkdir -p "$tmp"/{bin,dev,proc,sys,host,mod}
	cp /bin/busybox "$tmp/bin/busybox"
	ln -s busybox "$tmp/bin/sh"
	# Modules in load order, one list per transport (mod/order.FS): each target's
	# modules.dep entries (which list the deepest dependency last), reversed,
	# then the target itself.
	add() { case $seen in *" $1 "*) ;; *) seen+="$1 "; mods+=("$1") ;; esac; }
	for fs in 9p virtiofs; do
		mods=() seen=" "
		for m in virtio virtio_ring virtio_pci_legacy_dev virtio_pci_modern_dev virtio_pci \
			$(case $fs in 9p) echo netfs fscache 9pnet 9pnet_virtio 9p ;; *) echo fuse virtiofs ;; esac) \
			overlay; do
			line=$(grep -E "/$m\.ko(\.xz|\.zst|\.gz)?:" "$MODDIR/modules.dep" 2>/dev/null || true)
			[ -n "$line" ] || continue  # built in, or absent in this kernel
			for dep in $(echo "${line#*:}" | tr ' ' '\n' | tac); do add "$dep"; done
			add "${line%%:*}"
		done
		: > "$tmp/mod/order.$fs"
		for m in "${mods[@]}"; do
			base=${m##*/}; base=${base%.xz}; base=${base%.zst}; base=${base%.gz}
			[ -e "$tmp/mod/$base" ] || case $m in
			*.xz) xz -dc "$MODDIR/$m" > "$tmp/mod/$base" ;;
			*.zst) zstd -qdc "$MODDIR/$m" > "$tmp/mod/$base" ;;
			*.gz) gzip -dc "$MODDIR/$m" > "$tmp/mod/$base" ;;
			*) cp "$MODDIR/$m" "$tmp/mod/$base" ;;
			esac
			echo "$base" >> "$tmp/mod/order.$fs"
		done
	done
	cat > "$tmp/init" <<'INIT'
#!/bin/sh
# PID 1 of the test guest: mount the host root over 9p or virtio-fs, build the
# chroot, run the job written by scripts/vm.sh, report its status on ttyS2,
# power off.
export PATH=/bin
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
run=$(sed -n 's/.*semwatch_run=\([^ ]*\).*/\1/p' /proc/cmdline)
repo=$(sed -n 's/.*semwatch_repo=\([^ ]*\).*/\1/p' /proc/cmdline)
fs=$(sed -n 's/.*semwatch_fs=\([^ ]*\).*/\1/p' /proc/cmdline)
for m in $(cat /mod/order.${fs:-9p}); do insmod /mod/$m || echo "init: insmod $m failed"; done
for t in /dev/ttyS1 /dev/ttyS2; do stty -F $t raw -echo 115200; done
R=/host
# virtiofsd cannot export read-only: the guest mounts it so.
case $fs in
virtiofs) mount -t virtiofs -o ro hostroot $R ;;
*) mount -t 9p -o trans=virtio,version=9p2000.L,ro,msize=262144 hostroot $R ;;
esac || { echo "init: cannot mount host root"; poweroff -f; }
# The repository (and the job in it) may be a clone under /tmp or /run, which
# the tmpfs mounts below cover: keep a handle on it and bind it back after.
mkdir -p /repo && mount -o bind "$R$repo" /repo
mount -t tmpfs -o mode=1777 tmpfs $R/tmp
mount -t tmpfs -o mode=755 tmpfs $R/run
mkdir -p "$R$repo" 2>/dev/null; mount -o bind /repo "$R$repo"
mount -t devtmpfs devtmpfs $R/dev
mkdir -p $R/dev/pts $R/dev/shm
mount -t devpts -o newinstance,ptmxmode=0666 devpts $R/dev/pts
mount -t tmpfs -o mode=1777 tmpfs $R/dev/shm
mount -t proc proc $R/proc
mount -t sysfs sysfs $R/sys
mount -t debugfs debugfs $R/sys/kernel/debug
mount -t cgroup2 cgroup2 $R/sys/fs/cgroup 2>/dev/null
hostname semwatch-vm
if [ -e "$R$run/prep.sh" ]; then
	# systemd as PID 1 (vm.sh -S): the host root under a tmpfs overlay, the
	# same mounts moved in, PREP in a chroot, then systemd runs job.service.
	N=/new
	mkdir -p /up $N && mount -t tmpfs -o mode=755 tmpfs /up && mkdir /up/u /up/w &&
		mount -t overlay -o lowerdir=$R,upperdir=/up/u,workdir=/up/w overlay $N ||
		{ echo "init: no overlay root" > /dev/ttyS1; echo rc=125 > /dev/ttyS2; poweroff -f; }
	for m in /tmp /run "$repo" /dev /proc /sys; do
		grep -q " $R$m " /proc/mounts && mount -o move "$R$m" "$N$m"
	done
	# bash's <(...) (dkms uses it) needs /dev/fd; systemd makes it later.
	ln -sf /proc/self/fd $N/dev/fd
	echo "init: running $run/prep.sh" > /dev/kmsg
	chroot $N /bin/bash "$run/prep.sh" < /dev/null > /dev/ttyS1 2>&1 ||
		{ echo "rc=$?" > /dev/ttyS2; poweroff -f; }
	mkdir -p $N/etc/systemd/system/multi-user.target.wants
	cp "$N$run/job.service" $N/etc/systemd/system/semwatch-vm-job.service
	ln -sf ../semwatch-vm-job.service $N/etc/systemd/system/multi-user.target.wants/
	exec switch_root $N /lib/systemd/systemd
fi
echo "init: running $run/job.sh" > /dev/kmsg
chroot $R /bin/bash "$run/job.sh" < /dev/null > /dev/ttyS1 2>&1
echo "rc=$?" > /dev/ttyS2
echo "===== dmesg =====" > /dev/ttyS0
dmesg > /dev/ttyS0
echo "===== end of dmesg =====" > /dev/ttyS0
sync
poweroff -f
INIT
	chmod +x "$tmp/init"
	(cd "$tmp" && find . | cpio -o -H newc --quiet | gzip -1) > "$tmp.cpio.gz"
	mv "$tmp.cpio.gz" "$INITRD"
	rm -rf "$tmp"
}
mkdir -p "$REPO/build/initramfs"
if [ ! -s "$INITRD" ] || [ "$0" -nt "$INITRD" ]; then build_initramfs; fi

# --- the job: environment, optional insmod, then the command
RUN=$(mktemp -d "$REPO/build/vm-run.XXXXXX") VFSDIR= VPID= QPID= WPID=
# On any exit, including an interrupted vm.sh, leave nothing running: QEMU, the
# boot watchdog, and virtiofsd (which exits when QEMU disconnects, but not if
# QEMU never connected).
cleanup() {
	local p
	for p in $QPID $WPID $VPID; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
	rm -rf "$RUN" ${VFSDIR:+"$VFSDIR"}
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
HOOK=$(printf '%s\n' "$PARAMS" | sed -n 's/.*\bhook=\([^ ]*\).*/\1/p')
{
	echo "export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
	echo "export HOME=/root LANG=C.UTF-8 TERM=dumb"
	printf 'export SEMWATCH_REPO=%q SEMWATCH_KO=%q SEMWATCH_HOOK=%q\n' "$REPO" "$KO" "${HOOK:-auto}"
	printf 'export SEMWATCH_BIN=%q\n' "$REPO/userspace/semwatch"
	# The guest is thrown away: tests may step its clock (selftests/cli_lib.sh).
	echo "export SEMWATCH_CLOCK_STEP=1"
	printf 'cd %q\n' "$REPO"
	if [ $LOAD = 1 ]; then
		printf 'echo "vm: insmod %s %s"\n' "$KO" "$PARAMS"
		printf 'insmod %q %s || { echo "vm: insmod failed"; exit 126; }\n' "$KO" "$PARAMS"
	fi
	printf '%s\n' "$CMD"
} > "$RUN/job.sh"
if [ -n "$PREP" ]; then
	printf 'set -e\n%s\n' "$PREP" > "$RUN/prep.sh"
	cat > "$RUN/job.service" <<-EOF
	[Unit]
	Description=semwatch test job (scripts/vm.sh -S)
	After=multi-user.target
	[Service]
	Type=oneshot
	ExecStart=/bin/sh -c 'bash $RUN/job.sh < /dev/null > /dev/ttyS1 2>&1; echo "rc=\$\$?" > /dev/ttyS2'
	# The root is a tmpfs: no unit needs an orderly stop, which takes minutes under TCG.
	ExecStartPost=/bin/systemctl --no-block --force poweroff
	EOF
fi

[ -n "$LOGDIR" ] || LOGDIR=$REPO/build/logs/vm-$KVER-$(date +%Y%m%d-%H%M%S)-$$
mkdir -p "$LOGDIR"
CONSOLE=$LOGDIR/console.log OUT=$LOGDIR/output.log STATUS=$RUN/status
: > "$CONSOLE"; : > "$OUT"; : > "$STATUS"

if [ $FS = virtiofs ]; then
	# Socket paths are limited to 108 bytes: not under the repo, which may be deep.
	VFSDIR=$(mktemp -d "${TMPDIR:-/tmp}/semwatch-vfs.XXXXXX")
	# sandbox=chroot: the namespace sandbox gains nothing when sharing / and
	# needs unshare(), which containers (CI) may refuse. announce_submounts
	# gives each host mount its own st_dev, as multidevs=remap does for 9p.
	"$VIRTIOFSD" --socket-path="$VFSDIR/sock" -o source=/,cache=always,sandbox=chroot,announce_submounts \
		< /dev/null > "$LOGDIR/virtiofsd.log" 2>&1 &
	VPID=$!
	for ((i = 0; i < 100; i++)); do
		[ ! -S "$VFSDIR/sock" ] || break
		kill -0 "$VPID" 2>/dev/null || break
		sleep 0.1
	done
	[ -S "$VFSDIR/sock" ] ||
		{ echo "vm.sh: virtiofsd did not start (logs: $LOGDIR)" >&2; cat "$LOGDIR/virtiofsd.log" >&2; exit 2; }
	# vhost-user needs guest RAM QEMU can share with virtiofsd: size = -m.
	SHARE=(-chardev "socket,id=vfs,path=$VFSDIR/sock" -device "vhost-user-fs-pci,chardev=vfs,tag=hostroot"
		-object "memory-backend-memfd,id=mem,size=2G,share=on" -numa "node,memdev=mem")
else
	SHARE=(-virtfs "local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap")
fi

start=$(date +%s)
# Two vCPUs on one TCG thread. With a thread per vCPU (QEMU 7.2's default), a vCPU
# was seen running stale code after another one re-patched it: ftrace and kprobe
# un-patching during rmmod then crashed 6.12 guests (int3 with no patch in flight,
# calls to address 0). One thread keeps cross-vCPU code patching coherent and still
# interleaves the two vCPUs, which is what the concurrency tests need.
timeout -k 5 "$TIMEOUT" qemu-system-x86_64 -accel tcg,thread=single -cpu max -smp 2 -m 2G \
	"${ICOUNT[@]}" -nodefaults -display none -no-reboot \
	-kernel "$VMLINUZ" -initrd "$INITRD" \
	-append "console=ttyS0 loglevel=5 panic=-1 semwatch_run=$RUN semwatch_repo=$REPO semwatch_fs=$FS${KARGS:+ $KARGS}" \
	-serial "file:$CONSOLE" -serial "file:$OUT" -serial "file:$STATUS" "${SHARE[@]}" \
	< /dev/null > "$LOGDIR/qemu.log" 2>&1 &
QPID=$!
if [ -n "$BOOT_LIMIT" ]; then
	# The job's first kernel-log line is "init: running"; no line by then is a
	# guest stuck in early boot, which a retry may get past (make check-debug).
	(
		for ((i = 0; i < BOOT_LIMIT; i++)); do
			sleep 1
			! grep -q 'init: running' "$CONSOLE" || exit 0
		done
		: > "$RUN/boot-hung"
		kill "$QPID"
	) < /dev/null > /dev/null 2>&1 &
	WPID=$!
fi
tail -n +1 -F --pid=$QPID "$OUT" 2>/dev/null &
TPID=$!
if [ $VERBOSE = 1 ]; then
	tail -n +1 -F --pid=$QPID "$CONSOLE" 2>/dev/null >&2 &
else
	# Lines at warning level or worse (loglevel=5), from the start of the job
	# (boot noise is skipped; a panic is not) up to the dmesg dump.
	tail -n +1 -F --pid=$QPID "$CONSOLE" 2>/dev/null |
		sed -u -n '/^===== dmesg =====/q; /init: running\|Kernel panic/,$s/^/[kernel] /p' >&2 &
fi
qrc=0
wait $QPID || qrc=$?
QPID=	# reaped: its pid may be reused
wait $TPID 2>/dev/null || true
elapsed=$(($(date +%s) - start))

[ -z "$WPID" ] || kill "$WPID" 2>/dev/null || true

rc=$(tr -d '\r' < "$STATUS" | sed -n 's/^rc=\([0-9]*\).*/\1/p' | tail -n 1)
if [ -e "$RUN/boot-hung" ]; then
	echo "vm.sh: guest did not reach the job within ${BOOT_LIMIT}s (logs: $LOGDIR)" >&2
	exit 123
elif [ "$qrc" = 124 ] || [ "$qrc" = 137 ]; then
	echo "vm.sh: TIMEOUT: guest killed after ${TIMEOUT}s (logs: $LOGDIR)" >&2
	exit 124
elif [ -z "$rc" ]; then
	echo "vm.sh: guest ended without a status (qemu rc $qrc; panic?) (logs: $LOGDIR)" >&2
	cat "$LOGDIR/qemu.log" >&2
	exit 125
fi
echo "vm.sh: $KVER: exit $rc after ${elapsed}s (logs: $LOGDIR)" >&2
exit "$rc"
