#!/usr/bin/env bash
# Raw TCP echo throughput of the reactor: perf/tcp_echo_server pinned to core 0, the
# closed-loop perf/tcp_echo_load pinned to core 1, on 127.0.0.1, for 1/100/1000 connections
# x 32 B/16 KiB messages, once per server backend (Linux: epoll and io_uring, side by side;
# the load generator always polls with epoll, so only the server's backend changes). Each run
# is bounded in time.
#
#   perf/tcp_echo.sh [build-dir]          (TCP_ECHO_SECONDS=3, TCP_ECHO_BACKENDS="epoll io_uring")
#
# Prints each run's report, then a table; exits non-zero if any run failed or mismatched.
set -euo pipefail
build=${1:-build}
seconds=${TCP_ECHO_SECONDS:-3}
# The two programs need only net/: build its objects with the Makefile's release rule and
# link here, so a half-edited proto/ or app/ elsewhere in the tree cannot stop this run.
backend=epoll; [ "$(uname -s)" = Linux ] || backend=kqueue
net_srcs=$(ls net/*.cpp | grep -vE '^net/(reactor|uring)_'; echo "net/reactor_$backend.cpp")
[ "$backend" = epoll ] && net_srcs="$net_srcs $(ls net/uring_*.cpp)"
if [ "$backend" = epoll ]; then backends=${TCP_ECHO_BACKENDS:-epoll io_uring}; load_backend=epoll
else backends=kqueue; load_backend=kqueue; fi
objs() { for src in "$@"; do echo "$build/release/${src%.cpp}.o"; done; }
server_bin="$build/release/tcp_echo_server"
load_bin="$build/release/tcp_echo_load"
# shellcheck disable=SC2046
make --no-print-directory -j2 BUILD="$build" $(objs $net_srcs perf/tcp_echo_server/main.cpp perf/tcp_echo_load/main.cpp) >/dev/null
# shellcheck disable=SC2046
${CXX:-g++} -O2 $(objs $net_srcs perf/tcp_echo_server/main.cpp) -o "$server_bin" -pthread
# shellcheck disable=SC2046
${CXX:-g++} -O2 $(objs $net_srcs perf/tcp_echo_load/main.cpp) -o "$load_bin" -pthread

pin_server=(taskset -c 0)
pin_load=(taskset -c 1)
if ! command -v taskset >/dev/null 2>&1 || [ "$(nproc)" -lt 2 ]; then
  echo "tcp_echo: taskset or a second core missing: running unpinned" >&2
  pin_server=()
  pin_load=()
fi

log=$(mktemp)
server_pid=
cleanup() {
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  rm -f "$log"
}
trap cleanup EXIT

status=0
rows=()
for connections in 1 100 1000; do
  for size in 32 16384; do
    for server_backend in $backends; do
      "${pin_server[@]}" "$server_bin" --host 127.0.0.1 --port 0 --backend "$server_backend" >"$log" 2>&1 &
      server_pid=$!
      port=
      for _ in $(seq 100); do
        port=$(sed -nE 's/^listening on .*:([0-9]+)$/\1/p' "$log")
        [ -n "$port" ] && break
        sleep 0.05
      done
      if [ -z "$port" ]; then echo "tcp_echo: the server did not start" >&2; cat "$log" >&2; exit 1; fi
      out=$(timeout $((seconds + 60)) "${pin_load[@]}" "$load_bin" --host 127.0.0.1 --port "$port" \
            --connections "$connections" --size "$size" --seconds "$seconds" --backend "$load_backend") || status=1
      echo "$out"
      kill -TERM "$server_pid"
      wait "$server_pid" || status=1
      server_pid=
      # The server's CPU time gives a noise-resistant figure: echoed messages per server CPU-second.
      cpu=$(sed -nE 's/.*cpu_s=([0-9.]+).*/\1/p' "$log")
      summary=$(grep '^summary' <<<"$out" || echo "summary connections=$connections size=$size FAILED")
      per_cpu=$(awk -v m="$(sed -nE 's/.* messages=([0-9]+).*/\1/p' <<<"$summary")" -v c="${cpu:-0}" \
        'BEGIN { if (c > 0 && m > 0) printf "%.0f", m / c; else print "-" }')
      echo "  server cpu   ${cpu:-?} s  ($per_cpu messages per server CPU-second)"
      rows+=("$summary server_cpu_s=${cpu:-0} msgs_per_server_cpu_s=$per_cpu backend=$server_backend")
    done
  done
done

echo
printf '%-12s %-8s %-9s %-12s %-10s %-12s %-12s %-14s\n' connections size backend msgs/s MB/s p50_us p99_us msgs/server-cpu-s
for row in "${rows[@]}"; do
  get() { sed -nE "s/.* $1=([^ ]+).*/\1/p" <<<"$row"; }
  printf '%-12s %-8s %-9s %-12s %-10s %-12s %-12s %-14s\n' "$(get connections)" "$(get size)" "$(get backend)" "$(get msgs_per_s)" \
    "$(get mb_per_s)" "$(get p50_us)" "$(get p99_us)" "$(get msgs_per_server_cpu_s)"
done
exit $status
