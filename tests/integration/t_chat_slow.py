"""A chat session that stops reading is dropped as slow, under every MPM:
with max_lag = 100, a session with a tiny receive buffer that reads
nothing while another floods the room with long lines is let go by the
server within a bounded time and then closed (it may or may not get
"* error too slow" first: its buffers are full); status counts it as
dropped, and the sessions that do read get every message, in order, and
the dropped session's leave line."""
from mstest import *

MAX_LAG = 100
BATCH = 50                       # lines; readers are never further behind
PAD = "p" * 4000                 # under max_line (4096) with the number
# The kernel may hold a few MB for the slow reader (the server's send
# buffer grows by autotuning however small the client's window): allow
# 32 MB before calling the server wrong.
MAX_BATCHES = (32 << 20) // (BATCH * len(PAD))


@each_mpm
def test_chat_slow(mpm):
    s = chat_server(mpm, chat=dict(max_lag=MAX_LAG), clients=4).start()
    slow = ChatClient(s.port, rcvbuf=4096)
    slow.cmd("/nick slowpoke", r"\* nick lobby %s slowpoke" % slow.nick)
    flood = ChatClient(s.port)
    flood.cmd("/nick flooder", r"\* nick lobby %s flooder" % flood.nick)
    readers = chat_sessions(s.port, 2, "reader%d")
    flood.wait_line(r"\* nick lobby \S+ reader1")
    # From here slowpoke reads nothing; the others read in threads.
    bg = {c.nick: ChatReader(c) for c in [flood] + readers}
    figures = chat_figures(s)
    check(figures.get("dropped") == 0, "nobody dropped yet: %r" % figures)
    sent = 0
    msg = r"lobby flooder: (\d+) " + PAD

    def caught_up():
        last = "lobby flooder: %d " % (sent - 1)
        return all(any(l.startswith(last) for l in rd.lines[-3:]) for rd in bg.values())
    for batch in range(MAX_BATCHES):
        flood.send_raw(b"".join(b"%d %s\n" % (sent + k, PAD.encode()) for k in range(BATCH)))
        sent += BATCH
        wait_until(caught_up, 10, "readers caught up with line %d" % (sent - 1))
        for nick, rd in bg.items():
            check(not rd.closed, "%s (a reading session) was closed after %d lines" % (nick, sent))
        if batch % 4 == 3 and chat_figures(s).get("dropped", 0) >= 1:
            break
    else:
        raise Fail("slow session not dropped after %d lines of %d bytes (max_lag %d): %r" %
                   (sent, len(PAD) + 8, MAX_LAG, chat_figures(s)))
    for nick, rd in bg.items():
        check(not rd.closed, "%s (a reading session) was closed; log: %s" %
              (nick, re.findall(r".*dropped.*", s.log())))
    # The server lets go of the connection; what its kernel still holds for
    # the client then trickles through the small window. Open the window
    # (up to 64 KB: no window scaling was agreed) and read to the end.
    wait_until(lambda: conn_owner(s, slow) is None, 10,
               "no worker holds the slow session's connection")
    slow.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
    check(slow.wait_closed(30), "slow session's connection closed (%d bytes read)" % len(slow.buf))
    tail = slow.buf.split(b"\n")
    check(all(re.fullmatch(rb"(lobby \S+: .*|\* (join|leave|nick) .*|\* error too slow)", l)
              for l in tail[:-1]), "slow session got only room lines and the error: %r" %
          [l[:80] for l in tail if not l.startswith(b"lobby flooder")][:5])
    # Two more batches after the drop reach every reader.
    for _ in range(2):
        flood.send_raw(b"".join(b"%d %s\n" % (sent + k, PAD.encode()) for k in range(BATCH)))
        sent += BATCH
        wait_until(caught_up, 10, "readers caught up with line %d" % (sent - 1))
    for nick, rd in bg.items():
        wait_until(lambda: rd.count(r"\* leave lobby slowpoke"), 5, "%s sees slowpoke leave" % nick)
    for nick, rd in bg.items():
        lines = rd.stop()
        got = [int(m.group(1)) for m in (re.fullmatch(msg, l) for l in lines) if m]
        check(got == list(range(sent)), "%s: %d of %d messages, in order: %s" %
              (nick, len(got), sent, "yes" if got == sorted(got) else "no"))
        other = [l for l in lines if not re.fullmatch(msg, l)]
        check(other == ["* leave lobby slowpoke"], "%s: other lines %r" % (nick, other[:5]))
        check(not rd.closed, "%s still connected" % nick)
    figures = wait_until(lambda: (lambda f: f.get("clients") == 3 and f)(chat_figures(s)), 5,
                         "status: 3 chat clients left")
    check(figures["dropped"] >= 1, "status dropped: %r" % figures)
    for c in [flood] + readers:
        c.cmd("/who", r"\* who lobby flooder reader0 reader1")
    s.stop()


if __name__ == "__main__":
    main([test_chat_slow])
