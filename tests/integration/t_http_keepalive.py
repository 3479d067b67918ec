"""HTTP persistent connections under every MPM: HTTP/1.1 persists by
default; "Connection: close" is answered with "Connection: close" and the
close; HTTP/1.0 closes unless it asks for keep-alive; keepalive_requests
= 3 closes after the third response, which says so; keepalive_timeout = 1
closes an idle connection after about a second."""
from mstest import *


def persistent(s):
    hello = s.files["/hello.txt"]
    with HttpClient("127.0.0.1", s.port) as c:
        for i in range(20):
            path = "/p%d.txt" % (i % 10)
            r = c.exchange("GET" if i % 3 else "HEAD", path)
            check(r.status == 200, "request %d on one connection: %r" % (i, r))
            check(not r.has_token("Connection", "close"), "HTTP/1.1 default persists: %r" % r)
        check(c.is_open(), "still open after 20 requests")
        r = c.exchange("GET", "/hello.txt", headers={"Connection": "close"})
        check(r.status == 200 and r.body == hello, "Connection: close request: %r" % r)
        check(r.has_token("Connection", "close"), "response says Connection: close: %r" % r)
        check(c.wait_closed(5), "server closes after Connection: close")
    # HTTP/1.0 without keep-alive: one response, then the close.
    with HttpClient("127.0.0.1", s.port) as c:
        r = c.exchange("GET", "/hello.txt", version="HTTP/1.0", host=False)
        check(r.status == 200 and r.body == hello, "HTTP/1.0 GET: %r" % r)
        check(r.version == "HTTP/1.1", "responses are HTTP/1.1: %r" % r.version)
        check(c.wait_closed(5), "HTTP/1.0 without keep-alive closes")
    # HTTP/1.0 with Connection: keep-alive stays open and says so.
    with HttpClient("127.0.0.1", s.port) as c:
        for i in range(3):
            r = c.exchange("GET", "/hello.txt", version="HTTP/1.0",
                           headers={"Connection": "keep-alive"})
            check(r.status == 200 and r.body == hello, "HTTP/1.0 keep-alive %d: %r" % (i, r))
            check(r.has_token("Connection", "keep-alive"),
                  "HTTP/1.0 keep-alive answered with Connection: keep-alive: %r" % r)
            check(c.is_open(), "HTTP/1.0 keep-alive connection stays open")
        r = c.exchange("GET", "/hello.txt", version="HTTP/1.0")
        check(r.status == 200, "HTTP/1.0 without keep-alive on the same connection: %r" % r)
        check(c.wait_closed(5), "then it closes")
    # Connection: close on a request with an error status still closes.
    with HttpClient("127.0.0.1", s.port) as c:
        r = c.exchange("GET", "/nope", headers={"Connection": "close"})
        check(r.status == 404 and r.has_token("Connection", "close"), "404 with close: %r" % r)
        check(c.wait_closed(5), "closed after the 404")


def limits(s):
    # keepalive_requests = 3: the third response closes.
    for attempt in range(2):
        with HttpClient("127.0.0.1", s.port) as c:
            for i in range(3):
                r = c.exchange("GET", "/p%d.txt" % i)
                check(r.status == 200 and r.body == s.files["/p%d.txt" % i],
                      "keepalive_requests: request %d: %r" % (i + 1, r))
                closing = r.has_token("Connection", "close")
                check(closing == (i == 2), "request %d: Connection: close %s (%r)" %
                      (i + 1, "missing" if i == 2 else "early", r))
            check(c.wait_closed(5), "closed after the third response")
    # Three pipelined, then a fourth: the fourth is never answered.
    with HttpClient("127.0.0.1", s.port) as c:
        c.send(b"".join(c.build("GET", "/p%d.txt" % i) for i in range(4)))
        for i in range(3):
            r = c.read_response()
            check(r.status == 200 and r.body == s.files["/p%d.txt" % i], "pipelined %d: %r" % (i, r))
        check(r.has_token("Connection", "close"), "third pipelined response closes")
        check(c.wait_closed(5), "fourth request not answered: %r" % c.buf[:100])
    # keepalive_timeout = 1: an idle connection is closed after about 1 s.
    for idle_before in (False, True):
        with HttpClient("127.0.0.1", s.port) as c:
            if idle_before:
                r = c.exchange("GET", "/hello.txt")
                check(r.status == 200, "before idling: %r" % r)
            t0 = time.monotonic()
            closed = c.wait_closed(10)
            dt = time.monotonic() - t0
            check(closed, "idle connection closed (after a request: %s)" % idle_before)
            if idle_before:
                check(0.7 < dt < 3.5, "closed after about keepalive_timeout = 1 s: %.2f s" % dt)
            else:
                check(dt < 12, "a connection that never sends is closed: %.2f s" % dt)
    r = http_fetch(s.port, "/hello.txt")
    check(r.status == 200, "still serving: %r" % r)


@each_mpm
def test_http_keepalive(mpm):
    s = http_server(mpm).start()
    persistent(s)
    s.stop()
    s = http_server(mpm, http={"keepalive_requests": 3, "keepalive_timeout": 1,
                               "request_timeout": 5}).start()
    limits(s)
    s.stop()


if __name__ == "__main__":
    main([test_http_keepalive])
