#!/bin/sh
# Install the build and test dependencies on Debian 12 when they are
# missing (apt-get as root; sudo if available otherwise).
set -e
pkgs="build-essential autoconf automake libtool pkg-config libconfig-dev
libjemalloc-dev libcunit1-dev python3 curl netcat-openbsd clang"
missing=""
for p in $pkgs; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
echo "installing:$missing"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO=sudo
$SUDO apt-get update -qq
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing
