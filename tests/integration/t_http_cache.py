"""The file caches never serve what the path no longer is: a file
rewritten in place with its size and mtime kept, replaced by a symbolic
link that leads out of the document root, removed, or replaced by a
directory, under every MPM, for a small file (its contents are cached)
and a large one (its descriptor is kept open). One keep-alive connection
makes every request hit the same thread's cache. And a large file
replaced while a response still sends it: that response ends with the old
contents, whole, while the next request gets the new ones."""
from mstest import *

SMALL, LARGE = 1000, 200000


def cache_under(mpm, size=SMALL):
    s = http_server(mpm, workers=1).start()
    path = os.path.join(s.docroot, "hot.txt")
    with open(path, "wb") as f:
        f.write(b"A" * size)
    with HttpClient("127.0.0.1", s.port) as c:
        for _ in range(3):
            r = c.exchange("GET", "/hot.txt")
            check(r.status == 200 and r.body == b"A" * size, "first version: %r" % r)
        st = os.stat(path)
        # The rewrite must get a later ctime, whatever the clock's grain.
        probe = os.path.join(s.dir, "ctime-probe")

        def fs_clock_moved():
            with open(probe, "wb"):
                pass
            return os.stat(probe).st_ctime_ns > st.st_ctime_ns
        wait_until(fs_clock_moved, 2, "the file system clock to pass the file's ctime",
                   interval=0.002)
        with open(path, "r+b") as f:          # same size, same mtime
            f.write(b"B" * size)
        os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
        r = c.exchange("GET", "/hot.txt")
        check(r.body == b"B" * size, "rewrite with the mtime kept is seen: %r" % r.body[:8])
        r = c.exchange("GET", "/hot.txt", headers={"Range": "bytes=10-19"})
        check(r.status == 206 and r.body == b"B" * 10, "a range of the cached file: %r" % r)
        os.unlink(path)
        os.symlink("/etc/passwd", path)
        r = c.exchange("GET", "/hot.txt")
        check(r.status == 403 and b"root:" not in r.body,
              "symlink out of the root after caching: %r" % r)
        os.unlink(path)
        r = c.exchange("GET", "/hot.txt")
        check(r.status == 404, "removed after caching: %r" % r)
        os.mkdir(path)
        r = c.exchange("GET", "/hot.txt")
        check(r.status == 301, "now a directory: %r" % r)
    s.stop()


@each_mpm
def test_cache_small(mpm):
    """A small file: its contents are cached."""
    cache_under(mpm, SMALL)


@each_mpm
def test_cache_large(mpm):
    """A large file: its descriptor is kept open."""
    cache_under(mpm, LARGE)


def test_large_replaced_mid_send():
    """One event process, so both connections share its descriptor cache:
    the first response stalls (the client stops reading) with most of the
    old file unsent; the file is replaced, a second connection fetches the
    new one (dropping the stale cache entry), then the first reads on."""
    size = 8 << 20
    s = http_server("event", workers=1).start()
    path = os.path.join(s.docroot, "big.bin")
    with open(path, "wb") as f:
        f.write(b"A" * size)
    check(http_fetch(s.port, "/big.bin").body == b"A" * size, "cached first")
    slow = connect("127.0.0.1", s.port)
    slow.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 65536)
    slow.sendall(b"GET /big.bin HTTP/1.1\r\nHost: x\r\n\r\n")
    head = b""
    while b"\r\n\r\n" not in head:
        more = slow.recv(4096)
        check(more, "slow: head")
        head += more
    got = len(head.split(b"\r\n\r\n", 1)[1])
    check(got < size // 2, "the first response is mostly unsent: %d of %d" % (got, size))
    tmp = path + ".new"
    with open(tmp, "wb") as f:
        f.write(b"B" * size)
    os.rename(tmp, path)
    r = http_fetch(s.port, "/big.bin")
    check(r.status == 200 and r.body == b"B" * size, "the new file: %r" % r)
    rest = recv_exact(slow, size - got)
    check(rest == b"A" * (size - got), "the stalled response ends with the old file, whole")
    slow.close()
    s.stop()


if __name__ == "__main__":
    main([test_cache_small, test_cache_large,
          test_large_replaced_mid_send])
