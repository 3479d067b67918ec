"""mstest: the integration harness.

Each case file boots the real mserverd on 127.0.0.1 (and ::1) with free
ports and a generated config in a scratch directory, drives it with real
clients and asserts on responses, `mserverctl status --json` and the error
log. Every wait is a bounded poll on a condition; every process a case
starts is killed by pid when it ends (also on failure or timeout).

Environment:
  MSERVER_BUILDDIR   build tree holding src/mserverd (set by `make check`)
  MSERVER_TEST_CONF  debug: run against an already running daemon started
                     with this config instead of booting one (cases that
                     must restart or break the server are skipped)
  MSERVER_TEST_KEEP  keep the scratch directory

A case is a function test_x() run once, or, decorated with @each_mpm, a
function test_x(mpm) run once per MPM and reported as test_x[prefork],
test_x[worker], test_x[event]. A case file ends with main([cases...]);
`python3 t_file.py PATTERN...` runs only the cases whose reported name
matches one of the shell patterns (e.g. 'test_x[event]', '*[worker]').
"""
import fnmatch
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import traceback

BUILDDIR = os.environ.get("MSERVER_BUILDDIR",
                          os.path.join(os.path.dirname(__file__), "..", ".."))
MSERVERD = os.path.join(BUILDDIR, "src", "mserverd")
MSERVERCTL = os.path.join(BUILDDIR, "src", "mserverctl")
BENCH = os.path.join(BUILDDIR, "bench", "mserver-bench")
MPMS = ["prefork", "worker", "event"]
CASE_TIMEOUT = int(os.environ.get("MSERVER_CASE_TIMEOUT", "300"))
SKIP = 77
EXTERNAL = os.environ.get("MSERVER_TEST_CONF")

_cleanups = []
_servers = []       # the current case's servers, for their logs on failure


class Fail(Exception):
    pass


def check(cond, msg="check failed"):
    if not cond:
        raise Fail(msg)


# Process states of a worker that took its start and serves: "full" is a
# worker at max_connections, which is still a healthy, live worker.
SERVING = ("ready", "full")


def wait_until(pred, timeout=10.0, what="condition", interval=0.02):
    """Poll pred() until it returns a true value; fail after timeout."""
    deadline = time.monotonic() + timeout
    while True:
        v = pred()
        if v:
            return v
        if time.monotonic() >= deadline:
            raise Fail("timed out after %.1fs waiting for %s" % (timeout, what))
        time.sleep(interval)



def holds_for(pred, seconds, what, interval=0.02):
    """Poll pred() for `seconds`; fail as soon as it is false. For what a
    wrong implementation shows only over time (a timer firing early)."""
    deadline = time.monotonic() + seconds
    while True:
        if not pred():
            raise Fail("no longer true after %.1fs: %s" %
                       (seconds - max(deadline - time.monotonic(), 0), what))
        if time.monotonic() >= deadline:
            return
        time.sleep(interval)

def free_port():
    """A TCP port free on both 127.0.0.1 and ::1."""
    for _ in range(100):
        s4 = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s4.bind(("127.0.0.1", 0))
        port = s4.getsockname()[1]
        try:
            s6 = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
            s6.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
            s6.bind(("::1", port))
            s6.close()
            s4.close()
            return port
        except OSError:
            s4.close()
    raise Fail("no free port")


def pid_alive(pid):
    """Alive and not a zombie."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            st = f.read()
        return st[st.rindex(")") + 2] != "Z"
    except (FileNotFoundError, ProcessLookupError, ValueError):
        return False


def children_of(pid):
    try:
        with open("/proc/%d/task/%d/children" % (pid, pid)) as f:
            return [int(x) for x in f.read().split()]
    except FileNotFoundError:
        return []


def kill_pid(pid, sig=signal.SIGKILL):
    try:
        os.kill(pid, sig)
    except ProcessLookupError:
        pass


def run(args, timeout=60, check_rc=None, **kw):
    """Run a command; returns CompletedProcess (text)."""
    p = subprocess.run(args, capture_output=True, text=True, timeout=timeout, **kw)
    if check_rc is not None and p.returncode != check_rc:
        raise Fail("%s: exit %d (want %d)\nstdout: %s\nstderr: %s" %
                   (" ".join(args), p.returncode, check_rc, p.stdout, p.stderr))
    return p


def conf_text(port, mpm="prefork", workers=2, extra_mpm="", listen=None,
              extra="", protocol="echo", graceful_timeout=10, timeout=30,
              http=None):
    """http: None for no `http` group, else a dict over HTTP_DEFAULTS (a
    value of None leaves that key out); see http_group()."""
    if http is not None:
        extra = http_group(http) + extra
    if listen is None:
        listen = [("127.0.0.1", port, protocol), ("::1", port, protocol)]
    entries = ",\n".join('  { address = "%s"; port = %d; protocol = "%s"; }' % l
                         for l in listen)
    return """# generated by mstest
