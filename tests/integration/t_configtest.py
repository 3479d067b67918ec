"""mserverd -t: `configuration OK` and exit 0 for a good file; FILE:LINE:
message and exit 1 for each kind of bad one; a port in use at start is an
error naming the address."""
from mstest import *

BAD = [
    ("syntax", 'daemon = true;\nmpm = = { };\n', r":2: syntax error"),
    ("unknown key", 'daemon = true;\n\nfoo = 1;\n', r":3: unknown key 'foo'"),
    ("type", 'daemon = "yes";\n', r":1: 'daemon' must be a boolean"),
    ("range", 'mpm = {\n  workers = 0;\n};\n', r":2: 'workers' = 0 is out of range"),
    ("port range", 'listen = ( { address = "127.0.0.1"; port = 70000; protocol = "echo"; } );\n',
     r":1: 'port' = 70000 is out of range"),
    ("protocol", 'listen = ( { address = "127.0.0.1"; port = 7; protocol = "gopher"; } );\n',
     r":1: unknown protocol 'gopher'"),
    ("duplicate", 'listen = (\n { address = "127.0.0.1"; port = 9; protocol = "echo"; },\n'
     ' { address = "127.0.0.1"; port = 9; protocol = "echo"; }\n);\n',
     r":3: duplicate listener 127\.0\.0\.1:9 \(first at line 2\)"),
    ("spares", 'mpm = { min_spare = 9;\n max_spare = 3; };\n', r":1: mpm\.min_spare \(9\) is greater"),
    ("module", 'mpm = {\n module = "nosuch"; };\nlisten = ( { address = "127.0.0.1"; port = 9; protocol = "echo"; } );\n',
     r":2: cannot load MPM 'nosuch'"),
    ("no listen", 'daemon = true;\n', r":0: no 'listen' entry"),
]


def test_good_config():
    s = Server()
    p = run([MSERVERD, "-t", "-f", s.conf])
    check(p.returncode == 0, "exit 0: %s" % p.stderr)
    check("configuration OK" in p.stdout, "says configuration OK: %r" % p.stdout)


def test_shipped_config():
    conf = os.path.join(os.environ.get("MSERVER_SRCDIR", "../.."), "conf", "mserver.conf")
    p = run([MSERVERD, "-t", "-f", conf])
    check(p.returncode == 0 and "configuration OK" in p.stdout, "conf/mserver.conf: %s" % p.stderr)


def test_bad_configs():
    d = tempfile.mkdtemp(prefix="mstest-")
    try:
        for name, text, pattern in BAD:
            path = os.path.join(d, "bad.conf")
            with open(path, "w") as f:
                f.write(text)
            p = run([MSERVERD, "-t", "-f", path])
            check(p.returncode == 1, "%s: exit %d" % (name, p.returncode))
            check(re.search(re.escape(path) + pattern, p.stderr),
                  "%s: %r does not match %r" % (name, p.stderr, pattern))
        p = run([MSERVERD, "-t", "-f", os.path.join(d, "missing.conf")])
        check(p.returncode == 1 and "missing.conf:0: cannot read config file" in p.stderr,
              "missing file: %r" % p.stderr)
    finally:
        shutil.rmtree(d)


def test_port_in_use_at_start():
    if EXTERNAL:
        return SKIP
    blocker = socket.socket()
    blocker.bind(("127.0.0.1", 0))
    blocker.listen(1)
    s = Server(port=blocker.getsockname()[1], listen=None)
    p = run([MSERVERD, "-f", s.conf])
    check(p.returncode == 1, "start on a busy port fails")
    check("cannot listen on 127.0.0.1:%d: Address already in use" % s.port in p.stderr,
          "names the address: %r" % p.stderr)
    check(not os.path.exists(s.pid_file), "no pid file left")
    blocker.close()


if __name__ == "__main__":
    main([test_good_config, test_shipped_config, test_bad_configs, test_port_in_use_at_start])
