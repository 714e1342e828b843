#!/bin/sh
# Print the extended regex that matches every Debian 12 kernel release of one
# series and flavour, e.g. "6.1 rt" -> ^6\.1\.0-[0-9]+-rt-amd64$.
# Usage: scripts/kernel-release-re.sh SERIES FLAVOUR   (kernels.sh, setup.sh)
set -eu
suffix=amd64
[ "$2" = generic ] || suffix=$2-amd64
case $1 in
6.1) echo "^6\\.1\\.0-[0-9]+-$suffix\$" ;;
*) echo "^$(echo "$1" | sed 's/\./\\./g')\\.[0-9]+\\+deb12-$suffix\$" ;;
esac