daemon = true;
pid_file = "run/mserverd.pid";
scoreboard_file = "run/mserverd.scoreboard";
error_log = "logs/error.log";
log_level = "debug";
timeout = %d;
mpm = { module = "%s"; workers = %d; graceful_timeout = %d; %s };
listen = (
%s
);
%s
""" % (timeout, mpm, workers, graceful_timeout, extra_mpm, entries, extra)


class Server:
    """One mserverd under test, in its own scratch directory."""

    def __init__(self, **kw):
        self.master = None
        self.known_pids = set()
        self.env = kw.pop("env", None)      # extra environment for mserverd
        self.kw = kw
        if EXTERNAL:
            # Debugging against a running daemon: use its config as is.
            self.conf = os.path.abspath(EXTERNAL)
            self.dir = os.path.dirname(self.conf)
            self.port = int(re.search(r"port\s*=\s*(\d+)", open(self.conf).read()).group(1))
            return
        self.dir = tempfile.mkdtemp(prefix="mstest-")
        self.port = kw.pop("port", None) or free_port()
        self.conf = os.path.join(self.dir, "mserver.conf")
        self.write_conf(**kw)
        _cleanups.append(self.cleanup)
        _servers.append(self)

    def write_conf(self, text=None, **kw):
        if EXTERNAL:
            raise Fail("case rewrites the config: not with MSERVER_TEST_CONF")
        if text is None:
            text = conf_text(self.port, **kw)
        with open(self.conf, "w") as f:
            f.write(text)

    @property
    def pid_file(self):
        return os.path.join(self.dir, "run", "mserverd.pid")

    @property
    def log_path(self):
        return os.path.join(self.dir, "logs", "error.log")

    def start(self):
        if EXTERNAL:
            self.master = int(open(self.pid_file).read())
            return self
        env = dict(os.environ, **self.env) if self.env else None
        p = run([MSERVERD, "-f", self.conf], timeout=30, env=env)
        if p.returncode != 0:
            raise Fail("mserverd failed to start: %s%s" % (p.stdout, p.stderr))
        self.master = int(open(self.pid_file).read())
        self.known_pids.add(self.master)
        self.wait_ready()
        return self

    def wait_ready(self, timeout=10):
        want = self.kw.get("workers", 2)

        def ready():
            st = self.status()
            procs = [p for p in st["processes"]
                     if p["generation"] == st["generation"] and p["state"] in SERVING]
            return len(procs) >= want and st
        return wait_until(ready, timeout, "workers ready")

    def ctl(self, *args, timeout=60):
        return run([MSERVERCTL, "-f", self.conf] + list(args), timeout=timeout)

    def status(self):
        p = self.ctl("status", "--json")
        if p.returncode != 0:
            raise Fail("mserverctl status failed: %s" % p.stderr)
        st = json.loads(p.stdout)
        for proc in st["processes"]:
            self.known_pids.add(proc["pid"])
        return st

    def worker_pids(self, generation=None):
        st = self.status()
        return [p["pid"] for p in st["processes"]
                if generation is None or p["generation"] == generation]

    def log(self):
        try:
            with open(self.log_path, errors="replace") as f:
                return f.read()
        except FileNotFoundError:
            return ""

    def wait_log(self, pattern, timeout=10):
        return wait_until(lambda: re.search(pattern, self.log()), timeout,
                          "log line matching %r" % pattern)

    def signal(self, sig):
        os.kill(self.master, sig)

    def stop(self, timeout=30):
        if self.master and pid_alive(self.master):
            self.signal(signal.SIGTERM)
            wait_until(lambda: not pid_alive(self.master), timeout, "master exit")

    def cleanup(self):
        pids = set(self.known_pids)
        if self.master:
            pids.update(children_of(self.master))
        for pid in pids:
            kill_pid(pid)
        if self.master:
            kill_pid(self.master)
        if not os.environ.get("MSERVER_TEST_KEEP"):
            shutil.rmtree(self.dir, ignore_errors=True)


def connect(host, port, timeout=10):
    fam = socket.AF_INET6 if ":" in host else socket.AF_INET
    s = socket.socket(fam, socket.SOCK_STREAM)
    s.settimeout(timeout)
    s.connect((host, port))
    return s


def recv_exact(s, n):
    chunks, got = [], 0
    while got < n:
        b = s.recv(min(n - got, 1 << 20))
        if not b:
            raise Fail("connection closed after %d of %d bytes" % (got, n))
        chunks.append(b)
        got += len(b)
    return b"".join(chunks)


def echo_once(host, port, data=b"hello\n", timeout=10):
    """One connection, one round trip; returns what came back."""
    with connect(host, port, timeout) as s:
        s.sendall(data)
        return recv_exact(s, len(data))


def echo_stream(host, port, data, timeout=30):
    """Send data while reading concurrently (large transfers); returns echo."""
    with connect(host, port, timeout) as s:
        err = []

        def writer():
            try:
                s.sendall(data)
                s.shutdown(socket.SHUT_WR)
            except OSError as e:
                err.append(e)
        t = threading.Thread(target=writer)
        t.start()
        got = recv_exact(s, len(data))
        t.join()
        if err:
            raise Fail("writer: %s" % err[0])
        return got


class ClientLoop:
    """Background clients doing one echo round trip per new connection,
    counting successes and failures, until stopped (bounded by max_s)."""

    def __init__(self, host, port, threads=4, max_s=120):
        self.host, self.port = host, port
        self.ok = 0
        self.failures = []
        self.lock = threading.Lock()
        self.stop_evt = threading.Event()
        self.deadline = time.monotonic() + max_s
        self.threads = [threading.Thread(target=self.run, args=(i,), daemon=True)
                        for i in range(threads)]

    def run(self, i):
        n = 0
        while not self.stop_evt.is_set() and time.monotonic() < self.deadline:
            data = b"loop %d %d\n" % (i, n)
            n += 1
            try:
                got = echo_once(self.host, self.port, data)
                with self.lock:
                    if got == data:
                        self.ok += 1
                    else:
                        self.failures.append("mismatch %r" % got)
            except (OSError, Fail) as e:
                with self.lock:
                    self.failures.append(repr(e))

    def __enter__(self):
        for t in self.threads:
            t.start()
        wait_until(lambda: self.ok > 0 or self.failures, 10, "first client round trip")
        return self

    def __exit__(self, *a):
        self.stop_evt.set()
        for t in self.threads:
            t.join(15)


# ---------------------------------------------------------------------------
# HTTP (protocol "http"): the `http` config group, a document root of known
# content, and a strict raw-socket HTTP/1.1 client.

HTTP_DEFAULTS = dict(
    document_root="htdocs", index="index.html", access_log="logs/access.log",
    mime_types="/etc/mime.types" if os.path.exists("/etc/mime.types") else None,
    keepalive_timeout=5, keepalive_requests=1000, request_timeout=10,
    max_request_line=8192, max_header_size=16384, server_tokens=True,
    server_status=True, metrics=True, status_allow=["127.0.0.1", "::1"])

# Per-MPM sizing for the http cases: enough units that a case holding a few
# keep-alive connections open never starves the next request.
HTTP_MPM = {
    "prefork": dict(workers=4, extra_mpm="min_spare = 2; max_spare = 16;"),
    "worker": dict(workers=2, extra_mpm="threads = 8;"),
    "event": dict(workers=2, extra_mpm=""),
}


def _conf_value(v):
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return "%d" % v
    if isinstance(v, (list, tuple)):
        return "[ %s ]" % ", ".join(_conf_value(x) for x in v)
    return '"%s"' % str(v).replace("\\", "\\\\").replace('"', '\\"')


def http_group(http):
    """The `http = { ... };` group: HTTP_DEFAULTS overlaid with http (a
    dict); keys whose value is None are left out."""
    d = dict(HTTP_DEFAULTS)
    d.update(http or {})
    body = "".join("  %s = %s;\n" % (k, _conf_value(v)) for k, v in d.items()
                   if v is not None)
    return "http = {\n%s};\n" % body


FIXED_MTIME = 1577934245    # Thu, 02 Jan 2020 03:04:05 GMT


def _pattern(n, seed=b""):
    """n deterministic, incompressible-looking bytes."""
    import hashlib
    out, i = [], 0
    while 32 * len(out) < n:
        out.append(hashlib.sha256(seed + b"%d" % i).digest())
        i += 1
    return b"".join(out)[:n]


def make_docroot(root):
    """The standard document root under root (created; entries already
    there are replaced). Returns {url path: bytes} of the regular files
    that must be served. Outside the root, in its parent: outside.txt
    (a marker that must never be served). Every file gets FIXED_MTIME."""
    parent = os.path.dirname(os.path.abspath(root))
    files = {
        "/index.html": b"<!doctype html>\n<title>root</title>\n<p>root index</p>\n",
        "/hello.txt": b"Hello, mserver!\n",
        "/style.css": b"body { color: black; }\n",
        "/app.js": b"console.log('mserver');\n",
        "/doc.json": b'{"server": "mserver"}\n',
        "/pic.png": b"\x89PNG\r\n\x1a\n" + _pattern(200, b"png"),
        "/noext": b"no extension\n",
        "/data.bin": _pattern(100 * 1024, b"data"),
        "/big.bin": _pattern(4 << 20, b"big"),
        "/empty.txt": b"",
        "/file with space.txt": b"a file with spaces in its name\n",
        "/sub/index.html": b"<!doctype html>\n<p>sub index</p>\n",
        "/sub/page.html": b"<!doctype html>\n<p>sub page</p>\n",
        "/noindex/file.txt": b"in a directory without an index\n",
    }
    for i in range(10):
        files["/p%d.txt" % i] = b"pipelined file %d\n" % i * (i + 1)
    hidden = {
        "/.hidden": b"HIDDEN-DOTFILE\n",
        "/sub/.git/config": b"[core]\n\tHIDDEN-GIT-CONFIG\n",
        "/secret.txt": b"MODE-000-SECRET\n",
    }
    for path, data in list(files.items()) + list(hidden.items()):
        full = root + path
        os.makedirs(os.path.dirname(full), exist_ok=True)
        if os.path.lexists(full):
            os.chmod(full, 0o644)
            os.unlink(full)
        with open(full, "wb") as f:
            f.write(data)
        os.utime(full, (FIXED_MTIME, FIXED_MTIME))
    os.chmod(root + "/secret.txt", 0)
    with open(os.path.join(parent, "outside.txt"), "wb") as f:
        f.write(b"OUTSIDE-THE-ROOT\n")
    links = {
        "/link.txt": "hello.txt",               # inside: served
        "/sub/uplink.txt": "../hello.txt",      # inside, via ..: served
        "/passwd": "/etc/passwd",               # outside, absolute
        "/outside.txt": "../outside.txt",       # outside, relative
        "/outdir": "/etc",                      # directory outside
        "/updir": "..",                         # directory outside (parent)
    }
    for path, target in links.items():
        full = root + path
        if os.path.lexists(full):
            os.unlink(full)
        os.symlink(target, full)
    return files


def http_server(mpm, http=None, docroot=True, **kw):
    """A Server (not started) speaking http on 127.0.0.1 and ::1 with the
    `http` group HTTP_DEFAULTS + http and the standard document root.
    Adds .docroot, .files ({path: bytes}) and .access_log_path."""
    args = dict(HTTP_MPM[mpm])
    args.update(kw)
    s = Server(mpm=mpm, protocol="http", http=dict(http or {}), **args)
    s.docroot = os.path.join(s.dir, "htdocs")
    s.access_log_path = os.path.join(s.dir, "logs", "access.log")
    s.files = make_docroot(s.docroot) if docroot else {}
    return s


_DAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
_MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun",
           "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
_IMF_RE = re.compile(r"^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), (\d\d) (%s) (\d{4}) "
                     r"(\d\d):(\d\d):(\d\d) GMT$" % "|".join(_MONTHS))


def imf_fixdate(ts):
    """RFC 9110 IMF-fixdate of a Unix time."""
    t = time.gmtime(ts)
    return "%s, %02d %s %04d %02d:%02d:%02d GMT" % (
        _DAYS[t.tm_wday], t.tm_mday, _MONTHS[t.tm_mon - 1], t.tm_year,
        t.tm_hour, t.tm_min, t.tm_sec)


def parse_imf(s):
    """Unix time of a strict IMF-fixdate (weekday checked), else None."""
    import calendar
    m = _IMF_RE.match(s or "")
    if not m:
        return None
    ts = calendar.timegm((int(m.group(4)), _MONTHS.index(m.group(3)) + 1,
                          int(m.group(2)), int(m.group(5)), int(m.group(6)),
                          int(m.group(7)), 0, 0, 0))
    return ts if imf_fixdate(ts) == s else None


class Closed(Fail):
    """The server closed the connection before a complete response."""


class HttpResponse:
    def __init__(self):
        self.version = None     # "HTTP/1.1"
        self.status = None      # int
        self.reason = ""
        self.headers = []       # [(name, value)] in order received
        self.body = b""
        self.head = b""         # raw status line and fields
        self.until_close = False  # body delimited by the close

    def header(self, name, default=None):
        """First value of a field (case-insensitive name)."""
        for k, v in self.headers:
            if k.lower() == name.lower():
                return v
        return default

    def header_list(self, name):
        return [v for k, v in self.headers if k.lower() == name.lower()]

    def has_token(self, name, token):
        """A comma-separated field (e.g. Connection) lists token."""
        return any(t.strip().lower() == token.lower()
                   for v in self.header_list(name) for t in v.split(","))

    def __repr__(self):
        return "<%s %s %r, %d body bytes>" % (
            self.version, self.status, self.headers, len(self.body))


class HttpClient:
    """One HTTP/1.1 connection over a raw socket: send any bytes, read
    responses strictly (CRLF, Content-Length or chunked framing), and tell
    whether the server closed the connection."""

    MAX_HEAD = 256 * 1024

    def __init__(self, host="127.0.0.1", port=None, timeout=10):
        self.host, self.port = host, port
        self.sock = connect(host, port, timeout)
        self.timeout = timeout
        self.buf = b""

    def close(self):
        self.sock.close()

    def __enter__(self):
        return self

    def __exit__(self, *a):
        self.close()

    def host_header(self):
        h = "[%s]" % self.host if ":" in self.host else self.host
        return "%s:%d" % (h, self.port)

    def build(self, method, path, headers=None, body=b"", version="HTTP/1.1",
              host=True):
        """Request bytes; headers a dict or list of pairs; host=False omits
        Host, a string sets it."""
        lines = ["%s %s %s" % (method, path, version)]
        if host:
            lines.append("Host: %s" % (host if isinstance(host, str) else self.host_header()))
        items = headers.items() if isinstance(headers, dict) else (headers or [])
        lines += ["%s: %s" % kv for kv in items]
        return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body

    def send(self, data):
        self.sock.sendall(data)

    def request(self, method, path, **kw):
        self.send(self.build(method, path, **kw))

    def _more(self, what):
        try:
            b = self.sock.recv(1 << 16)
        except socket.timeout:
            raise Fail("timed out after %ss waiting for %s" % (self.timeout, what))
        except ConnectionResetError:
            b = b""
        if not b:
            raise Closed("connection closed while waiting for %s (have %r)" %
                         (what, self.buf[:200]))
        self.buf += b

    def _take(self, n, what):
        while len(self.buf) < n:
            self._more(what)
        out, self.buf = self.buf[:n], self.buf[n:]
        return out

    def _line(self, what):
        while b"\r\n" not in self.buf:
            if len(self.buf) > self.MAX_HEAD:
                raise Fail("no CRLF in %d bytes of %s" % (len(self.buf), what))
            self._more(what)
        line, self.buf = self.buf.split(b"\r\n", 1)
        return line

    def read_response(self, method="GET"):
        """One final response (1xx interim responses are skipped). method
        is the request's: no body for HEAD. Raises Closed if the server
        closes first, Fail on bad framing."""
        while True:
            r = self._read_one(method)
            if not (100 <= r.status < 200 and r.status != 101):
                return r

    def _read_one(self, method):
        while b"\r\n\r\n" not in self.buf:
            if len(self.buf) > self.MAX_HEAD:
                raise Fail("response head over %d bytes" % self.MAX_HEAD)
            self._more("a response head")
        head, self.buf = self.buf.split(b"\r\n\r\n", 1)
        r = HttpResponse()
        r.head = head
        lines = head.split(b"\r\n")
        m = re.match(rb"^(HTTP/\d\.\d) (\d{3}) ?(.*)$", lines[0])
        if not m:
            raise Fail("bad status line %r" % lines[0])
        r.version, r.status = m.group(1).decode(), int(m.group(2))
        r.reason = m.group(3).decode("latin-1")
        for ln in lines[1:]:
            if b"\r" in ln or b"\n" in ln:
                raise Fail("bare CR or LF in response field %r" % ln)
            m = re.match(rb"^([!#$%&'*+.^_`|~0-9A-Za-z-]+):[ \t]*(.*?)[ \t]*$", ln)
            if not m:
                raise Fail("bad response field %r" % ln)
            r.headers.append((m.group(1).decode(), m.group(2).decode("latin-1")))
        if method == "HEAD" or r.status < 200 or r.status in (204, 304):
            return r
        te = r.header("Transfer-Encoding")
        cl = r.header_list("Content-Length")
        if te is not None:
            if te.lower() != "chunked":
                raise Fail("unexpected Transfer-Encoding %r" % te)
            r.body = self._chunked()
        elif cl:
            if len(set(cl)) != 1 or not cl[0].isdigit():
                raise Fail("bad Content-Length %r" % cl)
            r.body = self._take(int(cl[0]), "a %s-byte body" % cl[0])
        else:
            r.until_close = True
            while True:
                try:
                    self._more("body until close")
                except Closed:
                    break
            r.body, self.buf = self.buf, b""
        return r

    def _chunked(self):
        out = []
        while True:
            line = self._line("a chunk size")
            size = int(line.split(b";")[0].strip(), 16)
            if size == 0:
                while self._line("trailers"):
                    pass
                return b"".join(out)
            out.append(self._take(size, "a chunk"))
            if self._take(2, "chunk CRLF") != b"\r\n":
                raise Fail("chunk not followed by CRLF")

    def exchange(self, method, path, **kw):
        """Send one request and read its response."""
        self.request(method, path, **kw)
        return self.read_response(method)

    def wait_closed(self, timeout=5):
        """True if the server closes (EOF or reset) within timeout with no
        further bytes; False if bytes arrive (kept in .buf) or on timeout."""
        if self.buf:
            return False
        deadline = time.monotonic() + timeout
        try:
            while True:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self.sock.settimeout(left)
                try:
                    b = self.sock.recv(1 << 16)
                except socket.timeout:
                    return False
                except ConnectionResetError:
                    return True
                if not b:
                    return True
                self.buf += b
                return False
        finally:
            self.sock.settimeout(self.timeout)

    def is_open(self, wait=0.2):
        """No close and no stray bytes within wait seconds."""
        return not self.wait_closed(wait) and not self.buf


def http_fetch(port, path, method="GET", host="127.0.0.1", timeout=10, **kw):
    """One request on a new connection; returns the HttpResponse."""
    with HttpClient(host, port, timeout) as c:
        return c.exchange(method, path, **kw)


class KillStorm:
    """A kill storm against a running Server: in every `every` seconds
    SIGKILL one live worker of the current generation chosen at random
    (at a random moment of the period), while a
    probe sends one GET of `path` on a new connection every `probe_every`
    seconds (each with `timeout`) and a sampler reads /proc every `sample`
    seconds for the longest stretch with no live worker (zombies, killed
    but not yet reaped, do not count). run(duration) returns a dict:
    kills, probes, served, failures (a few reasons), max_gap (seconds), and
    served_on_retry: probes that failed but whose one immediate retry was
    served (a request on a worker killed under it is lost whatever the
    master does; a retry that fails too means no worker took it)."""

    def __init__(self, s, path="/hello.txt", body=None, every=0.2,
                 probe_every=0.1, timeout=1.0, sample=0.005, seed=None):
        import random
        self.s, self.path, self.body = s, path, body
        self.every, self.probe_every = every, probe_every
        self.timeout, self.sample = timeout, sample
        self.rand = random.Random(seed)
        self.stop_evt = threading.Event()
        self.r = dict(kills=0, probes=0, served=0, served_on_retry=0, failures=[],
                      max_gap=0.0)

    def live(self):
        return [p for p in children_of(self.s.master) if pid_alive(p)]

    def killer(self):
        """One kill in each period of `every`, at a random point of it: as
        many kills as a fixed beat, without locking onto the probe's."""
        slot = time.monotonic()
        while True:
            at = slot + self.rand.uniform(0, self.every)
            slot += self.every
            if self.stop_evt.wait(max(0.0, at - time.monotonic())):
                return
            pids = self.live()
            if pids:
                kill_pid(self.rand.choice(pids))
                self.r["kills"] += 1
            self.stop_evt.wait(max(0.0, slot - time.monotonic()))

    def probe_once(self):
        """One GET; the request is sent as soon as the connection is up
        (what is measured is the server, not this client's pace)."""
        req = ("GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n" %
               self.path).encode()
        got = b""
        try:
            with socket.create_connection(("127.0.0.1", self.s.port), self.timeout) as c:
                c.sendall(req)
                while True:
                    b = c.recv(65536)
                    if not b:
                        break
                    got += b
        except OSError as e:
            return "%r after %d bytes" % (e, len(got))
        head, _, body = got.partition(b"\r\n\r\n")
        if not head.startswith(b"HTTP/1.1 200 ") or (self.body is not None and body != self.body):
            return "answer %r" % got[:80]
        return None

    def prober(self):
        t = time.monotonic()
        while not self.stop_evt.is_set():
            why = self.probe_once()
            self.r["probes"] += 1
            if why is None:
                self.r["served"] += 1
            elif self.probe_once() is None:
                self.r["served_on_retry"] += 1
            if why is not None and len(self.r["failures"]) < 10:
                self.r["failures"].append(why)
            t += self.probe_every
            self.stop_evt.wait(max(0.0, t - time.monotonic()))

    def sampler(self):
        zero_at = None
        while not self.stop_evt.wait(self.sample):
            now = time.monotonic()
            if self.live():
                zero_at = None
            elif zero_at is None:
                zero_at = now
            else:
                self.r["max_gap"] = max(self.r["max_gap"], now - zero_at)

    def run(self, duration):
        threads = [threading.Thread(target=f, daemon=True)
                   for f in (self.killer, self.prober, self.sampler)]
        switch = sys.getswitchinterval()
        sys.setswitchinterval(0.0005)   # the probe waits less for the sampler
        try:
            for t in threads:
                t.start()
            self.stop_evt.wait(duration)
        finally:
            self.stop_evt.set()
            for t in threads:
                t.join(self.timeout + 5)
            sys.setswitchinterval(switch)
        return self.r


