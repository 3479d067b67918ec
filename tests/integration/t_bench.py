"""The load generator counts right: every round trip of every connection
when the server is up, and every connection as a failure (exit 1) when it
is down or the server corrupts the data."""
from mstest import *


def bench(*args, timeout=120):
    p = run([BENCH, "--json"] + [str(a) for a in args], timeout=timeout)
    try:
        return p.returncode, json.loads(p.stdout)
    except ValueError:
        raise Fail("bench output is not JSON: %r %r" % (p.stdout, p.stderr))


def test_counts_against_mserverd():
    s = Server(mpm="event", workers=2).start()
    rc, r = bench("-p", s.port, "-c", 200, "-n", 15, "-s", 100)
    check(rc == 0, "exit 0: %r" % r)
    check(r["round_trips"] == 3000, "200 x 15 round trips: %d" % r["round_trips"])
    check(r["connect_failures"] == 0 and r["errors"] == 0, "no failures")
    check(0 < r["p50_ms"] <= r["p99_ms"] <= r["max_ms"], "latency order")
    st = s.status()
    check(st["bytes"] >= 3000 * 100, "server sent every byte: %d" % st["bytes"])
    rc, r = bench("-H", "::1", "-p", s.port, "-c", 20, "-n", 3, "-s", 200000)
    check(rc == 0 and r["round_trips"] == 60, "large IPv6 transfers: %r" % r)
    s.stop()


def test_failures_when_down():
    port = free_port()
    rc, r = bench("-p", port, "-c", 50, "-n", 2, "--connect-timeout", 2)
    check(rc == 1, "exit 1 when the server is down")
    check(r["connect_failures"] == 50 and r["round_trips"] == 0, "all 50 fail: %r" % r)


def test_detects_corruption():
    # A server that echoes one byte wrong.
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(16)
    port = srv.getsockname()[1]

    def serve():
        for _ in range(4):
            try:
                c, _ = srv.accept()
            except OSError:
                return
            data = c.recv(64)
            c.sendall(bytes([data[0] ^ 1]) + data[1:])
            c.close()
    t = threading.Thread(target=serve, daemon=True)
    t.start()
    rc, r = bench("-p", port, "-c", 4, "-n", 1, "-s", 16, "-t", 1)
    srv.close()
    check(rc == 1 and r["errors"] == 4, "4 mismatches reported: %r" % r)


if __name__ == "__main__":
    main([test_counts_against_mserverd, test_failures_when_down, test_detects_corruption])
