#!/bin/bash
# Guest side of `make bench` (run by scripts/bench.sh through scripts/vm.sh -I, as
# root in the guest chroot, WITHOUT the module loaded). Runs the selected parts
# and prints one machine-readable line per measurement:
#   @R part=P case=C n=N rep=R ns=NANOSECONDS
#   @M part=P case=C n=N rep=R key=value ...        (memory figures, counts)
#   @I text                                         (information)
#   @E text                                         (error: something did not work)
# bench/report.sh turns them into bench/results.md.
# Usage: bench-guest.sh KO SWBENCH PARTS
#   PARTS: any of tax mem read reap big cli exit (mem not with tax)
# The guest runs under QEMU -icount shift=0: guest time counts instructions, so
# runs of a case hardly vary and three repetitions give a stable median. The
# cases (no module, hook=kprobe, hook=tracepoint) are loaded ONCE each per boot,
# and every selected part does all its work for that case before the next load:
# repeated insmod/rmmod in one -icount guest crashed 6.12 (double fault in fork).
# Sizes come from the environment (defaults are the full `make bench` sizes):
#   BENCH_REPS (3) BENCH_GETPPID_N (1000000) BENCH_ZERO_N (200000)
#   BENCH_CHURN_N (50000: each loop at least 0.2 s of guest time, so that timer
#   ticks average out) BENCH_COUNTS ("1000 10000 32000")
#   BENCH_TAX_REPS (5: a create+remove loop of 50,000 varied by up to 10% from one
#   run to the next on 6.12 until empty slabs were kept, see slabs_keep())
#   BENCH_MEM_REPS (2: slab deltas do not depend on the clock)
#   BENCH_IPCS_MAX (32000: ipcs -s is timed up to this count; it looked
#   superlinear only while it read /etc/passwd over 9p once per set)
#   BENCH_MEM_N (32000) BENCH_BIG_COUNTS ("100000") BENCH_BIG_COOKIES (10000:
#   cookies among the big counts, the rest IPC_PRIVATE) BENCH_BIG_REPS (3; 1 =
#   BENCH_BIG_REPS_HUGE above 100000 sets)
#   BENCH_CLI_N (32000) BENCH_CLI_REPS (3)
#   BENCH_EXIT_N (3000: fork+exit+wait per run) BENCH_EXIT_REPS (3)
#   BENCH_EXIT_ALIVE (1000: live creator processes, one set each, for the second
#   variant; 0 skips it)
set -uo pipefail
KO=$1 SW=$2 PARTS=$3
REPS=${BENCH_REPS:-3}
GETPPID_N=${BENCH_GETPPID_N:-1000000}
ZERO_N=${BENCH_ZERO_N:-200000}
CHURN_N=${BENCH_CHURN_N:-50000}
COUNTS=${BENCH_COUNTS:-1000 10000 32000}
IPCS_MAX=${BENCH_IPCS_MAX:-32000}
TAX_REPS=${BENCH_TAX_REPS:-5}
MEM_REPS=${BENCH_MEM_REPS:-2}
MEM_N=${BENCH_MEM_N:-32000}
BIG_COUNTS=${BENCH_BIG_COUNTS:-100000}
BIG_COOKIES=${BENCH_BIG_COOKIES:-10000}
BIG_REPS=${BENCH_BIG_REPS:-3}
BIG_REPS_HUGE=${BENCH_BIG_REPS_HUGE:-1}
CLI_N=${BENCH_CLI_N:-32000}
CLI_REPS=${BENCH_CLI_REPS:-3}
EXIT_N=${BENCH_EXIT_N:-3000}
EXIT_REPS=${BENCH_EXIT_REPS:-3}
EXIT_ALIVE=${BENCH_EXIT_ALIVE:-1000}
CLI=${SEMWATCH_BIN:-userspace/semwatch}

