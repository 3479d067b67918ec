"""SIGHUP reload: the generation goes up, every worker pid is replaced,
the listening sockets are the same sockets (never closed and rebound), and
a client loop running throughout sees no failed connection. Both through
`kill -HUP` and `mserverctl reload`."""
import mmap
import signal
import struct
from mstest import *

# struct sb_header: magic u64, version u32, pad u32, size u64, server_limit,
# thread_limit, master_pid, then generation (scoreboard.h).
SB_GENERATION_OFFSET = 8 + 4 + 4 + 8 + 4 + 4 + 4


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


def test_rapid_reloads_drain_every_generation():
    """Reloads sent back to back drain workers that are only just forked:
    a drain signal that reaches a worker before it has set up its signal
    handling must not be lost (it would linger until graceful_timeout)."""
    for mpm in MPMS:
        s = Server(mpm=mpm, workers=4, graceful_timeout=60, extra_mpm="threads = 2;").start()
        # The generation is published just before the new workers are
        # forked: the next HUP, sent the moment it changes, drains them
        # while they are starting.
        with open(os.path.join(s.dir, "run", "mserverd.scoreboard"), "rb") as f:
            sb = mmap.mmap(f.fileno(), 0, prot=mmap.PROT_READ)
            gen = lambda: struct.unpack_from("<I", sb, SB_GENERATION_OFFSET)[0]
            for g in range(2, 10):
                s.signal(signal.SIGHUP)
                wait_until(lambda: gen() == g, 10, "generation %d" % g, interval=0.0001)
            sb.close()

        def only_latest():
            st = s.status()
            return all(p["generation"] == 9 for p in st["processes"])
        wait_until(only_latest, 15, "%s: every older generation drained" % mpm)
        check("did not finish within graceful_timeout" not in s.log(), "no drain timed out")
        check(echo_once("127.0.0.1", s.port) == b"hello\n", "serves")
        s.stop()
        s.cleanup()


def test_ctl_reload_while_one_runs():
    """mserverctl reload sent while an earlier reload is still starting its
    workers (its generation already published, its verdict not yet) waits
    for that verdict and then reports its own reload, not that one."""
    s = Server(mpm="prefork", workers=40, graceful_timeout=10,
               extra_mpm="min_spare = 1; max_spare = 200; server_limit = 256;").start()
    with open(os.path.join(s.dir, "run", "mserverd.scoreboard"), "rb") as f:
        sb = mmap.mmap(f.fileno(), 0, prot=mmap.PROT_READ)
        gen = lambda: struct.unpack_from("<I", sb, SB_GENERATION_OFFSET)[0]
        for g in (2, 4, 6):
            s.signal(signal.SIGHUP)
            wait_until(lambda: gen() == g, 10, "generation %d" % g, interval=0.0001)
            p = s.ctl("reload")
            check(p.returncode == 0 and "reloaded: generation %d," % (g + 1) in p.stdout,
                  "the verdict of its own reload (generation %d): %r %r" %
                  (g + 1, p.stdout, p.stderr))
        sb.close()
    s.stop()


if __name__ == "__main__":
    main([test_reload_no_failed_connection, test_reload_adds_and_removes_listeners,
          test_rapid_reloads_drain_every_generation, test_ctl_reload_while_one_runs])
