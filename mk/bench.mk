# `make bench`: benchmarks in QEMU on both pinned kernels (scripts/bench.sh),
# written to bench/results.md. Not part of `make check`. About 30 minutes.
.PHONY: bench
bench:
	@scripts/bench.sh
