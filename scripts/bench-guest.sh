#!/bin/bash
# Guest side of `make bench` (run by scripts/bench.sh through scripts/vm.sh, as
# root in the guest chroot, WITHOUT the module loaded). Runs the selected parts
# and prints one machine-readable line per measurement:
#   @R part=P case=C n=N rep=R ns=NANOSECONDS
#   @M part=P case=C n=N rep=R key=value ...        (memory figures, counts)
#   @I text                                         (information)
#   @E text                                         (error: something did not work)
# build/bench/report (bench/report*.c) turns them into bench/results.md.
# Usage: bench-guest.sh KO SWBENCH PARTS
#   PARTS: any of tax mem read reap big cli exit
# Sizes come from the environment (defaults are the full `make bench` sizes):
#   BENCH_REPS (5) BENCH_GETPPID_N (1000000) BENCH_ZERO_N (100000)
#   BENCH_CHURN_N (10000) BENCH_COUNTS ("1000 10000 32000")
#   BENCH_TAX_REPS (5) BENCH_MEM_REPS (3: memory deltas hardly vary)
#   (1,000,000 sets: one repetition, no lsipc, to fit the time budget)
#   BENCH_IPCS_REPS_MAX (1000: ipcs -s gets every repetition up to this count)
#   BENCH_IPCS_ONCE_MAX (0) BENCH_IPCS_TIMEOUT (60): above that, one run up to
#   this count, killed after the timeout (ipcs -s is superlinear); none beyond
#   BENCH_MEM_N (32000) BENCH_BIG_COUNTS ("100000") BENCH_BIG_COOKIES (10000:
#   cookies among the big counts, the rest IPC_PRIVATE) BENCH_BIG_REPS (5; 1 =
#   BENCH_BIG_REPS_HUGE above 100000 sets)
#   BENCH_EXIT_N (3000: fork+exit+wait per run) BENCH_EXIT_REPS (3: under -icount
#   runs differ by under 1%) BENCH_EXIT_ALIVE (1000: live creator processes, one
#   set each, for the second variant; 0 skips it)
set -uo pipefail
KO=$1 SW=$2 PARTS=$3
REPS=${BENCH_REPS:-5}
GETPPID_N=${BENCH_GETPPID_N:-1000000}
ZERO_N=${BENCH_ZERO_N:-100000}
CHURN_N=${BENCH_CHURN_N:-10000}
COUNTS=${BENCH_COUNTS:-1000 10000 32000}
IPCS_REPS_MAX=${BENCH_IPCS_REPS_MAX:-1000}
IPCS_ONCE_MAX=${BENCH_IPCS_ONCE_MAX:-0}
IPCS_TIMEOUT=${BENCH_IPCS_TIMEOUT:-60}
TAX_REPS=${BENCH_TAX_REPS:-5}
MEM_REPS=${BENCH_MEM_REPS:-3}
MEM_N=${BENCH_MEM_N:-32000}
BIG_COUNTS=${BENCH_BIG_COUNTS:-100000}
BIG_COOKIES=${BENCH_BIG_COOKIES:-10000}
BIG_REPS=${BENCH_BIG_REPS:-5}
BIG_REPS_HUGE=${BENCH_BIG_REPS_HUGE:-1}
CLI_N=${BENCH_CLI_N:-32000}
CLI_REPS=${BENCH_CLI_REPS:-3}
EXIT_N=${BENCH_EXIT_N:-3000}
EXIT_REPS=${BENCH_EXIT_REPS:-3}
EXIT_ALIVE=${BENCH_EXIT_ALIVE:-1000}
CLI=${SEMWATCH_BIN:-userspace/semwatch}
CASES="none kprobe tracepoint"

