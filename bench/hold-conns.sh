#!/bin/sh
# hold-conns: prove that one worker process holds N concurrent connections.
# Starts mserverd with ONE worker of the given MPM (default event) and
# max_connections above N, opens N echo connections with mserver-bench,
# verifies each with a round trip, holds them all open for HOLD seconds,
# does two more round trips on each, and prints the generator's line plus
# the worker's RSS and descriptor count while holding.
#
# usage: bench/hold-conns.sh [BUILDDIR] [N=19000] [MPM=event] [HOLD=5]
set -e
build=${1:-build}
n=${2:-19000}
mpm=${3:-event}
hold=${4:-5}
dir=$(mktemp -d /tmp/hold-conns.XXXXXX)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
cat > "$dir/m.conf" <<CONF
daemon = false;
pid_file = "m.pid";
scoreboard_file = "m.sb";
error_log = "e.log";
log_level = "warn";
timeout = 120;
mpm = { module = "$mpm"; workers = 1; max_connections = 19990; min_spare = 0; max_spare = 1; };
listen = ( { address = "127.0.0.1"; port = $port; protocol = "echo"; backlog = 4096; } );
CONF
"$build/src/mserverd" -f "$dir/m.conf" &
master=$!
trap 'kill $master 2>/dev/null; wait $master 2>/dev/null; rm -rf "$dir"' EXIT
i=0
until [ -f "$dir/m.pid" ] && python3 -c "import socket; socket.create_connection(('127.0.0.1',$port),1)" 2>/dev/null; do
	i=$((i + 1)); [ $i -lt 200 ] || { echo "server did not start"; exit 1; }
	python3 -c 'import time; time.sleep(0.05)'
done
worker=$(cat /proc/$master/task/$master/children | awk '{print $1}')
"$build/bench/mserver-bench" -p "$port" -c "$n" -n 3 -s 64 --hold "$hold" -T 180 &
bench=$!
# Sample the worker while the connections are held (bounded: 3 minutes).
peak_fds=0; peak_rss=0; i=0
while kill -0 $bench 2>/dev/null && [ $i -lt 1800 ]; do
	fds=$(ls /proc/$worker/fd 2>/dev/null | wc -l)
	rss=$(awk '/VmRSS/ {print $2}' /proc/$worker/status 2>/dev/null || echo 0)
	[ "$fds" -gt "$peak_fds" ] && peak_fds=$fds
	[ "${rss:-0}" -gt "$peak_rss" ] && peak_rss=$rss
	python3 -c 'import time; time.sleep(0.1)'
	i=$((i + 1))
done
wait $bench; rc=$?
echo "$mpm worker pid $worker: peak descriptors $peak_fds, peak RSS ${peak_rss} kB"
exit $rc
