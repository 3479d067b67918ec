"""Respawn rules. A worker SIGKILLed after it was ready is replaced at
once (no back-off), and the death is counted by signal in status, text
and JSON. A worker that dies before it is ready -- here because its
document root is gone, so the HTTP handler's per-worker set-up fails --
is restarted after a back-off that doubles, per slot; a worker of the
slot that gets ready again resets it. And the generation is never left
without a live process for long: with one worker that cannot start, the
master starts one every ZERO_MAX_MS (100 ms) whatever the back-off says,
so a fixed document root is served at once."""
import signal
from mstest import *

REPLACE_S = 1.0     # a worker killed after ready is replaced within this
BACKOFF_RE = r"before it was ready; next start in"


@each_mpm
def test_respawn(mpm):
    s = Server(mpm=mpm, workers=2, extra_mpm="threads = 4;").start()
    victim = s.worker_pids()[0]
    t0 = time.monotonic()
    os.kill(victim, signal.SIGKILL)

    def respawned():
        st = s.status()
        ready = [p for p in st["processes"] if p["state"] == "ready"]
        return victim not in [p["pid"] for p in st["processes"]] and len(ready) >= 2 and st
    st = wait_until(respawned, 10, "respawn")
    took = time.monotonic() - t0
    check(took <= REPLACE_S, "replaced after %.3f s" % took)
    s.wait_log(r"pid %d generation 1 killed by signal 9" % victim)
    check(not re.search(BACKOFF_RE, s.log()), "no back-off for a worker killed after ready")
    check(st["respawns"] == 1, "respawn counted")
    d = st["deaths"]
    check(d["total"] == 1 and d["last_minute"] == 1 and d["before_ready"] == 0 and
          d["by_signal"]["SIGKILL"] == 1 and d["last_minute_by_signal"]["SIGKILL"] == 1,
          "deaths in JSON: %r" % d)
    text = s.ctl("status").stdout
    check("Worker deaths: 1 in the last minute (SIGKILL 1, SIGSEGV 0, SIGABRT 0, other 0,"
          " exit 0); 1 since start" in text, "deaths in text:\n%s" % text)
    s.wait_log(r"worker deaths in the last minute: 1 \(SIGKILL 1, SIGSEGV 0")
    check(echo_once("127.0.0.1", s.port) == b"hello\n", "still serving")
    s.stop()


def slot_waits(s, slot):
    """The back-offs logged for slot, in order (ms)."""
    return [int(x) for x in re.findall(r"worker %d died \d+ ms after start, before it was"
                                       r" ready; next start in (\d+) ms" % slot, s.log())]


def test_backoff_before_ready():
    s = http_server("event", workers=2).start()
    victim = [p for p in s.status()["processes"] if p["slot"] == 0][0]["pid"]
    os.rename(s.docroot, s.docroot + ".gone")
    t0 = time.monotonic()
    kill_pid(victim)
    # Killed after ready: restarted at once, into the same slot; that
    # worker finds no document root and exits, and from then on slot 0
    # waits 200, 400, 800 ... ms between starts.
    wait_until(lambda: len(slot_waits(s, 0)) >= 4, 10, "four back-offs of slot 0")
    took = time.monotonic() - t0
    waits = slot_waits(s, 0)
    check(waits[:4] == [200, 400, 800, 1600], "back-off doubles: %r" % waits)
    check(took >= (200 + 400 + 800) / 1000.0, "the starts waited: %.2f s" % took)
    s.wait_log(r"document_root")
    check(not slot_waits(s, 1), "the other slot is untouched")
    check(not re.search(r"no worker for", s.log()), "a worker was always alive")
    st = s.status()
    check(st["deaths"]["before_ready"] >= 4 and st["deaths"]["by_signal"]["exit"] >= 4,
          "early deaths counted: %r" % st["deaths"])
    # The root is back: the slot's next start (within its 3.2 s wait)
    # gets ready, and that resets its back-off to 200 ms.
    os.rename(s.docroot + ".gone", s.docroot)
    wait_until(lambda: len([p for p in s.status()["processes"] if p["state"] == "ready"]) == 2,
               10, "slot 0 ready again")
    n = len(slot_waits(s, 0))
    os.rename(s.docroot, s.docroot + ".gone")
    kill_pid([p for p in s.status()["processes"] if p["slot"] == 0][0]["pid"])
    wait_until(lambda: len(slot_waits(s, 0)) > n, 10, "slot 0 backs off again")
    check(slot_waits(s, 0)[n] == 200, "back-off reset by ready: %r" % slot_waits(s, 0))
    os.rename(s.docroot + ".gone", s.docroot)
    s.stop()


def test_zero_workers_never_persists():
    s = http_server("event", workers=1).start()
    os.rename(s.docroot, s.docroot + ".gone")
    kill_pid(s.worker_pids()[0])
    # Slot 0 backs off ever longer, yet a worker starts every 100 ms.
    wait_until(lambda: max(slot_waits(s, 0) or [0]) >= 1600, 10, "a long back-off")
    s.wait_log(r"no worker for \d+ ms: starting worker 0 \d+ ms before its wait ends")
    # The root is back: served well before the back-off ends.
    os.rename(s.docroot + ".gone", s.docroot)
    t0 = time.monotonic()

    def served():
        try:
            return http_fetch(s.port, "/hello.txt", timeout=2).status == 200
        except (OSError, Fail):
            return False
    wait_until(served, 5, "served again")
    took = time.monotonic() - t0
    check(took < 1.0, "served again after %.3f s (the back-off was %d ms)" %
          (took, slot_waits(s, 0)[-1]))
    s.stop()


if __name__ == "__main__":
    main([test_respawn, test_backoff_before_ready, test_zero_workers_never_persists])
