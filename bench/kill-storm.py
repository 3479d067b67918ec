#!/usr/bin/env python3
"""kill-storm: does killing workers take mserverd down?

For each MPM (--mpms, default prefork,worker,event) starts mserverd with
the integration harness's HTTP config (tests/integration/mstest.py:
http_server) and, for --duration seconds (default 60), SIGKILLs a random
live worker every --every seconds (default 0.2) while a probe client sends
one GET on a new connection every 0.1 s with a --timeout (default 1 s),
and a sampler reads /proc every 5 ms for the longest stretch with no live
worker. With --wrk N, wrk -t2 -cN loads the server meanwhile (keep-alive,
the same file). Prints per MPM: kills, probes served/total (and %), the
longest zero-worker gap, the deaths mserverctl counted, and wrk's
requests and socket errors.

Stops by itself (the storm ends after --duration, wrk after duration + 1 s
or SIGINT); every process it starts (mserverd and its workers, wrk) is
stopped by pid, also on error or Ctrl-C.

usage: bench/kill-storm.py [-d 60] [--mpms prefork,worker,event]
                           [--every 0.2] [--timeout 1.0] [--wrk 0]
                           [--builddir DIR]
"""
import argparse
import os
import re
import shutil
import signal
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


def parse_args():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("-d", "--duration", type=float, default=60.0)
    ap.add_argument("--mpms", default="prefork,worker,event")
    ap.add_argument("--every", type=float, default=0.2, help="seconds between kills")
    ap.add_argument("--timeout", type=float, default=1.0, help="probe timeout (s)")
    ap.add_argument("--wrk", type=int, default=0, help="wrk connections (0: no load)")
    ap.add_argument("--builddir", default=os.path.join(HERE, "..", "build"))
    return ap.parse_args()


def start_wrk(conns, port, duration):
    wrk = shutil.which("wrk")
    if wrk is None:
        sys.exit("--wrk needs wrk (bench/deps.sh installs it)")
    cmd = [wrk, "-t2", "-c%d" % conns, "-d%ds" % int(duration + 1),
           "http://127.0.0.1:%d/hello.txt" % port]
    return subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def wrk_summary(out):
    req = re.search(r"(\d+) requests in", out)
    err = re.search(r"Socket errors: (.*)", out)
    return "wrk %s requests, socket errors: %s" % (req.group(1) if req else "?",
                                                   err.group(1) if err else "none")


def one_mpm(mt, mpm, args):
    s = mt.http_server(mpm)
    wrk = None
    try:
        s.start()
        if args.wrk:
            wrk = start_wrk(args.wrk, s.port, args.duration)
        r = mt.KillStorm(s, body=s.files["/hello.txt"], every=args.every,
                         timeout=args.timeout).run(args.duration)
        line = "%-8s %4d kills  probes %d/%d served (%.2f%%)  longest zero-worker gap %.3f s" % (
            mpm, r["kills"], r["served"], r["probes"],
            100.0 * r["served"] / max(1, r["probes"]), r["max_gap"])
        if wrk is not None:
            out, _ = wrk.communicate(timeout=args.duration + 60)
            line += "  " + wrk_summary(out)
            wrk = None
        st = s.status()
        d = st.get("deaths")        # absent from builds before the figures
        if d is not None:
            line += "  deaths counted %d (last minute %d, before ready %d)" % (
                d["total"], d["last_minute"], d["before_ready"])
        else:
            line += "  respawns counted %d" % st["respawns"]
        if r["failures"]:
            line += "\n         failed probes: %s" % "; ".join(sorted(set(r["failures"])))
        print(line, flush=True)
    finally:
        if wrk is not None and wrk.poll() is None:
            wrk.kill()
            wrk.wait()
        s.cleanup()


def main():
    args = parse_args()
    os.environ["MSERVER_BUILDDIR"] = os.path.abspath(args.builddir)
    sys.path.insert(0, os.path.join(HERE, "..", "tests", "integration"))
    import mstest as mt
    if not os.path.exists(mt.MSERVERD):
        sys.exit("no %s: build first, or give --builddir" % mt.MSERVERD)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    print("kill storm: a worker SIGKILLed every %.0f ms for %g s, probe every 100 ms"
          " (timeout %g s)%s" % (args.every * 1000, args.duration, args.timeout,
                                  ", wrk -c%d" % args.wrk if args.wrk else ""), flush=True)
    for mpm in args.mpms.split(","):
        one_mpm(mt, mpm, args)


if __name__ == "__main__":
    main()
