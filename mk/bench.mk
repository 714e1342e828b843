# `make bench`: benchmarks in QEMU guests timed by instructions (-icount) on the
# generic kernels (scripts/bench.sh), written to bench/results.md by
# bench/report.sh. Not part of `make check`. About 30 minutes.
# scripts/bench-compare.sh RUN1 RUN2 compares the headline tables of two runs.
.PHONY: bench
bench:
	@scripts/bench.sh
