#!/usr/bin/env python3
"""Rewrites the file lists in meson.build (library sources, tools, tests) from the tree, since
meson cannot glob. Run it after adding or removing a source, tool or test file;
scripts/check-meson.sh (run by CI) fails when the lists are out of date."""
import glob
import os
import re

os.chdir(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
s = open("meson.build").read()
backends = ("poller_epoll.cpp", "poller_kqueue.cpp")
srcs = sorted(f for f in glob.glob("src/*.cpp") + glob.glob("src/*/*.cpp")
              if os.path.basename(f) not in backends)
block = "corio_srcs = files(\n" + "".join(f"  '{f}',\n" for f in srcs) + ") + files(poller_src)"
s = re.sub(r"corio_srcs = files\(.*?\) \+ files\(poller_src\)", block, s, flags=re.S)
tools = {os.path.basename(d.rstrip("/")): sorted(glob.glob(d + "*.cpp"))
         for d in sorted(glob.glob("tools/*/"))}
names = "tool_names = [" + ", ".join(f"'{n}'" for n in tools) + "]\n"
table = "tool_srcs = {\n" + "".join(
    f"  '{n}': files(\n" + "".join(f"    '{f}',\n" for f in fs) + "  ),\n"
    for n, fs in tools.items()) + "}"
s = re.sub(r"tool_names = \[.*?\]\n", names, s, flags=re.S)
s = re.sub(r"tool_srcs = \{.*?\n\}", table, s, flags=re.S)
tests = sorted(os.path.basename(f)[:-4] for f in glob.glob("tests/test_*.cpp"))
listing = "  test_names = [\n" + "".join(f"    '{t}',\n" for t in tests) + "  ]"
s = re.sub(r"  test_names = \[.*?\n  \]", listing, s, flags=re.S)
support = sorted(f for f in glob.glob("tests/*.cpp") if not os.path.basename(f).startswith("test_"))
s = re.sub(r"test_support = files\(.*?\)",
           "test_support = files(" + ", ".join(f"'{f}'" for f in support) + ")", s, flags=re.S)
open("meson.build", "w").write(s)
