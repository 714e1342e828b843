#!/bin/bash
# Runs in the systemd guest of scripts/systemd-test.sh, in a chroot of its
# writable root, before systemd starts: make it a clean machine and install
# semwatch the way an image build would. Usage: systemd-prep.sh DEB...
set -euo pipefail
export PATH=/usr/sbin:/usr/bin:/sbin:/bin DEBIAN_FRONTEND=noninteractive
kver=$(uname -r)
# The build host's own services (databases, exporters, apt timers) are not
# part of this machine: only what systemd and semwatch's packages enable runs.
rm -f /etc/systemd/system/*.wants/*
# Nor are its file systems: the root is already mounted, nothing else is.
: > /etc/fstab
# DKMS builds for the running and the newest kernel with headers: keep it to
# the one booted (each build takes minutes under TCG).
for d in /lib/modules/*; do [ "${d##*/}" = "$kver" ] || rm -f "$d/build"; done
s=$(date +%s)
dpkg -i "$@"
echo "prep: dpkg -i $* (DKMS build for $kver included): $(($(date +%s) - s))s"
# As README tells an admin: load the module at boot; textfile and reap
# settings for this test (every cookie counts, whatever its age).
cp /usr/share/doc/semwatch/examples/semwatch.conf /etc/modules-load.d/semwatch.conf
sed -i 's/^SEMWATCH_TEXTFILE_ARGS=.*/SEMWATCH_TEXTFILE_ARGS="--older-than 0"/;
	s/^SEMWATCH_REAP_AGE_MINUTES=.*/SEMWATCH_REAP_AGE_MINUTES=0/' /etc/default/semwatch
grep -E '^SEMWATCH_' /etc/default/semwatch
