#!/usr/bin/env bash
# The browser suite: starts the sanitizer-built demo ($1/test/sluice-demo, $1 = the build
# folder) on a free 127.0.0.1 port and drives its pages in headless Chromium
# (browser_test.mjs, playwright-core from test/node_modules, /usr/bin/chromium). $2 names
# another driver in this folder (test/browser_transports/run.sh: transports_test.mjs).
# Screenshots go to $1/screenshots/. Ends with one line "N passed, M failed"; exits non-zero
# on any failure; the server is killed on exit whatever happens.
set -uo pipefail
build=${1:-build}
driver=${2:-browser_test.mjs}
demo_log=browser-demo${2:+-${driver%.mjs}}.log
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
demo="$build/test/sluice-demo"
shots="$build/screenshots"
logs="$build/logs"
mkdir -p "$shots" "$logs"

if [ ! -x "$demo" ]; then
  echo "browser: missing $demo (make test builds it)"
  echo "0 passed, 1 failed"
  exit 1
fi
if [ ! -x /usr/bin/chromium ] || [ ! -d "$root/test/node_modules/playwright-core" ]; then
  echo "browser: needs /usr/bin/chromium and test/node_modules (make test-deps installs them)"
  echo "0 passed, 1 failed"
  exit 1
fi

# A free port: bind port 0 and read what the kernel chose.
port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')

"$demo" --host 127.0.0.1 --port "$port" --web-root "$root/app/web" >"$logs/$demo_log" 2>&1 &
server_pid=$!
cleanup() {
  if kill -0 "$server_pid" 2>/dev/null; then
    kill -TERM "$server_pid" 2>/dev/null
    # Graceful shutdown is quick; do not wait on a stuck server for long.
    for _ in 1 2 3 4 5 6 7 8 9 10; do kill -0 "$server_pid" 2>/dev/null || break; sleep 0.2; done
    kill -KILL "$server_pid" 2>/dev/null
  fi
  wait "$server_pid" 2>/dev/null
}
trap cleanup EXIT INT TERM

out=$(mktemp)
timeout 55 node "$here/$driver" "$port" "$shots" 2>&1 | tee "$out"
rc=${PIPESTATUS[0]}
if ! grep -qE '^[0-9]+ passed, [0-9]+ failed$' "$out"; then
  echo "browser: the driver ended without a count (exit $rc; server log: $logs/$demo_log)"
  echo "0 passed, 1 failed"
  rc=1
fi
rm -f "$out"
exit "$rc"
