"""Slow clients and the right clock, under every MPM:
- a download whose reader pauses longer than keepalive_timeout (but less
  than the server's timeout) completes: sending a response is governed by
  `timeout`, keep-alive's only between requests;
- a request body trickled in is cut at request_timeout from the end of
  the head, and a chunked body is cut once it passes 1 MiB, instead of
  holding a process or thread for as long as the client likes;
- the access log of a process serving one busy connection is flushed
  every second while the connection lasts (prefork and worker run the
  connection in a blocking loop that must still tick)."""
from mstest import *

SIZE = 8 << 20


def slow_reader(mpm):
    s = http_server(mpm, http=dict(keepalive_timeout=1), timeout=8).start()
    with open(os.path.join(s.docroot, "big.bin"), "wb") as f:
        f.write(b"z" * SIZE)
    c = connect("127.0.0.1", s.port, timeout=15)
    c.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 65536)
    c.sendall(b"GET /big.bin HTTP/1.1\r\nHost: x\r\n\r\n")
    head = b""
    while b"\r\n\r\n" not in head:
        more = c.recv(4096)
        check(more, "%s: response head" % mpm)
        head += more
    got = len(head.split(b"\r\n\r\n", 1)[1])
    time.sleep(2.5)                 # past keepalive_timeout, well inside timeout
    body = recv_exact(c, SIZE - got)
    check(len(body) == SIZE - got, "%s: the whole body after a pause" % mpm)
    c.close()
    s.stop()


def closed_within(c, limit):
    """Seconds until the server closed c (EOF or reset), reading and
    dropping what it sends; fails past limit."""
    t0 = time.monotonic()
    c.settimeout(0.2)
    while time.monotonic() - t0 < limit:
        try:
            if not c.recv(65536):
                return time.monotonic() - t0
        except socket.timeout:
            continue
        except (ConnectionResetError, BrokenPipeError):
            return time.monotonic() - t0
    raise Fail("still open after %.1fs" % limit)


def trickled_body(mpm):
    s = http_server(mpm, http=dict(request_timeout=2)).start()
    c = connect("127.0.0.1", s.port)
    c.sendall(b"POST /index.html HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n")
    t0 = time.monotonic()
    try:
        for _ in range(40):         # one byte every 0.25 s, for up to 10 s
            c.sendall(b"1\r\nx\r\n")
            time.sleep(0.25)
            if time.monotonic() - t0 > 6:
                break
    except (BrokenPipeError, ConnectionResetError):
        pass
    took = closed_within(c, 8) + (time.monotonic() - t0)
    check(took < 6, "%s: a trickled body is cut at request_timeout: %.1fs" % (mpm, took))
    c.close()
    c = connect("127.0.0.1", s.port)
    c.sendall(b"POST /index.html HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n")
    chunk = b"10000\r\n" + b"y" * 0x10000 + b"\r\n"
    sent = 0
    try:
        while sent < (32 << 20):
            c.sendall(chunk)
            sent += 0x10000
    except (BrokenPipeError, ConnectionResetError):
        pass
    closed_within(c, 5)
    check(sent < (32 << 20), "%s: a chunked body is refused past 1 MiB (sent %d)" % (mpm, sent))
    c.close()
    s.stop()


def busy_connection_flushes(mpm):
    s = http_server(mpm, workers=1).start()
    with HttpClient("127.0.0.1", s.port) as c:
        check(c.exchange("GET", "/index.html").status == 200, "first request")

        def logged():
            c.exchange("GET", "/index.html")
            return os.path.exists(s.access_log_path) and os.path.getsize(s.access_log_path) > 0
        # A request every 50 ms, so the loop never idles a whole second.
        wait_until(logged, 4, "%s: the access log flushed while the connection is busy" % mpm,
                   interval=0.05)
    s.stop()


def test_prefork():
    slow_reader("prefork")
    trickled_body("prefork")
    busy_connection_flushes("prefork")


def test_worker():
    slow_reader("worker")
    trickled_body("worker")
    busy_connection_flushes("worker")


def test_event():
    slow_reader("event")
    trickled_body("event")
    busy_connection_flushes("event")


if __name__ == "__main__":
    main([test_prefork, test_worker, test_event])
