#!/usr/bin/env python3
"""t_sizes: no source file under src/ or mpm/ is over 900 lines and no
function over 60 (STYLE.md: small functions on hot paths; a file that
outgrows this holds more than one concept). A function is counted from
its name's line (the style puts it at column 0 after the return type)
through its closing brace at column 0."""
import os
import re
import sys

MAX_FILE = 900
MAX_FUNC = 60
NAME = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*)\(")


def functions(lines):
    """(name, first line, length) of every function definition."""
    i = 0
    while i < len(lines):
        m = NAME.match(lines[i])
        if m is None:
            i += 1
            continue
        j = i
        while j < len(lines) and not lines[j].startswith(("{", ";")) and not lines[j].rstrip().endswith(";"):
            j += 1
        if j >= len(lines) or not lines[j].startswith("{"):
            i = j + 1
            continue
        k = j + 1
        while k < len(lines) and not lines[k].startswith("}"):
            k += 1
        yield m.group(1), i + 1, k - i + 1
        i = k + 1


def main():
    top = os.environ.get("MSERVER_SRCDIR") or os.path.join(os.path.dirname(__file__), "..", "..")
    bad, nfunc, longest = [], 0, (0, "")
    for d in ("src", "mpm"):
        for root, _, files in os.walk(os.path.join(top, d)):
            for f in sorted(files):
                if not f.endswith((".c", ".h")):
                    continue
                path = os.path.join(root, f)
                with open(path) as fp:
                    lines = fp.read().split("\n")
                rel = os.path.relpath(path, top)
                if len(lines) - 1 > MAX_FILE:
                    bad.append(f"{rel}: {len(lines) - 1} lines (at most {MAX_FILE})")
                for name, line, n in functions(lines):
                    nfunc += 1
                    longest = max(longest, (n, f"{rel}:{line} {name}"))
                    if n > MAX_FUNC:
                        bad.append(f"{rel}:{line}: {name}() is {n} lines (at most {MAX_FUNC})")
    print(f"{nfunc} functions; the longest: {longest[1]}, {longest[0]} lines")
    for b in bad:
        print(b)
    print(f"{0 if bad else 1} passed, {1 if bad else 0} failed")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
