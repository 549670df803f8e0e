#!/usr/bin/env bash
# sluice against its peers, side by side, with one load generator (perf/wsload).
#   bash perf/bench_load.sh [BUILD]          (make bench-load builds the programs first)
# Environment: BENCH_SECONDS (measured window per run, default 5), BENCH_RUNS (runs per
# scenario and server, the median reported; default 1), BENCH_SERVERS (default
# "sluice sluice-uring bun ws beast tcp"; sluice-uring is the demo on io_uring, sluice-uring-writev
# the same with --ring-sends 0: sends by writev), BENCH_SCENARIOS (default: all, names below), BENCH_SLUICE
# (the sluice server binary; default BUILD/release/sluice-demo).
#
# Each scenario runs against each server in turn, in the same run: the server freshly
# started and pinned to core 0 (taskset -c 0), wsload pinned to core 1. wsload reads the
# server's CPU time (/proc/PID/stat), VmRSS (/proc/PID/status) and both cores' busy share
# (/proc/stat) over its measured window. Only 127.0.0.1 is used. The peers are installed
# by perf/setup.sh load (make bench-load runs it): Debian libboost-dev (Beast, header-only), `npm ci --prefix perf`
# (bun, ws). Results: one table on stdout; logs and results.tsv in BUILD/bench-load/.
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-build}
case "$build" in /*) ;; *) build="$root/$build" ;; esac
seconds=${BENCH_SECONDS:-5}
runs=${BENCH_RUNS:-1}
servers=(${BENCH_SERVERS:-sluice sluice-uring bun ws beast tcp})
out="$build/bench-load"
mkdir -p "$out" "$build/peers"
results="$out/results.tsv"
: >"$results"

# A program the Makefile built: build/release/perf/<name>/<name> (or a plain file there).
program() {
  local p="$build/release/perf/$1"
  if [ -d "$p" ]; then p="$p/$1"; fi
  echo "$p"
}
wsload=$(program wsload)
tcp_echo=$(program tcp_echo_server)
demo=${BENCH_SLUICE:-$build/release/sluice-demo}
[ -x "$wsload" ] || { echo "bench-load: $wsload is missing (make bench-load builds it)"; exit 1; }


# ---- peers -----------------------------------------------------------------------------
# The peers are installed by perf/setup.sh load (the Makefile runs it first); here the Beast
# peer is only compiled, when its source is newer than the binary.
build_peers() {
  local beast="$build/peers/beast_echo_server" src="$root/perf/peers/beast_echo_server.cpp"
  if [ -f /usr/include/boost/beast.hpp ] && { [ ! -x "$beast" ] || [ "$src" -nt "$beast" ]; }; then
    echo "bench-load: compiling $beast"
    mkdir -p "$build/peers"
    g++ -std=c++17 -O2 "$src" -o "$beast" -pthread || rm -f "$beast"
  fi
  [ -f /usr/include/boost/beast.hpp ] || echo "bench-load: no Boost.Beast (perf/setup.sh load installs it): the beast column is skipped"
  [ -x "$root/perf/node_modules/.bin/bun" ] || echo "bench-load: no perf/node_modules (perf/setup.sh load runs npm ci): bun and ws are skipped"
}

# server_cmd NAME PORT -> the command line (empty when the server is not available)
server_cmd() {
  case "$1" in
    # --quiet: no line per request or connection (the peers log nothing either); max_connections
    # above idle_19k's count (the peers have no such limit)
    sluice) [ -x "$demo" ] && echo "$demo --host 127.0.0.1 --port $2 --threads 1 --access-log off --quiet 1 --set max_connections=30000" ;;
    sluice-uring) [ -x "$demo" ] && echo "$demo --host 127.0.0.1 --port $2 --threads 1 --access-log off --quiet 1 --set max_connections=30000 --backend io_uring" ;;
    sluice-uring-writev) [ -x "$demo" ] && echo "$demo --host 127.0.0.1 --port $2 --threads 1 --access-log off --quiet 1 --set max_connections=30000 --backend io_uring --ring-sends 0" ;;   # receives through the ring, sends by writev
    bun)    [ -x "$root/perf/node_modules/.bin/bun" ] && echo "$root/perf/node_modules/.bin/bun $root/perf/peers/bun_echo_server.js $2" ;;
    ws)     [ -d "$root/perf/node_modules/ws" ] && echo "node $root/perf/peers/ws_echo_server.mjs $2" ;;
    beast)  [ -x "$build/peers/beast_echo_server" ] && echo "$build/peers/beast_echo_server $2" ;;
    tcp)    [ -x "$tcp_echo" ] && echo "$tcp_echo --host 127.0.0.1 --port $2" ;;
  esac
}

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
# The next port nobody listens on: a server already there (another run's) would be measured instead.
next_port() { port=$((port + 1)); while port_open "$port"; do port=$((port + 1)); done; }

server_pid=""
start_server() { # NAME PORT LOG
  local cmd; cmd=$(server_cmd "$1" "$2")
  [ -n "$cmd" ] || return 1
  # shellcheck disable=SC2086
  (cd "$root" && exec taskset -c 0 $cmd) >"$3" 2>&1 &
  server_pid=$!
  for _ in $(seq 1 100); do
    if port_open "$2"; then return 0; fi
    kill -0 "$server_pid" 2>/dev/null || return 1
    sleep 0.1
  done
  stop_server
  return 1
}

stop_server() {
  [ -n "$server_pid" ] || return 0
  kill -TERM "$server_pid" 2>/dev/null
  for _ in $(seq 1 30); do kill -0 "$server_pid" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$server_pid" 2>/dev/null
  wait "$server_pid" 2>/dev/null
  server_pid=""
}
trap 'stop_server' EXIT INT TERM

# ---- scenarios ---------------------------------------------------------------------------
# name | label | metric key | wsload arguments (the URL's path is added per server)
scenarios=(
  "echo_100x1|100 conn x depth 1 x 32 B|rate|--mode echo --connections 100 --depth 1 --size 32"
  "echo_100x16|100 conn x depth 16 x 32 B|rate|--mode echo --connections 100 --depth 16 --size 32"
  "echo_1000x1|1,000 conn x depth 1 x 32 B|rate|--mode echo --connections 1000 --depth 1 --size 32"
  "echo_10x64k|10 conn x 64 KiB binary|mb_s|--mode echo --connections 10 --depth 1 --size 65536 --binary"
  "handshake|handshakes (20 at a time)|rate|--mode handshake --connections 20"
  "idle_10k|10,000 idle connections|kib_per_conn|--mode idle --connections 10000 --warmup 2 --seconds 1 --max-connecting 200"
  # warm: the baseline is read after 500 connections were opened and closed (code pages and
  # first-use buffers are then in it, for every server alike; wsload prints the cold one too)
  "idle_10k_warm|10,000 idle, warm baseline|kib_per_conn|--mode idle --connections 10000 --warmup 2 --seconds 1 --max-connecting 200 --baseline-warmup 500"
  "idle_19k|19,000 idle connections|kib_per_conn|--mode idle --connections 19000 --warmup 2 --seconds 1 --max-connecting 200"
  "idle_19k_warm|19,000 idle, warm baseline|kib_per_conn|--mode idle --connections 19000 --warmup 2 --seconds 1 --max-connecting 200 --baseline-warmup 500"
  "fanout_1000|fan-out to 1,000 subscribers|rate|--mode fanout --connections 1000 --depth 1 --size 32"
  # permessage-deflate (RFC 7692), sluice only: wsload offers it as browsers do (--deflate);
  # "off" is the demo's /ws-plain (declined), "on" its /ws (shared memory: no context
  # takeover), "kept" its /ws-takeover (dedicated memory: context takeover).
  "deflate_off_200|deflate declined: 100 x 1 x 200 B|rate|--mode echo --connections 100 --depth 1 --size 200 --deflate"
  "deflate_on_200|deflate: 100 x 1 x 200 B|rate|--mode echo --connections 100 --depth 1 --size 200 --deflate"
  "deflate_kept_200|deflate, takeover: 100 x 1 x 200 B|rate|--mode echo --connections 100 --depth 1 --size 200 --deflate"
  "deflate_off_64k|deflate declined: 10 x 64 KiB text|mb_s|--mode echo --connections 10 --depth 1 --size 65536 --deflate"
  "deflate_on_64k|deflate: 10 x 64 KiB text|mb_s|--mode echo --connections 10 --depth 1 --size 65536 --deflate"
  "fanout_500_200|fan-out to 500 subscribers x 200 B|rate|--mode fanout --connections 500 --depth 1 --size 200"
  "deflate_fanout_500|deflate: fan-out to 500 subscribers x 200 B|rate|--mode fanout --connections 500 --depth 1 --size 200 --deflate"
  "deflate_idle_10k|deflate: 10,000 idle connections|kib_per_conn|--mode idle --connections 10000 --warmup 2 --seconds 1 --max-connecting 200 --deflate"
  "deflate_kept_idle_1k|deflate, takeover: 1,000 idle after one 200 B echo|kib_per_conn|--mode idle --connections 1000 --warmup 2 --seconds 1 --max-connecting 200 --deflate --echo-once --size 200"
)
if [ -n "${BENCH_SCENARIOS:-}" ]; then
  wanted=" $BENCH_SCENARIOS "
  kept=()
  for s in "${scenarios[@]}"; do [[ "$wanted" == *" ${s%%|*} "* ]] && kept+=("$s"); done
  scenarios=("${kept[@]}")
fi

field() { sed -nE "s/.* $1=([^ ]+).*/\1/p" <<<"$2"; }

