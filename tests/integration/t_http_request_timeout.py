"""HTTP request_timeout under every MPM: a whole request head must arrive
within request_timeout (2 s here), however steadily it trickles in. A
client sending one header byte every 0.5 s is cut off after 2-3 s by a
plain close (the server sends no 408: the client is not answered); a
client that sends half a request and stalls is cut off the same way; a
slow but complete request within the limit is served."""
import select
from mstest import *


def trickle(s, interval, limit_s):
    """Send a never-ending head one byte per interval. Returns (seconds
    until the server closed, statuses of any responses before that)."""
    c = HttpClient("127.0.0.1", s.port)
    data = b"GET /hello.txt HTTP/1.1\r\nHost: localhost\r\nX-Slow: " + b"a" * 1000
    t0 = time.monotonic()
    i = 0
    try:
        while time.monotonic() - t0 < limit_s:
            try:
                c.sock.send(data[i:i + 1])
            except OSError:
                break
            i += 1
            ready, _, _ = select.select([c.sock], [], [], interval)
            if ready:
                break
        closed = c.wait_closed(limit_s)
        statuses = []
        if not closed and c.buf:
            # Bytes arrived: a response (408), then the close.
            r = c.read_response()
            statuses.append(r.status)
            check_complete(r, "response to a timed-out request")
            closed = c.wait_closed(5)
        check(closed, "connection closed after the timeout")
        return time.monotonic() - t0, statuses
    finally:
        c.close()


@each_mpm
def test_http_request_timeout(mpm):
    s = http_server(mpm, http={"request_timeout": 2, "keepalive_timeout": 5},
                    timeout=30).start()
    dt, statuses = trickle(s, 0.5, 12)
    check(1.5 <= dt <= 3.6, "trickling client cut off after %.2f s, want 2-3 s" % dt)
    check(statuses == [], "a plain close, no response: %s" % statuses)
    # Half a request, then silence.
    with HttpClient("127.0.0.1", s.port) as c:
        c.send(b"GET /hello.txt HTTP/1.1\r\nHost: local")
        t0 = time.monotonic()
        closed = c.wait_closed(10)
        dt = time.monotonic() - t0
        check(closed, "stalled request: a plain close, no response: %r" % c.buf[:80])
        check(1.5 <= dt <= 3.6, "stalled request cut off after %.2f s, want 2-3 s" % dt)
    # Slow but within the limit: served.
    with HttpClient("127.0.0.1", s.port) as c:
        req = c.build("GET", "/hello.txt")
        for k in range(0, len(req), len(req) // 4 + 1):
            c.send(req[k:k + len(req) // 4 + 1])
            time.sleep(0.2)
        r = c.read_response()
        check(r.status == 200 and r.body == s.files["/hello.txt"], "slow request in time: %r" % r)
        # The timer restarts with each request on a keep-alive connection.
        for i in range(3):
            time.sleep(0.8)
            r = c.exchange("GET", "/p%d.txt" % i)
            check(r.status == 200, "keep-alive request %d after 0.8 s: %r" % (i, r))
    # Several trickling clients at once do not stop others being served.
    held = [HttpClient("127.0.0.1", s.port) for _ in range(3)]
    try:
        for h in held:
            h.send(b"GET / HTTP/1.1\r\n")
        r = http_fetch(s.port, "/hello.txt")
        check(r.status == 200, "served beside stalled clients: %r" % r)
        for h in held:
            check(h.wait_closed(6) or h.buf, "stalled client cut off")
    finally:
        for h in held:
            h.close()
    s.stop()


if __name__ == "__main__":
    main([test_http_request_timeout])
