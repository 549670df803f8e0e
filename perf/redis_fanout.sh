#!/usr/bin/env bash
# Fan-out through Redis between two processes, beside the same fan-out within one process.
#   bash perf/redis_fanout.sh [build-folder]      (builds nothing: make build/release/sluice-demo
#                                                  build/release/perf/wsload/wsload first)
#   REDIS_FANOUT_SECONDS=5 REDIS_FANOUT_SUBSCRIBERS=1000 REDIS_FANOUT_DEPTHS="1 16"
#
# Each run: wsload --mode fanout, 32-byte text messages, D publishes in flight; one publish
# is done when every subscriber has it, in order (wsload checks). Latency = publish -> the
# LAST subscriber's delivery. Three set-ups, each started fresh:
#   one process          1 demo node, the publisher and the subscribers on it (no broker)
#   one process + redis  the same node with --redis: every publish also goes to Redis
#   two processes        publisher on node A, every subscriber on node B (--publisher-port):
#                        A -> PUBLISH -> Redis -> B's subscribing connection -> B's members
# Pinning (2 cores): every server process (the nodes and redis-server) on core 0, wsload on
# core 1, so each set-up gets the same server CPU.
set -euo pipefail
build=${1:-build}
demo=$build/release/sluice-demo
wsload=$build/release/perf/wsload/wsload
seconds=${REDIS_FANOUT_SECONDS:-5}
subscribers=${REDIS_FANOUT_SUBSCRIBERS:-1000}
depths=${REDIS_FANOUT_DEPTHS:-1 16}
for bin in "$demo" "$wsload"; do
  [ -x "$bin" ] || { echo "missing $bin (make $bin)"; exit 1; }
done
command -v redis-server >/dev/null || { echo "redis-server missing (apt-get install redis-server)"; exit 1; }

free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
wait_port() { for _ in $(seq 1 100); do (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0; sleep 0.05; done; return 1; }

pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done; pids=(); }
trap cleanup EXIT

start() { # port [demo args...]
  local port=$1; shift
  taskset -c 0 "$demo" --port "$port" --quiet 1 "$@" >/dev/null 2>&1 &
  pids+=($!)
  wait_port "$port"
}

redis_port=$(free_port)
start_redis() {
  taskset -c 0 redis-server --port "$redis_port" --bind 127.0.0.1 --save '' --appendonly no --loglevel warning >/dev/null &
  pids+=($!)
  wait_port "$redis_port"
}

printf '%-22s %5s %14s %10s %10s %10s\n' "set-up" depth "deliveries/s" "p50 us" "p99 us" "p99.9 us"
run() { # label depth wsload-args...
  local label=$1 depth=$2; shift 2
  local out
  out=$(taskset -c 1 "$wsload" --mode fanout --connections "$subscribers" --depth "$depth" --size 32 \
        --seconds "$seconds" --warmup 1 "$@" 2>&1 | tail -n 1)
  local rate p50 p99 p999
  rate=$(sed -nE 's/.* rate=([0-9.]+).*/\1/p' <<<"$out")
  p50=$(sed -nE 's/.* p50_us=([0-9.]+).*/\1/p' <<<"$out")
  p99=$(sed -nE 's/.* p99_us=([0-9.]+).*/\1/p' <<<"$out")
  p999=$(sed -nE 's/.* p999_us=([0-9.]+).*/\1/p' <<<"$out")
  printf '%-22s %5s %14s %10s %10s %10s\n' "$label" "$depth" "${rate:-FAIL}" "${p50:--}" "${p99:--}" "${p999:--}"
  [ -n "$rate" ] || echo "  $out"
}

for depth in $depths; do
  port=$(free_port)
  start "$port"
  run "one process" "$depth" --url "ws://127.0.0.1:$port/fanout"
  cleanup

  start_redis
  port=$(free_port)
  start "$port" --redis "127.0.0.1:$redis_port"
  run "one process + redis" "$depth" --url "ws://127.0.0.1:$port/fanout"
  cleanup

  start_redis
  a=$(free_port); b=$(free_port)
  start "$a" --redis "127.0.0.1:$redis_port"
  start "$b" --redis "127.0.0.1:$redis_port"
  run "two processes (redis)" "$depth" --url "ws://127.0.0.1:$b/fanout" --publisher-port "$a"
  cleanup
done
