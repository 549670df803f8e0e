#!/usr/bin/env bash
# Adds to the committed seeds (fuzz/corpus/<name>/) the fewest inputs of a working corpus
# (BUILD/fuzz/corpus-run/<name>/, what `make fuzz` found) that reach code edges the seeds do
# not: libFuzzer's greedy set cover, on edges only (no hit counts, no comparison operands),
# so the corpus stays small. The new files are named run-<hash>; the hand-written seeds
# (fuzz/make_seeds.py) stay as they are. Run it after a long `make fuzz`, then check
# `FUZZ_COVERAGE_CORPUS=seeds make fuzz-coverage` and commit what it added.
#   bash fuzz/distill.sh BUILD [HARNESS...]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=${1:?usage: distill.sh BUILD [HARNESS...]}
shift
# shellcheck source=fuzz/harnesses.sh
. "$here/harnesses.sh"
if [ $# -gt 0 ]; then names=("$@"); else mapfile -t names < <(harness_names "$here"); fi
for name in "${names[@]}"; do
  run="$build/fuzz/corpus-run/$name"
  [ -d "$run" ] || { echo "distill: $name: no working corpus $run" >&2; continue; }
  work=$(mktemp -d)
  cp "$here/corpus/$name/"* "$work/"
  "$build/fuzz/$name" -set_cover_merge=1 -use_counters=0 -use_value_profile=0 -use_cmp=0 \
    -max_len="$(max_len_of "$name")" "$work" "$run" >"$work.log" 2>&1 \
    || { echo "distill: $name: merge failed, see $work.log" >&2; exit 1; }
  added=0
  for f in "$work"/*; do
    b=$(basename "$f")
    [ -e "$here/corpus/$name/$b" ] && continue
    cp "$f" "$here/corpus/$name/run-${b:0:12}"
    added=$((added + 1))
  done
  printf '%-28s +%d\n' "$name" "$added"
  rm -rf "$work" "$work.log"
done
