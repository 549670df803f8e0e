#!/usr/bin/env bash
# The soak smoke inside make test: every scenario of test/soak/soak.py at smoke scale against
# the ASan + UBSan demo with --threads 1, and the back-to-back load and the shutdown again
# with --threads 2. `make soak` runs the full scale (TSAN=1: under ThreadSanitizer).
#   test/soak/run.sh [build-folder]                         (default: build)
# Ends with one line "N passed, M failed" (soak.py's own).
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=${1:-build}
demo=$build/test/sluice-demo
wsload=$build/release/perf/wsload/wsload
for bin in "$demo" "$wsload"; do
  [ -x "$bin" ] || { echo "missing $bin (make test-build builds it)"; echo "0 passed, 1 failed"; exit 1; }
done
mkdir -p "$build/logs"
exec timeout 400 python3 "$here/soak.py" --scale smoke --demo "$demo" --wsload "$wsload" \
  --threads 1,2 --multi-only back_to_back,shutdown --logs "$build/logs"
