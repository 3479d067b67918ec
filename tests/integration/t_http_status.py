"""HTTP status pages under every MPM: /server-status?auto (mod_status's
machine-readable keys), /server-status (HTML) and /metrics (Prometheus
text) from allowed addresses, with counters that follow the traffic;
server_status = false and metrics = false turn them into 404; a client
outside status_allow gets 403."""
from mstest import *

PROM_LINE = re.compile(r'^(?P<name>[a-zA-Z_:][a-zA-Z0-9_:]*)'
                       r'(?P<labels>\{[a-zA-Z_][a-zA-Z0-9_]*="[^"]*"'
                       r'(,[a-zA-Z_][a-zA-Z0-9_]*="[^"]*")*,?\})? '
                       r'(?P<value>[-+]?[0-9.]+([eE][-+]?[0-9]+)?|NaN|[+-]Inf)( -?\d+)?$')


def auto(s, host="127.0.0.1"):
    r = http_fetch(s.port, "/server-status?auto", host=host)
    check(r.status == 200, "/server-status?auto: %r" % r)
    check((r.header("Content-Type") or "").startswith("text/plain"),
          "?auto Content-Type %r" % r.header("Content-Type"))
    keys = {}
    for line in r.body.decode("utf-8", "replace").splitlines():
        k, sep, v = line.partition(": ")
        if sep:
            keys[k] = v.strip()
    for k in ("Total Accesses", "BusyWorkers", "IdleWorkers", "Scoreboard"):
        check(k in keys, "?auto lacks %r:\n%s" % (k, r.body.decode("utf-8", "replace")))
    return keys


def metrics(s, host="127.0.0.1"):
    r = http_fetch(s.port, "/metrics", host=host)
    check(r.status == 200, "/metrics: %r" % r)
    check((r.header("Content-Type") or "").startswith("text/plain"),
          "/metrics Content-Type %r" % r.header("Content-Type"))
    vals = {}
    for line in r.body.decode("utf-8", "replace").splitlines():
        if not line or line.startswith("#"):
            check(not line or line.startswith("# "), "bad comment line %r" % line)
            continue
        m = PROM_LINE.match(line)
        check(m, "not Prometheus text: %r" % line)
        vals[m.group("name") + (m.group("labels") or "")] = float(m.group("value"))
    return r.body.decode("utf-8", "replace"), vals


def expect(s, path, status, host="127.0.0.1"):
    r = http_fetch(s.port, path, host=host)
    check(r.status == status, "GET %s from %s: status %s, want %s (%r)" %
          (path, host, r.status, status, r))
    check_complete(r, "GET %s" % path)
    return r


def reload_with(s, gen, **http):
    s.write_conf(**dict(s.kw, http=http))
    p = s.ctl("reload")
    check(p.returncode == 0, "reload: %s" % p.stderr)
    wait_until(lambda: all(p["generation"] == gen for p in s.status()["processes"]),
               15, "generation %d only" % gen)


@each_mpm
def test_status_pages(mpm):
    s = http_server(mpm).start()
    keys = auto(s)
    check(re.match(r"^\d+$", keys["Total Accesses"]), "Total Accesses %r" % keys["Total Accesses"])
    busy, idle = int(keys["BusyWorkers"]), int(keys["IdleWorkers"])
    check(busy >= 1, "BusyWorkers counts the request being served: %d" % busy)
    check(busy + idle >= 2, "BusyWorkers + IdleWorkers: %d + %d" % (busy, idle))
    check(re.match(r"^[_SRWKCLGI.]+$", keys["Scoreboard"]), "Scoreboard %r" % keys["Scoreboard"])
    check(len(keys["Scoreboard"]) >= busy + idle, "Scoreboard covers the workers")
    auto(s, host="::1")
    # The counters follow the traffic.
    before = int(keys["Total Accesses"])
    for i in range(10):
        check(http_fetch(s.port, "/p%d.txt" % i).status == 200, "request %d" % i)
    for i in range(3):
        check(http_fetch(s.port, "/missing-%d" % i).status == 404, "404 %d" % i)
    wait_until(lambda: int(auto(s)["Total Accesses"]) >= before + 13, 5,
               "Total Accesses up by 13")
    # HTML page.
    r = expect(s, "/server-status", 200)
    check((r.header("Content-Type") or "").startswith("text/html"),
          "HTML Content-Type %r" % r.header("Content-Type"))
    check(b"<html" in r.body.lower() or b"<!doctype html" in r.body.lower(), "HTML body")
    # /metrics
    text, vals = metrics(s)
    for want in ("mserver_requests_total", 'mserver_responses_total{code="2xx"}'):
        check(want in text, "/metrics lacks %s:\n%s" % (want, text[:2000]))

    def counters():
        text, vals = metrics(s)
        req = [v for k, v in vals.items() if k == "mserver_requests_total"]
        xx2 = [v for k, v in vals.items() if k.startswith("mserver_responses_total{") and 'code="2xx"' in k]
        xx4 = [v for k, v in vals.items() if k.startswith("mserver_responses_total{") and 'code="4xx"' in k]
        return (req or [0])[0], (xx2 or [0])[0], (xx4 or [0])[0]
    req0, ok0, nf0 = counters()
    check(req0 >= 13 and ok0 >= 10 and nf0 >= 3, "counters after 13 requests: %s" %
          ((req0, ok0, nf0),))
    for i in range(5):
        http_fetch(s.port, "/hello.txt")
        http_fetch(s.port, "/missing")
    wait_until(lambda: (lambda c: c[0] >= req0 + 10 and c[1] >= ok0 + 5 and c[2] >= nf0 + 5)(counters()),
               5, "counters up by 10 requests, 5 2xx, 5 4xx")
    if EXTERNAL:
        s.stop()
        return
    # server_status = false: 404; /metrics unaffected.
    reload_with(s, 2, server_status=False)
    expect(s, "/server-status", 404)
    expect(s, "/server-status?auto", 404)
    metrics(s)
    # metrics = false: 404; /server-status back.
    reload_with(s, 3, metrics=False)
    expect(s, "/metrics", 404)
    auto(s)
    # Allowed networks: neither address in 10.0.0.0/8.
    reload_with(s, 4, status_allow=["10.0.0.0/8"])
    for host in ("127.0.0.1", "::1"):
        expect(s, "/server-status?auto", 403, host)
        expect(s, "/server-status", 403, host)
        expect(s, "/metrics", 403, host)
    r = http_fetch(s.port, "/hello.txt")
    check(r.status == 200, "files still served: %r" % r)
    # 127.0.0.0/8 admits 127.0.0.1 and not ::1.
    reload_with(s, 5, status_allow=["127.0.0.0/8"])
    auto(s)
    metrics(s)
    expect(s, "/server-status?auto", 403, "::1")
    expect(s, "/metrics", 403, "::1")
    s.stop()


if __name__ == "__main__":
    main([test_status_pages])