build_peers
ulimit -n "$(ulimit -Hn)" 2>/dev/null  # 10,000 idle connections: the servers inherit this
port=21000  # below the ephemeral range (32768-60999): a client port never holds it
echo "bench-load: ${#scenarios[@]} scenarios x ${#servers[@]} servers x $runs run(s), ${seconds} s each; logs in $out"
for s in "${scenarios[@]}"; do
  IFS='|' read -r name label metric args <<<"$s"
  for server in "${servers[@]}"; do
    log="$out/$name-$server.log"
    path=/ws
    case "$name" in *fanout_*) path=/fanout ;; esac
    case "$name" in
      deflate_off_*) path=/ws-plain ;;
      deflate_kept_*) path=/ws-takeover ;;
    esac
    case "$name" in deflate_*) case "$server" in sluice|sluice-uring) ;; *) continue ;; esac ;; esac
    scheme=ws
    if [ "$server" = tcp ]; then
      case "$name" in echo_*) scheme=tcp path= ;; *) continue ;; esac
    fi
    # BENCH_RUNS runs, each against a freshly started server; the median run (by the
    # scenario's headline figure) is the one reported.
    : >"$log"
    ranked=""
    for run in $(seq 1 "$runs"); do
      next_port
      url="$scheme://127.0.0.1:$port$path"
      if ! start_server "$server" "$port" "$out/$name-$server.server.log"; then
        printf '  %-12s %-7s server not available\n' "$name" "$server"
        break
      fi
      # shellcheck disable=SC2086
      timeout 180 taskset -c 1 "$wsload" --url "$url" $args --seconds "$seconds" \
        $( case "$name" in *idle_*) ;; *) echo --warmup 1 ;; esac ) --server-pid "$server_pid" >>"$log" 2>&1
      rc=$?
      stop_server
      line=$(grep '^RESULT ' "$log" | tail -1)
      if [ -z "$line" ] || [ "$(grep -c '^RESULT ' "$log")" -lt "$run" ]; then
        printf '  %-12s %-7s wsload failed (exit %s), see %s\n' "$name" "$server" "$rc" "$log"
        continue
      fi
      ranked+="$(field "$metric" "$line")"$'\t'"$line"$'\n'
    done
    [ -n "$ranked" ] || continue
    count=$(printf '%s' "$ranked" | grep -c .)
    line=$(printf '%s' "$ranked" | sort -g -k1,1 | sed -n "$(( (count + 1) / 2 ))p" | cut -f2-)
    value=$(field "$metric" "$line")
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$name" "$label" "$server" "$value" \
      "$(field cpu_s_per_m "$line")" "$(field p99_us "$line")" "$(field core0_busy "$line")" \
      "$(field core1_busy "$line")" "$(field ok "$line")" "$metric" \
      "$(field connect_errors "$line")" "$(field verify_errors "$line")" >>"$results"
    printf '  %-12s %-7s %s=%s ok=%s\n' "$name" "$server" "$metric" "$value" "$(field ok "$line")"
  done
