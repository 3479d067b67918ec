"""A /join from a session that is behind on reading, under every MPM: the
session first gets every line of the room it leaves up to its leave, and
none of the room it joins from before its join. x has a small receive
buffer and reads nothing while y floods the lobby (more than the server
queues per session, fewer than max_lag lines); z says a line in room ra;
then x sends "/join ra" and "/join rb" in one write and reads everything.
"""
from mstest import *

LINES = 4000                     # past what the kernel buffers, under max_lag
PAD = "q" * 1000


@each_mpm
def test_chat_join_lag(mpm):
    s = chat_server(mpm, clients=4).start()
    x = ChatClient(s.port, rcvbuf=8192)
    x.cmd("/nick xx", r"\* nick lobby %s xx" % x.nick)
    z = ChatClient(s.port)
    z.cmd("/join ra", r"\* join ra %s" % z.nick)
    # y's flood (4 MB) is read at the server's pace: on a loaded machine
    # under the sanitizers that can take longer than the usual 10 s.
    y = ChatClient(s.port, timeout=90)
    y.cmd("/nick yy", r"\* nick lobby %s yy" % y.nick)
    z.send_line("early")                   # in ra, before x is there
    z.wait_line(r"ra %s: early" % z.nick)
    rd = ChatReader(y)
    y.send_raw(b"".join(b"%d %s\n" % (i, PAD.encode()) for i in range(LINES)))
    wait_until(lambda: any(l.startswith("lobby yy: %d " % (LINES - 1)) for l in rd.lines[-3:]),
               90, "y read back its %d lines" % LINES)
    x.send_raw(b"/join ra\n/join rb\n")
    x.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
    got = x.read_until(r"\* join rb xx", 30, "x reaching rb")
    lobby = [l for l in got if l.startswith("lobby yy: ")]
    nums = [int(l.split()[2]) for l in lobby]
    check(nums == list(range(LINES)), "x got lobby lines %d..%d of %d, %d in all" %
          (nums[0] if nums else -1, nums[-1] if nums else -1, LINES, len(nums)))
    ja = got.index("* join ra xx")
    check(ja > got.index(lobby[-1]), "the lobby's lines come before x's join to ra")
    check(not any(l.startswith("ra ") for l in got), "x got a line of ra from before its join: %r" %
          [l for l in got if l.startswith("ra ")])
    z.send_line("late")
    z.wait_line(r"ra %s: late" % z.nick)
    x.cmd("/who", r"\* who rb xx")
    check(x.quiet(0.3), "x (in rb) gets nothing of ra")
    rd.stop()
    s.stop()


if __name__ == "__main__":
    main([test_chat_join_lag])
