#!/bin/bash
# bench/results.md from the logs of one `make bench` run (scripts/bench.sh): the
# method, the figures (bench/report.awk) and the hand-written analysis
# (bench/notes.md), as Markdown on stdout.
# Usage: bench/report.sh LOGDIR "KVER1 KVER2 ..."
set -euo pipefail
[ $# = 2 ] || { echo "usage: $0 LOGDIR \"KVER ...\"" >&2; exit 2; }
LOGS=$1 KERNELS=$2
HERE=$(cd "$(dirname "$0")" && pwd)
# of FILE: the file's first line, or "?" when the run did not write it
of() { head -n 1 "$LOGS/$1" 2> /dev/null || echo '?'; }
# sizes GUEST: the sizes that guest printed (@M part=sizes)
sizes() {
	tr -d '\r' < "$LOGS/$1/output.log" 2> /dev/null | sed -n 's/^@M part=sizes //p' |
		head -n 1 | sed 's/ /, /g'
}
LOGS_SHOWN=$LOGS
case $LOGS in "$HERE"/../*) LOGS_SHOWN=${LOGS#"$HERE"/../} ;; esac

cat << EOF
# semwatch benchmark results

Written by \`make bench\` (scripts/bench.sh, bench/report.sh) from commit $(of commit);
the run ended $(of end-date) and took $(of seconds) s of wall time (logs: $LOGS_SHOWN).

## Method

- Host: $(of host) (load average at start: \`$(of load-start)\`, at end: \`$(of load-end)\`).
- Guests: $(of qemu-version), \`$(of qemu-cmd) -icount shift=0\` (scripts/vm.sh -I): TCG
  emulation, and guest time counts instructions (1 ns = 1 instruction), so a ratio of
  two guest times does not move with the host's load. Time the guest spends idle (a
  \`sleep\`, a wait for I/O) still passes at the host's pace: every timed run therefore
  happens in a chroot on the guest's tmpfs holding swbench, the tools, their libraries
  and /etc/passwd, group and nsswitch.conf (/proc, /sys, /dev, /run bound in), with
  \`LC_ALL=C\`, so that no timed run touches the host's root (virtio-fs). Every guest boots
  with one CPU (\`maxcpus=1\`, *1 CPU* below): 6.1 hangs under \`-icount\` bringing up
  its second, and with two, TCG runs one vCPU at a time for up to 100 ms of guest
  time, so the module's pool refill, queued for the other vCPU, waited while a burst
  of creations dropped 555 to 1,024 of 32,000 sets on 6.12, a different number each
  run. A kernel that does not boot so is timed by the wall clock, marked *wall*
  wherever its figures appear.
- Three boots per kernel: *mem* (section 5), *main* (sections 1 to 4, 7, 8) and
  *big* (section 6, with \`ipcmni_extend\`). The memory part has a boot of its own
  because the tax part keeps empty slabs (SLUB's \`min_partial\` at 1,000) while its
  loops run: otherwise how many slab pages a loop frees and zeroes again, which
  depends on when RCU grace periods end, moved 6.12's loops by up to 10%. In a boot each case (no module, \`hook=kprobe\`,
  \`hook=tracepoint\`) is loaded once, after which every part does all its runs for
  it: repeated insmod/rmmod under \`-icount\` crashed 6.12 guests. Each figure is the
  median of a case's runs in one boot; a ratio divides two medians of the same boot;
  *spread* is (max − min) ÷ median of a case's runs, the noise left. The kernels'
  boots run \`BENCH_JOBS\` at a time (scripts/bench.sh): that changes wall time, not guest time.
- Guests (clock, wall seconds, sizes):
EOF
for k in $KERNELS; do
	for b in mem main big; do
		[ -d "$LOGS/$b-$k" ] || continue
		printf '  %s-%s: %s, %s s; %s.\n' "$b" "$k" "$(of "$b-$k/clock")" "$(of "$b-$k/seconds")" "$(sizes "$b-$k")"
	done
done
echo
echo "Commands (from the host, as root; \`make bench\` runs them all):"
printf '\n```\n'
sed "s/^[^ ]* //" "$LOGS/commands" 2> /dev/null || echo "(not recorded)"
printf '```\n\n'
awk -v kernels="$KERNELS" -f "$HERE/report.awk" "$LOGS"/*/output.log
echo
cat "$HERE/notes.md"
