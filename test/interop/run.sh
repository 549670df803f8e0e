#!/usr/bin/env bash
# Interop with two real clients over loopback: Python's websockets (Debian's
# python3-websockets) and Node's ws (test/node_modules), both installed by test/setup.sh.
#   test/interop/run.sh [--server sluice|reference] [build-folder]     (default: build)
# Starts the server once, runs both clients, stops the server, checks it did not crash or
# report a sanitizer error, and ends with one line "N passed, M failed" over all checks.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/../conformance/server.sh"
server_args "$@" || { echo "0 passed, 1 failed"; exit 1; }

out=$(mktemp /tmp/interop-out.XXXXXX)
trap 'server_stop; rm -f "$out"' EXIT
trap 'exit 130' INT TERM
pass=0 fail=0
if server_start interop; then
  for client in python node; do
    if [ $client = python ]; then
      timeout 60 "$PYTHON" "$here/python_client.py" --port "$SERVER_PORT" >"$out" 2>&1
    else
      timeout 60 node "$here/node_client.mjs" --port "$SERVER_PORT" >"$out" 2>&1
    fi
    grep -vE '^[0-9]+ passed, [0-9]+ failed$' "$out"
    read -r p f < <(suite_counts "$out")
    echo "# $client client: $p passed, $f failed"
    pass=$((pass + p)); fail=$((fail + f))
  done
fi
server_stop
if server_verdict; then pass=$((pass + 1)); else fail=$((fail + 1)); fi
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
