#!/usr/bin/env python3
"""Rewrites the file lists in meson.build (library sources, programs, tests) from the tree, since
meson cannot glob. Run it after adding or removing a source, program or test file;
scripts/check-meson.sh (run by CI) fails when the lists are out of date.

Mirrors the Makefile: the library is src/*.cpp and src/*/*.cpp but the poller backends (meson
picks one by what the system has); each folder under tools/ or examples/ is one program; a
test tests/test_<tool>_*.cpp also links tools/<tool>/*.cpp but main.cpp."""
import glob
import os
import re

os.chdir(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
s = open("meson.build").read()


def is_backend(path):
    return os.path.basename(path).startswith("poller_") and path.startswith("src/reactor/")


def replace(pattern, text):
    global s
    s, n = re.subn(pattern, lambda _: text, s, flags=re.S)
    if n != 1:
        raise SystemExit(f"sync-meson: meson.build has no block matching {pattern!r}")


srcs = sorted(f for f in glob.glob("src/*.cpp") + glob.glob("src/*/*.cpp")
              if not is_backend(f) and not f.startswith("src/tls/"))
replace(r"corio_srcs = files\(.*?\n\)",
        "corio_srcs = files(\n" + "".join(f"  '{f}',\n" for f in srcs) + ")")
# src/tls/ is built with OpenSSL; src/tls/none.cpp stands in for it when TLS is left out.
tls = sorted(f for f in glob.glob("src/tls/*.cpp") if f != "src/tls/none.cpp")
replace(r"tls_srcs = files\(.*?\n\)",
        "tls_srcs = files(\n" + "".join(f"  '{f}',\n" for f in tls) + ")")

programs = {os.path.basename(d.rstrip("/")): sorted(glob.glob(d + "*.cpp"))
            for d in sorted(glob.glob("tools/*/") + glob.glob("examples/*/"))}
programs = {n: fs for n, fs in programs.items() if fs}
replace(r"program_srcs = \{.*?\n\}", "program_srcs = {\n" + "".join(
    f"  '{n}': files(\n" + "".join(f"    '{f}',\n" for f in fs) + "  ),\n"
    for n, fs in programs.items()) + "}")

tests = sorted(os.path.basename(f)[:-4] for f in glob.glob("tests/test_*.cpp"))
replace(r"  test_names = \[.*?\n  \]",
        "  test_names = [\n" + "".join(f"    '{t}',\n" for t in tests) + "  ]")

# Tool parts a test links: test_<tool>_*.cpp with tools/<tool>/main.cpp present.
tool_parts = {}
for t in tests:
    parts = t.split("_")
    tool = parts[1] if len(parts) > 2 else None
    if tool and os.path.isfile(f"tools/{tool}/main.cpp") and tool not in tool_parts:
        tool_parts[tool] = sorted(f for f in glob.glob(f"tools/{tool}/*.cpp")
                                  if os.path.basename(f) != "main.cpp")
replace(r"  tool_parts = \{.*?\n  \}", "  tool_parts = {\n" + "".join(
    f"    '{n}': files(\n" + "".join(f"      '{f}',\n" for f in fs) + "    ),\n"
    for n, fs in sorted(tool_parts.items())) + "  }")

support = sorted(f for f in glob.glob("tests/*.cpp") if not os.path.basename(f).startswith("test_"))
replace(r"test_support = files\(.*?\)",
        "test_support = files(" + ", ".join(f"'{f}'" for f in support) + ")")
open("meson.build", "w").write(s)
