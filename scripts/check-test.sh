#!/bin/bash
# Host tests (TAP) of scripts/check.sh's own plumbing, run by `make check`:
# how it selects test programs (SEMWATCH_TESTS) and builds the guest's
# command. The command goes through a job script as vm.sh writes it and runs a
# stub run_vm_suite.sh, which must be called once with every program.
# Usage: scripts/check-test.sh
# shellcheck source=scripts/check.sh
. "$(dirname "$0")/check.sh"
T=$(mktemp -d "${TMPDIR:-/tmp}/semwatch-check-test.XXXXXX")
trap 'rm -rf "$T"' EXIT
n=0 failed=0
ok() { # ok STATUS NAME
	n=$((n + 1))
	if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; failed=1; fi
}
# is GOT WANT NAME: GOT is WANT
is() {
	[ "$1" = "$2" ]
	ok $? "$3"
	[ "$1" = "$2" ] || { echo "#   got:"; printf '%s\n' "$1" | sed 's/^/#     /'
		echo "#   want:"; printf '%s\n' "$2" | sed 's/^/#     /'; }
}

# The stub records each call's arguments, one per line, then "--".
mkdir -p "$T/selftests"
cat > "$T/selftests/run_vm_suite.sh" <<'EOF'
#!/bin/bash
printf '%s\n' "$@" -- >> "$(dirname "$0")/calls"
EOF
chmod +x "$T/selftests/run_vm_suite.sh"
# run_job CMD: run CMD as vm.sh does (a line of a bash job script, from the repo
# directory); prints the job's status, then the stub's calls.
run_job() {
	rm -f "$T/selftests/calls"
	printf 'cd %q\n%s\n' "$T" "$1" > "$T/job.sh"
	bash "$T/job.sh" > "$T/job.out" 2>&1
	echo "rc=$?"
	cat "$T/selftests/calls" 2>/dev/null
}
nl=$'\n'

all=(/r/selftests/a_test /r/selftests/b_test /r/selftests/c_test "/r/my dir/d_test" cli_e_test.sh)
got=$(select_progs "" "${all[@]}")
is "$got" "$(printf '%s\n' "${all[@]}")" "no names: every program"
got=$(select_progs "c_test a_test cli_e_test.sh" "${all[@]}")
is "$got" "/r/selftests/a_test$nl/r/selftests/c_test${nl}cli_e_test.sh" "names select programs, in list order"
got=$(select_progs "b" "${all[@]}")
is "$got" "" "a name matches whole program names only"

mapfile -t progs < <(select_progs "a_test c_test d_test" "${all[@]}")
cmd=$(guest_cmd /r/build/k/semwatch.ko "kprobe tracepoint" "${progs[@]}")
case $cmd in *"$nl"*) false ;; esac
ok $? "three programs: the guest command is one line"
is "$(run_job "$cmd")" "rc=0$nl/r/build/k/semwatch.ko${nl}kprobe tracepoint$nl/r/selftests/a_test$nl/r/selftests/c_test$nl/r/my dir/d_test$nl--" \
	"three programs: one suite run gets them all (with the hooks as one argument)"

cmd=$(guest_cmd /r/build/k/semwatch.ko kprobe "${all[@]}")
is "$(run_job "$cmd")" "rc=0$nl/r/build/k/semwatch.ko${nl}kprobe$nl$(printf '%s\n' "${all[@]}")$nl--" \
	"every program: one suite run gets them all"

cmd=$(guest_cmd /r/build/k/semwatch.ko kprobe)
is "$(run_job "$cmd")" "rc=0$nl/r/build/k/semwatch.ko${nl}kprobe$nl--" "no program: no empty argument"

echo "1..$n"
exit $failed