def check_complete(r, what):
    """An error response is whole: Content-Length framing its body."""
    cl = r.header("Content-Length")
    check(cl is not None and cl.isdigit(), "%s: no Content-Length: %r" % (what, r))
    check(int(cl) == len(r.body), "%s: body %d bytes, Content-Length %s" % (what, len(r.body), cl))


def _on_alarm(signum, frame):
    raise Fail("case timed out after %d s" % CASE_TIMEOUT)


def each_mpm(fn):
    """Decorator: run the case fn(mpm) once per MPM, as fn[mpm]. For cases
    whose outcome depends on how an MPM does I/O (timeouts, slow clients,
    large bodies, keep-alive, drain, pipelining)."""
    fn.mpms = list(MPMS)
    return fn


def one_mpm(mpm):
    """Decorator: run the case fn(mpm) under one MPM only, as fn[mpm]. For
    cases that check what the sans-I/O handler answers (unit-tested in
    tests/unit/test_http_handler.c), where every MPM would run the same
    code between the same reads and writes."""
    def mark(fn):
        fn.mpms = [mpm]
        return fn
    return mark


def _expand(cases, patterns):
    """[(reported name, callable)] of the cases, one per MPM where the case
    is parametrised, keeping only names matching one of patterns (if any)."""
    out = []
    for fn in cases:
        mpms = getattr(fn, "mpms", None)
        runs = ([("%s[%s]" % (fn.__name__, m), (lambda f=fn, m=m: f(m))) for m in mpms]
                if mpms else [(fn.__name__, fn)])
        out += [(n, f) for n, f in runs
                if not patterns or any(fnmatch.fnmatchcase(n, p) for p in patterns)]
    return out


