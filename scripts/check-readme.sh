#!/usr/bin/env bash
# Compiles every ```cpp block of README.md that is a whole program (has a main) against the
# library, and runs it when the block's first line is `// run`. Each block counts as a test
# case; prints "readme-count PASSED FAILED" last.
# Usage: check-readme.sh BUILD_DIR "COMPILE_CMD" "LINK_ARGS"
set -u
build=$1
compile=$2
link=$3
dir="$build/readme"
mkdir -p "$dir"
rm -f "$dir"/block_*.cpp
awk -v dir="$dir" '
  /^```cpp[[:space:]]*$/ { inblock = 1; n++; file = sprintf("%s/block_%02d.cpp", dir, n); next }
  /^```[[:space:]]*$/ { inblock = 0; close(file); next }
  inblock { print > file }
' README.md
p=0
f=0
for src in "$dir"/block_*.cpp; do
  [ -e "$src" ] || continue
  grep -q 'int main' "$src" || continue
  bin=${src%.cpp}
  if ! $compile "$src" -o "$bin" $link >"$bin.log" 2>&1; then
    echo "FAIL README $(basename "$src"): does not compile"
    tail -n 30 "$bin.log"
    f=$((f + 1))
    continue
  fi
  if head -n 1 "$src" | grep -q '^// run'; then
    if ! timeout 60 "$bin" >"$bin.out" 2>&1; then
      echo "FAIL README $(basename "$src"): exited non-zero"
      tail -n 30 "$bin.out"
      f=$((f + 1))
      continue
    fi
  fi
  echo "ok   README $(basename "$src")"
  p=$((p + 1))
done
echo "readme-count $p $f"