info() { echo "@I $*"; }
err() { echo "@E $*"; }
loaded() { [ -e /proc/semwatch ]; }
unload() { if loaded; then rmmod semwatch || err "rmmod failed"; fi; }
# load CASE [extra params]: none = module not loaded
load() {
	local c=$1; shift
	unload
	[ "$c" = none ] && return 0
	insmod "$KO" "hook=$c" "$@" || { err "insmod hook=$c $* failed"; return 1; }
}
# R part case n rep -- swbench args: time one run, print a result line
R() {
	local part=$1 c=$2 n=$3 rep=$4 out
	shift 5
	if out=$("$SW" "$@"); then
		echo "@R part=$part case=$c n=$n rep=$rep ns=$out"
	else
		err "$part $c n=$n rep=$rep: swbench $* failed"
	fi
}
count() { "$SW" count; }
rmall() { "$SW" rmall; [ "$(count)" = 0 ] || err "rmall left $(count) sets"; }
meminfo() { awk -v k="$1:" '$1 == k { print $2 * 1024 }' /proc/meminfo; }
# Unreclaimable slab: where sem_array and sw_record live (dentries and inodes, which
# the 9p root makes come and go, are reclaimable and stay out of it).
settle() { sleep 1; }

info "kernel $(uname -r) cmdline: $(cat /proc/cmdline)"
info "cpu: $(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo | head -n 1) x $(nproc)"
info "guest memory: $(meminfo MemTotal) bytes"
info "kernel.sem before: $(cat /proc/sys/kernel/sem)"
unload

# ---- 1 + 2: syscall tax and creation path, interleaved by case
part_tax() {
	local rep c out
	# Warm-up (page cache, binaries), not recorded.
	"$SW" getppid 100000 > /dev/null; "$SW" zero 10000 > /dev/null
	"$SW" churn 1000 private > /dev/null; "$SW" churn 1000 cookie > /dev/null
	for rep in $(seq 1 "$TAX_REPS"); do
		for c in $CASES; do
			load "$c" || continue
			# One exec for the four workloads: less exec noise over 9p.
			if out=$("$SW" suite "$GETPPID_N" "$ZERO_N" "$CHURN_N"); then
				set -- $out
				echo "@R part=tax-getppid case=$c n=$GETPPID_N rep=$rep ns=$1"
				echo "@R part=tax-zero case=$c n=$ZERO_N rep=$rep ns=$2"
				echo "@R part=churn-private case=$c n=$CHURN_N rep=$rep ns=$3"
				echo "@R part=churn-cookie case=$c n=$CHURN_N rep=$rep ns=$4"
			else
				err "tax $c rep $rep: swbench suite failed"
			fi
			if [ "$c" != none ]; then
				local d
				d=$(sed -n 's/^dropped: //p' /proc/semwatch)
				[ "$d" = 0 ] || err "tax $c rep $rep: dropped=$d"
			fi
		done
	done
	unload
}

