"""HTTP directories under the event MPM: "/dir" redirects (301) to "/dir/",
"/dir/" serves its index file, a directory without one is 403 and never
listed; the `index` setting is applied on reload. A redirect's Location is
the path escaped again, so a name with '?', '%' or CR LF stays itself. One
MPM suffices: this is the handler's logic (tests/unit/test_http_handler.c),
and every MPM runs it between the same reads and writes."""
from mstest import *


def check_redirect(s, path, method="GET"):
    r = http_fetch(s.port, path, method=method)
    check(r.status == 301, "%s %s: status %s, want 301 (%r)" % (method, path, r.status, r))
    loc = r.header("Location") or ""
    want = path + "/"
    check(loc == want,
          "%s %s: Location %r, want %r" % (method, path, loc, want))
    if method == "GET":
        check_complete(r, "301 for %s" % path)
    else:
        check(r.body == b"", "HEAD 301 has no body")


@one_mpm("event")
def test_http_dirs(mpm):
    s = http_server(mpm).start()
    for method in ("GET", "HEAD"):
        check_redirect(s, "/sub", method)
    check_redirect(s, "/noindex")
    # The Location is the path escaped again: '?', '%', a space, CR LF.
    for name, escaped in (("a?b", "a%3Fb"), ("50% off", "50%25%20off"),
                          ("x\r\nSet-Cookie: p=1", "x%0D%0ASet-Cookie:%20p=1")):
        os.mkdir(os.path.join(s.docroot, name))
        r = http_fetch(s.port, "/" + escaped)
        check(r.status == 301 and r.header("Location") == "/%s/" % escaped,
              "redirect of %r: %r %r" % (name, r, r.header("Location")))
        check(r.header("Set-Cookie") is None, "no header injected by %r" % name)
    with HttpClient("127.0.0.1", s.port) as c:
        for path in ("/sub/", "/sub/index.html"):
            r = c.exchange("GET", path)
            check(r.status == 200 and r.body == s.files["/sub/index.html"], "GET %s: %r" % (path, r))
            check((r.header("Content-Type") or "").startswith("text/html"),
                  "GET %s: Content-Type %r" % (path, r.header("Content-Type")))
        r = c.exchange("HEAD", "/sub/")
        check(r.status == 200 and r.body == b"" and
              r.header("Content-Length") == str(len(s.files["/sub/index.html"])), "HEAD /sub/: %r" % r)
        r = c.exchange("GET", "/")
        check(r.status == 200 and r.body == s.files["/index.html"], "GET /: %r" % r)
        r = c.exchange("GET", "/sub/page.html")
        check(r.status == 200 and r.body == s.files["/sub/page.html"], "GET /sub/page.html: %r" % r)
        r = c.exchange("GET", "/noindex/file.txt")
        check(r.status == 200 and r.body == s.files["/noindex/file.txt"], "file in noindex: %r" % r)
    # No index: 403, and no listing. A new connection for each: an error
    # response may close.
    for path in ("/noindex/",):
        r = http_fetch(s.port, path)
        check(r.status == 403, "GET %s: status %s, want 403 (%r)" % (path, r.status, r))
        check_complete(r, "403 for %s" % path)
        check(b"file.txt" not in r.body, "GET %s lists the directory" % path)
    if not EXTERNAL:
        s.write_conf(**dict(s.kw, http={"index": "page.html"}))
        check(s.ctl("reload").returncode == 0, "reload")
        wait_until(lambda: all(p["generation"] == 2 for p in s.status()["processes"]),
                   15, "old generation gone")
        r = http_fetch(s.port, "/sub/")
        check(r.status == 200 and r.body == s.files["/sub/page.html"],
              "index = page.html after reload: %r" % r)
        r = http_fetch(s.port, "/")
        check(r.status == 403, "/ without page.html is 403: %r" % r)
    s.stop()


if __name__ == "__main__":
    main([test_http_dirs])
