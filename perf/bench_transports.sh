#!/usr/bin/env bash
# The seed's transport table, measured: WebSocket, SSE, long-polling and plain polling, each
# with N clients of one topic fed by a publisher at a fixed rate (perf/transport_server and
# perf/transport_load; perf/README.md "make bench-transports").
#   bash perf/bench_transports.sh [BUILD]          (make bench-transports builds the programs)
# Environment: BENCH_CLIENTS (default 1000), BENCH_SECONDS (measured window, default 10),
# BENCH_WARMUP (default 1), BENCH_RATE (publishes per second, default 10), BENCH_SIZE
# (payload bytes, default 64), BENCH_INTERVAL (plain polling, seconds, default 0.5),
# BENCH_TRANSPORTS (default "ws sse longpoll poll"), BENCH_RUNS (runs per transport, each
# against a fresh server; the run with the median p99 is reported; default 1), BENCH_NICE
# (e.g. -10: server and load run at that niceness, ahead of other work on a shared machine;
# needs root; default: unchanged).
#
# Per transport: a fresh server pinned to core 0 (taskset -c 0), the load pinned to core 1.
# The load reads the server's VmRSS (/proc/PID/status) before its first connect and at the
# end of the window, and its CPU time (utime + stime, /proc/PID/stat) over the window.
# Prints one table, then "N passed, M failed": a transport passes when in every run every
# client connected and got messages and every error counter is 0 (no timing is judged), so a
# short run is the smoke test inside make test (test/transport_bench/run.sh).
# Logs: BUILD/bench-transports/<transport>.log. Only 127.0.0.1 is used.
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-build}
case "$build" in /*) ;; *) build="$root/$build" ;; esac
clients=${BENCH_CLIENTS:-1000}
seconds=${BENCH_SECONDS:-10}
warmup=${BENCH_WARMUP:-1}
rate=${BENCH_RATE:-10}
size=${BENCH_SIZE:-64}
interval=${BENCH_INTERVAL:-0.5}
read -ra transports <<<"${BENCH_TRANSPORTS:-ws sse longpoll poll}"
runs=${BENCH_RUNS:-1}
nice_cmd=()
[ -z "${BENCH_NICE:-}" ] || nice_cmd=(nice -n "$BENCH_NICE")
server_bin=$build/release/perf/transport_server/transport_server
load_bin=$build/release/perf/transport_load/transport_load
out=$build/bench-transports
mkdir -p "$out"
for bin in "$server_bin" "$load_bin"; do
  [ -x "$bin" ] || { echo "bench-transports: missing $bin (make bench-transports builds it)"; echo "0 passed, 1 failed"; exit 1; }
done

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
port=$((22000 + RANDOM % 2000))  # below the ephemeral range; a port in use is skipped
next_port() { port=$((port + 1)); while port_open "$port"; do port=$((port + 1)); done; }

server_pid=""
stop_server() {
  [ -n "$server_pid" ] || return 0
  kill -TERM "$server_pid" 2>/dev/null
  for _ in $(seq 1 30); do kill -0 "$server_pid" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$server_pid" 2>/dev/null
  wait "$server_pid" 2>/dev/null
  server_pid=""
}
trap 'stop_server' EXIT INT TERM

field() { sed -nE "s/.* $1=([^ ]+).*/\1/p" <<<"$2"; }

ulimit -n "$(ulimit -Hn)" 2>/dev/null
passed=0
failed=0
rows=()
echo "bench-transports: ${transports[*]}; $runs run(s) of $clients clients, $rate publishes/s of $size B, ${seconds} s window; logs in $out"
for t in "${transports[@]}"; do
  log=$out/$t.log
  : >"$log"
  ranked=""
  ok=1
  for run in $(seq 1 "$runs"); do
    next_port
    "${nice_cmd[@]}" taskset -c 0 "$server_bin" --port "$port" --rate "$rate" --size "$size" >"$out/$t.server.log" 2>&1 &
    server_pid=$!
    for _ in $(seq 1 100); do port_open "$port" && break; sleep 0.05; done
    timeout $((${seconds%.*} + 90)) "${nice_cmd[@]}" taskset -c 1 "$load_bin" --port "$port" --transport "$t" --clients "$clients" \
      --seconds "$seconds" --warmup "$warmup" --interval "$interval" --server-pid "$server_pid" >>"$log" 2>&1
    rc=$?
    stop_server
    line=$(grep '^RESULT ' "$log" | tail -1)
    if [ "$rc" != 0 ] || [ "$(grep -c '^RESULT ' "$log")" -lt "$run" ] || [ "$(field valid "$line")" != 1 ]; then
      ok=0
      echo "FAIL $t run $run (exit $rc): $(grep 'errors:' "$log" | tail -1 || tail -n 2 "$log")"
      continue
    fi
    ranked+="$(field p99_us "$line")"$'\t'"$line"$'\n'
  done
  if [ "$ok" = 1 ]; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
  # The run with the median p99 is the one reported (every run is in the log).
  count=$(printf '%s' "$ranked" | grep -c .)
  line=""
  [ "$count" = 0 ] || line=$(printf '%s' "$ranked" | sort -g -k1,1 | sed -n "$(( (count + 1) / 2 ))p" | cut -f2-)
  rows+=("$t|$line")
done

echo
echo "sluice transports — $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores: $(sed -nE 's/^model name\s*: //p' /proc/cpuinfo | head -1), load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "server (1 thread, and its publisher) on core 0, load on core 1; $rate publishes/s x $clients clients; ${seconds} s window;"
echo "poll every ${interval} s; median-p99 run of $runs${BENCH_NICE:+; nice $BENCH_NICE}"
printf '%-9s %7s %9s %9s %9s %9s %9s %8s %9s %8s %8s %7s %6s\n' transport clients "msg/s" "p50 ms" "p99 ms" \
  "1st ms" "last ms" "RSS MiB" "KiB/cli" "CPU s/M" "load s/M" "B/msg" errors
for row in "${rows[@]}"; do
  t=${row%%|*}
  line=${row#*|}
  if [ -z "$line" ]; then
    printf '%-9s %7s %9s\n' "$t" "$clients" "no result"
    continue
  fi
  awk -v t="$t" -v c="$(field connected "$line")" -v rate="$(field msg_per_s "$line")" \
      -v p50="$(field p50_us "$line")" -v p99="$(field p99_us "$line")" -v rss="$(field rss_kib "$line")" \
      -v first="$(field first_p50_us "$line")" -v last="$(field last_p50_us "$line")" \
      -v per="$(field rss_kib_per_client "$line")" -v cpu="$(field cpu_s_per_m "$line")" \
      -v lcpu="$(field load_cpu_s_per_m "$line")" \
      -v b="$(field read_b_per_msg "$line")" -v e="$(field errors "$line")" -v ok="$(field valid "$line")" \
      'BEGIN { printf "%-9s %7d %9.0f %9.3f %9.3f %9.3f %9.3f %8.2f %9.2f %8.2f %8.2f %7.1f %6d%s\n",
               t, c, rate, p50 / 1000, p99 / 1000, first / 1000, last / 1000, rss / 1024, per, cpu, lcpu, b, e,
               (ok == 1 ? "" : " (invalid)") }'
done
echo "(msg/s: payloads delivered to all clients; p50/p99: publish -> read by the client; 1st/last:"
echo " per publish, the p50 of its first and of its last client's arrival; RSS: server"
echo " VmRSS with every client connected, KiB/cli: minus VmRSS before the first connect, per client;"
echo " CPU s/M: server CPU seconds per million deliveries, load s/M: the load's; B/msg: bytes the"
echo " clients read per message)"
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