def _print_logs(lines=40):
    """The tail of the error log of each server the failed case made."""
    for srv in _servers:
        try:
            with open(srv.log_path, errors="replace") as f:
                tail = f.readlines()[-lines:]
        except OSError:
            continue
        print("--- last %d lines of %s" % (len(tail), srv.log_path))
        sys.stdout.write("".join(tail))


def main(cases):
    """Run each case (see the module comment); print one line per case;
    exit 0/1/77."""
    signal.signal(signal.SIGALRM, _on_alarm)
    failed = passed = skipped = 0
    runs = _expand(cases, [p.replace("[", "[[]") for p in sys.argv[1:]])
    if sys.argv[1:] and not runs:
        print("no case matches %s" % " ".join(sys.argv[1:]))
        sys.exit(1)
    for name, fn in runs:
        signal.alarm(CASE_TIMEOUT)
        try:
            r = fn()
            if r == SKIP:
                skipped += 1
                print("SKIP %s" % name)
            else:
                passed += 1
                print("PASS %s" % name)
        except Exception as e:
            failed += 1
            print("FAIL %s: %s" % (name, e))
            traceback.print_exc()
            _print_logs()
        finally:
            signal.alarm(0)
            del _servers[:]
            while _cleanups:
                try:
                    _cleanups.pop()()
                except Exception:
                    traceback.print_exc()
        sys.stdout.flush()
    print("%d passed, %d failed, %d skipped" % (passed, failed, skipped))
    sys.exit(1 if failed else (SKIP if skipped and not passed else 0))


