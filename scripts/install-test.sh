#!/bin/bash
# Host tests (TAP), run by `make check`: what `make install` and `make
# uninstall` (mk/install.mk) put under a DESTDIR with another PREFIX, and what
# they leave. The DKMS lane (scripts/dkms-test.sh) tests the real install.
# Usage: scripts/install-test.sh
cd "$(dirname "$0")/.." || exit 1
D=$(mktemp -d "${TMPDIR:-/tmp}/semwatch-install-test.XXXXXX")
trap 'rm -rf "$D"' EXIT
n=0 failed=0
ok() { # ok NAME CMD...: CMD succeeds
	n=$((n + 1))
	if "${@:2}"; then echo "ok $n - $1"; else echo "not ok $n - $1"; failed=1; fi
}
inst() { make -s -f mk/install.mk "$@" DESTDIR="$D" PREFIX=/usr/local > "$D.log" 2>&1; }
units=("$D"/lib/systemd/system/semwatch-{reap,textfile}.service)

ok "make install-cli PREFIX=/usr/local DESTDIR=..." inst install-cli
ok "the command is in /usr/local/sbin" test -x "$D/usr/local/sbin/semwatch"
ok "both services run /usr/local/sbin/semwatch" \
	test "$(grep -h '^ExecStart=' "${units[@]}" | cut -d' ' -f1 | sort -u)" = \
	"ExecStart=/usr/local/sbin/semwatch"
ok "no unit names /usr/sbin" bash -c "! grep -q /usr/sbin/ ${units[*]}"
ok "the man pages and /etc/default/semwatch are installed" test -f \
	"$D/usr/local/share/man/man8/semwatch.8" -a -f "$D/etc/default/semwatch"
echo "SEMWATCH_REAP_AGE_MINUTES=90" >> "$D/etc/default/semwatch"
ok "make install-cli again keeps the edited /etc/default/semwatch" bash -c \
	"make -s -f mk/install.mk install-cli DESTDIR=$D PREFIX=/usr/local >/dev/null 2>&1 &&
	 grep -qx SEMWATCH_REAP_AGE_MINUTES=90 $D/etc/default/semwatch"
ok "make uninstall" inst uninstall
ok "make uninstall says it kept the edited /etc/default/semwatch" grep -q "kept .*/etc/default/semwatch" "$D.log"
ok "only the edited /etc/default/semwatch is left" \
	test "$(find "$D" -type f)" = "$D/etc/default/semwatch"
rm -f "$D/etc/default/semwatch"
inst install-cli && inst uninstall
ok "an unedited /etc/default/semwatch goes with the rest" test -z "$(find "$D" -type f)"
rm -f "$D.log"
echo "1..$n"
exit $failed
