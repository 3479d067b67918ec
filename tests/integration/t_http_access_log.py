"""HTTP access log under every MPM: one Combined Log Format line per
request, flushed within about a second, with the client address (IPv4
and IPv6), local time with its offset, the request line, status, body
bytes, Referer and User-Agent (quotes escaped); `mserverctl reopen-logs`
after a rename writes to a new file at the configured path;
access_log = "off" writes none."""
import signal
from mstest import *

CLF = re.compile(r'^(\S+) - - \[(\d\d)/(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)/'
                 r'(\d{4}):(\d\d):(\d\d):(\d\d) ([+-]\d{4})\] "(.*)" (\d{3}) (\d+|-) '
                 r'"(.*)" "(.*)"$')

# A quote in a logged string is escaped as Apache does.
QUOTED_UA = 'mstest-%s-"quoted"'
QUOTED_LOGGED = r'mstest-%s-\"quoted\"'


def read_lines(path):
    try:
        with open(path, "rb") as f:
            return f.read().decode("utf-8", "replace").splitlines()
    except FileNotFoundError:
        return []


def wait_line(path, marker, timeout=5):
    """The one line whose User-Agent is marker, once flushed."""
    def find():
        hits = [ln for ln in read_lines(path) if ln.endswith('"%s"' % marker)]
        return hits or None
    hits = wait_until(find, timeout, "access log line with %r in %s" % (marker, path))
    check(len(hits) == 1, "one line per request, got %d: %r" % (len(hits), hits))
    m = CLF.match(hits[0])
    check(m, "not Combined Log Format: %r" % hits[0])
    return m


