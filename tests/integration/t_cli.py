"""The command line: -V lists the MPMs found (with -f, in that file's
mpm.module_dir), -h prints usage, -D stays in
the foreground logging to stderr (and still writes the pid file), and a
relative config path works from any directory."""
import signal
from mstest import *


def test_version_lists_mpms():
    p = run([MSERVERD, "-V"], check_rc=0)
    check(p.stdout.startswith("mserverd "), "version line: %r" % p.stdout)
    for mpm in MPMS:
        check(re.search(r"MPMs: .*\b%s\b" % mpm, p.stdout), "-V lists %s: %r" % (mpm, p.stdout))


def test_version_with_config_module_dir():
    """-V -f: the directory and modules of that file's mpm.module_dir."""
    if EXTERNAL:
        return SKIP
    s = Server(workers=1)
    mods = os.path.join(s.dir, "mods")
    os.mkdir(mods)
    src = os.path.join(os.path.dirname(os.path.abspath(MSERVERD)), "..", "mpm", ".libs",
                       "mpm_event.so")
    shutil.copy(src, mods)
    conf = open(s.conf).read().replace("mpm = {", 'mpm = {\n  module_dir = "%s";' % mods, 1)
    check(conf != open(s.conf).read(), "config has an mpm group")
    with open(s.conf, "w") as f:
        f.write(conf)
    p = run([MSERVERD, "-V", "-f", s.conf], check_rc=0)
    check("module directory: %s\n" % mods in p.stdout, "-V -f shows module_dir: %r" % p.stdout)
    check(re.search(r"^MPMs: event$", p.stdout, re.M), "-V -f lists what is there: %r" % p.stdout)
    p = run([MSERVERD, "-V"], check_rc=0)
    check("module directory: %s\n" % mods not in p.stdout, "-V alone ignores it")
    with open(s.conf, "w") as f:
        f.write(conf + "bogus = 1;\n")
    p = run([MSERVERD, "-V", "-f", s.conf])
    check(p.returncode == 1 and "unknown key 'bogus'" in p.stderr,
          "-V -f with a bad file: exit 1 with the error: %r" % p.stderr)


def test_usage():
    p = run([MSERVERD, "-h"], check_rc=0)
    check("usage: mserverd" in p.stdout, "usage on -h")
    p = run([MSERVERD, "-Z"])
    check(p.returncode == 1 and "usage" in p.stderr, "bad option: exit 1 with usage")


def test_foreground_logs_to_stderr():
    if EXTERNAL:
        return SKIP
    s = Server(workers=1)
    log = open(os.path.join(s.dir, "stderr.log"), "w")
    proc = subprocess.Popen([MSERVERD, "-D", "-f", s.conf], stdout=log, stderr=log)
    s.known_pids.add(proc.pid)
    try:
        wait_until(lambda: os.path.exists(s.pid_file), 10, "pid file")
        s.master = int(open(s.pid_file).read())
        check(s.master == proc.pid, "foreground: the pid file names this process")
        s.wait_ready()
        check(echo_once("127.0.0.1", s.port) == b"hello\n", "serves")
        p = s.ctl("stop")
        check(p.returncode == 0, "mserverctl stop of a foreground server")
        check(proc.wait(10) == 0, "exit 0")
    finally:
        kill_pid(proc.pid)
        proc.wait()
    text = open(os.path.join(s.dir, "stderr.log")).read()
    check("started: generation 1" in text and "stopped" in text, "logged to stderr: %r" % text)
    check(not os.path.exists(s.log_path), "error_log not used with -D")


def test_relative_config_path():
    if EXTERNAL:
        return SKIP
    s = Server(workers=1)
    parent = os.path.dirname(s.dir)
    rel = os.path.join(os.path.basename(s.dir), "mserver.conf")
    p = run([os.path.abspath(MSERVERD), "-f", rel], cwd=parent)
    check(p.returncode == 0, "start with a relative path: %s" % p.stderr)
    s.master = int(open(s.pid_file).read())
    s.known_pids.add(s.master)
    s.wait_ready()
    check(os.path.exists(os.path.join(s.dir, "logs", "error.log")), "log beside the config")
    # A reload after daemonizing (cwd is /) must still find the file.
    check(s.ctl("reload").returncode == 0, "reload after a relative start")
    s.stop()


if __name__ == "__main__":
    main([test_version_lists_mpms, test_version_with_config_module_dir, test_usage,
          test_foreground_logs_to_stderr, test_relative_config_path])
