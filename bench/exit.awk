#!/usr/bin/awk -f
# Section 8 of bench/results.md: the process-exit tax, from the "@R part=exit" and
# "@R part=exit-alive" lines of each exit-KVER/output.log (scripts/bench-guest.sh,
# part exit). Input: the logs, with -v kernels="KVER ..." naming them in order, and
# -v alone="COMMIT DATE" when the part ran alone (BENCH_ONLY=exit).
# Figures are medians; the guest ran with QEMU -icount shift=0.
function median(k, p, c,   n, i, j, t, v) {
	n = cnt[k, p, c]
	if (!n)
		return ""
	for (i = 1; i <= n; i++)
		v[i] = val[k, p, c, i]
	for (i = 2; i <= n; i++)	# insertion sort: a handful of repetitions
		for (j = i; j > 1 && v[j - 1] > v[j]; j--) {
			t = v[j]; v[j] = v[j - 1]; v[j - 1] = t
		}
	return n % 2 ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
}
# The tax of case c over no module in part p, as a fraction ("" if not measured).
function tax(k, p, c,   a, b) {
	a = median(k, p, c); b = median(k, p, "none")
	return a == "" || b == "" || !b ? "" : a / b - 1
}
function pct(x) { return x == "" ? "–" : sprintf("%+.1f%%", 100 * x) }
function us(k, p, c,   m) {
	m = median(k, p, c)
	return m == "" ? "–" : sprintf("%.1f", m / n[k] / 1000)
}
# The noise of part p: the largest (max - min) / median over the cases' runs.
function spread(k, p,   c, cs, i, lo, hi, v, w, worst) {
	worst = ""
	for (c = 1; c <= 3; c++) {
		cs = c == 1 ? "none" : c == 2 ? "kprobe" : "tracepoint"
		if (!cnt[k, p, cs])
			continue
		lo = hi = val[k, p, cs, 1]
		for (i = 2; i <= cnt[k, p, cs]; i++) {
			v = val[k, p, cs, i]
			if (v < lo) lo = v
			if (v > hi) hi = v
		}
		w = (hi - lo) / median(k, p, cs)
		if (worst == "" || w > worst)
			worst = w
	}
	return worst == "" ? "–" : sprintf("%.1f%%", 100 * worst)
}
# 6.12.117+deb12-rt-amd64 -> 6.12-rt
function label(k,   s) {
	match(k, /^[0-9]+\.[0-9]+/); s = substr(k, 1, RLENGTH)
	if (k ~ /-rt-/) s = s "-rt"
	if (k ~ /-cloud-/) s = s "-cloud"
	return s
}
# The target for part p: every tax at most +1% ("" when nothing was measured).
function met(k, p,   t, c, any) {
	for (c = 1; c <= 2; c++) {
		t = tax(k, p, c == 1 ? "kprobe" : "tracepoint")
		if (t == "")
			continue
		any = 1
		if (t > 0.01)
			return "**missed**"
	}
	return any ? "met" : ""
}
function verdict(k,   a, b) {
	a = met(k, "exit"); b = met(k, "exit-alive")
	if (b == "" || a == b)
		return a == "" ? "–" : a
	return a "; " b " with live creators"
}
FNR == 1 {
	split(FILENAME, p, "/"); k = p[length(p) - 1]; sub(/^exit-/, "", k)
	dir = FILENAME; sub(/\/[^\/]*$/, "", dir)
	clock[k] = (getline c < (dir "/clock")) > 0 ? c : "icount"
}
/^@R part=exit(-alive)? / || /^@M part=exit(check|alive) / {
	delete f
	for (i = 2; i <= NF; i++) {
		split($i, kv, "=")
		f[kv[1]] = kv[2]
	}
}
/^@R part=exit(-alive)? / {
	n[k] = f["n"]
	val[k, f["part"], f["case"], ++cnt[k, f["part"], f["case"]]] = f["ns"]
}
/^@M part=exitcheck / { hook[k] = f["exit_hook"] }
/^@M part=exitalive / { alive[k] = f["sets"] }
/^@E / { errors[k] = errors[k] "; " substr($0, 4) }
END {
	nk = split(kernels, ks, " ")
	for (i = 1; i <= nk; i++) {
		if (cnt[ks[i], "exit", "none"] > reps)
			reps = cnt[ks[i], "exit", "none"]
		if (alive[ks[i]] > nalive)
			nalive = alive[ks[i]]
		if (ks[i] in hook && hook[ks[i]] != "yes")
			nohook = 1
	}
	# The result line: newest kernel first, as "6.12 / 6.1".
	for (i = nk; i >= 1; i--) {
		k = ks[i]
		if (!(k in n))
			continue
		sep = kp == "" ? "" : " / "
		kp = kp sep pct(tax(k, "exit", "kprobe"))
		tp = tp sep pct(tax(k, "exit", "tracepoint"))
		ka = ka sep pct(tax(k, "exit-alive", "kprobe"))
		ta = ta sep pct(tax(k, "exit-alive", "tracepoint"))
		names = names sep label(k)
	}
	print "## 8. Process-exit tax: fork + exit + wait (instructions counted)"
	print ""
	if (alone != "")
		print "*From a run of this part alone (`BENCH_ONLY=exit scripts/bench.sh`, commit " alone " UTC), not from the run the sections above come from; the next `make bench` writes it with the rest.*\n"
	if (names == "") {
		print "Not measured.\n"
		exit
	}
	print "**exit-path tax: fork+exit+wait, kprobe " kp ", tracepoint " tp " vs no module (" names ")**" \
	      (nalive ? "; with " nalive " live creators: kprobe " ka ", tracepoint " ta "." : "")
	print ""
	if (nohook)
		print "*The module measured has no `sched_process_exit` hook: these figures are the baseline (the module loaded, nothing on the exit path), not the tax of the exit hook. Rerun once the hook is in.*\n"
	print "One guest per kernel with QEMU `-icount shift=0` (guest time counts instructions: 1 µs = 1000 instructions; 6.1 with `maxcpus=1`, as in section 7). Each run forks N children that `_exit(0)` at once, waiting for each with `waitpid()` (one CPU, address-space randomisation off). Cases in turn: no module, `hook=kprobe`, `hook=tracepoint`, each loaded once for all its runs (repeated insmod/rmmod crashed 6.12 guests under `-icount`). Medians of " reps " runs; a tax is the median over the no-module median of the same boot, and the spread, the largest (max − min) ÷ median of a case's runs, is the noise. " \
	      (nalive ? "*With " nalive " live creators*: during the run " nalive " other processes are alive that each created one set (tracked when the module is loaded), so the module's filter of live creators is not empty; its baseline is no module with the same processes. " : "") \
	      "Target: within noise, at most +1%."
	print ""
	printf "| kernel | clock | exit hook in module | N | no module (µs per fork+exit+wait) | `hook=kprobe` | `hook=tracepoint` | kprobe tax | tracepoint tax | spread |"
	if (nalive)
		printf " with %d live creators: no module (µs) | kprobe tax | tracepoint tax | spread |", nalive
	print " target ≤ +1% |"
	printf "|---|---|---|---:|---:|---:|---:|---:|---:|---:|"
	if (nalive)
		printf "---:|---:|---:|---:|"
	print "---|"
	for (i = 1; i <= nk; i++) {
		k = ks[i]
		if (!(k in n)) {
			printf "| %s | – | – | not measured | | | | | | |%s |\n", k, nalive ? " | | | |" : ""
			continue
		}
		printf "| %s | %s | %s | %d | %s | %s | %s | %s | %s | %s |", k,
		       clock[k] == "wall" ? "*wall*" : clock[k] == "icount-1cpu" ? "icount, *1 CPU*" : "icount",
		       hook[k] == "yes" ? "yes" : "**no**", n[k], us(k, "exit", "none"), us(k, "exit", "kprobe"),
		       us(k, "exit", "tracepoint"), pct(tax(k, "exit", "kprobe")),
		       pct(tax(k, "exit", "tracepoint")), spread(k, "exit")
		if (nalive)
			printf " %s | %s | %s | %s |", us(k, "exit-alive", "none"),
			       pct(tax(k, "exit-alive", "kprobe")), pct(tax(k, "exit-alive", "tracepoint")),
			       spread(k, "exit-alive")
		print " " verdict(k) " |"
	}
	for (i = 1; i <= nk; i++)
		if (errors[ks[i]])
			print "\nErrors on " ks[i] errors[ks[i]] "."
	print ""
}
