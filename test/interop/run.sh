#!/usr/bin/env bash
# Interop with two real clients over loopback: Python's websockets (Debian's
# python3-websockets) and Node's ws (test/node_modules), both installed by test/setup.sh;
# ws also with permessage-deflate, with and without context takeover.
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
  # permessage-deflate (RFC 7692): Python's websockets offers it by default; Node's ws
  # without it, with it (ws's default offer) and asking for no context takeover, on /ws
  # (shared memory: both no_context_takeover) and /ws-takeover (dedicated: takeover kept).
  for client in python node node-on node-takeover node-no-takeover; do
    case $client in
      python) timeout 60 "$PYTHON" "$here/python_client.py" --port "$SERVER_PORT" >"$out" 2>&1 ;;
      node) timeout 60 node "$here/node_client.mjs" --port "$SERVER_PORT" >"$out" 2>&1 ;;
      node-on) timeout 60 node "$here/node_client.mjs" --port "$SERVER_PORT" --deflate on --expect shared >"$out" 2>&1 ;;
      node-takeover) timeout 60 node "$here/node_client.mjs" --port "$SERVER_PORT" --path /ws-takeover \
                       --deflate on --expect takeover >"$out" 2>&1 ;;
      node-no-takeover) timeout 60 node "$here/node_client.mjs" --port "$SERVER_PORT" --path /ws-takeover \
                          --deflate no-takeover --expect asked >"$out" 2>&1 ;;
    esac
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
