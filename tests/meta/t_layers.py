#!/usr/bin/env python3
"""t_layers: the folders of src/ and mpm/ include one another in one
direction only (README, "Source tree"):

    core  ->  conn  ->  http, chat, echo, mpm  ->  daemon, ctl

A file may include its own folder and the folders to its left, never one
to its right or a sibling protocol. Lists every folder's includes and
fails on each that climbs, naming file and line."""
import os
import re
import sys

ALLOWED = {
    "core": {"core"},
    "conn": {"core", "conn"},
    "http": {"core", "conn", "http"},
    "chat": {"core", "conn", "chat"},
    "echo": {"core", "conn", "echo"},
    "mpm": {"core", "conn", "mpm"},
    "ctl": {"core", "ctl"},
    "daemon": {"core", "conn", "http", "chat", "echo", "daemon"},
}
INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"')


def folders(top):
    for name in sorted(ALLOWED):
        path = os.path.join(top, "mpm" if name == "mpm" else os.path.join("src", name))
        yield name, path


def main():
    top = os.environ.get("MSERVER_SRCDIR") or os.path.join(os.path.dirname(__file__), "..", "..")
    bad, seen = [], {}
    for name, path in folders(top):
        if not os.path.isdir(path):
            bad.append(f"{path}: missing folder")
            continue
        for f in sorted(os.listdir(path)):
            if not f.endswith((".c", ".h")):
                continue
            with open(os.path.join(path, f)) as fp:
                for n, line in enumerate(fp, 1):
                    m = INCLUDE.match(line)
                    if m is None or m.group(1) == "config.h":
                        continue
                    inc = m.group(1)
                    dep = inc.split("/")[0] if "/" in inc else None
                    seen.setdefault(name, set()).add(dep or inc)
                    if dep not in ALLOWED[name]:
                        bad.append(f"{path}/{f}:{n}: {name}/ includes \"{inc}\"")
    for name in sorted(seen):
        print(f"{name}/ includes: {', '.join(sorted(seen[name]))}")
    for b in bad:
        print(b)
    print(f"{0 if bad else 1} passed, {1 if bad else 0} failed")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
