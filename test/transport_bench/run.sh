#!/usr/bin/env bash
# The transport benchmark's smoke inside make test: perf/bench_transports.sh at 50 clients
# per transport (WebSocket, SSE, long-poll, polling every 500 ms) for a 2 s window. A
# transport passes when every client connected and received messages and every error
# counter (connect failures, bad responses, gaps, duplicates, closed streams) is 0; no
# timing is judged. ~12 s.
#   test/transport_bench/run.sh [build-folder]          (default: build)
# Ends with one line "N passed, M failed" (the script's own).
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-build}
BENCH_CLIENTS=50 BENCH_SECONDS=2 BENCH_WARMUP=0.5 exec bash "$root/perf/bench_transports.sh" "$build"