info() { echo "@I $*"; }
err() { echo "@E $*"; }
loaded() { [ -e /proc/semwatch ]; }
unload() { if loaded; then rmmod semwatch || err "rmmod failed"; fi; }
# load CASE [extra params]: none = module not loaded
load() {
	local c=$1; shift
	unload
	[ "$c" = none ] || insmod "$KO" "hook=$c" "$@" || { err "insmod hook=$c $* failed"; return 1; }
}
# R part case n rep -- swbench args: time one run, print a result line
R() {
	local part=$1 c=$2 n=$3 rep=$4 out
	shift 5
	if out=$("${SWRUN[@]}" "$@"); then
		echo "@R part=$part case=$c n=$n rep=$rep ns=$out"
	else
		err "$part $c n=$n rep=$rep: swbench $* failed"
	fi
}
count() { "$SW" count; }
rmall() { "$SW" rmall; [ "$(count)" = 0 ] || err "rmall left $(count) sets"; }
meminfo() { awk -v k="$1:" '$1 == k { print $2 * 1024 }' /proc/meminfo; }
# field NAME [FILE]: a header field of /proc/semwatch (or of a copy of it)
field() { sed -n "s/^$1: //p" "${2:-/proc/semwatch}"; }
# Let the other vCPU's work after insmod/rmmod/exit (RCU, kworkers) finish.
settle() { sleep 1; }
reps() { seq 1 "$1"; }

# Every timed run happens in a chroot on a tmpfs (the guest's /tmp, scripts/vm.sh)
# holding swbench, the tools, their libraries and the files they read per set
# (/etc/passwd for each set's owner), with /proc, /sys, /dev and /run bound in:
# the root is the host's (virtio-fs or 9p), so an exec, library load or path
# lookup there may wait on the host, and under -icount that wait runs at the
# host's pace.
ROOT=/tmp/swroot
export LC_ALL=C	# no locale files to read either
stage() {
	local f l d
	mkdir -p "$ROOT/bin" "$ROOT/etc" || return 1
	for f in "$SW" "$CLI" /usr/bin/lsipc /usr/bin/ipcs /usr/sbin/dmsetup; do
		cp "$f" "$ROOT/bin/" || return 1
		# "lib => /path (addr)" and the loader's "/path (addr)"
		for l in $(ldd "$f" | awk '$3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }'); do
			mkdir -p "$ROOT${l%/*}" && cp -n "$l" "$ROOT$l" || return 1
		done
	done
	cp /etc/passwd /etc/group /etc/nsswitch.conf "$ROOT/etc/" || return 1
	for d in proc sys dev run; do
		mkdir -p "$ROOT/$d" && mount --rbind "/$d" "$ROOT/$d" || return 1
	done
}
unstage() {
	local d
	for d in proc sys dev run; do umount -l "$ROOT/$d" 2> /dev/null; done
}
if stage; then
	SWRUN=(chroot "$ROOT" /bin/swbench)
	SEMWATCH=("/bin/${CLI##*/}") LSIPC=(/bin/lsipc) IPCS=(/bin/ipcs) DMSETUP=(/bin/dmsetup)
	echo "@M part=stage chroot=yes files=$(find "$ROOT/bin" "$ROOT/lib"* "$ROOT/usr" -type f 2> /dev/null | wc -l)"
else
	err "could not stage the tools in $ROOT: they would run from the host root"
	SWRUN=("$SW") SEMWATCH=("$CLI") LSIPC=(lsipc) IPCS=(ipcs) DMSETUP=(dmsetup)
fi

case " $PARTS " in
*" big "*) echo "@M part=sizes sets=${BIG_COUNTS// /+} cookies=$BIG_COOKIES reps=$BIG_REPS reps_above_100000=$BIG_REPS_HUGE" ;;
*) echo "@M part=sizes getppid=$GETPPID_N zero=$ZERO_N churn=$CHURN_N tax_reps=$TAX_REPS read_reap_sets=${COUNTS// /+} reps=$REPS ipcs_max=$IPCS_MAX mem=$MEM_N mem_reps=$MEM_REPS cli=$CLI_N cli_reps=$CLI_REPS exit=$EXIT_N exit_reps=$EXIT_REPS exit_alive=$EXIT_ALIVE" ;;
esac
info "kernel $(uname -r) cmdline: $(cat /proc/cmdline)"
info "cpu: $(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo | head -n 1) x $(nproc)"
info "guest memory: $(meminfo MemTotal) bytes"
info "kernel.sem before: $(cat /proc/sys/kernel/sem)"
unload

