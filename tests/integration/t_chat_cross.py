"""Chat across processes under every MPM: twelve sessions spread over at
least two worker processes; three of them publish 50 messages each at the
same time, and every session receives all 150, each publisher's in the
order sent, in one global order that is the same for every session.
Nicknames are unique across processes (case-insensitively, and freed on a
rename), and /who and /rooms see the members on every process. Each of
these is its own case, on its own server."""
import threading
from mstest import *

CLIENTS = 12
PER_PUBLISHER = 50
MSG = re.compile(r"lobby (u\d\d): msg (\d+)")


def spread(mpm):
    """A started server with CLIENTS sessions, served by at least two
    processes. Returns (server, sessions, {nick: pid serving it})."""
    s = chat_server(mpm, clients=CLIENTS).start()
    cs = chat_sessions(s.port, CLIENTS)

    def owners():
        o = {c.nick: conn_owner(s, c) for c in cs}
        return all(o.values()) and o
    owner = wait_until(owners, 5, "every session's process found")
    check(len(set(owner.values())) >= 2, "sessions on at least 2 processes: %r" % owner)
    return s, cs, owner


@each_mpm
def test_census(mpm):
    """status --json counts the sessions, in total and per process, as
    they are really spread; and back to 0 once they are gone."""
    s, cs, owner = spread(mpm)
    wait_until(lambda: chat_figures(s).get("clients") == CLIENTS, 5,
               "status chat clients == %d" % CLIENTS)
    per_proc = wait_until(lambda: (lambda d: sum(d.values()) == CLIENTS and d)(chat_clients_by_pid(s)),
                          5, "per-process chat_clients adding up to %d" % CLIENTS)
    for pid, n in per_proc.items():
        check(list(owner.values()).count(pid) == n,
              "pid %d: chat_clients %d, sessions %d" % (pid, n, list(owner.values()).count(pid)))
    for c in cs:
        c.close()
    wait_until(lambda: chat_figures(s).get("clients") == 0, 5, "all sessions gone")
    s.stop()


def publishers(cs, owner):
    """Three sessions, on different processes where possible."""
    by_pid = {}
    for c in cs:
        by_pid.setdefault(owner[c.nick], []).append(c)
    pubs = [l[0] for l in by_pid.values()][:3]
    pubs += [c for c in cs if c not in pubs][:3 - len(pubs)]
    return pubs


def publish_all(pubs):
    """Each of pubs sends PER_PUBLISHER messages, all at the same time."""
    start = threading.Barrier(len(pubs))
    errors = []

    def publish(c):
        try:
            start.wait(5)
            for k in range(PER_PUBLISHER):
                c.send_line("msg %d" % k)
        except Exception as e:
            errors.append(e)
    ts = [threading.Thread(target=publish, args=(c,)) for c in pubs]
    for t in ts:
        t.start()
    for t in ts:
        t.join(20)
    check(not errors, "publishers: %r" % errors)


@each_mpm
def test_global_order(mpm):
    """Every session receives every message, each publisher's in the order
    sent, in one order that is the same for every session."""
    s, cs, owner = spread(mpm)
    pubs = publishers(cs, owner)
    publish_all(pubs)
    total = PER_PUBLISHER * len(pubs)
    seqs = []
    for c in cs:
        got = []
        while len(got) < total:
            line = c.read_line(10, "message %d of %d" % (len(got) + 1, total))
            m = MSG.fullmatch(line)
            check(m, "%s: not a message from a publisher: %r" % (c.nick, line))
            got.append((m.group(1), int(m.group(2))))
        check(c.quiet(0.05), "%s: nothing after the %d messages" % (c.nick, total))
        for p in pubs:
            mine = [k for who, k in got if who == p.nick]
            check(mine == list(range(PER_PUBLISHER)),
                  "%s: %s's messages in order, none lost: %r" % (c.nick, p.nick, mine[:60]))
        seqs.append(got)
    for c, seq in zip(cs, seqs):
        if seq != seqs[0]:
            i = next(i for i, (x, y) in enumerate(zip(seq, seqs[0])) if x != y)
            raise Fail("%s sees another order than %s from message %d: %r vs %r" %
                       (c.nick, cs[0].nick, i, seq[i:i + 5], seqs[0][i:i + 5]))
    s.stop()


@each_mpm
def test_unique_nicks(mpm):
    """A nickname taken on one process is taken on the others, whatever its
    case, and free again once renamed away."""
    s, cs, owner = spread(mpm)
    a = cs[0]
    b = next(c for c in cs if owner[c.nick] != owner[a.nick])
    a.cmd("/nick shared", r"\* nick lobby %s shared" % a.nick)
    b.wait_line(r"\* nick lobby %s shared" % a.nick)
    b.cmd("/nick SHARED", r"\* error nick taken")
    b.cmd("/nick Shared", r"\* error nick taken")
    a.cmd("/nick %s" % a.nick, r"\* nick lobby shared %s" % a.nick)
    b.wait_line(r"\* nick lobby shared %s" % a.nick)
    b.cmd("/nick SHARED", r"\* nick lobby %s SHARED" % b.nick)
    a.wait_line(r"\* nick lobby %s SHARED" % b.nick)
    a.cmd("/nick shared", r"\* error nick taken")
    b.cmd("/nick %s" % b.nick, r"\* nick lobby SHARED %s" % b.nick)
    for c in cs:
        if c is not b:
            c.wait_line(r"\* nick lobby SHARED %s" % b.nick)
    s.stop()


@each_mpm
def test_rooms_across(mpm):
    """/who and /rooms list the members on every process, and a message in
    a room reaches that room's members only."""
    s, cs, owner = spread(mpm)
    room, nicks = cs[0].who()
    check(room == "lobby" and nicks == sorted(c.nick for c in cs),
          "/who lists all %d: %r" % (CLIENTS, nicks))
    # Four sessions from different processes move to "side".
    a = cs[0]
    side = sorted(cs, key=lambda c: (owner[c.nick] != owner[a.nick], c.nick))[::3][:4]
    check(len({owner[c.nick] for c in side}) >= 2, "side has members on 2 processes")
    for c in side:
        c.send_line("/join side")
        c.wait_line(r"\* join side %s" % c.nick)
    stay = [c for c in cs if c not in side]
    rooms, order = stay[0].rooms()
    check(rooms == {"lobby": CLIENTS - 4, "side": 4} and order == ["lobby", "side"],
          "/rooms: %r" % rooms)
    room, nicks = stay[-1].who()
    check(room == "lobby" and nicks == sorted(c.nick for c in stay), "/who lobby: %r" % nicks)
    room, nicks = side[0].who()
    check(room == "side" and nicks == sorted(c.nick for c in side), "/who side: %r" % nicks)
    side[-1].send_line("side talk")
    for c in side:
        c.wait_line(r"side %s: side talk" % side[-1].nick)
    stay[0].send_line("lobby talk")
    for c in stay:
        got = c.read_until(r"lobby %s: lobby talk" % stay[0].nick)
        check(not any("side talk" in l for l in got), "%s heard side: %r" % (c.nick, got))
    s.stop()


if __name__ == "__main__":
    main([test_census, test_global_order, test_unique_nicks, test_rooms_across])
