"""HTTP request errors under every MPM, over raw sockets: each answer is a
complete response (status line, Content-Length, body) and, when the
request's framing is lost, is followed by the close of the connection.
400 for a malformed request line, a bare CR, obs-fold, a missing or
doubled Host, Content-Length with Transfer-Encoding, a bad Content-Length,
a Transfer-Encoding whose last coding is not chunked; 414 for a request
line over max_request_line, 431 for fields over max_header_size, 501 for
an unknown method or a transfer coding other than chunked, 405 with Allow
for POST, PUT and DELETE, 505 for HTTP/2.0. The server keeps serving
afterwards."""
from mstest import *

HOST = b"Host: localhost\r\n"

# (what, request bytes, allowed statuses, must close)
CASES = [
    ("garbage request line", b"GARBAGE\r\n\r\n", (400,), True),
    ("too many request-line parts", b"GET / HTTP/1.1 extra\r\n" + HOST + b"\r\n", (400,), True),
    ("no version", b"GET /\r\n" + HOST + b"\r\n", (400,), True),
    ("lower-case version", b"GET / http/1.1\r\n" + HOST + b"\r\n", (400,), True),
    ("target not origin-form", b"GET hello.txt HTTP/1.1\r\n" + HOST + b"\r\n", (400,), True),
    ("space in target", b"GET /a b.txt HTTP/1.1\r\n" + HOST + b"\r\n", (400,), True),
    ("bare CR in a field value", b"GET / HTTP/1.1\r\n" + HOST + b"X-A: b\rc\r\n\r\n", (400,), True),
    ("bare CR in the request line", b"GET /\r HTTP/1.1\r\n" + HOST + b"\r\n", (400,), True),
    ("obs-fold", b"GET / HTTP/1.1\r\n" + HOST + b"X-A: b\r\n c\r\n\r\n", (400,), True),
    ("space before colon", b"GET / HTTP/1.1\r\n" + HOST + b"X-A : b\r\n\r\n", (400,), True),
    ("field without colon", b"GET / HTTP/1.1\r\n" + HOST + b"X-A\r\n\r\n", (400,), True),
    ("missing Host in HTTP/1.1", b"GET / HTTP/1.1\r\n\r\n", (400,), True),
    ("two Host fields", b"GET / HTTP/1.1\r\n" + HOST + HOST + b"\r\n", (400,), True),
    ("Content-Length and Transfer-Encoding",
     b"GET / HTTP/1.1\r\n" + HOST + b"Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n"
     b"0\r\n\r\n", (400,), True),
    ("bad Content-Length", b"GET / HTTP/1.1\r\n" + HOST + b"Content-Length: abc\r\n\r\n", (400,), True),
    ("two different Content-Lengths",
     b"GET / HTTP/1.1\r\n" + HOST + b"Content-Length: 1\r\nContent-Length: 2\r\n\r\nab", (400,), True),
    ("Transfer-Encoding not ending in chunked",
     b"POST / HTTP/1.1\r\n" + HOST + b"Transfer-Encoding: gzip\r\n\r\n", (400,), True),
    ("chunked not the last transfer coding",
     b"POST / HTTP/1.1\r\n" + HOST + b"Transfer-Encoding: chunked, gzip\r\n\r\n0\r\n\r\n",
     (400,), True),
    ("unknown transfer coding under chunked",
     b"POST / HTTP/1.1\r\n" + HOST + b"Transfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n",
     (501,), True),
    ("request line over max_request_line",
     b"GET /" + b"a" * 9000 + b" HTTP/1.1\r\n" + HOST + b"\r\n", (414,), True),
    ("fields over max_header_size",
     b"GET / HTTP/1.1\r\n" + HOST +
     b"".join(b"X-Filler-%02d: %s\r\n" % (i, b"v" * 1000) for i in range(20)) + b"\r\n",
     (431,), True),
    ("one field over max_header_size",
     b"GET / HTTP/1.1\r\n" + HOST + b"X-Big: " + b"v" * 20000 + b"\r\n\r\n", (431,), True),
    ("unknown method", b"FOO / HTTP/1.1\r\n" + HOST + b"\r\n", (501,), True),
    ("HTTP/2.0", b"GET / HTTP/2.0\r\n" + HOST + b"\r\n", (505,), True),
    ("HTTP/3.0", b"GET / HTTP/3.0\r\n" + HOST + b"\r\n", (505,), True),
]


def one_error(s, what, req, allowed, must_close):
    with HttpClient("127.0.0.1", s.port) as c:
        c.send(req)
        try:
            r = c.read_response()
        except Closed as e:
            raise Fail("%s: closed without a response (%s)" % (what, e))
        check(r.status in allowed, "%s: status %s, want %s (%r)" % (what, r.status, allowed, r))
        check(r.version == "HTTP/1.1", "%s: %s" % (what, r.version))
        check_complete(r, what)
        if must_close:
            check(c.wait_closed(5), "%s: connection not closed after %d (extra %r)" %
                  (what, r.status, c.buf[:100]))
        return r


@each_mpm
def test_http_errors(mpm):
    s = http_server(mpm).start()
    for what, req, allowed, must_close in CASES:
        one_error(s, what, req, allowed, must_close)
    # Methods a static server does not allow: 405 with Allow.
    for method in ("POST", "PUT", "DELETE"):
        req = b"%s /hello.txt HTTP/1.1\r\n%sContent-Length: 0\r\n\r\n" % (method.encode(), HOST)
        r = one_error(s, method, req, (405,), False)
        allow = [t.strip().upper() for t in (r.header("Allow") or "").split(",")]
        check("GET" in allow and "HEAD" in allow, "%s: Allow %r" % (method, r.header("Allow")))
    # An error to HEAD has the same status and no body.
    with HttpClient("127.0.0.1", s.port) as c:
        r = c.exchange("HEAD", "/nope.txt")
        check(r.status == 404 and r.body == b"", "HEAD of a missing file: %r" % r)
        r = c.exchange("GET", "/hello.txt")
        check(r.status == 200 and r.body == s.files["/hello.txt"], "after HEAD 404: %r" % r)
    # 417 to HEAD has no body either: nothing follows its head but the close.
    with HttpClient("127.0.0.1", s.port) as c:
        c.request("HEAD", "/hello.txt", headers={"Expect": "something"})
        r = c.read_response("HEAD")
        check(r.status == 417, "HEAD with Expect: %r" % r)
        check(c.wait_closed(5) and c.buf == b"", "HEAD 417: a body followed: %r" % c.buf[:60])
    # A client that sends a request line and then closes its side.
    with HttpClient("127.0.0.1", s.port) as c:
        c.send(b"GET /hello.txt HTTP/1.1\r\n")
        c.sock.shutdown(socket.SHUT_WR)
        try:
            r = c.read_response()
            check(r.status == 400, "half a request then EOF: %r" % r)
        except Closed:
            pass
    # Still serving, in every worker.
    for _ in range(8):
        r = http_fetch(s.port, "/hello.txt")
        check(r.status == 200 and r.body == s.files["/hello.txt"], "still serving: %r" % r)
    s.stop()


if __name__ == "__main__":
    main([test_http_errors])
