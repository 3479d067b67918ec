"""Stopping: SIGTERM leaves no process and removes the pid file; SIGQUIT
(graceful) lets an in-flight connection finish first; a master killed
with SIGKILL takes its workers with it, so no orphan holds the port."""
import signal
from mstest import *


def test_sigterm_leaves_nothing():
    if EXTERNAL:
        return SKIP
    s = Server(workers=3).start()
    pids = s.worker_pids() + [s.master]
    s.signal(signal.SIGTERM)
    wait_until(lambda: not any(pid_alive(p) for p in pids), 15, "all processes gone")
    check(not os.path.exists(s.pid_file), "pid file removed")
    check(not os.path.exists(os.path.join(s.dir, "run", "mserverd.scoreboard")),
          "scoreboard removed")
    s.wait_log(r"stopped")


def test_mserverctl_stop():
    if EXTERNAL:
        return SKIP
    s = Server(workers=2).start()
    pids = s.worker_pids() + [s.master]
    p = s.ctl("stop")
    check(p.returncode == 0 and "stopped" in p.stdout, "mserverctl stop: %r" % p.stderr)
    check(not any(pid_alive(x) for x in pids), "all gone when stop returns")


def test_graceful_stop_finishes_in_flight():
    if EXTERNAL:
        return SKIP
    s = Server(workers=2, graceful_timeout=20).start()
    c = connect("127.0.0.1", s.port)
    c.sendall(b"first\n")
    check(recv_exact(c, 6) == b"first\n", "before stop")
    s.signal(signal.SIGQUIT)
    s.wait_log("graceful stop requested")
    # The connection in flight keeps working during the drain.
    c.sendall(b"second\n")
    check(recv_exact(c, 7) == b"second\n", "in-flight connection served while draining")
    check(pid_alive(s.master), "master waits for the in-flight connection")
    c.close()
    wait_until(lambda: not pid_alive(s.master), 15, "master exits after the drain")
    check(not os.path.exists(s.pid_file), "pid file removed")


def test_graceful_timeout_bounds_the_drain():
    if EXTERNAL:
        return SKIP
    s = Server(workers=1, graceful_timeout=1).start()
    c = connect("127.0.0.1", s.port)
    c.sendall(b"x")
    recv_exact(c, 1)
    t0 = time.monotonic()
    s.signal(signal.SIGQUIT)
    wait_until(lambda: not pid_alive(s.master), 15, "master exits")
    check(time.monotonic() - t0 < 8, "drain bounded by graceful_timeout")
    s.wait_log(r"did not finish within graceful_timeout")
    c.close()


def test_master_sigkill_takes_workers():
    if EXTERNAL:
        return SKIP
    s = Server(workers=3).start()
    pids = s.worker_pids()
    kill_pid(s.master)
    wait_until(lambda: not any(pid_alive(p) for p in pids), 10, "workers die with the master")

    def port_free():
        try:
            echo_once("127.0.0.1", s.port, timeout=1)
            return False
        except OSError:
            return True
    wait_until(port_free, 10, "nobody holds the port")


if __name__ == "__main__":
    main([test_sigterm_leaves_nothing, test_mserverctl_stop,
          test_graceful_stop_finishes_in_flight, test_graceful_timeout_bounds_the_drain,
          test_master_sigkill_takes_workers])
