"""HTTP pipelining under every MPM: requests sent in one write (small
files, a HEAD in the middle, a 4 MiB file, a 404, conditional and range
requests) are answered in order, each correctly framed, while the client
does not read until it has written everything (up to the socket buffers)."""
from mstest import *


@each_mpm
def test_http_pipeline(mpm):
    s = http_server(mpm).start()
    with HttpClient("127.0.0.1", s.port) as c:
        # 10 GETs of distinct files with a HEAD in the middle.
        reqs = [("HEAD" if i == 5 else "GET", "/p%d.txt" % i) for i in range(10)]
        c.send(b"".join(c.build(m, p) for m, p in reqs))
        for i, (method, path) in enumerate(reqs):
            r = c.read_response(method)
            check(r.status == 200, "pipelined %d %s: %r" % (i, path, r))
            want = s.files[path]
            check(r.header("Content-Length") == str(len(want)), "pipelined %d: length" % i)
            check(r.body == (b"" if method == "HEAD" else want),
                  "pipelined %d: body %r, want %r" % (i, r.body[:40], want[:40]))
        check(c.is_open(), "connection open after the pipeline")
        # A mix: large file, 404, 304, 206, HEAD, with bodies interleaved.
        etag = c.exchange("HEAD", "/data.bin").header("ETag")
        mix = [
            ("GET", "/big.bin", {}, 200, s.files["/big.bin"]),
            ("GET", "/nope.txt", {}, 404, None),
            ("GET", "/data.bin", {"If-None-Match": etag}, 304, b""),
            ("GET", "/data.bin", {"Range": "bytes=10-19"}, 206, s.files["/data.bin"][10:20]),
            ("HEAD", "/big.bin", {}, 200, b""),
            ("GET", "/sub", {}, 301, None),
            ("GET", "/p9.txt", {}, 200, s.files["/p9.txt"]),
        ]
        c.send(b"".join(c.build(m, p, headers=h) for m, p, h, _, _ in mix))
        for i, (method, path, h, status, body) in enumerate(mix):
            r = c.read_response(method)
            check(r.status == status, "mix %d %s %s: status %s, want %s" %
                  (i, method, path, r.status, status))
            if body is not None:
                check(r.body == body, "mix %d %s: body (%d bytes, want %d)" %
                      (i, path, len(r.body), len(body)))
        # 100 small requests in one write (about 5 KiB), then their answers.
        many = [("/p%d.txt" % (i % 10)) for i in range(100)]
        c.send(b"".join(c.build("GET", p) for p in many))
        for i, path in enumerate(many):
            r = c.read_response()
            check(r.status == 200 and r.body == s.files[path], "pipelined #%d %s: %r" % (i, path, r))
        # The last of a pipeline says Connection: close: all before it are
        # answered, then the close.
        c.send(b"".join(c.build("GET", "/p%d.txt" % i) for i in range(3)) +
               c.build("GET", "/p3.txt", headers={"Connection": "close"}) +
               c.build("GET", "/p4.txt"))
        for i in range(4):
            r = c.read_response()
            check(r.status == 200 and r.body == s.files["/p%d.txt" % i], "before close %d: %r" % (i, r))
        check(r.has_token("Connection", "close"), "close answered with close")
        check(c.wait_closed(5), "nothing after Connection: close: %r" % c.buf[:80])
    # Pipelined requests split at awkward places across writes.
    with HttpClient("127.0.0.1", s.port) as c:
        data = b"".join(c.build("GET", "/p%d.txt" % i) for i in range(5))
        for k in range(0, len(data), 7):
            c.send(data[k:k + 7])
            if k % 28 == 0:
                time.sleep(0.01)
        for i in range(5):
            r = c.read_response()
            check(r.status == 200 and r.body == s.files["/p%d.txt" % i], "split %d: %r" % (i, r))
    s.stop()


if __name__ == "__main__":
    main([test_http_pipeline])
