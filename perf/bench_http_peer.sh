#!/usr/bin/env bash
# sluice's HTTP/1.1 request parser against picohttpparser, side by side in one run.
#   bash perf/bench_http_peer.sh [BUILD]        (default BUILD: build)
# Environment: PEER_ARGS (passed to the program, e.g. "--reps=15 --min-ms=50 --wall"),
# PEER_CPU (the core it is pinned to, default 1).
#
# picohttpparser comes from Debian's libh2o (libh2o-dev provides the libh2o.so link; the
# library exports phr_parse_request), installed here when missing. The program,
# perf/peers/http_parser_peer.cpp, is linked against the release objects of proto/ and
# core/ (built through the Makefile's object rule) into BUILD/peers/http_parser_peer.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
build=${1:-build}
cpu=${PEER_CPU:-1}
libdir=/usr/lib/x86_64-linux-gnu
[ -d "$libdir" ] || libdir=$(dirname "$(ldconfig -p | awk '/libh2o\.so /{print $NF; exit}')")

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

if ! [ -e "$libdir/libh2o.so" ]; then
  echo "bench-http-peer: installing libh2o-dev (picohttpparser inside libh2o)"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q libh2o-dev >/dev/null
fi
lib=$(readlink -f "$libdir/libh2o.so")
nm -D "$lib" | grep ' T phr_parse_request$' >/dev/null || { echo "bench-http-peer: $lib does not export phr_parse_request"; exit 1; }

# The library objects, built by the Makefile's rule build/release/<path>.o <- <path>.cpp.
srcs=(proto/http_*.cpp core/*.cpp)
objs=()
for s in "${srcs[@]}"; do objs+=("$build/release/${s%.cpp}.o"); done
make -s --no-print-directory -j2 BUILD="$build" "${objs[@]}"

mkdir -p "$build/peers"
bin="$build/peers/http_parser_peer"
g++ -O2 -march=native -std=c++20 -I. -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wsign-conversion \
  perf/peers/http_parser_peer.cpp "${objs[@]}" -o "$bin" -lh2o

# Whether Debian's build carries picohttpparser's SSE4.2 path (PCMPESTRI / PCMPISTRI).
sse42=$(objdump -d "$lib" | grep -cE '\bpcmp[ei]str[im]\b' || true)
echo "# $(basename "$lib") ($(dpkg-query -W -f='${Package} ${Version}' libh2o0.13 2>/dev/null || echo libh2o)):" \
  "$sse42 PCMPESTRI/PCMPISTRI instructions in objdump -d ->" \
  "$([ "$sse42" = 0 ] && echo 'built without SSE4.2 (baseline x86-64)' || echo 'SSE4.2 code present')"
read -r -a args <<<"${PEER_ARGS:-}"
taskset -c "$cpu" "$bin" "${args[@]}"
