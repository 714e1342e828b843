# `make bench`: benchmarks in QEMU on both pinned kernels (scripts/bench.sh),
# written to bench/results.md. Not part of `make check`. About 30 minutes.
# `make bench-report` builds only the program that writes the report from the
# logs (build/bench/report LOGDIR "KVER1 KVER2 ..."); scripts/bench.sh uses it.
.PHONY: bench bench-report
bench:
	@scripts/bench.sh

BENCH_REPORT_SRC := $(addprefix bench/,report.c report-header.c report-times.c \
	report-scale.c report-logs.c report-stats.c report-host.c)

bench-report: build/bench/report

build/bench/report: $(BENCH_REPORT_SRC) bench/report.h
	@mkdir -p $(@D)
	gcc -std=c11 -Wall -Wextra -Werror -O2 -o $@ $(BENCH_REPORT_SRC)