# ---- 5: kernel memory per tracked set
slabinfo_line() { awk -v n="$1" '$1 == n' /proc/slabinfo; }
part_mem() {
	local rep c s0 s1 a0 a1 n=$MEM_N target
	rmall
	for rep in $(seq 1 "$MEM_REPS"); do
		for c in none kprobe; do
			load "$c" || continue
			settle
			s0=$(meminfo SUnreclaim) a0=$(meminfo MemAvailable)
			"$SW" leak "$n" cookie
			settle
			s1=$(meminfo SUnreclaim) a1=$(meminfo MemAvailable)
			local extra=
			if [ "$c" != none ]; then
				extra="tracked=$(sed -n 's/^tracked: //p' /proc/semwatch)"
			fi
			echo "@M part=mem case=$c n=$n rep=$rep slab=$((s1 - s0)) avail=$((a0 - a1)) sets=$(count) $extra"
			if [ "$c" = kprobe ] && [ "$rep" = 1 ]; then
				target=$(readlink /sys/kernel/slab/sw_record 2>/dev/null || echo '(not a symlink: not merged)')
				info "mem: /sys/kernel/slab/sw_record -> $target"
				info "mem: sw_record object_size=$(cat /sys/kernel/slab/sw_record/object_size) slab_size=$(cat /sys/kernel/slab/sw_record/slab_size) objs_per_slab=$(cat /sys/kernel/slab/sw_record/objs_per_slab) order=$(cat /sys/kernel/slab/sw_record/order) aliases=$(cat /sys/kernel/slab/sw_record/aliases) objects=$(cut -d' ' -f1 /sys/kernel/slab/sw_record/objects)"
				info "mem: caches merged with sw_record: $(for l in /sys/kernel/slab/*; do [ -L "$l" ] && [ "$l" -ef /sys/kernel/slab/sw_record ] && printf '%s ' "${l##*/}"; done)"
				info "mem: /proc/slabinfo line sw_record: $(slabinfo_line sw_record | grep . || echo 'none (merged: counted under the first cache of its group)')"
				echo "@M part=memslab object_size=$(cat /sys/kernel/slab/sw_record/object_size) slab_size=$(cat /sys/kernel/slab/sw_record/slab_size) objs_per_slab=$(cat /sys/kernel/slab/sw_record/objs_per_slab) order=$(cat /sys/kernel/slab/sw_record/order) aliases=$(cat /sys/kernel/slab/sw_record/aliases)"
			fi
			rmall
		done
	done
	unload
}

# ---- 3: read cost versus set count (module loaded with hook=kprobe)
lines() { wc -l < "$1"; }
part_read() {
	local have=0 n rep sem
	rmall
	load kprobe || return
	for n in $COUNTS; do
		"$SW" leak $((n - have)) cookie "$have"
		have=$n
		sem=$(($(lines /proc/sysvipc/sem) - 1))
		local tracked watched
		tracked=$(sed -n 's/^tracked: //p' /proc/semwatch)
		watched=$(awk '/^watched:/ { w = 1; getline; next } w && NF && $0 != "end" { c++ } END { print c + 0 }' /proc/semwatch)
		echo "@M part=readcheck n=$n sets=$(count) sysvipc_rows=$sem tracked=$tracked watched_rows=$watched semwatch_bytes=$(wc -c < /proc/semwatch) sysvipc_bytes=$(wc -c < /proc/sysvipc/sem)"
		[ "$tracked" = "$n" ] && [ "$watched" = "$n" ] && [ "$sem" = "$n" ] ||
			err "read n=$n: tracked=$tracked watched=$watched sysvipc=$sem"
		for rep in $(seq 1 "$REPS"); do
			R read-proc semwatch "$n" "$rep" -- readfile /proc/semwatch
			R read-proc sysvipc "$n" "$rep" -- readfile /proc/sysvipc/sem
			R read-tool semwatch-report "$n" "$rep" -- run "$CLI" report
			R read-tool lsipc "$n" "$rep" -- run lsipc -s
			if [ "$n" -le "$IPCS_REPS_MAX" ]; then
				R read-tool ipcs "$n" "$rep" -- run ipcs -s
			elif [ "$rep" = 1 ] && [ "$n" -le "$IPCS_ONCE_MAX" ]; then
				# Superlinear: one run, killed after IPCS_TIMEOUT seconds.
				local out
				if out=$("$SW" run timeout "$IPCS_TIMEOUT" ipcs -s 2>/dev/null); then
					echo "@R part=read-tool case=ipcs n=$n rep=1 ns=$out"
				else
					echo "@M part=ipcs-timeout n=$n timeout_s=$IPCS_TIMEOUT"
				fi
			fi
		done
	done
	rmall
	unload
}

# ---- 4: reaping leaked cookies: semwatch reap vs dmsetup udevcomplete_all
reap_one() { # tool n rep
	local tool=$1 n=$2 rep=$3 left
	"$SW" leak "$n" cookie
	case $tool in
	semwatch) R reap semwatch "$n" "$rep" -- run "$CLI" reap --yes --force ;;
	dmsetup) R reap dmsetup "$n" "$rep" -- run dmsetup udevcomplete_all --yes ;;
	esac
	left=$(count)
	[ "$left" = 0 ] || { err "reap $tool n=$n rep=$rep: $left sets left"; rmall; }
}
part_reap() {
	local n rep
	rmall
	load kprobe || return
	for n in $COUNTS; do
		for rep in $(seq 1 "$REPS"); do
			reap_one semwatch "$n" "$rep"
			reap_one dmsetup "$n" "$rep"
		done
	done
	unload
}

