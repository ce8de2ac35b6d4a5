#!/usr/bin/env bash
# Meson cannot glob, so meson.build lists the library sources, programs and tests; this fails
# (and names them) when a file the Makefile would build is missing from meson.build.
# scripts/sync-meson.py rewrites the lists.
set -u
cd "$(dirname "$0")/.."
missing=0
for f in src/*.cpp src/*/*.cpp tools/*/*.cpp examples/*/*.cpp tests/*.cpp; do
  case "$f" in tests/test_*) continue ;; esac
  [ -e "$f" ] || continue
  case "$f" in src/reactor/poller_*.cpp) continue ;; esac  # meson picks one backend itself
  if ! grep -q "'$f'" meson.build; then
    echo "meson.build does not list $f"
    missing=1
  fi
done
for f in tests/test_*.cpp; do
  name=$(basename "$f" .cpp)
  if ! grep -q "'$name'" meson.build; then
    echo "meson.build does not list the test $name"
    missing=1
  fi
done
exit $missing
