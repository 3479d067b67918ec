"""Changing mpm.module and reloading switches the concurrency model with
no failed connection: the old generation drains while the new one serves
from the same listening sockets."""
from mstest import *


def test_switch_under_load():
    s = Server(mpm="prefork", workers=2, extra_mpm="threads = 8;").start()
    with ClientLoop("127.0.0.1", s.port, threads=4) as loop:
        gen = 1
        for mpm in ("worker", "event", "prefork", "event", "worker"):
            s.write_conf(mpm=mpm, workers=2, extra_mpm="threads = 8;")
            ok = loop.ok
            p = s.ctl("reload")
            gen += 1
            check(p.returncode == 0, "reload to %s: %s" % (mpm, p.stderr))
            check("generation %d, mpm %s" % (gen, mpm) in p.stdout, p.stdout)
            wait_until(lambda: loop.ok > ok + 30, 20, "traffic under %s" % mpm)

            def switched():
                st = s.status()
                return (st["mpm"] == mpm and
                        all(p["mpm"] == mpm for p in st["processes"]) and st)
            wait_until(switched, 20, "old generation drained, all processes %s" % mpm)
    check(not loop.failures, "%d failures, e.g. %s" % (len(loop.failures), loop.failures[:3]))
    check(loop.ok > 200, "progress: %d" % loop.ok)
    s.stop()


if __name__ == "__main__":
    main([test_switch_under_load])
