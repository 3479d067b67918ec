"""Accept out of descriptors (EMFILE), under every MPM: the worker logs
the failed accept and pauses accepting (child.h: CHILD_ACCEPT_PAUSE_MS)
instead of spinning on the readable listener, so the log gets about one
line per pause; the waiting client is served once descriptors are back.

The worker's RLIMIT_NOFILE is lowered from outside (prlimit) to the
descriptors it already has open, so its next accept fails with EMFILE."""
import os
import resource

from mstest import *

PAUSE_S = 0.5           # CHILD_ACCEPT_PAUSE_MS
LINE = "accept: Too many open files"


def open_fds(pid):
    return len(os.listdir("/proc/%d/fd" % pid))


def pause_under(mpm):
    s = Server(mpm=mpm, workers=1,
               extra_mpm="threads = 2; min_spare = 0; max_spare = 1; server_limit = 1;")
    s.start()
    pid = s.worker_pids()[0]
    _, hard = resource.prlimit(pid, resource.RLIMIT_NOFILE)
    n = open_fds(pid)
    resource.prlimit(pid, resource.RLIMIT_NOFILE, (n, hard))
    c = connect("127.0.0.1", s.port)
    c.sendall(b"waiting\n")
    wait_until(lambda: LINE in s.log(), 10, "the failed accept is logged")
    t0 = time.monotonic()
    first = s.log().count(LINE)
    # Bounded observation of the pause rate: one line per pause, not a spin.
    wait_until(lambda: time.monotonic() - t0 >= 4 * PAUSE_S, 10, "observation window")
    lines = s.log().count(LINE) - first
    elapsed = time.monotonic() - t0
    check(lines <= elapsed / PAUSE_S + 1,
          "%d accept failures logged in %.2f s: more than one per pause" % (lines, elapsed))
    check(lines >= 1, "the worker retries accepting after a pause")
    resource.prlimit(pid, resource.RLIMIT_NOFILE, (hard, hard))
    check(recv_exact(c, 8) == b"waiting\n", "the waiting client is served")
    c.close()
    check(s.worker_pids() == [pid] and pid_alive(pid), "the same worker, alive")
    s.stop()


def test_accept_pause_prefork():
    pause_under("prefork")


def test_accept_pause_worker():
    pause_under("worker")


def test_accept_pause_event():
    pause_under("event")


if __name__ == "__main__":
    main([test_accept_pause_prefork, test_accept_pause_worker, test_accept_pause_event])
