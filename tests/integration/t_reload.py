"""SIGHUP reload: the generation goes up, every worker pid is replaced,
the listening sockets are the same sockets (never closed and rebound), and
a client loop running throughout sees no failed connection. Both through
`kill -HUP` and `mserverctl reload`."""
import signal
from mstest import *


def listener_inodes(pid):
    """Socket inodes the master holds (its listeners)."""
    out = set()
    for fd in os.listdir("/proc/%d/fd" % pid):
        try:
            link = os.readlink("/proc/%d/fd/%s" % (pid, fd))
        except OSError:
            continue
        if link.startswith("socket:"):
            out.add(link)
    return out


def test_reload_no_failed_connection():
    s = Server(workers=2, graceful_timeout=10).start()
    before = set(s.worker_pids())
    socks = listener_inodes(s.master)
    with ClientLoop("127.0.0.1", s.port, threads=4) as loop:
        for gen in (2, 3, 4):
            ok = loop.ok
            s.signal(signal.SIGHUP)
            wait_until(lambda: s.status()["generation"] == gen, 10, "generation %d" % gen)
            wait_until(lambda: loop.ok > ok + 20, 20, "traffic after reload")
        p = s.ctl("reload")
        check(p.returncode == 0, "mserverctl reload: %s" % p.stderr)
        check("generation 5" in p.stdout, "reload reports the generation: %r" % p.stdout)
        ok = loop.ok
        wait_until(lambda: loop.ok > ok + 20, 20, "traffic after mserverctl reload")
    check(not loop.failures, "%d failed connections, e.g. %s" %
          (len(loop.failures), loop.failures[:3]))
    check(loop.ok > 100, "client loop made progress: %d" % loop.ok)
    wait_until(lambda: all(p["generation"] == 5 for p in s.status()["processes"]),
               15, "old generations gone")
    after = set(s.worker_pids())
    check(not (before & after), "all worker pids replaced")
    check(listener_inodes(s.master) == socks, "listeners kept, not rebound")
    s.stop()


def test_reload_adds_and_removes_listeners():
    s = Server(workers=1).start()
    p2 = free_port()
    s.write_conf(workers=1, listen=[("127.0.0.1", s.port, "echo"), ("127.0.0.1", p2, "echo")])
    check(s.ctl("reload").returncode == 0, "reload adding a listener")
    check(echo_once("127.0.0.1", p2) == b"hello\n", "new listener serves")
    check(echo_once("127.0.0.1", s.port) == b"hello\n", "old listener serves")
    s.write_conf(workers=1, listen=[("127.0.0.1", p2, "echo")])
    check(s.ctl("reload").returncode == 0, "reload removing a listener")

    def refused():
        try:
            echo_once("127.0.0.1", s.port, timeout=2)
            return False
        except OSError:
            return True
    wait_until(refused, 15, "removed listener refuses")
    check(echo_once("127.0.0.1", p2) == b"hello\n", "kept listener serves")
    s.stop()


if __name__ == "__main__":
    main([test_reload_no_failed_connection, test_reload_adds_and_removes_listeners])
