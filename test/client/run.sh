#!/usr/bin/env bash
# The WebSocket client (app/client.hpp) through sluice-cat, against servers nobody here wrote,
# each started here on a free port and stopped at the end:
#   Python's websockets (py_server.py), Node's ws (node_server.mjs) -- both from test/setup.sh;
#   a raw-socket server that breaks RFC 6455 on purpose (raw_server.py);
#   and sluice's own demo on the epoll and io_uring backends.
#   test/client/run.sh [build-folder]          (default: build; uses <build>/test/sluice-cat)
# One line per check (PASS/FAIL client ...), the last exactly "N passed, M failed". The
# doctest cases in test/app/client_test.cpp test the same rules through the API.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=${1:-build}
cat_bin="$build/test/sluice-cat"
demo_bin="$build/test/sluice-demo"
PYTHON=/usr/bin/python3
work=$(mktemp -d /tmp/client-suite.XXXXXX)
pids=()
cleanup() {
  local p
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null; done
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
pass=0 fail=0

ok() { echo "PASS client $1"; pass=$((pass + 1)); }
bad() { echo "FAIL client $1: $2"; fail=$((fail + 1)); }

# start NAME CMD... : runs a server that prints "PORT n"; sets PORT (empty on failure).
start() {
  local name=$1; shift
  "$@" >"$work/$name.out" 2>&1 &
  pids+=($!)
  PORT=
  local i
  for i in $(seq 1 100); do
    PORT=$(sed -n 's/^PORT //p' "$work/$name.out" | head -n 1)
    [ -n "$PORT" ] && return 0
    sleep 0.1
  done
  echo "FAIL client $name: did not start ($(head -c 300 "$work/$name.out"))"
  fail=$((fail + 1))
  return 1
}

# run_cat NAME [cat args...] : runs sluice-cat with stdin from $work/in (default empty);
# sets OUT, ERR, STATUS. A sanitizer report is a failure of its own.
run_cat() {
  local name=$1; shift
  [ -f "$work/in" ] || : >"$work/in"
  timeout 20 "$cat_bin" "$@" <"$work/in" >"$work/$name.stdout" 2>"$work/$name.stderr"
  STATUS=$?
  OUT=$(cat "$work/$name.stdout")
  ERR=$(cat "$work/$name.stderr")
  rm -f "$work/in"
  if grep -qE 'ERROR: (Address|Leak)Sanitizer|runtime error:' "$work/$name.stderr"; then
    bad "$name" "sanitizer report: $(grep -m1 -E 'ERROR: |runtime error:' "$work/$name.stderr")"
    return 1
  fi
}

expect() { # name status expected-status out-or-err-pattern (grep -E, "" = none)
  local name=$1 want=$2 pattern=$3
  if [ "$STATUS" != "$want" ]; then
    bad "$name" "exit status $STATUS, expected $want (stderr: $(head -c 300 <<<"$ERR"))"
  elif [ -n "$pattern" ] && ! grep -qE -- "$pattern" <<<"$OUT"$'\n'"$ERR"; then
    bad "$name" "no /$pattern/ in the output: $(head -c 300 <<<"$OUT $ERR")"
  else
    ok "$name"
  fi
}

# The checks every conforming server passes; $1 names it, $2 its port, $3 its log file.
conformant() {
  local s=$1 url="ws://127.0.0.1:$2" log=$3
  # §5.2: every length class (0, 125, 126, 65535, 65536, 100000), text then binary.
  run_cat "$s-sizes" -q --linger 10 "$url/sizes" &&
    expect "$s: RFC 6455 5.2 length classes from the server" 0 "" &&
    { [ "$(awk '{printf "%d ", length($0)}' <<<"$OUT")" = "0 125 126 65535 65536 100000 0 125 126 65535 65536 100000 " ] ||
      bad "$s: length classes, each intact" "line lengths $(awk '{printf "%d ", length($0)}' <<<"$OUT")"; }
  # The client's own frames: each length class echoed, as text and as binary.
  "$PYTHON" -c 'import sys
for n in (0, 125, 126, 65535, 65536, 100000): print("t" * n)' >"$work/in"
  run_cat "$s-echo-text" -q --linger 1 "$url/echo" &&
    expect "$s: RFC 6455 5.2 length classes to the server, text, echoed" 0 "" &&
    { [ "$(awk '{printf "%d ", length($0)}' <<<"$OUT")" = "0 125 126 65535 65536 100000 " ] ||
      bad "$s: text echoes intact" "line lengths $(awk '{printf "%d ", length($0)}' <<<"$OUT")"; }
  printf 'x\n\n%s\n' "$(head -c 70000 /dev/zero | tr '\0' 'y')" >"$work/in"
  run_cat "$s-kind" -q --binary --linger 1 "$url/kind" &&
    expect "$s: --binary lines go out as binary messages" 0 "" &&
    { [ "$OUT" = $'binary 1\nbinary 0\nbinary 70000' ] || bad "$s: binary kinds" "got: $OUT"; }
  # §5.4: fragmented messages from the server arrive whole.
  run_cat "$s-fragments" -q --linger 10 "$url/fragments" &&
    expect "$s: RFC 6455 5.4 fragmented messages from the server" 0 "" &&
    { [ "$OUT" = $'Hello, world\nbinary-fragments' ] || bad "$s: fragments joined" "got: $OUT"; }
  # §5.5.2: the server's ping is answered with a pong carrying its payload.
  run_cat "$s-ping" -q --linger 10 "$url/ping" && expect "$s: RFC 6455 5.5.2 the server's ping answered" 0 "^pong received$"
  # §7.4: the server's close codes reach the exit status.
  run_cat "$s-close4001" -q --linger 10 "$url/close/4001" &&
    expect "$s: RFC 6455 7.4 the server's 4001 (exit 40)" 40 "closed: 4001 bye from server"
  run_cat "$s-close1001" -q --linger 10 "$url/close/1001" && expect "$s: RFC 6455 7.4 the server's 1001 (exit 11)" 11 "closed: 1001"
  # The client's close: 1000 at the end of stdin; 1001 on SIGINT.
  printf 'bye\n' >"$work/in"
  run_cat "$s-client-close" -q "$url/client-close" && expect "$s: RFC 6455 7.1.2 our close 1000 at the end of stdin" 0 ""
  # --foreground: timeout passes our SIGINT to sluice-cat once (without it, it signals its
  # process group as well, and a second SIGINT means "exit at once").
  timeout --foreground 20 "$cat_bin" -q "$url/client-close" < <(sleep 5) >"$work/$s-sigint.stdout" 2>"$work/$s-sigint.stderr" &
  local cat_pid=$!
  sleep 0.7
  kill -INT "$cat_pid" 2>/dev/null
  wait "$cat_pid"; STATUS=$?; OUT=; ERR=$(cat "$work/$s-sigint.stderr")
  expect "$s: RFC 6455 7.4.1 our close 1001 on SIGINT (exit 11)" 11 "closed: 1001"
  sleep 0.3
  if grep -q "^CLIENT-CLOSE 1000" "$log" && grep -q "^CLIENT-CLOSE 1001" "$log"; then
    ok "$s: the server saw the client's 1000 and 1001"
  else
    bad "$s: the server saw the client's 1000 and 1001" "server log: $(grep CLIENT-CLOSE "$log" | tr '\n' ' ')"
  fi
  # §4.1: extra headers and a subprotocol the server chooses.
  run_cat "$s-headers" -q --linger 0.5 --header 'X-Test: yes' --subprotocol superchat2 --subprotocol chat "$url/headers" &&
    expect "$s: RFC 6455 4.1 extra header sent, subprotocol chosen from the offer" 0 "^X-Test=yes subprotocol=chat$"
  # §4.1 item 1: a status other than 101, with the body's first bytes.
  run_cat "$s-200" -q "$url/status/200" && expect "$s: RFC 6455 4.1 a 200 instead of 101" 1 "answered 200 OK instead of 101.*a plain page"
  run_cat "$s-403" -q "$url/status/403" && expect "$s: RFC 6455 4.1 a 403 instead of 101" 1 "answered 403 Forbidden instead of 101.*forbidden by the"
  run_cat "$s-302" -q "$url/status/302" &&
    expect "$s: RFC 6455 4.1 a 302 instead of 101" 1 "answered 302 Found \(Location: http://elsewhere.test/\) instead of 101"
}

[ -x "$cat_bin" ] || { echo "FAIL client: $cat_bin is missing (make test-build builds it)"; echo "0 passed, 1 failed"; exit 1; }

if start python "$PYTHON" "$here/py_server.py"; then conformant python "$PORT" "$work/python.out"; fi
if start node node "$here/node_server.mjs"; then
  conformant node "$PORT" "$work/node.out"
  run_cat node-pings -q --ping-interval 0.2 --linger 10 "ws://127.0.0.1:$PORT/pings" &&
    expect "node: --ping-interval 0.2 pings the server (ws counts them)" 0 "^pings ([4-9]|[1-9][0-9])$"
fi

if start raw "$PYTHON" "$here/raw_server.py"; then
  url="ws://127.0.0.1:$PORT"
  run_cat raw-accept -q "$url/bad-accept" &&
    expect "raw: RFC 6455 4.1 item 4 a wrong Sec-WebSocket-Accept" 1 "Sec-WebSocket-Accept is '.*', expected '.*' \(RFC 6455 §4.1 item 4\)"
  run_cat raw-extension -q "$url/extension" &&
    expect "raw: RFC 6455 4.1 item 5 an extension not offered" 1 "extension 'x-unknown', which was not offered"
  run_cat raw-masked -q --linger 10 "$url/masked" &&
    expect "raw: RFC 6455 5.1 a masked frame from the server fails with 1002 (exit 12)" 12 "closed: 1002" &&
    { [ -z "$OUT" ] || bad "raw: the masked frame is not delivered" "printed: $OUT"; }
  run_cat raw-silent -q --timeout 0.5 "$url/silent" &&
    expect "raw: a server that never answers: handshake_timeout" 1 "no complete handshake response within 500 ms \(handshake_timeout\)"
fi
run_cat refused -q "ws://127.0.0.1:$("$PYTHON" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')/" &&
  expect "nobody listening: connection refused (exit 1)" 1 "Connection refused"
run_cat wss -q "wss://127.0.0.1:1/" && expect "RFC 6455 3: wss:// refused, naming the TLS proxy route (exit 2)" 2 "run a TLS proxy"

# sluice's own server, on both reactor backends.
for backend in epoll io_uring; do
  if [ ! -x "$demo_bin" ]; then bad "demo ($backend)" "$demo_bin is missing"; continue; fi
  port=$("$PYTHON" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  "$demo_bin" --host 127.0.0.1 --port "$port" --quiet 1 --backend "$backend" >"$work/demo-$backend.log" 2>&1 &
  demo_pid=$!
  pids+=("$demo_pid")
  for i in $(seq 1 100); do (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break; sleep 0.1; done
  if ! kill -0 "$demo_pid" 2>/dev/null; then
    if grep -qi "io_uring" "$work/demo-$backend.log"; then
      echo "skipped: client against the demo on $backend: $(head -c 200 "$work/demo-$backend.log")"
    else
      bad "demo ($backend)" "did not start: $(head -c 300 "$work/demo-$backend.log")"
    fi
    continue
  fi
  "$PYTHON" -c 'import sys
for n in (0, 125, 126, 65535, 65536, 100000): print("d" * n)' >"$work/in"
  run_cat "demo-$backend-echo" -q --linger 1 "ws://127.0.0.1:$port/ws" &&
    expect "sluice demo ($backend): length classes echoed on /ws" 0 "" &&
    { [ "$(awk '{printf "%d ", length($0)}' <<<"$OUT")" = "0 125 126 65535 65536 100000 " ] ||
      bad "sluice demo ($backend): echoes intact" "line lengths $(awk '{printf "%d ", length($0)}' <<<"$OUT")"; }
  printf 'hello from sluice-cat\n' >"$work/in"
  run_cat "demo-$backend-chat" -q --linger 0.5 "ws://127.0.0.1:$port/chat" &&
    expect "sluice demo ($backend): /chat welcomes and relays" 0 '"type":"message".*"text":"hello from sluice-cat"'
  kill -TERM "$demo_pid"; wait "$demo_pid"; st=$?
  if grep -qE 'ERROR: (Address|Leak)Sanitizer|runtime error:' "$work/demo-$backend.log"; then
    bad "sluice demo ($backend): no sanitizer report" "$(grep -m1 -E 'ERROR: |runtime error:' "$work/demo-$backend.log")"
  elif [ "$st" != 0 ] && [ "$st" != 143 ]; then
    bad "sluice demo ($backend): clean exit" "status $st"
  else
    ok "sluice demo ($backend): clean exit, no sanitizer report"
  fi
done

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
