"""Chat protocol under every MPM, one or two sessions at a time: the
greeting and lobby join, messages (to the sender too), /nick, /join with
its leave and join lines, /who, /rooms, errors that keep the connection
usable (unknown command, usage, invalid names and text, a line over
max_line even when it arrives in pieces), CRLF, empty lines, /quit; and
the hard limits max_clients ("server full", then closed) and max_rooms."""
from mstest import *

MAX_LINE = 64


@each_mpm
def test_chat_session(mpm):
    s = chat_server(mpm, chat=dict(max_line=MAX_LINE)).start()
    c = ChatClient(s.port)
    check(re.fullmatch(r"guest\d+", c.nick), "guest nickname %r" % c.nick)
    n = re.escape(c.nick)
    c.cmd("hello, world", r"lobby %s: hello, world" % n)
    # Empty lines (LF and CRLF) produce nothing: the next line is /who's.
    c.send_raw(b"\n\r\n")
    c.cmd("/who", r"\* who lobby %s" % n)
    c.send_raw(b"crlf line\r\n")
    c.expect(r"lobby %s: crlf line" % n)
    c.send_raw(b"/who\r\n")
    c.expect(r"\* who lobby %s" % n)
    c.cmd("tab\tand \u00e9t\u00e9 \u2603 \U0001f600", r"lobby %s: tab\tand \u00e9t\u00e9 \u2603 \U0001f600" % n)
    # Text that is not UTF-8, or has control characters: refused, still usable.
    for bad in (b"\xff\xfe", b"caf\xc3", b"\xc3\x28", b"\xc0\xaf overlong",
                b"\xed\xa0\x80 surrogate", b"\xf4\x90\x80\x80 past U+10FFFF",
                b"bell\x07", b"nul\x00byte", b"esc\x1b[31m", b"del\x7f",
                b"csi\xc2\x9b2J", b"nel\xc2\x85* fake"):
        c.send_raw(bad + b"\n")
        line = c.read_line(what="reply to %r" % bad)
        check(line == "* error invalid text", "%r: got %r, want '* error invalid text'" % (bad, line))
    c.cmd("still usable", r"lobby %s: still usable" % n)
    # Commands.
    c.cmd("/foo bar", r"\* error unknown command /foo")
    c.send_raw(b"/x\x1b[2J\n")
    line = c.read_line(what="reply to an unknown command with a control")
    check(line == "* error unknown command", "not echoed: %r" % line)
    c.cmd("/nick", r"\* error usage: /nick NAME")
    c.cmd("/nick   ", r"\* error usage: /nick NAME")
    c.cmd("/nick bad!name", r"\* error invalid nick")
    c.cmd("/nick caf\u00e9", r"\* error invalid nick")
    c.cmd("/nick " + "a" * 33, r"\* error invalid nick")
    c.cmd("/nick " + "a" * 32, r"\* nick lobby %s %s" % (n, "a" * 32))
    c.cmd("/nick alice", r"\* nick lobby %s alice" % ("a" * 32))
    c.cmd("/nick alice", r"\* error already alice")
    c.cmd("hi", r"lobby alice: hi")
    # A second session: both see its join; nicknames are case-insensitive.
    d = ChatClient(s.port)
    check(d.nick != c.nick and d.nick != "alice", "a fresh guest nickname: %r" % d.nick)
    c.expect(r"\* join lobby %s" % re.escape(d.nick))
    d.cmd("/nick ALICE", r"\* error nick taken")
    d.cmd("/nick Alice", r"\* error nick taken")
    d.cmd("/nick Bob", r"\* nick lobby %s Bob" % re.escape(d.nick))
    c.expect(r"\* nick lobby %s Bob" % re.escape(d.nick))
    d.cmd("/who", r"\* who lobby Bob alice")     # byte order: 'B' < 'a'
    c.cmd("/who", r"\* who lobby Bob alice")
    d.cmd("from bob", r"lobby Bob: from bob")
    c.expect(r"lobby Bob: from bob")
    # Rooms.
    c.cmd("/join", r"\* error usage: /join ROOM")
    c.cmd("/join no.dots", r"\* error invalid room")
    c.cmd("/join " + "r" * 33, r"\* error invalid room")
    c.cmd("/join lobby", r"\* error already in lobby")
    c.send_line("/join room1")
    got = c.read_until(r"\* join room1 alice")
    check(got[:-1] in ([], ["* leave lobby alice"]),
          "joiner sees only its leave and join lines: %r" % got)
    d.expect(r"\* leave lobby alice")
    c.cmd("/who", r"\* who room1 alice")
    d.cmd("/who", r"\* who lobby Bob")
    d.cmd("/rooms", r"\* rooms lobby:1 room1:1")
    d.cmd("lobby only", r"lobby Bob: lobby only")
    c.cmd("room only", r"room1 alice: room only")
    d.send_line("/join room1")
    got = d.read_until(r"\* join room1 Bob")
    check(got[:-1] in ([], ["* leave lobby Bob"]), "joiner's lines: %r" % got)
    c.expect(r"\* join room1 Bob")                  # not "lobby only"
    c.cmd("/rooms", r"\* rooms room1:2")            # the empty lobby is gone
    c.cmd("/who", r"\* who room1 Bob alice")
    c.cmd("/nick alice2", r"\* nick room1 alice alice2")
    d.expect(r"\* nick room1 alice alice2")
    # Lines over max_line: an error, the rest of the line discarded (even
    # what looks like a command), the connection usable.
    c.cmd("x" * (MAX_LINE + 1), r"\* error line too long")
    c.send_raw(b"y" * MAX_LINE + b"\r\n")          # CR not counted
    c.expect(r"room1 alice2: " + "y" * MAX_LINE)
    d.expect(r"room1 alice2: " + "y" * MAX_LINE)
    c.send_raw(b"z" * 40)
    check(c.quiet(0.2), "no reply to a partial line under max_line")
    c.send_raw(b"z" * 40)
    c.send_raw(b"z" * 40 + b" /quit ")
    c.send_raw(b"z" * 40 + b"\n" + b"after\n")
    c.expect(r"\* error line too long")
    c.expect(r"room1 alice2: after")
    c.cmd("x" * 1000 + " /nick evil", r"\* error line too long")
    c.cmd("/who", r"\* who room1 Bob alice2")
    d.expect(r"room1 alice2: after")               # nothing of the long lines
    # /quit: "* bye", then closed; the room hears the leave.
    c.cmd("/quit", r"\* bye")
    check(c.wait_closed(5), "closed after * bye")
    d.expect(r"\* leave room1 alice2")
    d.cmd("/who", r"\* who room1 Bob")
    # A disconnect without /quit: the session goes, its nickname is free.
    d.close()
    e = ChatClient(s.port)

    def bob_gone():
        e.send_line("/nick Bob")
        line = e.read_line()
        check(line in ("* error nick taken", "* nick lobby %s Bob" % e.nick), line)
        return line != "* error nick taken"
    wait_until(bob_gone, 5, "Bob's nickname freed after disconnect", interval=0.05)
    e.cmd("/rooms", r"\* rooms lobby:1")
    e.close()
    s.stop()


