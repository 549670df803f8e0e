#!/usr/bin/env bash
# Runs every test suite that `make test` owns and ends with one line of its own:
#   N passed, M failed
# summing all of them. Suites:
#   - the doctest binaries: every suite on the epoll backend, and the suites that use the
#     reactor (net, app) again on the io_uring backend (skipped, and counted so, where the
#     kernel refuses io_uring) and on the kqueue backend over its emulation;
#   - every test/<area>/run.sh (conformance, interop, browser, ...): each takes the build
#     folder and ends its output with its own "N passed, M failed" line;
#   - fuzz smoke: every fuzz harness for a few seconds (fuzz/run.sh).
# A suite that crashes or prints no count is counted as one failure.
set -uo pipefail
build=${1:-build}
logs="$build/logs"
mkdir -p "$logs"
total_pass=0
total_fail=0
total_skip=0
# Every failure line of every suite, reprinted just above the total: CI shows only the tail.
recap="$logs/failures.txt"
: >"$recap"

record() { # name passed failed
  printf '== %-24s %s passed, %s failed\n' "$1" "$2" "$3"
  if [ "$3" != 0 ]; then
    local before; before=$(wc -l <"$recap")
    # doctest: "TEST CASE:" names the case, "ERROR:" the check; scripts: "FAIL ..." or "not ok ...".
    grep -hE '^(FAIL |not ok |TEST CASE:|  values:|.*ERROR:|.*(Sanitizer|runtime error)|.*Segmentation)' "$logs/$1.log" 2>/dev/null \
      | sed "s/^/[$1] /" | head -n 8 >>"$recap"
    [ "$(wc -l <"$recap")" != "$before" ] || echo "[$1] failed without a failure line; see $logs/$1.log" >>"$recap"
  fi
  total_pass=$((total_pass + $2))
  total_fail=$((total_fail + $3))
}

run_doctest() { # name binary [doctest flags...]
  local name=$1 bin=$2 log="$logs/$1.log"; shift 2
  if [ ! -x "$bin" ]; then echo "missing $bin"; record "$name" 0 1; return; fi
  "$bin" --no-intro "$@" 2>&1 | tee "$log" | grep -vE '^\[doctest\] (Status|run with)' | tail -n 40
  local rc=${PIPESTATUS[0]}
  # --reactor-backend=NAME where that backend cannot be opened: one line, nothing run.
  if [ "$rc" = 0 ] && grep -q '^\[sluice\] skipped:' "$log"; then
    printf '== %-24s skipped (%s)\n' "$name" "$(sed -n 's/^\[sluice\] skipped: //p' "$log")"
    total_skip=$((total_skip + 1))
    return
  fi
  local line; line=$(grep -E '^\[doctest\] test cases:' "$log" | tail -1)
  local pass fail
  pass=$(sed -nE 's/.*\| *([0-9]+) passed.*/\1/p' <<<"$line")
  fail=$(sed -nE 's/.*\| *([0-9]+) failed.*/\1/p' <<<"$line")
  if [ -z "$pass" ] || [ -z "$fail" ]; then pass=0; fail=1; fi
  if [ "$rc" != 0 ] && [ "$fail" = 0 ]; then fail=1; fi
  record "$name" "$pass" "$fail"
}

run_script() { # name script args...
  local name=$1; shift
  local log="$logs/$name.log"
  bash "$@" 2>&1 | tee "$log"
  local rc=${PIPESTATUS[0]}
  local line; line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$log" | tail -1)
  local pass fail
  pass=$(sed -nE 's/^([0-9]+) passed.*/\1/p' <<<"$line")
  fail=$(sed -nE 's/^[0-9]+ passed, ([0-9]+) failed.*/\1/p' <<<"$line")
  if [ -z "$pass" ]; then pass=0; fail=1; fi
  if [ "$rc" != 0 ] && [ "$fail" = 0 ]; then fail=1; fi
  record "$name" "$pass" "$fail"
}

run_doctest unit-epoll "$build/test/sluice-tests" --reactor-backend=epoll
# Only net/ and app/ touch the reactor: they run again on io_uring and on kqueue.
run_doctest unit-io_uring "$build/test/sluice-tests" --reactor-backend=io_uring --test-suite=net,app
run_doctest unit-kqueue-emulated "$build/test/sluice-tests-kqueue" --test-suite=net,app
for script in test/*/run.sh; do
  [ -f "$script" ] || continue
  run_script "$(basename "$(dirname "$script")")" "$script" "$build"
done
if [ -f fuzz/run.sh ]; then
  run_script fuzz-smoke fuzz/run.sh "$build/fuzz" 5
fi

if [ -s "$recap" ]; then echo "== failures (from $logs):"; cat "$recap"; fi
[ "$total_skip" = 0 ] || echo "$total_skip suite(s) skipped"
echo "$total_pass passed, $total_fail failed"
[ "$total_fail" = 0 ]
