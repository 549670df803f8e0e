#!/usr/bin/env bash
# Runs every fuzz harness for a fixed time and fails on any crash, leak, timeout, OOM or
# sanitizer report.
#   bash fuzz/run.sh BIN_DIR SECONDS [HARNESS...]      e.g. bash fuzz/run.sh build/fuzz 60
# The harnesses are the fuzz/*_fuzz.cpp files; BIN_DIR holds their binaries (make fuzz builds
# them). Each one works in its own corpus BIN_DIR/corpus-run/<name>/, kept between runs (so
# a longer run continues where the last one stopped, and make fuzz-coverage replays what it
# found); the seeds fuzz/corpus/<name>/ are copied in, and the committed corpus never grows.
# It also reads fuzz/regressions/<name>/ (every crash found so far, which must keep
# passing). Dictionaries and -max_len per harness: fuzz/harnesses.sh. Crash artifacts go to
# BIN_DIR/artifacts/<name>/.
# FUZZ_JOBS harnesses run at once (default: the cores, at most 2). Prints one line per
# harness, in order, then exactly: N passed, M failed.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
bin_dir=${1:-build/fuzz}
seconds=${2:-60}
shift $(( $# >= 2 ? 2 : $# ))

# shellcheck source=fuzz/harnesses.sh
. "$here/harnesses.sh"
if [ $# -gt 0 ]; then
  names=("$@")
else
  mapfile -t names < <(harness_names "$here")
fi

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0:symbolize=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}
logs="$bin_dir/logs"
mkdir -p "$logs"
jobs=${FUZZ_JOBS:-$(nproc 2>/dev/null || echo 1)}
[ "$jobs" -gt 2 ] && jobs=2   # harnesses share the machine with whatever else runs

# Runs one harness; its verdict line goes to $logs/<name>.verdict (first word PASS/FAIL).
run_one() {
  local name=$1 exe="$bin_dir/$1" log="$logs/$1.log" verdict="$logs/$1.verdict"
  if [ ! -x "$exe" ]; then
    printf 'FAIL %-20s binary %s missing\n' "$name" "$exe" >"$verdict"
    return
  fi
  local work="$bin_dir/corpus-run/$name" artifacts="$bin_dir/artifacts/$name"
  mkdir -p "$work" "$artifacts"
  # Seeds are named by hand, what libFuzzer adds by content hash: -n keeps both apart.
  if [ -d "$here/corpus/$name" ]; then cp -n "$here/corpus/$name/"* "$work/" 2>/dev/null; fi
  local dirs=("$work")
  if [ -d "$here/regressions/$name" ] && [ -n "$(ls -A "$here/regressions/$name" 2>/dev/null)" ]; then
    dirs+=("$here/regressions/$name")
  fi
  local flags=(-max_total_time="$seconds" -max_len="$(max_len_of "$name")" -timeout=30
               -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$artifacts/")
  local dict
  dict=$(dict_of "$name" "$here")
  [ -n "$dict" ] && flags+=(-dict="$dict")
  # The guard covers corpus loading on a slow machine; libFuzzer stops itself at SECONDS.
  # -timeout (one input) is generous: a loaded machine must not fail a healthy harness.
  timeout --signal=INT --kill-after=10 $((seconds + 60)) "$exe" "${flags[@]}" "${dirs[@]}" >"$log" 2>&1
  local rc=$?
  local runs cov corpus
  runs=$(sed -nE 's/^stat::number_of_executed_units: *([0-9]+).*/\1/p' "$log" | tail -1)
  cov=$(grep -oE 'cov: [0-9]+' "$log" | tail -1 | grep -oE '[0-9]+')
  corpus=$(find "$work" -type f | wc -l)
  if [ "$rc" = 0 ] && ! grep -qE '^(==[0-9]+==ERROR|SUMMARY: (Address|Undefined|Leak)Sanitizer)|runtime error:' "$log"; then
    printf 'PASS %-20s %ss  %s runs  cov %s  corpus %s\n' "$name" "$seconds" "${runs:-?}" "${cov:-?}" "$corpus" >"$verdict"
  else
    { printf 'FAIL %-20s exit %s; log %s; artifacts %s\n' "$name" "$rc" "$log" "$artifacts"
      grep -m3 -E 'ERROR|runtime error|SUMMARY|Test unit written|invariant' "$log" | sed 's/^/     /'
    } >"$verdict"
  fi
}

for name in "${names[@]}"; do
  rm -f "$logs/$name.verdict"
  while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do wait -n; done
  run_one "$name" &
done
wait

passed=0
failed=0
for name in "${names[@]}"; do
  if [ -f "$logs/$name.verdict" ]; then cat "$logs/$name.verdict"; else printf 'FAIL %-20s no verdict\n' "$name"; fi
  if head -c 4 "$logs/$name.verdict" 2>/dev/null | grep -q PASS; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
  fi
done

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
