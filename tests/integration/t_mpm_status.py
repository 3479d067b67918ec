"""The scoreboard shows each model truthfully: a slot per process for
prefork, a slot per thread for worker, and per-process connection counts
by state for event."""
from mstest import *


def hold(port, n):
    out = []
    for i in range(n):
        c = connect("127.0.0.1", port)
        c.sendall(b"x")
        recv_exact(c, 1)
        out.append(c)
    return out


def test_prefork_slot_per_process():
    s = Server(mpm="prefork", workers=3, extra_mpm="min_spare = 0; max_spare = 3;").start()
    st = s.status()
    check(len(st["scoreboard"].strip(".")) == 3, "one slot per process: %r" % st["scoreboard"])
    held = hold(s.port, 2)
    st = wait_until(lambda: (lambda st: st["busy"] == 2 and st)(s.status()), 5, "2 busy")
    check(sum(p["open"] for p in st["processes"]) == 2, "open connections per process")
    for c in held:
        c.close()
    s.stop()


def test_worker_slot_per_thread():
    s = Server(mpm="worker", workers=2, extra_mpm="threads = 4; min_spare = 1; max_spare = 8;").start()
    st = s.status()
    for p in st["processes"]:
        check(p["threads"] == 4, "4 thread slots per process")
    check(st["idle"] == 8, "8 idle threads: %r" % st["scoreboard"])
    held = hold(s.port, 3)
    st = wait_until(lambda: (lambda st: st["busy"] == 3 and st)(s.status()), 5, "3 busy threads")
    check(st["scoreboard"].count("R") == 3, "3 reading threads in %r" % st["scoreboard"])
    for c in held:
        c.close()
    s.stop()


def test_event_counts_by_state():
    s = Server(mpm="event", workers=1).start()
    held = hold(s.port, 5)
    # One client that never reads: its connection has output pending.
    # The kernel buffers megabytes on both sides: keep sending until the
    # server's own queue must be holding output (send blocked for 1 s).
    w = socket.socket()
    w.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    w.connect(("127.0.0.1", s.port))
    w.setblocking(False)
    blocked_since, deadline = None, time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            w.send(b"w" * 65536)
            blocked_since = None
        except BlockingIOError:
            blocked_since = blocked_since or time.monotonic()
            if time.monotonic() - blocked_since > 1:
                break
            time.sleep(0.02)

    def counted():
        p = s.status()["processes"][0]
        return p["open"] == 6 and p["by_state"]["W"] >= 1 and p["by_state"]["R"] >= 5 and p
    wait_until(counted, 10, "6 open: 5 reading, 1 writing")
    for c in held:
        c.close()
    w.close()
    wait_until(lambda: s.status()["processes"][0]["open"] == 0, 10, "all closed")
    s.stop()


if __name__ == "__main__":
    main([test_prefork_slot_per_process, test_worker_slot_per_thread, test_event_counts_by_state])
