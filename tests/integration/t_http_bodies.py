"""HTTP request bodies under every MPM: a static server does not take
them (405), but it reads and discards them so that the next request on
the same keep-alive connection is answered correctly -- with
Content-Length, chunked, sent after the response or pipelined, split
across writes, and a GET that carries a body of its own."""
from mstest import *


def read_ok(c, s, path="/hello.txt", method="GET"):
    r = c.read_response(method)
    check(r.status == 200, "%s %s after a body: %r" % (method, path, r))
    if method == "GET":
        check(r.body == s.files[path], "%s after a body: wrong body" % path)
    return r


def read_405(c, what):
    r = c.read_response()
    check(r.status == 405, "%s: status %s, want 405 (%r)" % (what, r.status, r))
    check_complete(r, what)
    check(not r.has_token("Connection", "close"), "%s: 405 closes the connection" % what)
    return r


@each_mpm
def test_http_bodies(mpm):
    s = http_server(mpm).start()
    host = b"Host: localhost\r\n"
    with HttpClient("127.0.0.1", s.port) as c:
        # Content-Length 10, then a GET after the answer.
        c.send(b"POST /hello.txt HTTP/1.1\r\n" + host + b"Content-Length: 10\r\n\r\n0123456789")
        read_405(c, "POST with Content-Length")
        c.request("GET", "/hello.txt")
        read_ok(c, s)
        # Chunked, then a GET after the answer.
        c.send(b"POST /hello.txt HTTP/1.1\r\n" + host + b"Transfer-Encoding: chunked\r\n\r\n"
               b"5\r\nhello\r\n7;ext=1\r\n, world\r\n0\r\nX-Trailer: t\r\n\r\n")
        read_405(c, "POST chunked")
        c.request("GET", "/p3.txt")
        read_ok(c, s, "/p3.txt")
        # Both pipelined with the GET in one write.
        c.send(b"PUT /x HTTP/1.1\r\n" + host + b"Content-Length: 10\r\n\r\nGET /evil "
               b"DELETE /x HTTP/1.1\r\n" + host + b"Transfer-Encoding: chunked\r\n\r\n"
               b"a\r\nGET /evil \r\n0\r\n\r\n"
               b"GET /p1.txt HTTP/1.1\r\n" + host + b"\r\n")
        read_405(c, "PUT pipelined")
        read_405(c, "DELETE chunked pipelined")
        read_ok(c, s, "/p1.txt")
        # A body that arrives in pieces, after the head, with pauses.
        c.send(b"POST / HTTP/1.1\r\n" + host + b"Content-Length: 300\r\n\r\n")
        for _ in range(3):
            time.sleep(0.05)
            c.send(b"b" * 100)
        c.request("GET", "/p2.txt")
        read_405(c, "POST in pieces")
        read_ok(c, s, "/p2.txt")
        c.send(b"POST / HTTP/1.1\r\n" + host + b"Transfer-Encoding: chunked\r\n\r\n")
        for piece in (b"4\r", b"\nabcd", b"\r\n", b"0\r\n", b"\r\n"):
            time.sleep(0.05)
            c.send(piece)
        c.request("GET", "/p4.txt")
        read_405(c, "chunked in pieces")
        read_ok(c, s, "/p4.txt")
        # A GET may carry a body; it is discarded too.
        c.send(b"GET /p5.txt HTTP/1.1\r\n" + host + b"Content-Length: 5\r\n\r\nxxxxx"
               b"GET /p6.txt HTTP/1.1\r\n" + host + b"\r\n")
        read_ok(c, s, "/p5.txt")
        read_ok(c, s, "/p6.txt")
        # A larger body (256 KiB) is discarded as well.
        big = b"z" * (256 * 1024)
        c.send(b"POST / HTTP/1.1\r\n" + host + b"Content-Length: %d\r\n\r\n" % len(big) + big)
        read_405(c, "POST 256 KiB")
        c.request("GET", "/p7.txt")
        read_ok(c, s, "/p7.txt")
    # A broken chunked body: the POST was answered (405) before its body,
    # then the connection is closed, since the framing is lost.
    with HttpClient("127.0.0.1", s.port) as c:
        c.send(b"POST / HTTP/1.1\r\n" + host + b"Transfer-Encoding: chunked\r\n\r\n"
               b"zz\r\nhello\r\n0\r\n\r\nGET /p8.txt HTTP/1.1\r\n" + host + b"\r\n")
        got = []
        try:
            while True:
                got.append(c.read_response().status)
        except Closed:
            pass
        check(got == [405], "broken chunked body: only the POST answered: %s" % got)
    s.stop()


if __name__ == "__main__":
    main([test_http_bodies])
