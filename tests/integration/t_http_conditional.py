"""HTTP conditional GET and HEAD under the event MPM (RFC 9110 section 13):
If-None-Match with the ETag (also in a list, weak, or "*") answers 304 with
the ETag and no body; If-Modified-Since with the Last-Modified answers 304,
an older date 200; If-None-Match that does not match wins over a matching
If-Modified-Since (200). One MPM suffices: this is the handler's logic
(tests/unit/test_http_handler.c), and every MPM runs it between the same
reads and writes."""
from mstest import *


def check_304(r, etag, what):
    check(r.status == 304, "%s: status %s, want 304 (%r)" % (what, r.status, r))
    check(r.body == b"", "%s: 304 with a body" % what)
    check(r.header("ETag") == etag, "%s: 304 ETag %r, want %r" % (what, r.header("ETag"), etag))
    check(r.header("Transfer-Encoding") is None, "%s: 304 with Transfer-Encoding" % what)


@one_mpm("event")
def test_http_conditional(mpm):
    s = http_server(mpm).start()
    data = s.files["/data.bin"]
    with HttpClient("127.0.0.1", s.port) as c:
        r = c.exchange("GET", "/data.bin")
        check(r.status == 200 and r.body == data, "plain GET: %r" % r)
        etag, lm = r.header("ETag"), r.header("Last-Modified")
        check(etag and lm, "ETag and Last-Modified present: %r" % r)
        strong = etag[2:] if etag.startswith("W/") else etag
        for method in ("GET", "HEAD"):
            r = c.exchange(method, "/data.bin", headers={"If-None-Match": etag})
            check_304(r, etag, "%s If-None-Match: ETAG" % method)
            r = c.exchange(method, "/data.bin", headers={"If-Modified-Since": lm})
            check_304(r, etag, "%s If-Modified-Since: Last-Modified" % method)
        # A list, a weak validator (weak comparison), and "*".
        r = c.exchange("GET", "/data.bin", headers={"If-None-Match": '"nope", %s' % etag})
        check_304(r, etag, "If-None-Match: list with the ETag")
        r = c.exchange("GET", "/data.bin", headers={"If-None-Match": "W/" + strong})
        check_304(r, etag, "If-None-Match: W/ETAG")
        r = c.exchange("GET", "/data.bin", headers={"If-None-Match": "*"})
        check_304(r, etag, "If-None-Match: *")
        # Not matching: the whole file.
        r = c.exchange("GET", "/data.bin", headers={"If-None-Match": '"nope"'})
        check(r.status == 200 and r.body == data, "If-None-Match other: %r" % r)
        older = imf_fixdate(FIXED_MTIME - 86400)
        r = c.exchange("GET", "/data.bin", headers={"If-Modified-Since": older})
        check(r.status == 200 and r.body == data, "If-Modified-Since older: %r" % r)
        # If-None-Match takes precedence over If-Modified-Since.
        r = c.exchange("GET", "/data.bin",
                       headers={"If-None-Match": '"nope"', "If-Modified-Since": lm})
        check(r.status == 200 and r.body == data,
              "non-matching If-None-Match with matching If-Modified-Since: %r" % r)
        # A date in the future is not valid (RFC 9110 13.1.3): ignored.
        r = c.exchange("GET", "/data.bin", headers={"If-Modified-Since": imf_fixdate(4102444800)})
        check(r.status == 200 and r.body == data, "If-Modified-Since in 2100: %r" % r)
        # An unparseable date is ignored.
        r = c.exchange("GET", "/data.bin", headers={"If-Modified-Since": "yesterday"})
        check(r.status == 200 and r.body == data, "If-Modified-Since garbage: %r" % r)
        # The connection is still good after all the 304s.
        r = c.exchange("GET", "/hello.txt")
        check(r.status == 200 and r.body == s.files["/hello.txt"], "after 304s: %r" % r)
        # Once the file changes, the old validators no longer match.
        path = s.docroot + "/data.bin"
        with open(path, "ab") as f:
            f.write(b"more")
        os.utime(path, (FIXED_MTIME + 60, FIXED_MTIME + 60))
        r = c.exchange("GET", "/data.bin", headers={"If-None-Match": etag})
        check(r.status == 200 and r.body == data + b"more", "stale ETag: %r" % r)
        r = c.exchange("GET", "/data.bin", headers={"If-Modified-Since": lm})
        check(r.status == 200 and r.body == data + b"more", "stale Last-Modified: %r" % r)
    s.stop()


if __name__ == "__main__":
    main([test_http_conditional])
