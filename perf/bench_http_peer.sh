#!/usr/bin/env bash
# sluice's HTTP/1.1 request parser against picohttpparser, side by side in one run.
#   bash perf/bench_http_peer.sh [BUILD]        (default BUILD: build)
# Environment: PEER_ARGS (passed to the program, e.g. "--reps=15 --min-ms=50 --wall"),
# PEER_CPU (the core it is pinned to, default 1), JOBS (make's -j, default: the core count).
#
# What is compared, and why twice. picohttpparser's source is not in any package this
# project may install (Debian ships it only compiled into libh2o; no npm package in reach
# ships picohttpparser.c), so the peer is Debian's libh2o shared library: -O2 for baseline
# x86-64, i.e. without SSE4.2, which compiles picohttpparser's PCMPESTRI fast path out.
# sluice is therefore measured at two builds beside it:
#   - like for like: sluice's proto/ and core/ at -O2 for baseline x86-64 too (no -march),
#     in BUILD/baseline/ (SSE2 only, as the peer);
#   - as shipped by `make bench`: -O2 -march=native (AVX2 on this machine).
# libh2o-dev is installed by perf/setup.sh micro (make bench runs it); this script only checks.
# Instructions per parse: when valgrind is installed (and PEER_CALLGRIND is not 0), callgrind
# runs each parser once per request (--count=N parses, collected in count_parses() only):
# Ir / N, deterministic where wall time on a shared VM is not. Valgrind cannot decode the
# AVX-512 that -march=native emits on this machine, so the native-like build is counted on a
# third build of sluice at -march=x86-64-v3 (AVX2: the same scanners as native), BUILD/v3/.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
build=${1:-build}
cpu=${PEER_CPU:-1}
jobs=${JOBS:-$(nproc 2>/dev/null || echo 2)}
libdir=/usr/lib/x86_64-linux-gnu
[ -d "$libdir" ] || libdir=$(dirname "$(ldconfig -p | awk '/libh2o\.so /{print $NF; exit}')")

if ! [ -e "$libdir/libh2o.so" ]; then
  echo "bench-http-peer: libh2o-dev is missing (picohttpparser inside libh2o): run perf/setup.sh micro"
  exit 1
fi
lib=$(readlink -f "$libdir/libh2o.so")
nm -D "$lib" | grep ' T phr_parse_request$' >/dev/null || { echo "bench-http-peer: $lib does not export phr_parse_request"; exit 1; }

# Whether Debian's build carries picohttpparser's SSE4.2 path (PCMPESTRI / PCMPISTRI).
sse42=$(objdump -d "$lib" | grep -cE '\bpcmp[ei]str[im]\b' || true)
echo "# $(basename "$lib") ($(dpkg-query -W -f='${Package} ${Version}' libh2o0.13 2>/dev/null || echo libh2o)):" \
  "$sse42 PCMPESTRI/PCMPISTRI instructions in objdump -d ->" \
  "$([ "$sse42" = 0 ] && echo 'built without SSE4.2 (baseline x86-64)' || echo 'SSE4.2 code present')"

# peer_binary VARIANT_BUILD ARCH LABEL: the library objects, built by the Makefile's rule
# <variant>/release/<path>.o <- <path>.cpp with that ARCH, linked with the peer program.
peer_binary() {
  local vbuild=$1 arch=$2 label=$3 objs=() s
  for s in proto/http_*.cpp core/*.cpp; do objs+=("$vbuild/release/${s%.cpp}.o"); done
  make -s --no-print-directory -j"$jobs" BUILD="$vbuild" ARCH="$arch" "${objs[@]}"
  mkdir -p "$build/peers"
  # shellcheck disable=SC2086  # $arch is zero or one flag
  g++ -O2 $arch -std=c++20 -I. -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wsign-conversion \
    -DSLUICE_PEER_FLAGS="\"$label\"" perf/peers/http_parser_peer.cpp "${objs[@]}" -o "$build/peers/http_parser_peer$4" -lh2o
}
peer_binary "$build/baseline" "" "-O2, baseline x86-64 (no -march: SSE2, like the peer)" -baseline
peer_binary "$build" "-march=native" "-O2 -march=native" ""
counting=0
if command -v valgrind >/dev/null && [ "${PEER_CALLGRIND:-1}" != 0 ]; then
  counting=1
  peer_binary "$build/v3" "-march=x86-64-v3" "-O2 -march=x86-64-v3 (AVX2: the native build as valgrind can run it)" -v3
fi

# instructions BINARY: Ir per parse of each request by each parser, one callgrind run each.
instructions() {
  local bin=$1 n=20000 req parser out ir
  [ "$counting" = 1 ] || return 0
  echo "# callgrind, $n parses each: instructions per parse ($2)"
  printf '%-13s | %14s %14s | %s\n' "request" "sluice Ir/op" "pico Ir/op" "pico/sluice (instructions)"
  for req in browser minimal; do
    local s_ir=0 p_ir=0
    for parser in sluice pico; do
      out=$(mktemp)
      valgrind --tool=callgrind --callgrind-out-file="$out" --toggle-collect='*count_parses*' \
        "$bin" --count=$n --parser=$parser --request=$req >/dev/null 2>&1
      ir=$(awk '/^(summary|totals):/{print $2; exit}' "$out")
      rm -f "$out"
      if [ $parser = sluice ]; then s_ir=$((ir / n)); else p_ir=$((ir / n)); fi
    done
    printf '%-13s | %14s %14s | %.2fx\n' "$req" "$s_ir" "$p_ir" "$(awk -v p="$p_ir" -v s="$s_ir" 'BEGIN{print p / s}')"
  done
}

read -r -a args <<<"${PEER_ARGS:-}"
echo "## like for like: both at -O2 for baseline x86-64"
taskset -c "$cpu" "$build/peers/http_parser_peer-baseline" "${args[@]}"
instructions "$build/peers/http_parser_peer-baseline" "both at baseline x86-64"
echo "## as make bench builds sluice: -O2 -march=native (the peer is still Debian's baseline build)"
taskset -c "$cpu" "$build/peers/http_parser_peer" "${args[@]}"
instructions "$build/peers/http_parser_peer-v3" "sluice at -march=x86-64-v3, pico Debian's baseline build"
