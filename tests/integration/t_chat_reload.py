"""Chat sessions survive a reload, under every MPM: after SIGHUP the
sessions of the old generation (still served by its draining processes)
keep chatting with each other and with sessions that connect to the new
generation, in one room and one order; the old processes exit once their
last session leaves. A reload that switches the MPM keeps them too."""
import signal
from mstest import *


def served_by_generation(s, cs, gen):
    """Every session in cs is served by a process of generation gen."""
    gens = {p["pid"]: p["generation"] for p in s.status()["processes"]}
    where = {c.nick: gens.get(conn_owner(s, c)) for c in cs}
    check(all(g == gen for g in where.values()),
          "sessions' generations, want %d: %r" % (gen, where))


def wait_generation(s, gen, workers):
    def ready():
        st = s.status()
        procs = [p for p in st["processes"] if p["generation"] == gen and p["state"] in SERVING]
        return st["generation"] == gen and len(procs) >= workers
    wait_until(ready, 15, "generation %d ready" % gen)


def all_hear(cs, speaker, text):
    speaker.send_line(text)
    for c in cs:
        c.wait_line(r"lobby %s: %s" % (re.escape(speaker.nick), re.escape(text)))


def same_order(cs, word):
    """Each says word at once; each hears all, in the same order."""
    for c in cs:
        c.send_line("%s from %s" % (word, c.nick))
    seqs = [[c.wait_line(r"lobby (\S+): %s from \1" % word).group(1) for _ in cs] for c in cs]
    check(sorted(seqs[0]) == sorted(c.nick for c in cs), "all heard: %r" % seqs[0])
    check(all(q == seqs[0] for q in seqs), "one order for all: %r" % seqs)


def join_new(s, cs, name):
    """A new session named name; every one of cs sees it arrive."""
    n = ChatClient(s.port)
    old = n.nick
    n.cmd("/nick %s" % name, r"\* nick lobby %s %s" % (old, name))
    n.nick = name
    for c in cs:
        c.wait_line(r"\* join lobby %s" % old)
        c.wait_line(r"\* nick lobby %s %s" % (old, name))
    return n


@each_mpm
def test_chat_reload(mpm):
    if EXTERNAL:
        return SKIP
    s = chat_server(mpm, clients=6, graceful_timeout=120).start()
    workers = s.kw["workers"]
    old = chat_sessions(s.port, 3, "old%d")
    served_by_generation(s, old, 1)
    s.signal(signal.SIGHUP)
    wait_generation(s, 2, workers)
    all_hear(old, old[0], "still here after the reload")
    same_order(old, "old")
    new = []
    for i in range(2):
        new.append(join_new(s, old + new, "new%d" % i))
    served_by_generation(s, new, 2)
    served_by_generation(s, old, 1)
    everyone = old + new
    same_order(everyone, "mixed")
    room, nicks = new[0].who()
    check(nicks == sorted(c.nick for c in everyone), "/who across generations: %r" % nicks)
    room, nicks = old[1].who()
    check(nicks == sorted(c.nick for c in everyone), "/who from the old generation: %r" % nicks)
    new[1].cmd("/nick old0", r"\* error nick taken")
    figures = wait_until(lambda: (lambda f: f.get("clients") == 5 and f)(chat_figures(s)), 5,
                         "status: 5 chat clients")
    # The old sessions leave one by one; the rest hear it and keep going.
    for i, c in enumerate(old):
        c.send_line("/quit")
        c.wait_line(r"\* bye")
        check(c.wait_closed(5), "%s closed after /quit" % c.nick)
        rest = old[i + 1:] + new
        for r in rest:
            r.wait_line(r"\* leave lobby %s" % c.nick)
        same_order(rest, "after%d" % i)
    wait_until(lambda: all(p["generation"] == 2 for p in s.status()["processes"]), 15,
               "generation 1 exits once its last session left")
    check("did not finish within graceful_timeout" not in s.log(), "no drain timed out")
    new[0].cmd("/who", r"\* who lobby new0 new1")
    for c in new:
        c.close()
    s.stop()


def test_chat_reload_switches_mpm():
    """prefork -> event -> worker, a session joining under each; every
    session chats with every other until the end."""
    if EXTERNAL:
        return SKIP
    s = chat_server("prefork", clients=6, graceful_timeout=120).start()
    cs = chat_sessions(s.port, 2, "pre%d")
    gen = 1
    for mpm in ("event", "worker"):
        kw = dict(s.kw)
        kw.update(chat_mpm(mpm, 6))
        kw["mpm"] = mpm
        s.write_conf(**kw)
        p = s.ctl("reload")
        gen += 1
        check(p.returncode == 0, "reload to %s: %s" % (mpm, p.stderr))
        check("generation %d, mpm %s" % (gen, mpm) in p.stdout, p.stdout)
        wait_generation(s, gen, kw["workers"])
        same_order(cs, "after-%s" % mpm)
        cs.append(join_new(s, cs, "%s0" % mpm[:3]))
        served_by_generation(s, cs[-1:], gen)
        same_order(cs, "with-%s" % mpm)
    st = s.status()
    mpms = {p["generation"]: p["mpm"] for p in st["processes"]}
    check(mpms.get(1) == "prefork" and mpms.get(2) == "event" and mpms.get(3) == "worker",
          "three generations serve at once: %r" % mpms)
    room, nicks = cs[0].who()
    check(nicks == sorted(c.nick for c in cs), "/who: %r" % nicks)
    for c in cs:
        c.send_line("/quit")
        c.wait_line(r"\* bye")
        check(c.wait_closed(5), "%s closed" % c.nick)
    wait_until(lambda: all(p["mpm"] == "worker" for p in s.status()["processes"]), 15,
               "older generations exit with their sessions")
    s.stop()


if __name__ == "__main__":
    main([test_chat_reload,
          test_chat_reload_switches_mpm])
