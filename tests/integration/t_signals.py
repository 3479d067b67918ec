"""Signals the master does not act on must not kill it: SIGUSR2 (nginx's
binary upgrade) is logged and ignored, and the server keeps serving."""
import signal
from mstest import *


def test_sigusr2_ignored():
    s = Server(workers=1).start()
    s.signal(signal.SIGUSR2)
    s.wait_log("SIGUSR2 ignored")
    check(pid_alive(s.master), "master alive")
    check(echo_once("127.0.0.1", s.port) == b"hello\n", "still serving")
    s.stop()


if __name__ == "__main__":
    main([test_sigusr2_ignored])
