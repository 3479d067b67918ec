"""HTTP request paths under every MPM: traversal ("..", percent-encoded or
not) never leaves the document root; symlinks are followed inside the
root and refused (403/404) when they lead out of it; dot-files are never
served; a missing file is 404, an unreadable one 403; percent-decoding,
query strings and the absolute form of the target work. Also where
openat2(2) is unavailable (an LD_PRELOAD shim makes it fail)."""
from mstest import *

# A target whose dot segments climb above the root is malformed: 400. A
# backslash is an ordinary byte in a path: no such file, 404.
TRAVERSALS = [(p, 400) for p in (
    "/../etc/passwd",
    "/../../../../../../etc/passwd",
    "/%2e%2e/%2e%2e/etc/passwd",
    "/%2E%2E/%2E%2E/%2E%2E/etc/passwd",
    "/a/../../etc/passwd",
    "/sub/../../etc/passwd",
    "/..%2f..%2f..%2fetc%2fpasswd",
    "/%2e%2e%2f%2e%2e%2fetc%2fpasswd",
    "/sub/%2e%2e/%2e%2e/outside.txt",
    "/../outside.txt",
    "/./../outside.txt",
    "/sub/.%2e/.%2e/outside.txt",
)] + [("/..\\..\\etc\\passwd", 404)]
# Symbolic links out of the root: 403 (the file exists, it is not served).
OUTSIDE_LINKS = ["/passwd", "/outside.txt", "/outdir/passwd", "/outdir/hostname",
                 "/updir/outside.txt", "/updir/htdocs/hello.txt"]
# Dot-files: as if absent, 404.
HIDDEN = ["/.hidden", "/sub/.git/config", "/sub/.git/", "/%2ehidden", "/sub/%2Egit/config"]
SECRETS = [b"root:", b"OUTSIDE-THE-ROOT", b"HIDDEN-DOTFILE", b"HIDDEN-GIT-CONFIG",
           b"MODE-000-SECRET"]


def fetch_new(s, path):
    """On a new connection: a refusal may close it."""
    return http_fetch(s.port, path)


def check_refused(r, path, want):
    check(r.status == want, "GET %s: status %s, want %d (%r)" % (path, r.status, want, r))
    for secret in SECRETS:
        check(secret not in r.body, "GET %s: body leaks %r" % (path, secret))
    check_complete(r, "GET %s" % path)


def paths_under(mpm, env=None):
    s = http_server(mpm, env=env).start()
    hello = s.files["/hello.txt"]
    for path, want in TRAVERSALS:
        check_refused(fetch_new(s, path), path, want)
    for path in OUTSIDE_LINKS:
        # Without openat2 only where a path ends counts: a walk out of the
        # root and back in (updir -> .., then htdocs/) is not seen.
        if env and path == "/updir/htdocs/hello.txt":
            r = fetch_new(s, path)
            check(r.status == 200 and r.body == hello, "fallback: back inside: %r" % r)
            continue
        check_refused(fetch_new(s, path), path, 403)
    for path in HIDDEN:
        check_refused(fetch_new(s, path), path, 404)
    for path in ("/nope.txt", "/sub/nope/deeper.txt", "/hello.txt/"):
        r = fetch_new(s, path)
        check(r.status == 404, "GET %s: status %s, want 404 (%r)" % (path, r.status, r))
        check_complete(r, "404 for %s" % path)
    # A NUL decoded from %00, and a malformed percent-escape: 400.
    for path in ("/hello.txt%00", "/hello.txt%00.html", "/hello%zz.txt"):
        check_refused(fetch_new(s, path), path, 400)
    # '#' may not appear in a request-target (RFC 9112 section 3.2, RFC
    # 3986 section 3.5: a fragment is never sent): 400, and the connection
    # closed, since what follows cannot be trusted to be a request.
    for path in ("/hello.txt#frag", "/hello.txt#"):
        with HttpClient("127.0.0.1", s.port) as c:
            r = c.exchange("GET", path)
            check(r.status == 400, "GET %s: status %s, want 400 (%r)" % (path, r.status, r))
            check_complete(r, "GET %s" % path)
            check(r.has_token("Connection", "close") and c.wait_closed(5),
                  "GET %s: the connection is closed after the 400" % path)
    if os.geteuid() == 0:
        print("note: running as root, which reads a mode-000 file: "
              "the 403-for-an-unreadable-file check is skipped")
    else:
        check_refused(fetch_new(s, "/secret.txt"), "/secret.txt", 403)
    with HttpClient("127.0.0.1", s.port) as c:
        # Symlinks that stay inside the root are followed.
        for path in ("/link.txt", "/sub/uplink.txt"):
            r = c.exchange("GET", path)
            check(r.status == 200 and r.body == hello, "symlink inside %s: %r" % (path, r))
        # Percent-decoding and dot segments inside the root.
        for path, want in (("/file%20with%20space.txt", "/file with space.txt"),
                           ("/hello%2etxt", "/hello.txt"),
                           ("/%68ello.txt", "/hello.txt"),
                           ("/sub/%70age.html", "/sub/page.html"),
                           ("/hello.txt?x=../../etc/passwd", "/hello.txt")):
            r = c.exchange("GET", path)
            check(r.status == 200 and r.body == s.files[want], "GET %s: %r" % (path, r))
    # The absolute form of the request-target (RFC 9112 section 3.2.2).
    with HttpClient("127.0.0.1", s.port) as c:
        r = c.exchange("GET", "http://127.0.0.1:%d/hello.txt" % s.port)
        check(r.status == 200 and r.body == hello, "absolute-form target: %r" % r)
    s.stop()
    return s


def test_http_paths_without_openat2():
    """The same where openat2(2) fails (kernels before 5.6, some seccomp
    filters): the fallback opens, then checks where the descriptor leads."""
    if EXTERNAL:
        return SKIP
    shim = os.path.join(BUILDDIR, "tests", "integration", ".libs", "no_openat2.so")
    check(os.path.exists(shim), "the shim is built: %s" % shim)
    # The sanitizers' runtime wants to be first in the library list.
    env = {"LD_PRELOAD": shim, "ASAN_OPTIONS": "verify_asan_link_order=0:" +
           os.environ.get("ASAN_OPTIONS", "")}
    s = paths_under("event", env)
    check("openat2 RESOLVE_BENEATH unavailable" in s.log(), "the fallback was in use")


@each_mpm
def test_http_paths(mpm):
    paths_under(mpm)


if __name__ == "__main__":
    main([test_http_paths, test_http_paths_without_openat2])
