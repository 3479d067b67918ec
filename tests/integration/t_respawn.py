"""kill -9 of a worker: the master logs the cause, respawns it, and keeps
serving; workers that crash right after start are respawned with back-off
instead of spinning."""
import signal
from mstest import *


@each_mpm
def test_respawn(mpm):
    s = Server(mpm=mpm, workers=2, extra_mpm="threads = 4;").start()
    victim = s.worker_pids()[0]
    os.kill(victim, signal.SIGKILL)
    s.wait_log(r"pid %d generation 1 killed by signal 9" % victim)

    def respawned():
        pids = s.worker_pids()
        return victim not in pids and len(pids) >= 2
    wait_until(respawned, 10, "respawn")
    st = s.status()
    check(st["respawns"] >= 1, "respawn counted")
    check(echo_once("127.0.0.1", s.port) == b"hello\n", "still serving")
    s.stop()


def test_crash_loop_backs_off():
    s = Server(workers=1).start()
    # Kill each new worker as soon as it appears: the master must back off.
    killed = 0
    deadline = time.monotonic() + 4
    while time.monotonic() < deadline:
        for pid in children_of(s.master):
            kill_pid(pid)
            killed += 1
        time.sleep(0.01)
    check(killed <= 8, "back-off limits respawns: %d in 4 s" % killed)
    check(re.search(r"next start in \d+ ms", s.log()), "back-off logged")
    wait_until(lambda: len(s.worker_pids()) == 1, 15, "pool recovers")
    s.stop()


if __name__ == "__main__":
    main([test_respawn,
          test_crash_loop_backs_off])
