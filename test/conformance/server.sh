# Server lifecycle for the suites in test/conformance and test/interop (sourced, not run).
#   server_args "$@"      parses [--server sluice|reference] [build-folder]
#                         (or SLUICE_TEST_SERVER=reference); sets SERVER_KIND, BUILD_DIR
#   server_start NAME     picks a free port, starts the server (log: $SERVER_LOG), waits
#                         until it accepts; sets SERVER_PID, SERVER_PORT. Returns 1 on failure.
#   server_stop           SIGTERM, then waits (SIGKILL after 10 s); sets SERVER_STATUS
#   server_verdict        one line "PASS server ..." or "FAIL server ... : why"; returns 1 on
#                         a crash, a sanitizer report, or a server that ignored SIGTERM.
# The sluice server is <build>/test/sluice-demo (the ASan + UBSan build).

CONFORMANCE_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
PYTHON=/usr/bin/python3

server_args() {
  SERVER_KIND=${SLUICE_TEST_SERVER:-sluice}
  BUILD_DIR=build
  while [ $# -gt 0 ]; do
    case $1 in
      --server) SERVER_KIND=$2; shift 2 ;;
      --server=*) SERVER_KIND=${1#--server=}; shift ;;
      *) BUILD_DIR=$1; shift ;;
    esac
  done
  case $SERVER_KIND in
    sluice|reference) ;;
    *) echo "unknown server '$SERVER_KIND' (sluice or reference)"; return 1 ;;
  esac
}

free_port() {
  "$PYTHON" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

server_start() { # name
  local name=$1 cmd
  if [ -d "$BUILD_DIR" ]; then
    mkdir -p "$BUILD_DIR/logs"
    SERVER_LOG="$BUILD_DIR/logs/$name-$SERVER_KIND-server.log"
  else
    SERVER_LOG=$(mktemp "/tmp/$name-$SERVER_KIND-server.XXXXXX")
    SERVER_LOG_TEMP=1
  fi
  SERVER_STATUS=
  SERVER_PID=
  SERVER_PORT=$(free_port)
  if [ "$SERVER_KIND" = reference ]; then
    cmd=(node "$CONFORMANCE_DIR/reference_echo_server.mjs" --host 127.0.0.1 --port "$SERVER_PORT")
  else
    cmd=("$BUILD_DIR/test/sluice-demo" --host 127.0.0.1 --port "$SERVER_PORT")
    if [ ! -x "${cmd[0]}" ]; then
      SERVER_FAILURE="${cmd[0]} is missing (make test-build builds it)"
      return 1
    fi
  fi
  UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1} "${cmd[@]}" >"$SERVER_LOG" 2>&1 &
  SERVER_PID=$!
  local tries
  for tries in $(seq 1 200); do   # up to 20 s: an ASan build on a busy machine starts slowly
    if ! kill -0 "$SERVER_PID" 2>/dev/null; then
      SERVER_FAILURE="the server exited during start-up (log: $SERVER_LOG)"
      wait "$SERVER_PID"; SERVER_STATUS=$?; SERVER_PID=
      return 1
    fi
    if (exec 3<>"/dev/tcp/127.0.0.1/$SERVER_PORT") 2>/dev/null; then
      return 0
    fi
    sleep 0.1
  done
  SERVER_FAILURE="the server did not accept on 127.0.0.1:$SERVER_PORT within 20 s"
  return 1
}

server_stop() {
  [ -n "${SERVER_PID:-}" ] || return 0
  if kill -0 "$SERVER_PID" 2>/dev/null; then
    SERVER_ALIVE_AT_END=1
    kill -TERM "$SERVER_PID" 2>/dev/null
    local i
    for i in $(seq 1 100); do
      kill -0 "$SERVER_PID" 2>/dev/null || break
      sleep 0.1
    done
    if kill -0 "$SERVER_PID" 2>/dev/null; then
      SERVER_IGNORED_TERM=1
      kill -KILL "$SERVER_PID" 2>/dev/null
    fi
  fi
  wait "$SERVER_PID" 2>/dev/null
  SERVER_STATUS=$?
  SERVER_PID=
}

server_verdict() {
  local why=
  if [ -n "${SERVER_FAILURE:-}" ]; then
    why=$SERVER_FAILURE
  elif grep -qE 'ERROR: (Address|Leak)Sanitizer|runtime error:|SUMMARY: [A-Za-z]+Sanitizer' "$SERVER_LOG" 2>/dev/null; then
    why="sanitizer report in $SERVER_LOG: $(grep -m1 -E 'ERROR: |runtime error:|SUMMARY: ' "$SERVER_LOG")"
  elif [ -z "${SERVER_ALIVE_AT_END:-}" ]; then
    why="the server died during the suite (status ${SERVER_STATUS:-?}; log: $SERVER_LOG)"
  elif [ -n "${SERVER_IGNORED_TERM:-}" ]; then
    why="the server did not exit within 10 s of SIGTERM"
  elif [ "${SERVER_STATUS:-0}" != 0 ] && [ "${SERVER_STATUS:-0}" != 143 ]; then
    why="the server exited with status $SERVER_STATUS after SIGTERM (log: $SERVER_LOG)"
  fi
  if [ -n "$why" ]; then
    echo "FAIL server $SERVER_KIND: alive to the end, clean exit on SIGTERM, no sanitizer report : $why"
    if [ -f "$SERVER_LOG" ]; then tail -n 20 "$SERVER_LOG" | sed 's/^/  | /'; fi
    return 1
  fi
  echo "PASS server $SERVER_KIND: alive to the end, clean exit on SIGTERM, no sanitizer report"
  if [ -n "${SERVER_LOG_TEMP:-}" ]; then rm -f "$SERVER_LOG"; fi
}

# The "N passed, M failed" line of a suite's output file, as "N M" ("0 1" if missing).
suite_counts() { # file
  local line
  line=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$1" | tail -n 1)
  if [ -z "$line" ]; then echo "0 1"; return; fi
  sed -E 's/^([0-9]+) passed, ([0-9]+) failed$/\1 \2/' <<<"$line"
}
