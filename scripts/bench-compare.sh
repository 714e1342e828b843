#!/bin/bash
# Compare the headline tables of two `make bench` runs: each ratio of run 1 and of
# run 2 side by side, their difference, and the largest difference (issue #16:
# every headline ratio within 2% of the other run's). A tax (+x%) compares as the
# ratio 1 + x, so its difference is in percentage points.
# Usage: scripts/bench-compare.sh RUN1 RUN2   (a results.md, or a bench log
# directory holding one, e.g. build/logs/bench-20261130-130000)
set -euo pipefail
[ $# = 2 ] || { echo "usage: $0 RUN1 RUN2 (results.md or log directory)" >&2; exit 2; }
file() { if [ -d "$1" ]; then echo "$1/results.md"; else echo "$1"; fi; }
A=$(file "$1") B=$(file "$2")
for f in "$A" "$B"; do [ -r "$f" ] || { echo "bench-compare: no $f" >&2; exit 1; }; done
echo "Run 1: $1"
echo "Run 2: $2"
echo
awk -v limit=2 '
	# The headline rows: "| measure | target | kernel 1 | kernel 2 ... |"
	/^## / { inhead = /^## Headline/ }
	!inhead || !/^\| / || /^\| ---/ { next }
	{
		n = split($0, c, /[ ]*\|[ ]*/)
		if (c[2] == "measure") {
			for (i = 4; i < n; i++) kern[i] = c[i]
			next
		}
		row = c[2]
		if (FNR == NR) { order[++rows] = row; tgt[row] = c[3] }
		for (i = 4; i < n; i++) {
			if (!match(c[i], /[-+]?[0-9]+(\.[0-9]+)?/)) continue
			v = substr(c[i], RSTART, RLENGTH) + 0
			if (substr(c[i], RSTART + RLENGTH, 1) == "%") v = 1 + v / 100
			val[FNR == NR, row, kern[i]] = v
			txt[FNR == NR, row, kern[i]] = substr(c[i], RSTART, RLENGTH) (v == substr(c[i], RSTART, RLENGTH) + 0 ? "" : "%")
			if (!((row, kern[i]) in ks)) { ks[row, kern[i]]; kl[row] = kl[row] SUBSEP kern[i] }
		}
	}
	END {
		worst = -1
		print "| measure | kernel | run 1 | run 2 | difference |"
		print "| --- | --- | ---: | ---: | ---: |"
		for (r = 1; r <= rows; r++) {
			nk = split(substr(kl[order[r]], 2), k, SUBSEP)
			for (j = 1; j <= nk; j++) {
				a = val[1, order[r], k[j]]; b = val[0, order[r], k[j]]
				if (a == "" || b == "" || !a) d = ""
				else d = 100 * (b - a) / a
				printf "| %s | %s | %s | %s | %s |\n", order[r], k[j], a == "" ? "–" : txt[1, order[r], k[j]],
				       b == "" ? "–" : txt[0, order[r], k[j]], d == "" ? "–" : sprintf("%+.2f%%", d)
				if (d != "" && (d < 0 ? -d : d) >= worst) { worst = d < 0 ? -d : d; wrow = order[r] " on " k[j] }
			}
		}
		if (wrow == "") { print "\nNo ratio in both runs."; exit 1 }
		printf "\nLargest difference: %.2f%% (%s); %s the %d%% of issue #16.\n", worst, wrow,
		       worst <= limit ? "within" : "**beyond**", limit
	}' "$A" "$B"
