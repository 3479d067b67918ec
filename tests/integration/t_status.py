"""mserverctl status: the text report, the --json object, and a clear
non-zero answer when no server runs."""
from mstest import *


def test_status_text_and_json():
    s = Server(workers=3).start()
    p = s.ctl("status")
    check(p.returncode == 0, p.stderr)
    for want in ("mserverd ", "MPM: prefork", "Generation: 1", "Uptime:",
                 "3 processes", "Scoreboard:", "Key:", "waiting for connection"):
        check(want in p.stdout, "status text lacks %r:\n%s" % (want, p.stdout))
    st = s.status()
    for key in ("generation", "mpm", "master_pid", "uptime", "processes",
                "busy", "idle", "scoreboard", "connections", "bytes"):
        check(key in st, "json lacks %r" % key)
    check(st["master_pid"] == s.master, "master_pid")
    check(st["mpm"] == "prefork" and st["generation"] == 1, "mpm/generation")
    check(len(st["processes"]) == 3, "3 processes")
    for proc in st["processes"]:
        for key in ("slot", "pid", "generation", "state"):
            check(key in proc, "process lacks %r" % key)
    check(st["scoreboard"].count("_") == 3 and st["idle"] == 3, "3 idle slots")
    # One connection held open shows as a busy slot.
    c = connect("127.0.0.1", s.port)
    c.sendall(b"x")
    recv_exact(c, 1)
    st = wait_until(lambda: (lambda st: st["busy"] == 1 and st)(s.status()), 5, "busy slot")
    check("R" in st["scoreboard"], "reading slot in map %r" % st["scoreboard"])
    c.close()
    s.stop()


def test_status_not_running():
    if EXTERNAL:
        return SKIP
    s = Server()
    p = s.ctl("status")
    check(p.returncode != 0, "status without a server must fail")
    check("not running" in p.stderr, "says not running: %r" % p.stderr)
    s.start()
    s.stop()
    p = s.ctl("status", "--json")
    check(p.returncode != 0 and "not running" in p.stderr, "after stop: %r" % p.stderr)


if __name__ == "__main__":
    main([test_status_text_and_json, test_status_not_running])