# ---------------------------------------------------------------------------
# Chat (protocol "chat"): the `chat` config group, per-MPM sizing for cases
# that hold many sessions open, a line client, and where a session is served.

CHAT_DEFAULTS = dict(max_line=4096, max_clients=16384, max_rooms=1024,
                     bus_size=8388608, max_lag=4096, idle_timeout=3600)


def chat_group(chat):
    """The `chat = { ... };` group: CHAT_DEFAULTS overlaid with chat (a
    dict); keys whose value is None are left out."""
    d = dict(CHAT_DEFAULTS)
    d.update(chat or {})
    body = "".join("  %s = %s;\n" % (k, _conf_value(v)) for k, v in d.items()
                   if v is not None)
    return "chat = {\n%s};\n" % body


def chat_mpm(mpm, clients=4):
    """Server keywords for holding `clients` chat sessions at once. A session
    holds a prefork process or a worker thread for its whole life, so
    prefork gets a process per client plus two; worker and event get two
    processes, each able to take a little over half the clients, so that
    the sessions cannot all land on one process."""
    half = (clients + 1) // 2 + 2
    if mpm == "prefork":
        extra = "server_limit = %d;" % (clients + 16) if clients + 16 > 64 else ""
        return dict(workers=clients + 2, extra_mpm=extra)
    if mpm == "worker":
        return dict(workers=2, extra_mpm="threads = %d;" % half)
    return dict(workers=2, extra_mpm="max_connections = %d;" % half)


