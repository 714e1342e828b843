#!/bin/bash
# Guest side of `make check` (runs as root in the QEMU guest's chroot): for
# each hook mode, run preload.sh (pre-existing sets) if present, insmod the
# module with hook=MODE, run every test program (KTAP), rmmod, remove all
# semaphore sets. Lines starting "@@ " are markers for scripts/check.sh.
# Programs matching SEMWATCH_ONCE (default cli_*: the CLI's tests, which do not
# depend on the hook) run in the first hook mode only, to keep make check short;
# those in SEMWATCH_EVERY (space-separated; default: the CLI's test of how the
# creators the hook recorded ended) run in every mode.
# Usage: run_vm_suite.sh KO "HOOK..." PROG...
KO=$1 HOOKS=$2
shift 2
cd "$(dirname "$0")" || exit 1
export SEMWATCH_KO=$KO
ONCE=${SEMWATCH_ONCE-cli_*}
EVERY=${SEMWATCH_EVERY-cli_exitreport_test.sh}
every() {
	local e
	for e in $EVERY; do [ "$1" = "$e" ] && return 0; done
	return 1
}
first=1
for hook in $HOOKS; do
	progs=()
	for p; do
		# shellcheck disable=SC2254
		every "${p##*/}" || case ${p##*/} in $ONCE) [ $first = 1 ] || continue ;; esac
		progs+=("$p")
	done
	first=0
	echo "@@ begin hook=$hook"
	(
		rm -f /tmp/semwatch-preload.env
		if [ -f preload.sh ]; then
			bash preload.sh
			echo "@@ preload rc=$?"
		fi
		if [ -f /tmp/semwatch-preload.env ]; then
			while IFS= read -r kv; do
				case $kv in [A-Za-z_]*=*) export "${kv?}" ;; esac
			done < /tmp/semwatch-preload.env
		fi
		if ! insmod "$KO" hook="$hook"; then
			echo "@@ insmod failed: insmod $KO hook=$hook"
			exit 0
		fi
		echo "@@ insmod ok"
		SEMWATCH_HOOK=$hook ./run_tests.sh "${progs[@]}"
		if ! grep -q '^semwatch ' /proc/modules; then
			echo "@@ rmmod failed: module no longer loaded after the tests"
		elif rmmod semwatch; then
			echo "@@ rmmod ok"
		else
			echo "@@ rmmod failed"
		fi
	)
	ipcrm --all=sem 2>/dev/null
	echo "@@ end hook=$hook"
done
echo "@@ done"
