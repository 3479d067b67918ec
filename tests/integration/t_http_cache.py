"""The small-file cache never serves what the path no longer is: a file
rewritten in place with its size and mtime kept, replaced by a symbolic
link that leads out of the document root, removed, or replaced by a
directory, under every MPM. One keep-alive connection makes every request
hit the same thread's cache."""
from mstest import *


def cache_under(mpm):
    s = http_server(mpm, workers=1).start()
    path = os.path.join(s.docroot, "hot.txt")
    with open(path, "wb") as f:
        f.write(b"A" * 1000)
    with HttpClient("127.0.0.1", s.port) as c:
        for _ in range(3):
            r = c.exchange("GET", "/hot.txt")
            check(r.status == 200 and r.body == b"A" * 1000, "first version: %r" % r)
        st = os.stat(path)
        with open(path, "r+b") as f:          # same size, same mtime
            f.write(b"B" * 1000)
        os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
        r = c.exchange("GET", "/hot.txt")
        check(r.body == b"B" * 1000, "rewrite with the mtime kept is seen: %r" % r.body[:8])
        os.unlink(path)
        os.symlink("/etc/passwd", path)
        r = c.exchange("GET", "/hot.txt")
        check(r.status in (403, 404) and b"root:" not in r.body,
              "symlink out of the root after caching: %r" % r)
        os.unlink(path)
        r = c.exchange("GET", "/hot.txt")
        check(r.status == 404, "removed after caching: %r" % r)
        os.mkdir(path)
        r = c.exchange("GET", "/hot.txt")
        check(r.status == 301, "now a directory: %r" % r)
    s.stop()


def test_cache_prefork():
    cache_under("prefork")


def test_cache_worker():
    cache_under("worker")


def test_cache_event():
    cache_under("event")


if __name__ == "__main__":
    main([test_cache_prefork, test_cache_worker, test_cache_event])