def chat_server(mpm, chat=None, clients=4, http=None, **kw):
    """A Server (not started) speaking chat on 127.0.0.1 and ::1 (port
    .port) with the `chat` group CHAT_DEFAULTS + chat, sized by chat_mpm()
    for `clients` sessions. http: None, or a dict over HTTP_DEFAULTS for an
    http listener beside it on 127.0.0.1 port .http_port (with the standard
    document root). Other keywords go to Server / conf_text."""
    port = kw.pop("port", None) or free_port()
    listen = [("127.0.0.1", port, "chat"), ("::1", port, "chat")]
    http_port = None
    if http is not None:
        http_port = free_port()
        while http_port == port:
            http_port = free_port()
        listen.append(("127.0.0.1", http_port, "http"))
    args = dict(chat_mpm(mpm, clients))
    args.update(kw)
    args["extra"] = chat_group(chat) + args.get("extra", "")
    s = Server(mpm=mpm, port=port, listen=listen, http=http, **args)
    s.http_port = http_port
    if http is not None and not EXTERNAL:
        make_docroot(os.path.join(s.dir, "htdocs"))
    return s


class ChatClient:
    """One chat session over a raw socket. Lines are str (UTF-8, undecodable
    bytes kept as surrogate escapes) without their LF. Every read is bounded
    by a timeout; Closed means the server closed (EOF or reset) first.
    greet=True reads "* welcome NICK" and "* join lobby NICK" and sets
    .nick. rcvbuf sets SO_RCVBUF before connecting (a small window)."""

    def __init__(self, port, host="127.0.0.1", timeout=10, rcvbuf=None, greet=True):
        fam = socket.AF_INET6 if ":" in host else socket.AF_INET
        self.sock = socket.socket(fam, socket.SOCK_STREAM)
        if rcvbuf:
            self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
        self.sock.settimeout(timeout)
        self.sock.connect((host, port))
        self.port = port
        self.local_port = self.sock.getsockname()[1]
        self.timeout = timeout
        self.buf = b""
        self.nick = None
        self.closed = False
        _cleanups.append(self.close)
        if greet:
            self.greet()

    def greet(self):
        self.nick = self.expect(r"\* welcome ([A-Za-z0-9_-]{1,32})").group(1)
        self.expect(r"\* join lobby %s" % re.escape(self.nick))
        return self

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass

    def send_raw(self, data):
        self.sock.sendall(data)

    def send_line(self, text):
        """Send text (str or bytes) and an LF."""
        if isinstance(text, str):
            text = text.encode("utf-8", "surrogateescape")
        self.sock.sendall(text + b"\n")

    def _fill(self, deadline, what):
        left = deadline - time.monotonic()
        if left <= 0:
            raise Fail("timed out waiting for %s (have %r)" % (what, self.buf[:200]))
        self.sock.settimeout(left)
        try:
            b = self.sock.recv(1 << 16)
        except socket.timeout:
            raise Fail("timed out after %.1fs waiting for %s (have %r)" %
                       (self.timeout, what, self.buf[:200]))
        except (ConnectionResetError, BrokenPipeError):
            b = b""
        finally:
            self.sock.settimeout(self.timeout)
        if not b:
            self.closed = True
            raise Closed("chat connection closed while waiting for %s (have %r)" %
                         (what, self.buf[:200]))
        self.buf += b

    def read_line(self, timeout=None, what="a line"):
        deadline = time.monotonic() + (self.timeout if timeout is None else timeout)
        while b"\n" not in self.buf:
            self._fill(deadline, what)
        line, self.buf = self.buf.split(b"\n", 1)
        return line.decode("utf-8", "surrogateescape")

    def expect(self, pattern, timeout=None):
        """The next line must match pattern (re.fullmatch); returns the match."""
        line = self.read_line(timeout, "a line matching %r" % pattern)
        m = re.fullmatch(pattern, line)
        if not m:
            raise Fail("%s: got %r, want %r" % (self.nick, line, pattern))
        return m

    def cmd(self, line, pattern, timeout=None):
        """Send a line; the next line must match pattern."""
        self.send_line(line)
        return self.expect(pattern, timeout)

    def read_until(self, pred, timeout=None, what=None):
        """Read lines until pred(line) (a callable, or a pattern for
        re.fullmatch) holds; returns every line read, the last included."""
        if isinstance(pred, str):
            pat = pred
            what = what or "a line matching %r" % pat
            pred = lambda l: re.fullmatch(pat, l)
        deadline = time.monotonic() + (self.timeout if timeout is None else timeout)
        lines = []
        while True:
            left = max(deadline - time.monotonic(), 0.001)
            lines.append(self.read_line(left, what or "a line"))
            if pred(lines[-1]):
                return lines

    def wait_line(self, pattern, timeout=None):
        """Skip lines until one matches pattern; returns its match."""
        return re.fullmatch(pattern, self.read_until(pattern, timeout)[-1])

    def who(self, timeout=None):
        """(room, [nicks]) from /who (other lines before the reply skipped)."""
        self.send_line("/who")
        words = self.wait_line(r"\* who (.*)", timeout).group(1).split(" ")
        return words[0], words[1:]

    def rooms(self, timeout=None):
        """{room: members} from /rooms, and the rooms' order as sent."""
        self.send_line("/rooms")
        body = self.wait_line(r"\* rooms ?(.*)", timeout).group(1)
        items = [w.rpartition(":") for w in body.split(" ") if w]
        return {r: int(n) for r, _, n in items}, [r for r, _, n in items]

    def wait_closed(self, timeout=5):
        """True if the server closes (EOF or reset) within timeout; lines
        that arrive first are read and kept in .buf. False on timeout."""
        deadline = time.monotonic() + timeout
        try:
            while True:
                self._fill(deadline, "the close")
                if len(self.buf) > 1 << 24:
                    self.buf = self.buf[-(1 << 20):]
        except Closed:
            return True
        except Fail:
            return False

    def quiet(self, wait=0.3):
        """No bytes and no close within wait seconds."""
        if self.buf:
            return False
        try:
            self._fill(time.monotonic() + wait, "silence")
        except Closed:
            return False
        except Fail:
            return not self.buf
        return False


