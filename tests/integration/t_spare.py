"""prefork's spare-process controller: under concurrent connections the
pool grows (keeping min_spare idle), and when they close it shrinks back
to max_spare idle, retiring one process at a time."""
from mstest import *


def test_spare_grow_and_shrink():
    s = Server(workers=2, extra_mpm="min_spare = 2; max_spare = 3;").start()
    held = []
    for i in range(8):
        c = connect("127.0.0.1", s.port)
        c.sendall(b"x")
        held.append(c)

    def grown():
        st = s.status()
        return st["busy"] >= 8 and st["idle"] >= 2 and st
    st = wait_until(grown, 30, "pool grows to 8 busy + 2 idle")
    check(len(st["processes"]) >= 10, "at least 10 processes: %d" % len(st["processes"]))
    for c in held:
        recv_exact(c, 1)
        c.close()

    def shrunk():
        st = s.status()
        live = [p for p in st["processes"] if p["state"] in ("ready", "starting")]
        return st["idle"] <= 3 and len(live) <= 3 and st
    wait_until(shrunk, 30, "pool shrinks to max_spare")
    s.wait_log(r"worker \d+ pid \d+ generation 1 exited with status 0")
    check(echo_once("127.0.0.1", s.port) == b"hello\n", "still serving")
    s.stop()


if __name__ == "__main__":
    main([test_spare_grow_and_shrink])