@each_mpm
def test_http_access_log(mpm):
    s = http_server(mpm).start()
    log = s.access_log_path
    run_id = "%d-%s" % (os.getpid(), mpm)
    hello = s.files["/hello.txt"]
    with HttpClient("127.0.0.1", s.port) as c:
        ua = "mstest-%s-get" % run_id
        t0 = time.time()
        r = c.exchange("GET", "/hello.txt", headers={"User-Agent": ua})
        check(r.status == 200, "GET: %r" % r)
        m = wait_line(log, ua)
        check(m.group(1) == "127.0.0.1", "client address %r" % m.group(1))
        check(m.group(9) == "GET /hello.txt HTTP/1.1", "request %r" % m.group(9))
        check(m.group(10) == "200" and m.group(11) == str(len(hello)),
              "status and bytes: %s %s" % (m.group(10), m.group(11)))
        check(m.group(12) == "-" and m.group(13) == ua, "referer and UA: %r %r" %
              (m.group(12), m.group(13)))
        # The time is local time with its UTC offset, and it is now.
        off = int(m.group(8)[1:3]) * 3600 + int(m.group(8)[3:5]) * 60
        off = -off if m.group(8)[0] == "-" else off
        import calendar
        logged = calendar.timegm((int(m.group(4)), _month(m.group(3)), int(m.group(2)),
                                  int(m.group(5)), int(m.group(6)), int(m.group(7)))) - off
        check(abs(logged - t0) < 5, "logged time %s is not now" % m.group(0)[:60])
        # 404, HEAD, Referer, a query string, and an escaped User-Agent.
        ua404 = "mstest-%s-404" % run_id
        r = c.exchange("GET", "/missing.txt?q=1", headers={"User-Agent": ua404,
                                                         "Referer": "http://ref.example/x"})
        m = wait_line(log, ua404)
        check(m.group(9) == "GET /missing.txt?q=1 HTTP/1.1" and m.group(10) == "404",
              "404 line: %r" % m.group(0))
        check(m.group(11) == str(len(r.body)), "404 bytes %r, body %d" %
              (m.group(11), len(r.body)))
        check(m.group(12) == "http://ref.example/x", "referer %r" % m.group(12))
        uahead = "mstest-%s-head" % run_id
        c.exchange("HEAD", "/hello.txt", headers={"User-Agent": uahead})
        m = wait_line(log, uahead)
        check(m.group(9) == "HEAD /hello.txt HTTP/1.1" and m.group(10) == "200" and
              m.group(11) == "-", "HEAD line (no body bytes: \"-\"): %r" % m.group(0))
        c.exchange("GET", "/hello.txt", headers={"User-Agent": QUOTED_UA % run_id})
        m = wait_line(log, QUOTED_LOGGED % run_id)
        check(m.group(13) == QUOTED_LOGGED % run_id, "escaped UA %r" % m.group(13))
        # A range logs the bytes sent.
        uar = "mstest-%s-range" % run_id
        c.exchange("GET", "/data.bin", headers={"User-Agent": uar, "Range": "bytes=0-99"})
        m = wait_line(log, uar)
        check(m.group(10) == "206" and m.group(11) == "100", "range line %r" % m.group(0))
    # IPv6 client, and a request without a User-Agent.
    ua6 = "mstest-%s-v6" % run_id
    http_fetch(s.port, "/hello.txt", host="::1", headers={"User-Agent": ua6})
    m = wait_line(log, ua6)
    check(m.group(1) == "::1", "IPv6 client address %r" % m.group(1))
    with HttpClient("127.0.0.1", s.port) as c:
        c.exchange("GET", "/p7.txt")
    wait_until(lambda: any('"GET /p7.txt HTTP/1.1" 200' in ln and ln.endswith('"-" "-"')
                           for ln in read_lines(log)), 5, "line without UA")
    # An error that closes the connection is logged too.
    with HttpClient("127.0.0.1", s.port) as c:
        c.send(b"GET /no-host HTTP/1.1\r\nUser-Agent: mstest\r\n\r\n")
        check(c.read_response().status == 400, "missing Host is 400")
    wait_until(lambda: any('" 400 ' in ln for ln in read_lines(log)), 5, "400 logged")
    # Every line so far is well-formed.
    for ln in read_lines(log):
        check(CLF.match(ln), "malformed access log line %r" % ln)
    # Reopen after rename.
    if not EXTERNAL:
        os.rename(log, log + ".1")
        p = s.ctl("reopen-logs")
        check(p.returncode == 0, "reopen-logs: %s" % p.stderr)
        s.wait_log("log files reopened")
        for pid in s.worker_pids():
            s.wait_log(r"worker \d+\[%d\]: error log reopened" % pid)
        markers = ["mstest-%s-after-%d" % (run_id, i) for i in range(12)]
        for mk in markers:
            http_fetch(s.port, "/hello.txt", headers={"User-Agent": mk})
        for mk in markers:
            wait_line(log, mk)
        old = "\n".join(read_lines(log + ".1"))
        check(not any(mk in old for mk in markers), "requests after reopen went to the old file")
        # SIGUSR1 does the same.
        os.rename(log, log + ".2")
        s.signal(signal.SIGUSR1)
        wait_until(lambda: s.log().count("log files reopened") >= 2, 10, "second reopen")
        for pid in s.worker_pids():
            wait_until(lambda: len(re.findall(r"worker \d+\[%d\]: error log reopened" % pid,
                                              s.log())) >= 2, 10, "worker %d reopened" % pid)
        mk = "mstest-%s-usr1" % run_id
        http_fetch(s.port, "/hello.txt", headers={"User-Agent": mk})
        wait_line(log, mk)
        # A graceful stop flushes what is buffered as the workers exit.
        mk = "mstest-%s-last" % run_id
        http_fetch(s.port, "/hello.txt", headers={"User-Agent": mk})
    graceful_stop(s)
    check(mk in "\n".join(read_lines(log)), "the last line is flushed by a graceful stop")
    # access_log = "off": no file, even after the flush at exit.
    s = http_server(mpm, http={"access_log": "off"}).start()
    for i in range(5):
        check(http_fetch(s.port, "/hello.txt").status == 200, "serving without a log")
    graceful_stop(s)
    check(not os.path.exists(s.access_log_path), "access_log = off wrote %s" % s.access_log_path)
    check(not os.path.exists(os.path.join(s.dir, "off")), "access_log = off wrote a file 'off'")


def graceful_stop(s):
    """SIGQUIT: the workers finish, flush and exit; wait for the master."""
    s.signal(signal.SIGQUIT)
    wait_until(lambda: not pid_alive(s.master), 20, "the master's exit after SIGQUIT")


def _month(name):
    return ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov",
            "Dec"].index(name) + 1


if __name__ == "__main__":
    main([test_http_access_log])