class ChatReader:
    """A thread reading every line of a ChatClient into .lines until the
    server closes (then .closed) or stop(). While it runs, only it reads."""

    def __init__(self, client):
        self.client = client
        self.lines = []
        self.closed = False
        self.error = None
        self.stop_evt = threading.Event()
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def run(self):
        while not self.stop_evt.is_set():
            try:
                self.lines.append(self.client.read_line(0.2))
            except Closed:
                self.closed = True
                return
            except Fail:
                continue
            except OSError as e:
                self.error = e
                return

    def stop(self):
        self.stop_evt.set()
        self.thread.join(5)
        return self.lines

    def count(self, pattern):
        return sum(1 for l in list(self.lines) if re.fullmatch(pattern, l))


def chat_figures(s):
    """The status --json "chat" object."""
    st = s.status()
    check("chat" in st, "status --json has no \"chat\" object: %r" % sorted(st))
    return st["chat"]


def chat_clients_by_pid(s):
    """{pid: chat_clients} of every process in status --json."""
    st = s.status()
    for p in st["processes"]:
        check("chat_clients" in p, "process entry lacks chat_clients: %r" % p)
    return {p["pid"]: p["chat_clients"] for p in st["processes"]}


TCP_STATES = {1: "ESTABLISHED", 2: "SYN_SENT", 3: "SYN_RECV", 4: "FIN_WAIT1",
              5: "FIN_WAIT2", 6: "TIME_WAIT", 7: "CLOSE", 8: "CLOSE_WAIT",
              9: "LAST_ACK", 10: "LISTEN", 11: "CLOSING"}


