#!/usr/bin/env bash
# Installs the Debian packages corio's build, tests and tools need, only those missing.
# Does nothing (and asks nothing) when all are present. Used by `make deps`, `make test`,
# `make demo` and .ci/run.
set -euo pipefail

pkgs=(
  g++ make pkg-config meson ninja-build  # build
  catch2                                 # tests
  libwslay-dev node-llhttp               # WebSocket framing, HTTP parsing
  zlib1g-dev nettle-dev                  # gzip/deflate bodies, the handshake's SHA-1 + base64
  libgumbo-dev                           # crawl's HTML5 tokenizer
  python3 netcat-openbsd curl procps     # real peers and helpers used by tests
  nginx wrk python3-websockets node-ws   # HTTP and WebSocket peers the tests run on loopback
  python3-aiohttp nodejs chromium        # more peers: aiohttp, Node's ws, a real browser
  libssl-dev openssl ca-certificates     # TLS: OpenSSL, the test CA tool, the trust store
  util-linux gcc                         # taskset and the C yardstick for make bench
)

missing=()
for p in "${pkgs[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "deps: installing ${missing[*]}"
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null; then sudo="sudo"; else
    echo "deps: need root (or sudo) to install: ${missing[*]}" >&2
    exit 1
  fi
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -q
$sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
