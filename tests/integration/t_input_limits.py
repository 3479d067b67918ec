"""Input at the largest limits the configuration accepts, under every MPM
(a connection buffers at most 256 KiB of input, and a line or request head
at the limits must fit it whole): a chat line of exactly chat.max_line =
131072 bytes reaches the room, longer ones (also past 256 KiB) get
'* error line too long' and the session stays usable; an HTTP request line
just under max_request_line = 65536 (a long query) and header fields just
under max_header_size = 131072, together, are answered, and just over either
gets 414 / 431 instead of a reset or a stall."""
from mstest import *

CHAT_MAX = 131072
LINE_MAX, HEAD_MAX = 65536, 131072


def chat_under(mpm):
    s = chat_server(mpm, chat=dict(max_line=CHAT_MAX), clients=2).start()
    a = ChatClient(s.port)
    b = ChatClient(s.port)
    a.wait_line(r"\* join lobby %s" % re.escape(b.nick))
    text = "x" * CHAT_MAX
    a.send_line(text)
    got = b.wait_line(r"lobby %s: (x*)" % re.escape(a.nick), 20).group(1)
    check(got == text, "a line of max_line bytes arrives whole: %d bytes" % len(got))
    for n in (CHAT_MAX + 1, 300000):
        a.send_line("y" * n)
        a.wait_line(r"\* error line too long", 20)
        a.send_line("after %d" % n)
        b.wait_line(r"lobby %s: after %d" % (re.escape(a.nick), n), 20)
    a.close()
    b.close()
    s.stop()


def http_under(mpm):
    s = http_server(mpm, http=dict(max_request_line=LINE_MAX, max_header_size=HEAD_MAX)).start()
    target = "/index.html?" + "q" * (LINE_MAX - 200)    # paths stop at PATH_MAX
    fill = [("X-Fill-%d" % i, "v" * 8000) for i in range(HEAD_MAX // 8100)]
    with HttpClient("127.0.0.1", s.port, timeout=20) as c:
        r = c.exchange("GET", target, headers=fill)
        check(r.status == 200, "a head at the limits is answered: %r" % r)
        r = c.exchange("GET", "/index.html", headers=fill)
        check(r.status == 200, "and the next request on the connection: %r" % r)
    with HttpClient("127.0.0.1", s.port, timeout=20) as c:
        r = c.exchange("GET", "/index.html?" + "q" * (LINE_MAX + 100))
        check(r.status == 414, "a longer request line: %r" % r)
    with HttpClient("127.0.0.1", s.port, timeout=20) as c:
        r = c.exchange("GET", "/", headers=fill + [("X-More", "m" * 4000)])
        check(r.status == 431, "longer header fields: %r" % r)
    s.stop()


@each_mpm
def test_chat_limits(mpm):
    chat_under(mpm)


@each_mpm
def test_http_limits(mpm):
    http_under(mpm)


if __name__ == "__main__":
    main([test_chat_limits, test_http_limits])
