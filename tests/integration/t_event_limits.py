"""event MPM at mpm.max_connections: a full process stops accepting and
says so ('full'), the connections beyond it wait in the backlog and are
served once others close; nothing crashes."""
from mstest import *


def test_max_connections():
    s = Server(mpm="event", workers=1, extra_mpm="max_connections = 20;").start()
    held = []
    for i in range(20):
        c = connect("127.0.0.1", s.port)
        c.sendall(b"x")
        recv_exact(c, 1)
        held.append(c)
    wait_until(lambda: s.status()["processes"][0]["state"] == "full", 10, "state full")
    check(s.status()["processes"][0]["open"] == 20, "20 open")
    # 30 more: accepted by the kernel, not by the full process.
    extra = [connect("127.0.0.1", s.port) for _ in range(30)]
    for c in extra:
        c.sendall(b"y")
    # All 30 wait in the listener's accept queue: a process that took any
    # of them would keep the queue below 30 (the kernel completes the
    # handshakes; only accept() takes a connection off the queue).
    wait_until(lambda: accept_queue(s.port) == 30, 10, "30 connections in the accept queue")
    check(s.status()["processes"][0]["open"] == 20, "never above max_connections")
    for c in extra:
        c.setblocking(False)
        try:
            check(False, "a waiting client was answered: %r" % c.recv(1))
        except BlockingIOError:
            pass
        c.settimeout(10)
    for c in held:
        c.close()
    for c in extra:
        check(recv_exact(c, 1) == b"y", "waiting client served after others close")
        c.close()
    wait_until(lambda: s.status()["processes"][0]["state"] == "ready", 10, "ready again")
    check(pid_alive(s.worker_pids()[0]), "worker alive")
    check(s.status()["respawns"] == 0, "no crash")
    s.stop()


if __name__ == "__main__":
    main([test_max_connections])
