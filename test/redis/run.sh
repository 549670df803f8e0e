#!/usr/bin/env bash
# Topics across two processes through a real Redis (Debian's redis-server, installed by
# test/setup.sh): two demo nodes (the ASan + UBSan build) started before Redis, then Redis on a
# free port with no persistence; chat once per client on both nodes, 1,000 in order per
# publisher, binary byte for byte, the elected /trading generator, Redis stopped (slow),
# killed and restarted. See cluster.py for each check. Redis and the nodes are stopped every
# time. Ends with one line "N passed, M failed".
#   test/redis/run.sh [build-folder]     (default: build)
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=${1:-build}
logs="$build/logs"
mkdir -p "$logs"
if ! command -v redis-server >/dev/null 2>&1; then
  echo "FAIL redis-server is not installed (bash test/setup.sh installs it)"
  echo "0 passed, 1 failed"
  exit 1
fi
if [ ! -x "$build/test/sluice-demo" ]; then
  echo "FAIL $build/test/sluice-demo is missing (make test-build builds it)"
  echo "0 passed, 1 failed"
  exit 1
fi
# cluster.py stops what it started; the timeout is the last resort (it kills the group).
timeout -k 5 110 /usr/bin/python3 "$here/cluster.py" "$build" "$logs"
