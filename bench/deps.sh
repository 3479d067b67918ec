#!/bin/sh
# Install what the benchmarks compare against and measure with (Debian
# packages): wrk, nginx and Apache httpd for the HTTP ones
# (bench/compare-http.py, bench/reload-http.py), redis-server for the
# chat fan-out one (bench/compare-chat.py). Skips what is already
# installed. Not needed by `make check`. Run as root, or with sudo
# available.
set -e
missing=""
for p in wrk apache2 redis-server; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing="$missing $p"
done
# Any nginx flavour will do; nginx-light is the smallest.
if ! command -v nginx >/dev/null 2>&1 && [ ! -x /usr/sbin/nginx ]; then
	missing="$missing nginx-light"
fi
[ -z "$missing" ] && exit 0
echo "installing:$missing"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO=sudo
$SUDO apt-get update -qq
if ! $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing; then
	# nginx-light is gone from newer releases: fall back to nginx.
	missing=$(echo "$missing" | sed 's/nginx-light/nginx/')
	$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing
fi
# The packages' own services are not wanted: the scripts start their own
# servers on free ports. Stop any that the install started (no systemd in
# containers; policy-rc.d may have prevented it anyway).
for svc in nginx apache2 redis-server; do
	if command -v service >/dev/null 2>&1; then
		$SUDO service "$svc" stop >/dev/null 2>&1 || true
	fi
done
