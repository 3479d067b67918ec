"""Echo (RFC 862) over IPv4 and IPv6 under every MPM: small round trips,
all 256 byte values, a large transfer written and read concurrently, and
many connections at once."""
import os
import threading
from mstest import *


@each_mpm
def test_echo(mpm):
    s = Server(mpm=mpm, workers=2, extra_mpm="threads = 4;").start()
    for host in ("127.0.0.1", "::1"):
        check(echo_once(host, s.port, b"hello\n") == b"hello\n", "echo %s" % host)
    binary = bytes(range(256)) * 64
    check(echo_once("127.0.0.1", s.port, binary) == binary, "binary round trip")
    big = os.urandom(8 << 20)
    check(echo_stream("::1", s.port, big) == big, "8 MiB transfer intact")
    results = []

    def client(i):
        data = b"client %d\n" % i * 100
        try:
            results.append(echo_once("127.0.0.1", s.port, data) == data)
        except Exception:
            results.append(False)
    ts = [threading.Thread(target=client, args=(i,)) for i in range(50)]
    for t in ts:
        t.start()
    for t in ts:
        t.join(30)
    check(results.count(True) == 50, "50 concurrent clients: %d ok" % results.count(True))
    st = s.status()
    check(st["connections"] >= 54, "status counts connections: %d" % st["connections"])
    check(st["bytes"] >= len(big) + len(binary), "status counts bytes sent")
    s.stop()


if __name__ == "__main__":
    main([test_echo])
