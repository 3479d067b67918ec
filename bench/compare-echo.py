#!/usr/bin/env python3
"""compare-echo: the concurrency models side by side on Echo.

Runs mserver-bench (C concurrent clients x M round trips of S bytes)
against the classic fork-per-connection and thread-per-connection servers
and against mserverd under the prefork, worker and event MPMs, alternating
the servers round by round (A B C ..., A B C ...) so that a noisy machine
hurts them alike. For each run it samples, every 50 ms, the total RSS,
process count and thread count of the server's whole process tree, and
prints a table of medians over the rounds with ratios against event.

usage: bench/compare-echo.py [--builddir DIR] [-c 3000] [-n 10] [-s 64]
                             [--rounds 3] [--servers fork,thread,prefork,worker,event]
"""
import argparse
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from benchlib import free_port, tree, wait_port  # noqa: E402


def sample(pid):
    rss = procs = threads = 0
    for p in tree(pid):
        try:
            with open("/proc/%d/status" % p) as f:
                st = f.read()
        except OSError:
            continue
        procs += 1
        for line in st.splitlines():
            if line.startswith("VmRSS:"):
                rss += int(line.split()[1])
            elif line.startswith("Threads:"):
                threads += int(line.split()[1])
    return rss, procs, threads


class Sampler(threading.Thread):
    def __init__(self, pid):
        super().__init__(daemon=True)
        self.pid, self.peak = pid, (0, 0, 0)
        self.stop_evt = threading.Event()

    def run(self):
        while not self.stop_evt.is_set():
            s = sample(self.pid)
            self.peak = tuple(max(a, b) for a, b in zip(self.peak, s))
            self.stop_evt.wait(0.05)


MSERVER_CONF = """daemon = false;
pid_file = "run/mserverd.pid";
scoreboard_file = "run/mserverd.scoreboard";
error_log = "logs/error.log";
log_level = "warn";
timeout = 60;
mpm = { module = "%(mpm)s"; workers = %(workers)d; min_spare = %(min_spare)d;
        max_spare = %(max_spare)d; server_limit = %(server_limit)d;
        threads = %(threads)d; thread_limit = %(threads)d; max_connections = 20000; };
listen = ( { address = "127.0.0.1"; port = %(port)d; protocol = "echo"; backlog = 4096; } );
"""

MPM_SETTINGS = {
    # prefork: one process per connection, as many as the load asks for.
    "prefork": dict(workers=8, min_spare=8, max_spare=64, server_limit=4000, threads=1),
    "worker": dict(workers=2, min_spare=25, max_spare=400, server_limit=64, threads=200),
    "event": dict(workers=2, min_spare=1, max_spare=1, server_limit=16, threads=1),
}


def start_server(kind, builddir, port, scratch):
    if kind in ("fork", "thread"):
        exe = os.path.join(builddir, "bench", "%s-echo" % kind)
        proc = subprocess.Popen([exe, str(port), "127.0.0.1"],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    else:
        conf = os.path.join(scratch, "%s.conf" % kind)
        with open(conf, "w") as f:
            f.write(MSERVER_CONF % dict(MPM_SETTINGS[kind], mpm=kind, port=port))
        proc = subprocess.Popen([os.path.join(builddir, "src", "mserverd"), "-f", conf],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_port(port)
    return proc


def stop_server(proc):
    pids = tree(proc.pid)
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(15)
    except subprocess.TimeoutExpired:
        pass
    for p in pids:
        try:
            os.kill(p, signal.SIGKILL)
        except ProcessLookupError:
            pass
    proc.wait()


def one_run(kind, args, scratch):
    port = free_port()
    proc = start_server(kind, args.builddir, port, scratch)
    try:
        sampler = Sampler(proc.pid)
        sampler.start()
        cmd = [os.path.join(args.builddir, "bench", "mserver-bench"), "-p", str(port),
               "-c", str(args.c), "-n", str(args.n), "-s", str(args.s), "-T", str(args.T),
               "--json"]
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=args.T + 60)
        sampler.stop_evt.set()
        sampler.join()
        r = json.loads(p.stdout)
        r["rss_kb"], r["procs"], r["threads"] = sampler.peak
        return r
    finally:
        stop_server(proc)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--builddir", default=os.environ.get("MSERVER_BUILDDIR", "."))
    ap.add_argument("-c", type=int, default=3000)
    ap.add_argument("-n", type=int, default=10)
    ap.add_argument("-s", type=int, default=64)
    ap.add_argument("-T", type=int, default=120)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--servers", default="fork,thread,prefork,worker,event")
    ap.add_argument("--json", action="store_true", help="print raw results as JSON")
    args = ap.parse_args()
    kinds = args.servers.split(",")
    scratch = tempfile.mkdtemp(prefix="compare-echo-")
    results = {k: [] for k in kinds}
    try:
        for rnd in range(args.rounds):
            for k in kinds:
                r = one_run(k, args, scratch)
                results[k].append(r)
                print("round %d %-8s wall %.3fs  %8.0f rt/s  p99 %.1f ms  failures %d" %
                      (rnd + 1, k, r["wall_s"], r["rps"], r["p99_ms"],
                       r["connect_failures"] + r["errors"]), file=sys.stderr)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    if args.json:
        json.dump(results, sys.stdout, indent=1)
        return
    med = {k: {f: statistics.median(r[f] for r in results[k])
               for f in ("wall_s", "rps", "p99_ms", "rss_kb", "procs", "threads")}
           for k in kinds}
    fails = {k: sum(r["connect_failures"] + r["errors"] for r in results[k]) for k in kinds}
    ref = med.get("event")
    print("%d clients x %d round trips of %d bytes, median of %d rounds (A B A B)" %
          (args.c, args.n, args.s, args.rounds))
    print("%-8s %9s %10s %9s %9s %10s %6s %8s %12s" % ("server", "wall s", "rt/s", "p99 ms",
          "failures", "RSS MiB", "procs", "threads", "event faster"))
    for k in kinds:
        m = med[k]
        ratio = "%.1fx" % (m["wall_s"] / ref["wall_s"]) if ref else "-"
        print("%-8s %9.3f %10.0f %9.1f %9d %10.1f %6d %8d %12s" % (
            k, m["wall_s"], m["rps"], m["p99_ms"], fails[k], m["rss_kb"] / 1024,
            m["procs"], m["threads"], ratio))


if __name__ == "__main__":
    main()
