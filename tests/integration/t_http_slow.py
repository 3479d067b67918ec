"""Slow clients and the right clock, under every MPM, one case each:
- slow_reader: a download whose reader pauses longer than
  keepalive_timeout (but less than the server's timeout) completes:
  sending a response is governed by `timeout`, keep-alive's only between
  requests;
- trickled_body: a request body trickled in is cut at request_timeout from
  the end of the head, instead of holding a process or thread for as long
  as the client likes;
- chunked_body_cap: a chunked body is read (and dropped) up to 1 MiB and
  the connection cut at the first byte past it, long before
  request_timeout; the request itself was answered before its body;
- close_after_pipelined: a connection closed after its last response
  (keepalive_requests) while the client has pipelined another request
  delivers that response whole: the server shuts its side and drops what
  comes until the client closes, rather than close over unread input (a
  reset);
- busy_connection_flushes: the access log of a process serving one busy
  connection is flushed every second while the connection lasts (prefork
  and worker run the connection in a blocking loop that must still tick)."""
import select

from mstest import *

SIZE = 8 << 20


@each_mpm
def test_slow_reader(mpm):
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
    # Read nothing for 2.5 s, past keepalive_timeout and well inside
    # timeout: the server's end must stay established all along (a close
    # shows at once as FIN_WAIT, whatever is still queued).
    local = c.getsockname()[1]
    check(tcp_state(s.port, local) == "ESTABLISHED", "%s: the server's end is found" % mpm)
    holds_for(lambda: tcp_state(s.port, local) == "ESTABLISHED", 2.5,
              "%s: the server keeps a stalled download open past keepalive_timeout" % mpm)
    body = recv_exact(c, SIZE - got)
    check(len(body) == SIZE - got, "%s: the whole body after a pause" % mpm)
    c.close()
    s.stop()


def feed_until_closed(c, pieces, every, limit):
    """Send pieces (bytes, one per `every` seconds; 0: as fast as the
    socket takes them) while reading and dropping what the server sends;
    returns the seconds until it closed its side (EOF or reset). Fails past
    limit. The server may linger after closing, reading what still comes:
    its EOF is what counts."""
    t0 = time.monotonic()
    pieces = iter(pieces)
    nxt, pending = t0, b""
    c.setblocking(False)
    try:
        while time.monotonic() - t0 < limit:
            r, w, _ = select.select([c], [c] if pending or nxt is not None else [], [], 0.05)
            if r:
                try:
                    if not c.recv(65536):
                        return time.monotonic() - t0
                except (ConnectionResetError, BrokenPipeError):
                    return time.monotonic() - t0
                except BlockingIOError:
                    pass
            if not pending and nxt is not None and time.monotonic() >= nxt:
                pending = next(pieces, None)
                nxt = None if pending is None else time.monotonic() + every
                pending = pending or b""
            if w and pending:
                try:
                    pending = pending[c.send(pending):]
                except (BlockingIOError, InterruptedError):
                    pass
                except (BrokenPipeError, ConnectionResetError):
                    return time.monotonic() - t0
        raise Fail("still open after %.1fs" % limit)
    finally:
        c.setblocking(True)


HEAD_CHUNKED = (b"POST /index.html HTTP/1.1\r\nHost: x\r\n"
                b"Transfer-Encoding: chunked\r\n\r\n")
CHUNK_64K = b"10000\r\n" + b"y" * 0x10000 + b"\r\n"


def read_405(c, mpm):
    """The answer to HEAD_CHUNKED, sent before the body is read: 405,
    keep-alive (the connection stays usable once the body is dropped)."""
    r = c.read_response("POST")
    check(r.status == 405, "%s: POST with a chunked body: %r" % (mpm, r))
    check(not r.has_token("Connection", "close"), "%s: 405 keeps the connection: %r" % (mpm, r))


@each_mpm
def test_trickled_body(mpm):
    s = http_server(mpm, http=dict(request_timeout=2)).start()
    with HttpClient("127.0.0.1", s.port) as c:
        c.send(HEAD_CHUNKED)
        read_405(c, mpm)
        # One byte every 0.25 s: cut at request_timeout (2 s) from the head.
        took = feed_until_closed(c.sock, (b"1\r\nx\r\n" for _ in range(100)), 0.25, 8)
    check(1.5 < took < 4, "%s: a trickled body is cut at request_timeout: %.1fs" % (mpm, took))
    s.stop()


@each_mpm
def test_chunked_body_cap(mpm):
    # request_timeout far away: only the cap can end these connections.
    s = http_server(mpm, http=dict(request_timeout=60)).start()
    # Exactly 1 MiB: read to its end, and the next request answered.
    with HttpClient("127.0.0.1", s.port, timeout=20) as c:
        c.send(HEAD_CHUNKED)
        read_405(c, mpm)
        c.send(CHUNK_64K * 16 + b"0\r\n\r\n")
        r = c.exchange("GET", "/hello.txt")
        check(r.status == 200 and r.body == s.files["/hello.txt"],
              "%s: the request after a 1 MiB chunked body: %r" % (mpm, r))
    # One byte more: the connection is cut at once.
    with HttpClient("127.0.0.1", s.port, timeout=20) as c:
        c.send(HEAD_CHUNKED)
        read_405(c, mpm)
        took = feed_until_closed(c.sock, [CHUNK_64K * 16, b"1\r\nz\r\n"], 0, 10)
    check(took < 5, "%s: a chunked body past 1 MiB is cut at once, not at "
          "request_timeout: %.1fs" % (mpm, took))
    s.stop()


@each_mpm
def test_close_after_pipelined(mpm):
    """The last response a connection gets (keepalive_requests = 1) while
    the client has already pipelined another request: the server must not
    close over that unread request, which would reset the connection and
    destroy the end of the response still in flight."""
    s = http_server(mpm, http=dict(keepalive_requests=1)).start()
    with open(os.path.join(s.docroot, "big.bin"), "wb") as f:
        f.write(b"w" * SIZE)
    c = connect("127.0.0.1", s.port, timeout=15)
    c.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 65536)
    c.sendall(b"GET /big.bin HTTP/1.1\r\nHost: x\r\n\r\n")
    data = c.recv(65536)
    # The next request, sent once the first is being answered: the server
    # no longer reads, so it stays unread in the kernel.
    c.sendall(b"GET /index.html HTTP/1.1\r\nHost: x\r\n\r\n")
    try:
        while True:
            more = c.recv(1 << 20)
            if not more:
                break
            data += more
    except ConnectionResetError:
        pass
    head, _, body = data.partition(b"\r\n\r\n")
    check(b"Connection: close" in head, "%s: the last response says close: %r" % (mpm, head[:200]))
    check(len(body) == SIZE, "%s: the whole body before the close: %d of %d" %
          (mpm, len(body), SIZE))
    c.close()
    s.stop()


@each_mpm
def test_busy_connection_flushes(mpm):
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


if __name__ == "__main__":
    main([test_slow_reader, test_trickled_body, test_chunked_body_cap,
          test_close_after_pipelined, test_busy_connection_flushes])
