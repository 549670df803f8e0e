#!/usr/bin/env bash
# The traceability suite of `make test`: every row of proto/rfc6455.md and proto/rfc9112.md
# still points at a test that exists and a function that exists and cites its section
# (test/traceability/check.py says exactly what is checked). One PASS/FAIL line per row,
# then "N passed, M failed". Needs no build; the build-folder argument is accepted and unused.
#   test/traceability/run.sh [build-folder]
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
exec /usr/bin/python3 "$here/check.py" "$root"
