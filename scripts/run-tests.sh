#!/usr/bin/env bash
# Runs every test binary of a build and the README check, then prints the one closing line CI
# reads: "N passed, M failed" (test cases over all binaries). Exits non-zero on any failure.
# Usage: run-tests.sh BUILD_DIR "COMPILE_CMD" "LINK_ARGS"
set -u
build=$1
compile=${2:-}
link=${3:-}
here=$(cd "$(dirname "$0")" && pwd)
passed=0
failed=0
log=$(mktemp)
trap 'rm -f "$log"' EXIT

for bin in "$build"/tests/test_*; do
  [ -x "$bin" ] || continue
  case "$bin" in *.o|*.d) continue ;; esac
  name=$(basename "$bin")
  start=$EPOCHREALTIME
  # TEST_FILTER_<name>, when set, is a Catch2 test spec for that binary (see .ci/run).
  filter_var="TEST_FILTER_$name"
  filter=${!filter_var:-}
  if [ -n "$filter" ]; then
    timeout -k 10 300 "$bin" "$filter" >"$log" 2>&1
  else
    timeout -k 10 300 "$bin" >"$log" 2>&1
  fi
  rc=$?
  secs=$(awk -v a="$start" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }')
  summary=$(grep -E '^(All tests passed|test cases:)' "$log" | tail -n 1)
  p=0
  f=0
  if [[ $summary =~ ^All\ tests\ passed.*in\ ([0-9]+)\ test\ case ]]; then
    p=${BASH_REMATCH[1]}
  elif [[ $summary =~ ^test\ cases:\ *([0-9]+) ]]; then
    total=${BASH_REMATCH[1]}
    [[ $summary =~ ([0-9]+)\ failed ]] && f=${BASH_REMATCH[1]}
    p=$((total - f))
  fi
  if [ $rc -ne 0 ] && [ "$f" -eq 0 ]; then
    # Crashed, hung or died before its summary: every case it holds counts as failed.
    f=$("$bin" --list-test-names-only $filter 2>/dev/null | grep -c . || true)
    [ "$f" -gt 0 ] || f=1
    p=0
  fi
  passed=$((passed + p))
  failed=$((failed + f))
  if [ $rc -ne 0 ] || [ "$f" -ne 0 ]; then
    echo "FAIL $name (exit $rc, ${secs}s): $p passed, $f failed"
    tail -n 60 "$log"
  else
    echo "ok   $name (${secs}s): $p passed"
  fi
done

if [ -n "$compile" ]; then
  out=$(bash "$here/check-readme.sh" "$build" "$compile" "$link")
  rc=$?
  echo "$out" | grep -v '^readme-count' 
  counts=$(echo "$out" | grep '^readme-count' | tail -n 1)
  if [[ $counts =~ readme-count\ ([0-9]+)\ ([0-9]+) ]]; then
    passed=$((passed + BASH_REMATCH[1]))
    failed=$((failed + BASH_REMATCH[2]))
  elif [ $rc -ne 0 ]; then
    failed=$((failed + 1))
  fi
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
