#!/usr/bin/env bash
# Installs what the benchmarks measure against, and nothing when it is all there. The one
# place perf/ installs anything: the Makefile calls it before `make bench` and `make bench-load`;
# the bench scripts themselves only check and explain what is missing.
#   perf/setup.sh micro   libh2o-dev: Debian's libh2o, which exports picohttpparser's
#                         phr_parse_request; valgrind: callgrind's instructions per parse
#                         (perf/bench_http_peer.sh)
#   perf/setup.sh load    libboost-dev (the Beast peer, header-only), and `npm ci --prefix perf`
#                         for Bun and Node's ws (perf/package.json, pinned)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
what=${1:-micro}

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

missing=()
case $what in
  micro)
    ldconfig -p 2>/dev/null | grep -q 'libh2o\.so ' || [ -e /usr/lib/x86_64-linux-gnu/libh2o.so ] || missing+=(libh2o-dev)
    command -v valgrind >/dev/null || missing+=(valgrind)
    ;;
  load)
    [ -f /usr/include/boost/beast.hpp ] || missing+=(libboost-dev)
    ;;
  *) echo "usage: perf/setup.sh micro|load" >&2; exit 2 ;;
esac
if [ ${#missing[@]} -gt 0 ]; then
  echo "perf/setup: installing ${missing[*]}"
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "${missing[@]}" >/dev/null
fi
if [ "$what" = load ]; then
  if [ ! -x "$root/perf/node_modules/.bin/bun" ] || [ ! -d "$root/perf/node_modules/ws" ] ||
     [ "$root/perf/package-lock.json" -nt "$root/perf/node_modules" ]; then
    echo "perf/setup: npm ci --prefix perf (bun, ws)"
    npm ci --prefix "$root/perf" --no-audit --no-fund --loglevel=error
    touch "$root/perf/node_modules"
  fi
fi