def _tcp_rows():
    """[(local port, remote port, state, rx_queue, inode)] of every TCP
    socket in /proc/net/tcp{,6}. For a listening socket rx_queue is the
    length of its accept queue."""
    out = []
    for name in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            with open(name) as f:
                rows = f.read().splitlines()[1:]
        except FileNotFoundError:
            continue
        for row in rows:
            f = row.split()
            out.append((int(f[1].rsplit(":", 1)[1], 16), int(f[2].rsplit(":", 1)[1], 16),
                        TCP_STATES.get(int(f[3], 16), f[3]),
                        int(f[4].split(":")[1], 16), f[9]))
    return out


def _tcp_inode(local_port, remote_port):
    """Inode of the socket bound to 127.0.0.1/::1 local_port connected to
    remote_port, or None."""
    for lp, rp, _, _, inode in _tcp_rows():
        if lp == local_port and rp == remote_port and inode != "0":
            return inode
    return None


def tcp_state(local_port, remote_port):
    """State name of the socket at local_port connected to remote_port (the
    server's end of a client connection: server port, client port), or
    None."""
    for lp, rp, st, _, _ in _tcp_rows():
        if lp == local_port and rp == remote_port:
            return st
    return None


def accept_queue(port):
    """Connections waiting in the accept queues of the listeners on port."""
    return sum(q for lp, _, st, q, _ in _tcp_rows() if lp == port and st == "LISTEN")

def conn_owner(s, client):
    """Pid of the worker process holding the server end of client's
    connection, or None."""
    inode = _tcp_inode(client.port, client.local_port)
    if inode is None:
        return None
    want = "socket:[%s]" % inode
    for pid in s.worker_pids():
        try:
            fds = os.listdir("/proc/%d/fd" % pid)
        except OSError:
            continue
        for fd in fds:
            try:
                if os.readlink("/proc/%d/fd/%s" % (pid, fd)) == want:
                    return pid
            except OSError:
                pass
    return None


def chat_sessions(port, n, fmt="u%02d", host="127.0.0.1", **kw):
    """n ChatClients in the lobby named fmt % i, connected and renamed one
    at a time; on return each has read every line up to the last rename."""
    cs = []
    for i in range(n):
        c = ChatClient(port, host, **kw)
        name = fmt % i
        c.cmd("/nick %s" % name, r"\* nick lobby %s %s" % (re.escape(c.nick), name))
        c.nick = name
        cs.append(c)
    for c in cs[:-1]:
        c.wait_line(r"\* nick lobby \S+ %s" % re.escape(cs[-1].nick))
    return cs
