"""A broken config on reload: the master logs FILE:LINE and the running
generation keeps serving, untouched; mserverctl reload refuses it too."""
import signal
from mstest import *

BROKEN = [
    ("syntax", "mpm = = { module = \"prefork\"; };\n", r":1: syntax error"),
    ("unknown key", "bogus_key = 1;\n", r":1: unknown key 'bogus_key'"),
    ("bad module", "mpm = { module = \"nosuch\"; };\n", r":1: cannot load MPM 'nosuch'"),
]


def test_broken_config_keeps_generation():
    s = Server(workers=2).start()
    pids = set(s.worker_pids())
    good = open(s.conf).read()
    with ClientLoop("127.0.0.1", s.port, threads=2) as loop:
        for name, text, pattern in BROKEN:
            s.write_conf(text=text + good.replace("mpm = {", "#mpm = {")
                         if name != "syntax" else text)
            s.signal(signal.SIGHUP)
            s.wait_log(r"reload failed, generation 1 keeps serving: .*mserver\.conf" + pattern)
            p = s.ctl("reload")
            check(p.returncode == 1, "mserverctl reload of a broken config exits 1")
            check(re.search(r"mserver\.conf" + pattern, p.stderr), "reason: %r" % p.stderr)
        st = s.status()
        check(st["generation"] == 1, "generation unchanged")
        # The spare controller may add workers; none of ours was replaced.
        check(pids <= set(s.worker_pids()), "workers untouched")
        check(st["reload"]["ok"] is False, "verdict recorded as failed")
    check(not loop.failures, "failures during bad reloads: %s" % loop.failures[:3])
    s.write_conf(text=good)
    p = s.ctl("reload")
    check(p.returncode == 0 and "generation 2" in p.stdout, "good reload after: %r" % p.stdout)
    s.stop()


def test_listener_in_use_on_reload():
    s = Server(workers=1).start()
    blocker = socket.socket()
    blocker.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    blocker.bind(("127.0.0.1", 0))
    blocker.listen(1)
    busy = blocker.getsockname()[1]
    s.write_conf(workers=1, listen=[("127.0.0.1", s.port, "echo"), ("127.0.0.1", busy, "echo")])
    p = s.ctl("reload")
    check(p.returncode == 1, "reload onto a busy port fails")
    check("cannot listen on 127.0.0.1:%d" % busy in p.stderr, "names the address: %r" % p.stderr)
    check(s.status()["generation"] == 1, "generation unchanged")
    check(echo_once("127.0.0.1", s.port) == b"hello\n", "still serving")
    blocker.close()
    s.stop()


if __name__ == "__main__":
    main([test_broken_config_keeps_generation, test_listener_in_use_on_reload])
