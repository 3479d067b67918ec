#!/usr/bin/env python3
"""reload-http: does a graceful reload cost any request?

For each server -- mserverd (--mpm, default event) and, when installed
(bench/deps.sh), nginx and Apache httpd with mpm_event -- starts it with the
same generated config as bench/compare-http.py (keep-alive on, no access
log), runs `wrk -t2 -c50` with keep-alive against its 1 KiB file, and
while wrk runs performs --reloads graceful reloads (default 50), each
awaited before the next:

  mserverd  SIGHUP; awaited when `mserverctl status --json` reports the new
            generation with a ready process
  nginx     SIGHUP (what `nginx -s reload` sends); awaited when new worker
            pids appear
  Apache    SIGUSR1 (what `apache2 -k graceful` sends); awaited when new
            child pids appear

then stops wrk (SIGINT, after which wrk prints its summary) and reports,
per server, wrk's "Socket errors" (connect, read, write, timeout) and
"Non-2xx or 3xx responses". A server that drains its keep-alive
connections cleanly -- answering the next request with
"Connection: close" rather than closing under a request in flight --
shows zero of both.

Every process the script starts is stopped by pid, also on error.

usage: bench/reload-http.py [--builddir DIR] [--reloads 50] [--interval 0.2]
                            [--mpm event] [--servers mserver,nginx,apache]
"""
import argparse
import importlib.util
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
_spec = importlib.util.spec_from_file_location("compare_http", os.path.join(HERE, "compare-http.py"))
ch = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(ch)


def one_server(kind, args, scratch, docroot):
    srv = ch.Server(kind, scratch, docroot, args.builddir, graceful=args.graceful).start()
    ch.log("%s: port %d pid %d" % (kind, srv.port, srv.proc.pid))
    wrk = None
    try:
        # wrk runs until SIGINT; -d is only a bound.
        cmd = ch.wrk_cmd(args, srv.port, "/1k.bin", args.max_duration)
        wrk = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               text=True, start_new_session=True)
        time.sleep(1)  # wrk connected and under way
        t0 = time.monotonic()
        done = late = 0
        for i in range(args.reloads):
            if wrk.poll() is not None:
                ch.log("%s: wrk ended early after %d reloads" % (kind, done))
                break
            srv.reload()
            if srv.wait_reloaded(args.reload_timeout):
                done += 1
            else:
                late += 1
                ch.log("%s: reload %d not seen within %d s" % (kind, i + 1, args.reload_timeout))
            time.sleep(args.interval)
        elapsed = time.monotonic() - t0
        time.sleep(1)  # requests after the last reload count too
        wrk.send_signal(signal.SIGINT)
        out, _ = wrk.communicate(timeout=30)
        r = ch.parse_wrk(out)
        r.update(kind=kind, reloads=done, late=late, seconds=elapsed, raw=out)
        return r
    finally:
        if wrk and wrk.poll() is None:
            wrk.kill()
            wrk.wait()
        srv.stop()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--builddir", default=os.environ.get("MSERVER_BUILDDIR", "."))
    ap.add_argument("--reloads", type=int, default=50)
    ap.add_argument("--interval", type=float, default=0.2, help="seconds between reloads")
    ap.add_argument("--reload-timeout", type=int, default=30)
    ap.add_argument("--graceful", type=int, default=30, help="mserverd graceful_timeout")
    ap.add_argument("--mpm", default="event", choices=["event", "worker", "prefork"])
    ap.add_argument("--servers", default="mserver,nginx,apache")
    ap.add_argument("-c", type=int, default=50, help="wrk connections")
    ap.add_argument("-t", type=int, default=2, help="wrk threads")
    ap.add_argument("--max-duration", type=int, default=600, help="wrk -d bound (s)")
    ap.add_argument("-v", action="store_true", help="print wrk's output")
    args = ap.parse_args()
    if not os.access(ch.WRK, os.X_OK):
        sys.exit("wrk is not installed: run bench/deps.sh")
    args.builddir = os.path.abspath(args.builddir)
    names = {"mserver": "mserver-" + args.mpm, "nginx": "nginx", "apache": "apache-event"}
    kinds = []
    for s in args.servers.split(","):
        if s not in names:
            sys.exit("unknown server %r (mserver, nginx, apache)" % s)
        if ch.Server.available(names[s], args.builddir):
            kinds.append(names[s])
        else:
            ch.log("skipping %s: not installed" % names[s])
    scratch = tempfile.mkdtemp(prefix="reload-http-")
    os.chmod(scratch, 0o755)
    docroot = os.path.join(scratch, "htdocs")
    ch.make_docroot(docroot)
    results = []
    try:
        for k in kinds:
            try:
                results.append(one_server(k, args, scratch, docroot))
            except RuntimeError as e:
                ch.log("skipping %s: %s" % (k, e))
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    print("wrk -t%d -c%d keep-alive on /1k.bin during %d graceful reloads, %.1f s apart"
          % (args.t, args.c, args.reloads, args.interval))
    print("%-16s %8s %7s %10s %10s %8s %6s %6s %8s %9s" % (
        "server", "reloads", "secs", "requests", "req/s", "connect", "read", "write",
        "timeout", "non-2xx"))
    for r in results:
        e = r["socket_errors"]
        print("%-16s %8s %7.1f %10d %10.0f %8d %6d %6d %8d %9d" % (
            r["kind"], "%d%s" % (r["reloads"], "+%d late" % r["late"] if r["late"] else ""),
            r["seconds"], r["requests"], r["rps"], e["connect"], e["read"], e["write"],
            e["timeout"], r["non2xx3xx"]))
        if args.v:
            print(r["raw"])
    print("(Socket errors: wrk's connect/read/write/timeout counts; a clean reload shows 0)")


if __name__ == "__main__":
    main()