done

# ---- the table ---------------------------------------------------------------------------
echo
echo "sluice vs peers — $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores: $(sed -nE 's/^model name\s*: //p' /proc/cpuinfo | head -1)"
echo "server on core 0, wsload on core 1; ${seconds} s window; median of $runs run(s); CPU s/M = server CPU seconds per million"
awk -F'\t' -v servers="${servers[*]}" '
  BEGIN { n = split(servers, S, " ") }
  {
    if (!($1 in seen)) { seen[$1] = 1; order[++rows] = $1; label[$1] = $2; metric[$1] = $10 }
    v[$1, $3] = $4; cpu[$1, $3] = $5; p99[$1, $3] = $6; busy[$1, $3] = sprintf("%d/%d", $7 * 100, $8 * 100)
    ok[$1, $3] = $9; errs[$1, $3] = $11 "/" $12
  }
  function cell(x, bad) { return (x == "" ? "-" : x) (bad == "0" ? "!" : "") }
  function ratio(a, b) { return (a == "" || b == "" || b + 0 <= 0 || a + 0 < 0) ? "-" : sprintf("%.2f", a / b) }
  function unit(m) { return m == "rate" ? "per s" : (m == "mb_s" ? "MB/s" : "KiB/conn") }
  END {
    printf "%-32s %-9s", "scenario", "measure"
    for (i = 1; i <= n; i++) printf " %11s", S[i]
    for (i = 1; i <= n; i++) if (S[i] != "sluice") printf " %9s", "s/" S[i]
    printf "\n"
    for (r = 1; r <= rows; r++) {
      k = order[r]
      split(unit(metric[k]) "|CPU s/M|p99 us|busy c0/c1|errors c/v", M, "|")
      for (m = 1; m <= 5; m++) {
        if (m == 2 && metric[k] == "kib_per_conn") continue
        if (m == 3 && metric[k] == "kib_per_conn") continue
        printf "%-32s %-9s", (m == 1 ? label[k] : ""), M[m]
        for (i = 1; i <= n; i++) {
          s = S[i]
          x = (m == 1 ? v[k, s] : m == 2 ? cpu[k, s] : m == 3 ? p99[k, s] : m == 4 ? busy[k, s] : errs[k, s])
          if (m == 5 && x == "/") x = ""
          if (m == 2 && x + 0 < 0) x = "-"
          printf " %11s", cell(x, m == 1 ? ok[k, s] : "")
        }
        for (i = 1; i <= n; i++) {
          if (S[i] == "sluice") continue
          good = ok[k, "sluice"] == "1" && ok[k, S[i]] == "1"
          a = (good && m == 1 ? v[k, "sluice"] : good && m == 2 ? cpu[k, "sluice"] : "")
          b = (good && m == 1 ? v[k, S[i]] : good && m == 2 ? cpu[k, S[i]] : "")
          printf " %9s", (m <= 2 ? ratio(a, b) : "")
        }
        printf "\n"
      }
    }
    print "(errors c/v = connect errors of the reported run / verify errors (a byte, order or frame wrong);"
    print " ! = wsload reported a failure for that run: see its log; - = not measured / not applicable)"
  }' "$results"
