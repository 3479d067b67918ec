"""Chat figures in the status, under every MPM: `mserverctl status --json`
has a "chat" object (clients, rooms, published, delivered, dropped) and a
chat_clients count per process, the text report a "Chat:" line, and an
http listener's /metrics the mserver_chat_* series; all follow the
sessions as they connect, talk, move and leave."""
from mstest import *

KEYS = ("clients", "rooms", "published", "delivered", "dropped")


def settled(s, want, at_least=()):
    """Poll until the JSON chat figures equal want (a dict) and are at
    least at_least (a dict); returns them."""
    last = {}

    def ok():
        last.update(chat_figures(s))
        return (all(last.get(k) == v for k, v in want.items()) and
                all(last.get(k, -1) >= v for k, v in dict(at_least).items()))
    try:
        wait_until(ok, 5, "chat figures")
    except Fail:
        raise Fail("chat figures %r, want %r and at least %r" % (last, want, dict(at_least)))
    return dict(last)


def metrics_match(s, figures):
    names = {"clients": "mserver_chat_clients", "rooms": "mserver_chat_rooms",
             "published": "mserver_chat_published_total",
             "delivered": "mserver_chat_delivered_total",
             "dropped": "mserver_chat_dropped_total"}
    last = {}

    def ok():
        r = http_fetch(s.http_port, "/metrics")
        check(r.status == 200, "/metrics: %r" % r)
        vals = {}
        for line in r.body.decode("utf-8", "replace").splitlines():
            m = re.fullmatch(r"(mserver_chat_[a-z_]+) (\d+(\.\d*)?)", line)
            if m:
                vals[m.group(1)] = float(m.group(2))
        last.clear()
        last.update({k: vals.get(n) for k, n in names.items()})
        return all(last[k] == figures[k] for k in names)
    try:
        wait_until(ok, 5, "/metrics chat figures")
    except Fail:
        raise Fail("/metrics chat series %r, want %r" % (last, figures))


def text_line(s):
    p = s.ctl("status")
    check(p.returncode == 0, p.stderr)
    lines = [l for l in p.stdout.splitlines() if l.startswith("Chat:")]
    check(len(lines) == 1, "one 'Chat:' line in the text status:\n%s" % p.stdout)
    return lines[0]


def numbers_in(line, *nums):
    words = set(re.findall(r"\d+", line))
    check(all(str(n) in words for n in nums), "%r lacks one of %r" % (line, nums))


@each_mpm
def test_chat_status(mpm):
    if EXTERNAL:
        return SKIP
    s = chat_server(mpm, clients=4, http={}).start()
    f = settled(s, dict(clients=0, rooms=0, published=0, delivered=0, dropped=0))
    check(set(KEYS) <= set(f), "chat object keys: %r" % sorted(f))
    check(all(n == 0 for n in chat_clients_by_pid(s).values()), "no chat_clients yet")
    metrics_match(s, f)
    # Three sessions: 3 join lines, delivered to 1 + 2 + 3 sessions, and
    # three renames, delivered to 1 + 2 + 3 too.
    a, b, c = chat_sessions(s.port, 3, "s%d")
    f = settled(s, dict(clients=3, rooms=1, published=6, delivered=12, dropped=0))
    a.cmd("hello", r"lobby s0: hello")
    b.wait_line(r"lobby s0: hello")
    c.wait_line(r"lobby s0: hello")
    f = settled(s, dict(clients=3, rooms=1, published=7, delivered=15, dropped=0))
    per = wait_until(lambda: (lambda d: sum(d.values()) == 3 and d)(chat_clients_by_pid(s)),
                     5, "per-process chat_clients adding up to 3")
    owners = [conn_owner(s, x) for x in (a, b, c)]
    for pid, n in per.items():
        check(owners.count(pid) == n, "pid %d: chat_clients %d, sessions %d (%r)" %
              (pid, n, owners.count(pid), per))
    if mpm == "prefork":
        check(sorted(per.values(), reverse=True)[:3] == [1, 1, 1], "a process each: %r" % per)
    # A move: leave lobby + join r2; two rooms.
    b.send_line("/join r2")
    b.wait_line(r"\* join r2 s1")
    a.wait_line(r"\* leave lobby s1")
    # The leave line reaches s0 and s2 (and perhaps s1), the join s1.
    f = settled(s, dict(clients=3, rooms=2, published=9, dropped=0), dict(delivered=18))
    check(f["delivered"] <= 19, "delivered %d, want 18 or 19" % f["delivered"])
    numbers_in(text_line(s), 3, 2, 9)
    metrics_match(s, f)
    delivered = f["delivered"]
    # All leave.
    for x in (a, b, c):
        x.send_line("/quit")
        x.wait_line(r"\* bye")
        check(x.wait_closed(5), "closed after /quit")
    f = settled(s, dict(clients=0, rooms=0, published=12, dropped=0), dict(delivered=delivered + 1))
    wait_until(lambda: all(n == 0 for n in chat_clients_by_pid(s).values()), 5,
               "per-process chat_clients back to 0")
    numbers_in(text_line(s), 0, 12)
    metrics_match(s, f)
    s.stop()


if __name__ == "__main__":
    main([test_chat_status])
