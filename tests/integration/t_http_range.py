"""HTTP byte ranges under the event MPM (RFC 9110 section 14): "bytes=0-9",
"bytes=-5" and "bytes=5-" answer 206 with Content-Range and exactly those
bytes (an end past the file is clipped); a start past the end answers 416
with Content-Range "bytes */SIZE"; several ranges answer 200 with the whole
file; HEAD ignores Range (RFC 9110 section 14.2: range handling is defined
for GET only) and answers 200 with the whole file's Content-Length;
If-Range with the current (strong) ETag or Last-Modified keeps the range, a
stale or weak one gets the whole file. One MPM suffices: this is the
handler's logic (tests/unit/test_http_handler.c), and every MPM runs it
between the same reads and writes."""
from mstest import *


def check_206(r, data, first, last, what):
    size = len(data)
    check(r.status == 206, "%s: status %s, want 206 (%r)" % (what, r.status, r))
    want = "bytes %d-%d/%d" % (first, last, size)
    check(r.header("Content-Range") == want,
          "%s: Content-Range %r, want %r" % (what, r.header("Content-Range"), want))
    check(r.header("Content-Length") == str(last - first + 1),
          "%s: Content-Length %r" % (what, r.header("Content-Length")))
    check(r.body == data[first:last + 1], "%s: wrong bytes (%d)" % (what, len(r.body)))


@one_mpm("event")
def test_http_range(mpm):
    s = http_server(mpm).start()
    data = s.files["/data.bin"]
    size = len(data)
    with HttpClient("127.0.0.1", s.port) as c:
        def get(rng, **kw):
            h = {"Range": rng}
            h.update(kw)
            return c.exchange("GET", "/data.bin", headers=h)
        check_206(get("bytes=0-9"), data, 0, 9, "bytes=0-9")
        check_206(get("bytes=-5"), data, size - 5, size - 1, "bytes=-5")
        check_206(get("bytes=5-"), data, 5, size - 1, "bytes=5-")
        check_206(get("bytes=1000-1999"), data, 1000, 1999, "bytes=1000-1999")
        check_206(get("bytes=%d-%d" % (size - 1, size - 1)), data, size - 1, size - 1, "last byte")
        check_206(get("bytes=100-%d" % (size * 10)), data, 100, size - 1, "end past the file")
        check_206(get("bytes=-%d" % (size * 2)), data, 0, size - 1, "suffix longer than the file")
        r = c.exchange("HEAD", "/data.bin", headers={"Range": "bytes=0-9"})
        check(r.status == 200 and r.body == b"", "HEAD with Range: %r" % r)
        check(r.header("Content-Length") == str(size) and r.header("Content-Range") is None,
              "HEAD with Range: the whole file's head: %r" % r)
        check(r.header("Accept-Ranges") == "bytes", "HEAD with Range: Accept-Ranges: %r" % r)
        for rng in ("bytes=%d-" % size, "bytes=%d-%d" % (size + 10, size + 20)):
            r = get(rng)
            check(r.status == 416, "%s: status %s, want 416 (%r)" % (rng, r.status, r))
            check(r.header("Content-Range") == "bytes */%d" % size,
                  "%s: Content-Range %r" % (rng, r.header("Content-Range")))
            check_complete(r, rng)
        # Several ranges: the whole file (no multipart/byteranges).
        r = get("bytes=0-1,5-6")
        check(r.status == 200 and r.body == data, "multiple ranges: %r" % r)
        check(r.header("Content-Range") is None, "200 has no Content-Range")
        # A unit other than bytes is ignored.
        r = get("items=0-9")
        check(r.status == 200 and r.body == data, "Range: items=: %r" % r)
        # If-Range: a current validator keeps the range, a stale one does not.
        full = c.exchange("GET", "/data.bin")
        etag, lm = full.header("ETag"), full.header("Last-Modified")
        check(etag and re.fullmatch(r'"[!#-~]+"', etag),
              "a strong ETag for a file (If-Range needs one): %r" % etag)
        check(parse_imf(lm) == FIXED_MTIME, "Last-Modified %r" % lm)
        check_206(get("bytes=0-9", **{"If-Range": etag}), data, 0, 9, "If-Range: ETAG")
        # If-Range compares strongly: the weak form of the same tag fails.
        r = get("bytes=0-9", **{"If-Range": "W/" + etag})
        check(r.status == 200 and r.body == data, "If-Range: W/ETAG: %r" % r)
        check_206(get("bytes=0-9", **{"If-Range": lm}), data, 0, 9, "If-Range: Last-Modified")
        r = get("bytes=0-9", **{"If-Range": '"stale"'})
        check(r.status == 200 and r.body == data, "If-Range stale ETag: %r" % r)
        r = get("bytes=0-9", **{"If-Range": imf_fixdate(FIXED_MTIME - 3600)})
        check(r.status == 200 and r.body == data, "If-Range stale date: %r" % r)
        # Ranges of the 4 MiB file, in the middle and across the end.
        big = s.files["/big.bin"]
        r = c.exchange("GET", "/big.bin", headers={"Range": "bytes=1000000-3000000"})
        check_206(r, big, 1000000, 3000000, "big middle")
        r = c.exchange("GET", "/big.bin", headers={"Range": "bytes=-70000"})
        check_206(r, big, len(big) - 70000, len(big) - 1, "big suffix")
        r = c.exchange("GET", "/hello.txt")
        check(r.status == 200 and r.body == s.files["/hello.txt"], "keep-alive after ranges: %r" % r)
    s.stop()


if __name__ == "__main__":
    main([test_http_range])