# ---- 7: the command against the tools it replaces, at CLI_N dead cookies. Run by
# bench.sh with QEMU -icount shift=0, so these times count guest instructions.
part_cli() {
	local rep c left
	rmall
	load kprobe || return
	"$SW" leak "$CLI_N" cookie
	echo "@M part=clicheck n=$CLI_N sets=$(count) tracked=$(sed -n 's/^tracked: //p' /proc/semwatch) dropped=$(sed -n 's/^dropped: //p' /proc/semwatch)"
	for rep in $(seq 1 "$CLI_REPS"); do
		R cli report "$CLI_N" "$rep" -- run "$CLI" report
		R cli lsipc "$CLI_N" "$rep" -- run lsipc -s
		R cli read-semwatch "$CLI_N" "$rep" -- readfile /proc/semwatch
		R cli read-sysvipc "$CLI_N" "$rep" -- readfile /proc/sysvipc/sem
	done
	for rep in $(seq 1 "$CLI_REPS"); do
		for c in reap reap-force dmsetup; do
			[ "$(count)" = "$CLI_N" ] || { rmall; "$SW" leak "$CLI_N" cookie; }
			case $c in
			reap) R cli "$c" "$CLI_N" "$rep" -- run "$CLI" reap --yes ;;
			reap-force) R cli "$c" "$CLI_N" "$rep" -- run "$CLI" reap --yes --force ;;
			dmsetup) R cli "$c" "$CLI_N" "$rep" -- run dmsetup udevcomplete_all --yes ;;
			esac
			left=$(count)
			[ "$left" = 0 ] || err "cli $c rep $rep: $left sets left"
		done
	done
	rmall
	unload
}

# ---- 8: the process-exit path: fork + _exit + waitpid, EXIT_N per run, per case; then
# the same with EXIT_ALIVE live processes that created one set each (tracked when the
# module is loaded). Run by bench.sh with QEMU -icount shift=0, where runs hardly vary
# within a boot, so the cases are not interleaved: each is loaded once for all its
# runs. (Reloading it before every run, 6.12 guests under -icount died of a double
# fault in kmem_cache_alloc() in fork, 3 boots out of 3, with or without the exit
# hook; loaded once per case or per boot, 5 boots out of 5 ran through.)
part_exit() {
	local rep c line aslr tracked
	if grep -qa sched_process_exit "$KO"; then
		echo "@M part=exitcheck exit_hook=yes"
	else
		echo "@M part=exitcheck exit_hook=no"
		info "exit: $KO has no sched_process_exit hook: every case measures the baseline"
	fi
	rmall
	unload
	# The same address-space layout every run (fork copies its page tables): without
	# this, runs varied by up to 4%, with it by up to 0.7%.
	aslr=$(cat /proc/sys/kernel/randomize_va_space)
	sysctl -q -w kernel.randomize_va_space=0 || err "sysctl kernel.randomize_va_space failed"
	"$SW" forkexit 500 > /dev/null	# warm-up, not recorded
	for c in $CASES; do
		load "$c" || continue
		settle	# let the insmod/rmmod work on the other vCPU finish
		for rep in $(seq 1 "$EXIT_REPS"); do
			R exit "$c" "$EXIT_N" "$rep" -- forkexit "$EXIT_N"
			[ "$EXIT_ALIVE" -gt 0 ] || continue
			coproc HOLD { exec "$SW" hold "$EXIT_ALIVE"; }
			read -r line <&"${HOLD[0]}"
			if [ "$line" = ready ]; then
				tracked=
				loaded && tracked=$(sed -n 's/^tracked: //p' /proc/semwatch)
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
		done
	done
	unload
	sysctl -q -w kernel.randomize_va_space="$aslr"
}

