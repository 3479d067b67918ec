"""kill -9 of a worker process serving chat sessions, under every MPM,
while one of its sessions is publishing: its sessions' connections close;
the sessions on other processes hear a leave line for each of them, keep
chatting (the bus is not wedged by a publisher that died), stop seeing
them in /who and in the status figures, and can take their nicknames; the
master respawns the worker and new sessions join the conversation."""
import signal
from mstest import *

CLIENTS = 8
BURST = 300


def chat_round(cs, word):
    """Each of cs says word; each hears all of them (in some order)."""
    for c in cs:
        c.send_line("%s from %s" % (word, c.nick))
    for c in cs:
        got = [c.wait_line(r"lobby (\S+): %s from \1" % word).group(1) for _ in cs]
        check(sorted(got) == sorted(d.nick for d in cs), "%s heard %r" % (c.nick, got))


@each_mpm
def test_chat_kill(mpm):
    if EXTERNAL:
        return SKIP
    s = chat_server(mpm, clients=CLIENTS).start()
    workers = s.kw["workers"]
    cs = chat_sessions(s.port, CLIENTS, "k%d")
    owner = {c.nick: conn_owner(s, c) for c in cs}
    check(all(owner.values()), "every session's process found: %r" % owner)
    victim = owner[cs[0].nick]
    dead = [c for c in cs if owner[c.nick] == victim]
    live = [c for c in cs if owner[c.nick] != victim]
    check(dead and len(live) >= 2, "sessions on the victim %d and elsewhere: %r" % (victim, owner))
    per_proc = wait_until(lambda: (lambda d: d.get(victim) == len(dead) and d)(chat_clients_by_pid(s)),
                          5, "status: %d chat clients on pid %d" % (len(dead), victim))
    # Everybody chats once.
    chat_round(cs, "hello")
    # A session of the victim publishes a burst; the worker dies meanwhile.
    dead[0].send_raw(b"".join(b"burst %d\n" % k for k in range(BURST)))
    os.kill(victim, signal.SIGKILL)
    for c in dead:
        check(c.wait_closed(5), "%s (on the killed worker) closed" % c.nick)
    gone = {c.nick for c in dead}
    for c in live:
        heard, burst = set(), []

        def line_seen(line):
            m = re.fullmatch(r"\* leave lobby (\S+)", line)
            if m:
                check(m.group(1) in gone, "%s: leave of a live session %r" % (c.nick, line))
                heard.add(m.group(1))
            m = re.fullmatch(r"lobby %s: burst (\d+)" % dead[0].nick, line)
            if m:
                check(not (heard >= {dead[0].nick}), "%s: burst after its leave" % c.nick)
                burst.append(int(m.group(1)))
            return heard == gone
        c.read_until(line_seen, 10, "leave lines of %s" % sorted(gone))
        check(burst == list(range(len(burst))),
              "%s: the dead publisher's lines are a gapless prefix: %r" % (c.nick, burst[:20]))
    # The others keep chatting with each other.
    chat_round(live, "after")

    def who_ok():
        room, nicks = live[0].who()
        return room == "lobby" and nicks == sorted(c.nick for c in live)
    wait_until(who_ok, 5, "/who lists only the live sessions")
    wait_until(lambda: chat_figures(s).get("clients") == len(live), 5,
               "status: %d chat clients" % len(live))
    wait_until(lambda: victim not in chat_clients_by_pid(s), 5, "the killed pid leaves status")
    s.wait_log(r"pid %d generation 1 killed by signal 9" % victim)

    def respawned():
        st = s.status()
        ready = [p for p in st["processes"] if p["state"] in SERVING and p["generation"] == 1]
        return victim not in [p["pid"] for p in st["processes"]] and len(ready) >= workers
    wait_until(respawned, 10, "worker respawned")
    # Newcomers (perhaps on the respawned worker) join in; the dead
    # sessions' nicknames are free again.
    new = []
    for d in dead:
        n = ChatClient(s.port)
        n.cmd("/nick %s" % d.nick, r"\* nick lobby %s %s" % (n.nick, d.nick))
        n.nick = d.nick
        new.append(n)
    everyone = live + new
    everyone[-1].send_line("all together")
    for c in everyone:
        c.wait_line(r"lobby %s: all together" % everyone[-1].nick)
    room, nicks = everyone[0].who()
    check(nicks == sorted(c.nick for c in everyone), "/who after respawn: %r" % nicks)
    for c in everyone:
        c.close()
    wait_until(lambda: chat_figures(s).get("clients") == 0, 5, "all sessions gone")
    s.stop()


if __name__ == "__main__":
    main([test_chat_kill])
