"""HTTP GET and HEAD of regular files under every MPM, over IPv4 and IPv6:
status 200, the exact body and Content-Length, Content-Type from the MIME
table, Last-Modified (the file's mtime), a quoted ETag that changes with
the file, a current Date, and Server: "mserver/VERSION", or "mserver"
alone once server_tokens = false is reloaded. HEAD answers the same fields
with no body."""
from mstest import *

# url path -> accepted Content-Type media types (parameters such as
# "; charset=utf-8" are accepted on text types).
TYPES = {
    "/index.html": ["text/html"],
    "/sub/page.html": ["text/html"],
    "/hello.txt": ["text/plain"],
    "/style.css": ["text/css"],
    "/app.js": ["text/javascript", "application/javascript"],
    "/doc.json": ["application/json"],
    "/pic.png": ["image/png"],
    "/data.bin": ["application/octet-stream"],
    "/noext": ["application/octet-stream"],
}


def media_type(r):
    ct = r.header("Content-Type") or ""
    mt, _, params = ct.partition(";")
    mt = mt.strip().lower()
    if params.strip():
        check(mt.startswith("text/") and
              re.match(r"^charset=\"?utf-8\"?$", params.strip(), re.I),
              "unexpected Content-Type parameters: %r" % ct)
    return mt


def check_file(r, path, data, method="GET"):
    what = "%s %s" % (method, path)
    check(r.status == 200, "%s: status %s (%r)" % (what, r.status, r))
    check(r.version == "HTTP/1.1", "%s: %s" % (what, r.version))
    check(r.header("Content-Length") == str(len(data)),
          "%s: Content-Length %r, want %d" % (what, r.header("Content-Length"), len(data)))
    if method == "GET":
        check(r.body == data, "%s: body differs (%d bytes, want %d)" % (what, len(r.body), len(data)))
    else:
        check(r.body == b"", "%s: HEAD has a body" % what)
    check(len(r.header_list("Content-Length")) == 1, "%s: one Content-Length" % what)
    check(r.header("Transfer-Encoding") is None, "%s: no Transfer-Encoding" % what)
    lm = r.header("Last-Modified")
    check(lm == imf_fixdate(FIXED_MTIME), "%s: Last-Modified %r, want %r" %
          (what, lm, imf_fixdate(FIXED_MTIME)))
    etag = r.header("ETag") or ""
    check(re.match(r'^(W/)?"[\x21\x23-\x7e]+"$', etag), "%s: ETag %r not quoted" % (what, etag))
    date = parse_imf(r.header("Date"))
    check(date is not None, "%s: Date %r not an IMF-fixdate" % (what, r.header("Date")))
    check(abs(date - time.time()) < 5, "%s: Date %r is not now" % (what, r.header("Date")))
    check(re.match(r"^mserver/\S+$", r.header("Server") or ""),
          "%s: Server %r, want mserver/VERSION" % (what, r.header("Server")))
    check(len(r.header_list("Date")) == 1 and len(r.header_list("Server")) == 1,
          "%s: one Date, one Server" % what)


@each_mpm
def test_http_basic(mpm):
    s = http_server(mpm).start()
    for host in ("127.0.0.1", "::1"):
        r = http_fetch(s.port, "/hello.txt", host=host)
        check_file(r, "/hello.txt", s.files["/hello.txt"])
    with HttpClient("127.0.0.1", s.port) as c:
        for path in sorted(s.files):
            if re.match(r"^/p\d\.txt$", path) or " " in path:
                continue
            data = s.files[path]
            get = c.exchange("GET", path)
            check_file(get, path, data)
            head = c.exchange("HEAD", path)
            check_file(head, path, data, "HEAD")
            for name in ("Content-Length", "Content-Type", "Last-Modified", "ETag", "Server"):
                check(get.header(name) == head.header(name),
                      "HEAD %s: %s %r, GET had %r" % (path, name, head.header(name), get.header(name)))
            if path in TYPES:
                check(media_type(get) in TYPES[path], "%s: Content-Type %r, want %s" %
                      (path, get.header("Content-Type"), " or ".join(TYPES[path])))
        # "/" is its index.html.
        r = c.exchange("GET", "/")
        check(r.status == 200 and r.body == s.files["/index.html"], "GET /: %r" % r)
        check(media_type(r) == "text/html", "GET /: Content-Type %r" % r.header("Content-Type"))
        # A query string does not change the file.
        r = c.exchange("GET", "/hello.txt?a=1&b=%20")
        check(r.status == 200 and r.body == s.files["/hello.txt"], "query string: %r" % r)
        # A file that changes gets a new ETag, Last-Modified and body.
        old = c.exchange("GET", "/hello.txt")
        path = s.docroot + "/hello.txt"
        with open(path, "wb") as f:
            f.write(b"Changed content, and longer.\n")
        os.utime(path, (FIXED_MTIME + 3600, FIXED_MTIME + 3600))
        new = c.exchange("GET", "/hello.txt")
        check(new.status == 200 and new.body == b"Changed content, and longer.\n",
              "changed file served: %r" % new)
        check(new.header("ETag") != old.header("ETag"), "ETag changes with the file: %r" %
              new.header("ETag"))
        check(new.header("Last-Modified") == imf_fixdate(FIXED_MTIME + 3600),
              "Last-Modified follows the mtime: %r" % new.header("Last-Modified"))
        # Same size, new mtime: still a new ETag.
        with open(path, "wb") as f:
            f.write(b"Changed content, and LONGER.\n")
        os.utime(path, (FIXED_MTIME + 7200, FIXED_MTIME + 7200))
        third = c.exchange("GET", "/hello.txt")
        check(third.header("ETag") not in (old.header("ETag"), new.header("ETag")),
              "ETag changes with the mtime alone: %r" % third.header("ETag"))
    if not EXTERNAL:
        s.write_conf(**dict(s.kw, http={"server_tokens": False}))
        p = s.ctl("reload")
        check(p.returncode == 0, "reload: %s" % p.stderr)
        wait_until(lambda: all(p["generation"] == 2 for p in s.status()["processes"]),
                   15, "old generation gone")
        r = http_fetch(s.port, "/index.html")
        check(r.status == 200 and r.header("Server") == "mserver",
              "server_tokens = false: Server %r" % r.header("Server"))
    s.stop()


if __name__ == "__main__":
    main([test_http_basic])
