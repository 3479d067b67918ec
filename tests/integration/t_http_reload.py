"""HTTP under reload, under every MPM: 8 keep-alive clients, each reusing
one connection for request after request (and reconnecting only after a
response that said "Connection: close"), run while the server reloads 10
times (SIGHUP, each awaited by its generation). Not one request fails: no
connection breaks with a request sent and unanswered, no connect is
refused, and every response is a correct 200. The draining old
generations end their keep-alive connections cleanly."""
import signal
from mstest import *


class HttpLoop:
    """Keep-alive clients in threads, counting responses and failures,
    until stopped (bounded by max_s)."""

    def __init__(self, port, files, threads=8, max_s=240):
        self.port, self.files = port, files
        self.paths = sorted(p for p in files if p.startswith("/p"))
        self.ok = self.conns = self.closes = 0
        self.failures = []
        self.lock = threading.Lock()
        self.stop_evt = threading.Event()
        self.deadline = time.monotonic() + max_s
        self.threads = [threading.Thread(target=self.run, args=(i,), daemon=True)
                        for i in range(threads)]

    def fail(self, msg):
        with self.lock:
            self.failures.append(msg)

    def run(self, i):
        c, n = None, 0
        while not self.stop_evt.is_set() and time.monotonic() < self.deadline:
            if c is None:
                try:
                    c = HttpClient("127.0.0.1", self.port)
                    with self.lock:
                        self.conns += 1
                except OSError as e:
                    self.fail("connect: %r" % e)
                    time.sleep(0.05)
                    continue
            path = self.paths[(i + n) % len(self.paths)]
            n += 1
            try:
                c.request("GET", path)
            except OSError as e:
                # The server closed the connection without saying so in a
                # response (a send error here means the close came first).
                self.fail("send on a kept-alive connection: %r" % e)
                c.close()
                c = None
                continue
            try:
                r = c.read_response()
            except (OSError, Fail) as e:
                self.fail("request %s sent, no complete response: %s" % (path, e))
                c.close()
                c = None
                continue
            if r.status != 200 or r.body != self.files[path]:
                self.fail("GET %s: %r" % (path, r))
            else:
                with self.lock:
                    self.ok += 1
            if r.has_token("Connection", "close"):
                with self.lock:
                    self.closes += 1
                c.close()
                c = None
        if c is not None:
            c.close()

    def __enter__(self):
        for t in self.threads:
            t.start()
        wait_until(lambda: self.ok > 0 or self.failures, 10, "first response")
        return self

    def __exit__(self, *a):
        self.stop_evt.set()
        for t in self.threads:
            t.join(20)


@each_mpm
def test_http_reload(mpm):
    # prefork holds one connection per process: room for the 8 clients.
    kw = dict(workers=10, extra_mpm="min_spare = 2; max_spare = 16; server_limit = 64;") \
        if mpm == "prefork" else {}
    s = http_server(mpm, graceful_timeout=10, **kw).start()
    before = set(s.worker_pids())
    with HttpLoop(s.port, s.files, threads=8) as loop:
        for gen in range(2, 12):
            ok = loop.ok
            s.signal(signal.SIGHUP)
            wait_until(lambda: s.status()["generation"] == gen, 15, "generation %d" % gen)
            wait_until(lambda: loop.ok > ok + 50, 20, "traffic after reload %d" % (gen - 1))
        ok = loop.ok
        wait_until(lambda: loop.ok > ok + 200, 20, "traffic after the last reload")
    check(not loop.failures, "%d failed requests (of %d), e.g. %s" %
          (len(loop.failures), loop.ok + len(loop.failures), loop.failures[:3]))
    check(loop.ok > 1000, "the clients made progress: %d responses" % loop.ok)
    check(loop.conns > 8, "connections were handed over (reconnects after "
          "Connection: close): %d connections, %d closes" % (loop.conns, loop.closes))
    wait_until(lambda: all(p["generation"] == 11 for p in s.status()["processes"]),
               20, "old generations gone")
    check(not (before & set(s.worker_pids())), "all worker pids replaced")
    s.stop()


if __name__ == "__main__":
    main([test_http_reload])
