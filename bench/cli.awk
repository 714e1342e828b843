#!/usr/bin/awk -f
# Section 7 of bench/results.md: the command against the tools it replaces, from
# the "@R part=cli" lines of each cli-KVER/output.log (scripts/bench-guest.sh,
# part cli). Input: the logs, with -v kernels="KVER ..." naming them in order.
# Figures are medians in ms; the guest ran with QEMU -icount shift=0.
function median(k, c,   n, i, j, t, v) {
	n = cnt[k, c]
	if (!n)
		return ""
	for (i = 1; i <= n; i++)
		v[i] = val[k, c, i]
	for (i = 2; i <= n; i++)	# insertion sort: a handful of repetitions
		for (j = i; j > 1 && v[j - 1] > v[j]; j--) {
			t = v[j]; v[j] = v[j - 1]; v[j - 1] = t
		}
	return n % 2 ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
}
function ms(x) { return x == "" ? "–" : sprintf("%.0f", x / 1e6) }
function ratio(a, b) { return a == "" || b == "" || !b ? "–" : sprintf("%.2f", a / b) }
FNR == 1 {
	split(FILENAME, p, "/"); k = p[length(p) - 1]; sub(/^cli-/, "", k)
	dir = FILENAME; sub(/\/[^\/]*$/, "", dir)
	clock[k] = (getline c < (dir "/clock")) > 0 ? c : "icount"
}
/^@R part=cli / {
	for (i = 2; i <= NF; i++) {
		split($i, kv, "=")
		f[kv[1]] = kv[2]
	}
	n[k] = f["n"]
	val[k, f["case"], ++cnt[k, f["case"]]] = f["ns"]
}
/^@E / { errors[k] = errors[k] "; " substr($0, 4) }
END {
	nk = split(kernels, ks, " ")
	for (i = 1; i <= nk; i++)
		if (cnt[ks[i], "report"] > reps)
			reps = cnt[ks[i], "report"]
	print "## 7. The command against lsipc and dmsetup (instructions counted)"
	print ""
	print "One guest per kernel with QEMU `-icount shift=0`: guest time counts instructions, so these figures do not move with the host's load. 6.1 hangs that way while bringing up its second CPU, so it boots with `maxcpus=1` (marked *1 CPU*); a kernel that does not boot under `-icount` at all is measured in wall-clock time, marked *wall*, which moves by ±30% with the host's load. N cookie sets are made by a process that exits (dead creator), with semwatch.ko loaded (kprobe hook); each reap runs on N fresh sets and must leave 0. Medians of " reps " runs, in ms. Targets (issue #14): `semwatch report` at least 10× faster than `lsipc -s`; `semwatch reap` no slower than `dmsetup udevcomplete_all`."
	print ""
	print "| kernel | clock | sets | `semwatch report` | `lsipc -s` | lsipc ÷ report (≥ 10) | `semwatch reap --yes` | `reap --yes --force` | `dmsetup udevcomplete_all --yes` | reap ÷ dmsetup (≤ 1) | read /proc/semwatch | read /proc/sysvipc/sem |"
	print "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
	for (i = 1; i <= nk; i++) {
		k = ks[i]
		if (!(k in n)) {
			print "| " k " | – | not measured | | | | | | | | | |"
			continue
		}
		r = median(k, "report"); l = median(k, "lsipc")
		rp = median(k, "reap"); d = median(k, "dmsetup")
		printf "| %s | %s | %d | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", k, clock[k] == "wall" ? "*wall*" : clock[k] == "icount-1cpu" ? "icount, *1 CPU*" : "icount", n[k],
		       ms(r), ms(l), ratio(l, r), ms(rp), ms(median(k, "reap-force")), ms(d),
		       ratio(rp, d), ms(median(k, "read-semwatch")), ms(median(k, "read-sysvipc"))
	}
	for (i = 1; i <= nk; i++)
		if (errors[ks[i]])
			print "\nErrors on " ks[i] errors[ks[i]] "."
	print ""
}