# Every part is called once per case with the case loaded, and returns at once
# for a case it does not measure (cases_of says which).
cases_of() {
	case $1 in
	tax | exit) echo "none kprobe tracepoint" ;;
	mem) echo "none kprobe" ;;
	*) echo "kprobe" ;;
	esac
}

# ---- 1 + 2: syscall tax and creation path
# A removed set is freed after an RCU grace period. How many slab pages a creation
# loop frees and takes again meanwhile, each zeroed (init_on_alloc) at 4 KiB of
# instructions under TCG, depends on when grace periods end: 6.12's loops varied by
# up to 10% from run to run (a tenth of their time was clear_page_erms), also with
# nokaslr and ASLR off. Empty slabs are kept (SLUB's min_partial) while the loops
# run, so that after the warm-up no page is freed or zeroed: 12 runs on 6.12 then
# agreed within 0.3%. Restored afterwards. The memory part, which counts slab
# pages, has a boot of its own all the same (scripts/bench.sh). A merged cache is
# one directory with an alias symlink per name (kmalloc-64 -> :0000064): only the
# directory is visited, or the alias would save the 1000 already written and the
# restore write it back (which left the kmalloc caches at 1000 at 1201b27, and
# the memory part, then in the same boot, reading 44 B per tracked set, not 88).
slabs_keep() {
	local f
	SLAB_MIN_PARTIAL=()
	for f in /sys/kernel/slab/*/min_partial; do
		[ ! -L "${f%/min_partial}" ] || continue
		SLAB_MIN_PARTIAL+=("$f=$(cat "$f")")
		echo 1000 > "$f"
	done
}
slabs_restore() {
	local e
	for e in "${SLAB_MIN_PARTIAL[@]}"; do
		echo "${e##*=}" > "${e%=*}"
		echo 1 > "${e%/min_partial=*}/shrink"
	done
}
part_tax() {
	local c=$1 rep out t d
	slabs_keep
	# Warm-up (page cache, binaries, slabs for the loops), not recorded.
	"$SW" suite 100000 10000 "$CHURN_N" > /dev/null
	for rep in $(reps "$TAX_REPS"); do
		# One exec for the four workloads: less exec and file system work around them.
		if ! out=$("$SW" suite "$GETPPID_N" "$ZERO_N" "$CHURN_N"); then
			err "tax $c rep $rep: swbench suite failed"
			continue
		fi
		mapfile -t t <<< "$out"	# a line per workload
		echo "@R part=tax-getppid case=$c n=$GETPPID_N rep=$rep ns=${t[0]}"
		echo "@R part=tax-zero case=$c n=$ZERO_N rep=$rep ns=${t[1]}"
		echo "@R part=churn-private case=$c n=$CHURN_N rep=$rep ns=${t[2]}"
		echo "@R part=churn-cookie case=$c n=$CHURN_N rep=$rep ns=${t[3]}"
		[ "$c" = none ] && continue
		d=$(field dropped)
		[ "$d" = 0 ] || err "tax $c rep $rep: dropped=$d"
	done
	slabs_restore
}

# ---- 5: kernel memory per tracked set, from the unreclaimable slab (where
# sem_array and sw_record live; the host root's dentries and inodes are reclaimable)
slab_attr() { cat "/sys/kernel/slab/sw_record/$1"; }
part_mem() {
	local c=$1 rep s0 s1 a0 a1 extra a
	rmall
	for rep in $(reps "$MEM_REPS"); do
		settle
		s0=$(meminfo SUnreclaim) a0=$(meminfo MemAvailable)
		"$SW" leak "$MEM_N" cookie
		settle
		s1=$(meminfo SUnreclaim) a1=$(meminfo MemAvailable)
		extra=
		[ "$c" = none ] || extra="tracked=$(field tracked)"
		echo "@M part=mem case=$c n=$MEM_N rep=$rep slab=$((s1 - s0)) avail=$((a0 - a1)) sets=$(count) $extra"
		rmall
	done
	[ "$c" = kprobe ] || return 0
	info "mem: /sys/kernel/slab/sw_record -> $(readlink /sys/kernel/slab/sw_record || echo '(not merged)')"
	extra=
	for a in object_size slab_size objs_per_slab order aliases; do
		extra="$extra $a=$(slab_attr $a)"
	done
	echo "@M part=memslab$extra"
}

# ---- 3: read cost versus set count, all sets 0x0d4d cookies
rows() { wc -l < "$1"; }
watched_rows() { # [FILE]
	awk '/^watched:/ { w = 1; getline; next } w && NF && $0 != "end" { c++ } END { print c + 0 }' "${1:-/proc/semwatch}"
}
part_read() {
	local have=0 n rep sem tracked watched
	rmall
	for n in $COUNTS; do
		"$SW" leak $((n - have)) cookie "$have"
		have=$n
		sem=$(($(rows /proc/sysvipc/sem) - 1)) tracked=$(field tracked) watched=$(watched_rows)
		echo "@M part=readcheck n=$n sets=$(count) sysvipc_rows=$sem tracked=$tracked watched_rows=$watched"
		{ [ "$tracked" = "$n" ] && [ "$watched" = "$n" ] && [ "$sem" = "$n" ]; } ||
			err "read n=$n: tracked=$tracked watched=$watched sysvipc=$sem"
		# Warm-up: the tools' binaries and libraries into the page cache.
		"${SWRUN[@]}" run "${SEMWATCH[@]}" report > /dev/null; "${SWRUN[@]}" run "${LSIPC[@]}" -s > /dev/null
		for rep in $(reps "$REPS"); do
			R read-proc semwatch "$n" "$rep" -- readfile /proc/semwatch
			R read-proc sysvipc "$n" "$rep" -- readfile /proc/sysvipc/sem
			R read-tool semwatch-report "$n" "$rep" -- run "${SEMWATCH[@]}" report
			R read-tool lsipc "$n" "$rep" -- run "${LSIPC[@]}" -s
			[ "$n" -le "$IPCS_MAX" ] && R read-tool ipcs "$n" "$rep" -- run "${IPCS[@]}" -s
		done
	done
	rmall
}

# ---- 4: reaping leaked cookies: semwatch reap vs dmsetup udevcomplete_all
reap_one() { # tool n rep
	local tool=$1 n=$2 rep=$3 left
	"$SW" leak "$n" cookie
	case $tool in
	semwatch) R reap semwatch "$n" "$rep" -- run "${SEMWATCH[@]}" reap --yes --force ;;
	dmsetup) R reap dmsetup "$n" "$rep" -- run "${DMSETUP[@]}" udevcomplete_all --yes ;;
	esac
	left=$(count)
	[ "$left" = 0 ] || { err "reap $tool n=$n rep=$rep: $left sets left"; rmall; }
}
part_reap() {
	local n rep
	rmall
	for n in $COUNTS; do
		for rep in $(reps "$REPS"); do
			reap_one semwatch "$n" "$rep"
			reap_one dmsetup "$n" "$rep"
		done
	done
}

# ---- 7: the command against the tools it replaces, at CLI_N dead cookies
part_cli() {
	local rep c left
	rmall
	"$SW" leak "$CLI_N" cookie
	echo "@M part=clicheck n=$CLI_N sets=$(count) tracked=$(field tracked) dropped=$(field dropped)"
	for rep in $(reps "$CLI_REPS"); do
		R cli report "$CLI_N" "$rep" -- run "${SEMWATCH[@]}" report
		R cli lsipc "$CLI_N" "$rep" -- run "${LSIPC[@]}" -s
		R cli read-semwatch "$CLI_N" "$rep" -- readfile /proc/semwatch
		R cli read-sysvipc "$CLI_N" "$rep" -- readfile /proc/sysvipc/sem
	done
	for rep in $(reps "$CLI_REPS"); do
		for c in reap reap-force dmsetup; do
			[ "$(count)" = "$CLI_N" ] || { rmall; "$SW" leak "$CLI_N" cookie; }
			case $c in
			reap) R cli "$c" "$CLI_N" "$rep" -- run "${SEMWATCH[@]}" reap --yes ;;
			reap-force) R cli "$c" "$CLI_N" "$rep" -- run "${SEMWATCH[@]}" reap --yes --force ;;
			dmsetup) R cli "$c" "$CLI_N" "$rep" -- run "${DMSETUP[@]}" udevcomplete_all --yes ;;
			esac
			left=$(count)
			[ "$left" = 0 ] || err "cli $c rep $rep: $left sets left"
		done
	done
	rmall
}

# ---- 8: the process-exit path: fork + _exit + waitpid, EXIT_N per run; then the
# same with EXIT_ALIVE live processes that created one set each (tracked when the
# module is loaded), so the module's filter of live creators is not empty.
exit_alive() { # case rep
	local c=$1 rep=$2 line tracked
	coproc HOLD { exec "$SW" hold "$EXIT_ALIVE"; }
	read -r line <&"${HOLD[0]}"
	if [ "$line" = ready ]; then
		tracked=
		loaded && tracked=$(field tracked)
		[ "$rep" != 1 ] || echo "@M part=exitalive case=$c sets=$(count) tracked=${tracked:--}"
		[ -z "$tracked" ] || [ "$tracked" = "$EXIT_ALIVE" ] ||
			err "exit $c rep $rep: $tracked sets tracked, not $EXIT_ALIVE"
		settle
		R exit-alive "$c" "$EXIT_N" "$rep" -- forkexit "$EXIT_N"
	else
		err "exit $c rep $rep: swbench hold $EXIT_ALIVE did not get ready"
	fi
	kill "$HOLD_PID"
	wait "$HOLD_PID" || err "exit $c rep $rep: swbench hold failed"
	rmall
}
part_exit() {
	local c=$1 rep aslr
	if [ "$c" = none ]; then
		local hook=no
		grep -qa sched_process_exit "$KO" && hook=yes
		echo "@M part=exitcheck exit_hook=$hook"
	fi
	rmall
	# The same address-space layout every run (fork copies its page tables): without
	# this, runs varied by up to 4%, with it by up to 0.7%.
	aslr=$(cat /proc/sys/kernel/randomize_va_space)
	sysctl -q -w kernel.randomize_va_space=0 || err "sysctl kernel.randomize_va_space failed"
	"$SW" forkexit 500 > /dev/null	# warm-up, not recorded
	for rep in $(reps "$EXIT_REPS"); do
		R exit "$c" "$EXIT_N" "$rep" -- forkexit "$EXIT_N"
		[ "$EXIT_ALIVE" -gt 0 ] && exit_alive "$c" "$rep"
	done
	sysctl -q -w kernel.randomize_va_space="$aslr"
}

# ---- 6: beyond the default limit (needs ipcmni_extend on the kernel command line)
procw() { printf '%s' "$1" > /proc/semwatch || err "write '$1' to /proc/semwatch failed"; }
# At 1,000,000 sets every open of /proc/semwatch costs seconds: the checks read
# it once into SNAP (on the /tmp tmpfs) and look there.
SNAP=/tmp/semwatch.snap
big_check() { # n
	local n=$1 sem tracked dropped nsrow
	cat /proc/semwatch > "$SNAP"
	sem=$(($(rows /proc/sysvipc/sem) - 1)) tracked=$(field tracked "$SNAP") dropped=$(field dropped "$SNAP")
	nsrow=$(awk '/^namespaces:/ { getline; getline; print $6; exit }' "$SNAP")
	echo "@M part=bigcheck n=$n sets=$(count) sysvipc_rows=$sem tracked=$tracked dropped=$dropped ns_sets=$nsrow"
	{ [ "$tracked" = "$n" ] && [ "$sem" = "$n" ] && [ "$dropped" = 0 ] && [ "$nsrow" = "$n" ]; } ||
		err "big n=$n: tracked=$tracked sysvipc=$sem dropped=$dropped ns_sets=$nsrow"
}
# The open cost with nothing to print: a watched prefix that no set has, so the
# file is the header and the per-namespace and per-prefix summary only.
big_none() { # n rep
	procw "watch_prefix 0xffff"
	[ "$2" = 1 ] && cat /proc/semwatch > "$SNAP" &&
		echo "@M part=bignone n=$1 watched_rows=$(watched_rows "$SNAP") bytes=$(wc -c < "$SNAP")"
	R big-read semwatch-none "$1" "$2" -- readfile /proc/semwatch
	procw "watch_prefix 0x0d4d"
}
big_reads() { # n rep
	local n=$1 rep=$2
	R big-read sysvipc "$n" "$rep" -- readfile /proc/sysvipc/sem
	R big-read semwatch "$n" "$rep" -- readfile /proc/semwatch
	big_none "$n" "$rep"
	# Every set a row: watch prefix 0 with a 1-bit prefix (keys < 0x80000000).
	procw "watch_prefix 0"; procw "prefix_bits 1"
	R big-read semwatch-allrows "$n" "$rep" -- readfile /proc/semwatch
	[ "$rep" = 1 ] && cat /proc/semwatch > "$SNAP" && echo "@M part=bigrows n=$n rows=$(watched_rows "$SNAP")"
	procw "prefix_bits 16"; procw "watch_prefix 0x0d4d"
	R big-read semwatch-report "$n" "$rep" -- run "${SEMWATCH[@]}" report
	[ "$rep" = 1 ] && [ "$n" -le 100000 ] && R big-read lsipc "$n" "$rep" -- run "${LSIPC[@]}" -s
}
big_reaps() { # n rep
	local n=$1 rep=$2
	R big-reap semwatch "$n" "$rep" -- run "${SEMWATCH[@]}" reap --yes --force
	[ "$(count)" = $((n - BIG_COOKIES)) ] || err "big reap semwatch n=$n: $(count) sets left"
	"$SW" leak "$BIG_COOKIES" cookie
	R big-reap dmsetup "$n" "$rep" -- run "${DMSETUP[@]}" udevcomplete_all --yes
	[ "$(count)" = $((n - BIG_COOKIES)) ] || err "big reap dmsetup n=$n: $(count) sets left"
	"$SW" leak "$BIG_COOKIES" cookie
}
part_big() {
	local n rep reps have_priv=0 t0 t1
	grep -qw ipcmni_extend /proc/cmdline || err "big: ipcmni_extend is not on the kernel command line"
	rmall
	# The file with no set at all: the fixed cost of an open and a read.
	for rep in $(reps "$BIG_REPS"); do big_none 0 "$rep"; done
	"$SW" leak "$BIG_COOKIES" cookie
	for n in $BIG_COUNTS; do
		t0=$(date +%s%N)
		"$SW" leak $((n - BIG_COOKIES - have_priv)) private
		t1=$(date +%s%N)
		info "big: created $((n - BIG_COOKIES - have_priv)) private sets in $(((t1 - t0) / 1000000)) ms"
		have_priv=$((n - BIG_COOKIES))
		big_check "$n"
		reps=$BIG_REPS
		[ "$n" -le 100000 ] || reps=$BIG_REPS_HUGE
		for rep in $(reps "$reps"); do big_reads "$n" "$rep"; done
		for rep in $(reps "$reps"); do big_reaps "$n" "$rep"; done
	done
	t0=$(date +%s%N)
	rmall
	t1=$(date +%s%N)
	info "big: removed everything in $(((t1 - t0) / 1000000)) ms"
}

case " $PARTS " in *" mem "*" tax "* | *" tax "*" mem "*)
	err "the parts mem and tax share a boot: the slabs the tax part keeps distort the memory figures" ;;
esac
SEM_MNI=32000 KPARAMS=()
case " $PARTS " in *" big "*) SEM_MNI=4000000 KPARAMS=(max_records=4194304) ;; esac
sysctl -q -w kernel.sem="250 1024000000 500 $SEM_MNI" || err "sysctl kernel.sem failed"
info "kernel.sem: $(cat /proc/sys/kernel/sem)"
mkdir -p /run/udev
settle
for c in none kprobe tracepoint; do
	want=
	for p in $PARTS; do
		case " $(cases_of "$p") " in *" $c "*) want="$want $p" ;; esac
	done
	[ -n "$want" ] || continue
	load "$c" "${KPARAMS[@]}" || continue
	settle
	for p in $want; do
		info "part $p case $c start $(date +%s)"
		"part_$p" "$c"
		info "part $p case $c end $(date +%s)"
	done
done
unload
unstage
echo "@I done"