# ---- 6: beyond the default limit (needs ipcmni_extend on the kernel command line)
procw() { printf '%s' "$1" > /proc/semwatch || err "write '$1' to /proc/semwatch failed"; }
part_big() {
	local n rep have_priv=0 t0 t1 sem tracked dropped nsrow
	grep -qw ipcmni_extend /proc/cmdline || err "big: ipcmni_extend is not on the kernel command line"
	rmall
	load kprobe max_records=4194304 || return
	"$SW" leak "$BIG_COOKIES" cookie
	for n in $BIG_COUNTS; do
		t0=$(date +%s%N)
		"$SW" leak $((n - BIG_COOKIES - have_priv)) private
		t1=$(date +%s%N)
		info "big: created $((n - BIG_COOKIES - have_priv)) private sets in $(((t1 - t0) / 1000000)) ms"
		have_priv=$((n - BIG_COOKIES))
		sem=$(($(lines /proc/sysvipc/sem) - 1))
		tracked=$(sed -n 's/^tracked: //p' /proc/semwatch)
		dropped=$(sed -n 's/^dropped: //p' /proc/semwatch)
		nsrow=$(awk '/^namespaces:/ { getline; getline; print $6; exit }' /proc/semwatch)
		echo "@M part=bigcheck n=$n sets=$(count) sysvipc_rows=$sem tracked=$tracked dropped=$dropped ns_sets=$nsrow"
		[ "$tracked" = "$n" ] && [ "$sem" = "$n" ] && [ "$dropped" = 0 ] && [ "$nsrow" = "$n" ] ||
			err "big n=$n: tracked=$tracked sysvipc=$sem dropped=$dropped ns_sets=$nsrow"
		local reps=$BIG_REPS
		[ "$n" -le 100000 ] || reps=$BIG_REPS_HUGE
		for rep in $(seq 1 "$reps"); do
			R big-read sysvipc "$n" "$rep" -- readfile /proc/sysvipc/sem
			R big-read semwatch "$n" "$rep" -- readfile /proc/semwatch
			# Every set a row: watch prefix 0 with a 1-bit prefix (keys < 0x80000000).
			procw "watch_prefix 0"; procw "prefix_bits 1"
			R big-read semwatch-allrows "$n" "$rep" -- readfile /proc/semwatch
			[ "$rep" = 1 ] && echo "@M part=bigrows n=$n rows=$(awk '/^watched:/ { w = 1; getline; next } w && NF { c++ } END { print c + 0 }' /proc/semwatch)"
			procw "prefix_bits 16"; procw "watch_prefix 0x0d4d"
			R big-read semwatch-report "$n" "$rep" -- run "$CLI" report
			[ "$rep" = 1 ] && [ "$n" -le 100000 ] && R big-read lsipc "$n" "$rep" -- run lsipc -s
		done
		for rep in $(seq 1 "$reps"); do
			R big-reap semwatch "$n" "$rep" -- run "$CLI" reap --yes --force
			[ "$(count)" = $((n - BIG_COOKIES)) ] || err "big reap semwatch n=$n: $(count) sets left"
			"$SW" leak "$BIG_COOKIES" cookie
			R big-reap dmsetup "$n" "$rep" -- run dmsetup udevcomplete_all --yes
			[ "$(count)" = $((n - BIG_COOKIES)) ] || err "big reap dmsetup n=$n: $(count) sets left"
			"$SW" leak "$BIG_COOKIES" cookie
		done
	done
	t0=$(date +%s%N)
	rmall
	t1=$(date +%s%N)
	info "big: removed everything in $(((t1 - t0) / 1000000)) ms"
	unload
}

SEM_MNI=32000
case " $PARTS " in *" big "*) SEM_MNI=4000000 ;; esac
sysctl -q -w kernel.sem="250 1024000000 500 $SEM_MNI" || err "sysctl kernel.sem failed"
info "kernel.sem: $(cat /proc/sys/kernel/sem)"
mkdir -p /run/udev
for p in $PARTS; do
	info "part $p start $(date +%s)"
	"part_$p"
	info "part $p end $(date +%s)"
done
unload
echo "@I done"
