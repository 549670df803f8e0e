#!/usr/bin/env bash
# Installs what the tests need on a fresh Debian machine, and nothing when it is all there.
# Debian packages: doctest-dev (unit tests), python3-websockets (interop), chromium (browser),
# curl, apache2-utils (ab) and python3-prometheus-client for the http_clients suite; nginx for
# the proxy suite; redis-server for the redis suite; for fuzz/: clang and
# libclang-rt-dev (libFuzzer), and for `make fuzz-coverage` only, llvm (llvm-profdata,
# llvm-cov) of the version of the installed clang; cmake and pkg-config for the vendor suite
# (it builds against an installed sluice through both).
# npm packages (test/package.json): ws (interop), playwright-core (drives chromium).
#   bash test/setup.sh        everything make test needs
#   bash test/setup.sh fuzz   only what fuzz/ needs, llvm included (make fuzz-coverage calls this)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
scope=${1:-all}

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

missing=()
if [ "$scope" = all ]; then
  [ -f /usr/include/doctest/doctest.h ] || missing+=(doctest-dev)
  /usr/bin/python3 -c 'import websockets' 2>/dev/null || missing+=(python3-websockets)
  command -v chromium >/dev/null 2>&1 || missing+=(chromium)
  command -v npm >/dev/null 2>&1 || missing+=(npm)
  command -v curl >/dev/null 2>&1 || missing+=(curl)
  command -v ab >/dev/null 2>&1 || missing+=(apache2-utils)
  command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
  [ -x /usr/sbin/nginx ] || missing+=(nginx)
  /usr/bin/python3 -c 'import prometheus_client' 2>/dev/null || missing+=(python3-prometheus-client)
  command -v cmake >/dev/null 2>&1 || missing+=(cmake)
  command -v pkg-config >/dev/null 2>&1 || missing+=(pkg-config)
fi
command -v clang++ >/dev/null 2>&1 || missing+=(clang)
[ -n "$(ls /usr/lib/llvm-*/lib/clang/*/lib/linux/libclang_rt.fuzzer-x86_64.a 2>/dev/null)" ] || missing+=(libclang-rt-dev)
if [ "$scope" = fuzz ]; then
  # llvm-profdata and llvm-cov must read what this clang writes: take the matching llvm-N.
  clang_major=$(clang++ --version 2>/dev/null | sed -nE 's/.*clang version ([0-9]+).*/\1/p' | head -1)
  if [ -n "$clang_major" ]; then
    [ -x "/usr/lib/llvm-$clang_major/bin/llvm-profdata" ] || missing+=("llvm-$clang_major")
  else
    command -v llvm-profdata >/dev/null 2>&1 || missing+=(llvm)
  fi
fi
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "${missing[@]}" >/dev/null
fi

if [ "$scope" = all ] && [ -f "$here/package.json" ]; then
  if [ ! -d "$here/node_modules" ] || [ "$here/package-lock.json" -nt "$here/node_modules" ]; then
    echo "setup: npm ci in test/"
    (cd "$here" && npm ci --no-audit --no-fund --loglevel=error)
    touch "$here/node_modules"
  fi
fi
