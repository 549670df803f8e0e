#!/usr/bin/env bash
# RFC 6455 conformance suite against the live server's echo route /ws.
#   test/conformance/run.sh [--server sluice|reference] [build-folder]     (default: build)
# Starts the server on a free port, runs conformance.py, stops the server, checks it did not
# crash or report a sanitizer error, and ends with one line: "N passed, M failed".
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/server.sh"
server_args "$@" || { echo "0 passed, 1 failed"; exit 1; }

extra=()
if [ "$SERVER_KIND" = reference ]; then
  # ws is not fail-fast on UTF-8 (see reference_xfail.txt): no need to wait long for it.
  extra=(--xfail "$here/reference_xfail.txt" --fail-fast-timeout 0.3)
fi

out=$(mktemp /tmp/conformance-out.XXXXXX)
trap 'server_stop; rm -f "$out"' EXIT
trap 'exit 130' INT TERM
pass=0 fail=0
if server_start conformance; then
  timeout 300 "$PYTHON" "$here/conformance.py" --port "$SERVER_PORT" "${extra[@]}" | tee "$out"
  read -r pass fail < <(suite_counts "$out")
fi
server_stop
if server_verdict; then pass=$((pass + 1)); else fail=$((fail + 1)); fi
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