@each_mpm
def test_chat_limits(mpm):
    s = chat_server(mpm, chat=dict(max_clients=3, max_rooms=2), clients=5).start()
    a, b, c = chat_sessions(s.port, 3, "m%d")
    full = ChatClient(s.port, greet=False)
    full.expect(r"\* error server full")
    check(full.wait_closed(5), "closed after * error server full")
    a.send_line("/join r1")
    a.wait_line(r"\* join r1 m0")
    for x in (b, c):
        x.wait_line(r"\* leave lobby m0")
    b.cmd("/join r2", r"\* error too many rooms")
    b.cmd("/who", r"\* who lobby m1 m2")
    b.send_line("/join r1")
    b.wait_line(r"\* join r1 m1")
    a.wait_line(r"\* join r1 m1")
    c.wait_line(r"\* leave lobby m1")
    c.cmd("/rooms", r"\* rooms lobby:1 r1:2")
    b.cmd("/quit", r"\* bye")
    check(b.wait_closed(5), "closed after /quit")
    a.wait_line(r"\* leave r1 m1")

    def admitted():
        d = ChatClient(s.port, greet=False)
        line = d.read_line()
        if line == "* error server full":
            d.close()
            return None
        check(re.fullmatch(r"\* welcome \S+", line), "greeting %r" % line)
        return d
    d = wait_until(admitted, 5, "a slot free after /quit", interval=0.05)
    d.expect(r"\* join lobby \S+")
    d.cmd("/rooms", r"\* rooms lobby:2 r1:1")
    # a is r1's only member: moving to a new room leaves two rooms, which
    # max_rooms = 2 allows.
    a.send_line("/join r2")
    line = a.wait_line(r"\* join r2 m0|\* error .*").group(0)
    check(line == "* join r2 m0",
          "the only member of a room moves to a new room at max_rooms: %r" % line)
    d.cmd("/rooms", r"\* rooms lobby:2 r2:1")
    for x in (a, c, d):
        x.close()
    s.stop()


if __name__ == "__main__":
    main([test_chat_session,
          test_chat_limits])
