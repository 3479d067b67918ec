"""A connection that stalls or vanishes is timed out and its slot freed,
under every MPM: a silent client is closed after `timeout` seconds, and a
client that sends without reading cannot hold the server."""
from mstest import *


@each_mpm
def test_timeout(mpm):
    s = Server(mpm=mpm, workers=1, timeout=1, extra_mpm="threads = 2;").start()
    c = connect("127.0.0.1", s.port)
    c.settimeout(10)
    t0 = time.monotonic()
    check(c.recv(1) == b"", "server closes a silent connection")
    check(0.8 < time.monotonic() - t0 < 5, "after about 1 s")
    c.close()
    # A client that floods without reading: back-pressure, then timeout.
    f = connect("127.0.0.1", s.port)
    f.setblocking(False)
    sent = 0
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        try:
            sent += f.send(b"z" * 65536)
        except BlockingIOError:
            time.sleep(0.05)
        except OSError:
            break
    check(sent < 64 << 20, "flood is throttled by back-pressure: %d bytes" % sent)

    def freed():
        st = s.status()
        return st["busy"] == 0 and all(p["open"] == 0 for p in st["processes"])
    wait_until(freed, 10, "slot freed after the stall")
    f.close()
    check(echo_once("127.0.0.1", s.port) == b"hello\n", "still serving")
    s.stop()


if __name__ == "__main__":
    main([test_timeout])
