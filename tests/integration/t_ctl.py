"""mserverctl as an operator types it (apachectl's words too): an unknown
command is named; `configtest` is `mserverd -t`; `graceful` is `reload`;
`stop` and `graceful-stop` of a server that is not running say "not
running" and exit 0 (LSB), the other commands exit 3; a stale pid file
that names a live process of another program is never signalled, and
mserverd starts over it."""
import signal
from mstest import *


def test_unknown_command():
    s = Server(workers=1)
    p = s.ctl("bogus")
    check(p.returncode == 2, "unknown command: exit %d, want 2" % p.returncode)
    check("mserverctl: unknown command 'bogus'" in p.stderr, "named: %r" % p.stderr)
    check("usage: mserverctl" in p.stderr, "with the usage: %r" % p.stderr)


def test_configtest():
    if EXTERNAL:
        return SKIP
    s = Server(workers=1)
    p = s.ctl("configtest")
    check(p.returncode == 0, "configtest: exit %d: %r" % (p.returncode, p.stderr))
    check(p.stdout == "%s: configuration OK\n" % s.conf, "configtest output: %r" % p.stdout)
    with open(s.conf, "a") as f:
        f.write("\nbogus = 1;\n")
    line = len(open(s.conf).read().splitlines())
    p = s.ctl("configtest")
    check(p.returncode == 1, "configtest of a bad file: exit %d" % p.returncode)
    check(p.stderr.strip() == "%s:%d: unknown key 'bogus'" % (s.conf, line),
          "FILE:LINE: message: %r" % p.stderr)
    # The MPM module is loaded too, as mserverd -t does.
    s.write_conf(mpm="nosuchmpm")
    p = s.ctl("configtest")
    check(p.returncode == 1 and "nosuchmpm" in p.stderr, "a missing MPM fails: %r" % p.stderr)


def test_graceful_is_reload():
    s = Server(workers=1).start()
    p = s.ctl("graceful")
    check(p.returncode == 0, "graceful: exit %d: %r" % (p.returncode, p.stderr))
    check(re.match(r"reloaded: generation \d+, mpm prefork", p.stdout), "verdict: %r" % p.stdout)
    s.stop()


def test_not_running():
    if EXTERNAL:
        return SKIP
    s = Server(workers=1)
    for cmd in ("stop", "graceful-stop"):
        p = s.ctl(cmd)
        check(p.returncode == 0 and p.stdout == "not running\n",
              "%s when stopped: exit %d, %r" % (cmd, p.returncode, p.stdout))
    for cmd in ("status", "reload", "reopen-logs"):
        p = s.ctl(cmd)
        check(p.returncode == 3, "%s when stopped: exit %d, want 3" % (cmd, p.returncode))


def test_stale_pid_file_of_another_program():
    if EXTERNAL:
        return SKIP
    s = Server(workers=1)
    other = subprocess.Popen(["sleep", "60"])
    try:
        os.makedirs(os.path.dirname(s.pid_file), exist_ok=True)
        with open(s.pid_file, "w") as f:
            f.write("%d\n" % other.pid)
        for cmd in ("stop", "graceful-stop"):
            p = s.ctl(cmd)
            check(p.returncode == 0 and p.stdout == "not running\n",
                  "%s: exit %d, %r %r" % (cmd, p.returncode, p.stdout, p.stderr))
            check("pid %d is another program" % other.pid in p.stderr, "says why: %r" % p.stderr)
        for cmd in ("reopen-logs", "reload", "status"):
            check(s.ctl(cmd).returncode == 3, "%s over a stale pid file: exit 3" % cmd)
        check(other.poll() is None, "the other program was not signalled")
        # mserverd replaces the stale file instead of refusing to start.
        s.start()
        check(s.master != other.pid, "a new master")
        check(int(open(s.pid_file).read()) == s.master, "the pid file names it")
        p = s.ctl("stop")
        check(p.returncode == 0 and p.stdout == "stopped\n", "stop: %r" % p.stdout)
        check(other.poll() is None, "the other program still runs")
    finally:
        other.kill()
        other.wait()


if __name__ == "__main__":
    main([test_unknown_command, test_configtest, test_graceful_is_reload, test_not_running,
          test_stale_pid_file_of_another_program])
