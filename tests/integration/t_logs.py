"""SIGUSR1 / mserverctl reopen-logs: after the error log is moved away the
master and the workers write to a new file at the configured path."""
import signal
from mstest import *


def test_reopen_logs():
    s = Server(workers=2).start()
    s.wait_log("started: generation 1")
    os.rename(s.log_path, s.log_path + ".1")
    p = s.ctl("reopen-logs")
    check(p.returncode == 0, "reopen-logs: %s" % p.stderr)
    s.wait_log("log files reopened")
    # Each worker reopens its own descriptor and says so in the new file.
    for pid in s.worker_pids():
        s.wait_log(r"worker \d+\[%d\]: error log reopened" % pid)
    victim = s.worker_pids()[0]
    os.kill(victim, signal.SIGKILL)
    s.wait_log(r"pid %d generation 1 killed by signal 9" % victim)
    old = open(s.log_path + ".1").read()
    check("log files reopened" not in old, "old file no longer written")
    s.stop()


if __name__ == "__main__":
    main([test_reopen_logs])
