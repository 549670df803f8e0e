#!/usr/bin/env bash
# Line and branch coverage of the parsers, reached by the fuzz corpora (make fuzz-coverage).
#   bash fuzz/coverage.sh BUILD HARNESS...
# BUILD/fuzz-cov/<name> is each harness built with clang's source-based coverage and
# fuzz/replay_main.cpp (the Makefile builds them). Each replays its corpus once: the seeds
# fuzz/corpus/<name>/, the working corpus a previous `make fuzz` left in
# BUILD/fuzz/corpus-run/<name>/, and fuzz/regressions/<name>/. The profiles are merged
# (llvm-profdata) and llvm-cov prints one table for the files the harnesses target: core/,
# proto/, and the app/ and net/ files the harnesses link. Raw output stays in BUILD/fuzz-cov/report/.
# FUZZ_COVERAGE_CORPUS=seeds replays only what is committed (seeds and regressions): the
# coverage the tree guarantees before any `make fuzz` has run.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=${1:?usage: coverage.sh BUILD HARNESS...}
shift
[ $# -gt 0 ] || { echo "coverage: no harness given" >&2; exit 2; }

# The llvm tools of the clang that built the binaries (their profile format must match).
major=$(clang++ --version | sed -nE 's/.*clang version ([0-9]+).*/\1/p' | head -1)
tool() {
  if [ -x "/usr/lib/llvm-$major/bin/$1" ]; then echo "/usr/lib/llvm-$major/bin/$1"; else command -v "$1"; fi
}
profdata=$(tool llvm-profdata)
cov=$(tool llvm-cov)

out="$build/fuzz-cov/report"
rm -rf "$out"
mkdir -p "$out/profiles"
objects=()
for name in "$@"; do
  exe="$build/fuzz-cov/$name"
  dirs=()
  run_dir="$build/fuzz/corpus-run/$name"
  [ "${FUZZ_COVERAGE_CORPUS:-all}" = seeds ] && run_dir=
  for d in "$here/corpus/$name" $run_dir "$here/regressions/$name"; do
    [ -d "$d" ] && dirs+=("$d")
  done
  # One profile per process: %p keeps a crashing input from clobbering another's counts.
  if ! LLVM_PROFILE_FILE="$out/profiles/$name-%p.profraw" "$exe" "${dirs[@]}" >"$out/$name.log" 2>&1; then
    echo "coverage: $name failed on its corpus; see $out/$name.log" >&2
    exit 1
  fi
  printf '%-22s %s\n' "$name" "$(tail -1 "$out/$name.log")"
  objects+=("$exe")
done

"$profdata" merge -sparse "$out"/profiles/*.profraw -o "$out/merged.profdata"

# The sources that count: core/ and proto/, and the app/ and net/ files the harnesses link
# (their `// fuzz-links:` lines, as the Makefile reads them), with their headers.
linked=$(sed -n 's|^// fuzz-links: *||p' "$here"/*_fuzz.cpp | tr ' ' '\n' | sed -n 's|\.cpp$||p' | sort -u)
sources=()
for f in "$here"/../core/*.[ch]pp "$here"/../proto/*.[ch]pp \
         $(for l in $linked; do echo "$here/../$l.cpp" "$here/../$l.hpp"; done); do
  [ -f "$f" ] && sources+=("$(cd "$(dirname "$f")" && pwd)/$(basename "$f")")
done
object_flags=()
for exe in "${objects[@]:1}"; do object_flags+=(-object "$exe"); done
"$cov" report "${objects[0]}" "${object_flags[@]}" -instr-profile="$out/merged.profdata" \
  "${sources[@]}" >"$out/report.txt"

# llvm-cov's table, cut to: file, lines, missed, line %, branches, missed, branch %.
root=$(cd "$here/.." && pwd)
echo
awk -v root="$root/" '
  # llvm-cov 14 columns: file, regions (3), functions (3), lines (3), branches (3).
  BEGIN {
    printf "| %-34s | %6s | %6s | %7s | %8s | %6s | %8s |\n", "file", "lines", "missed", "line %", "branches", "missed", "branch %"
    printf "| %-34s | %6s | %6s | %7s | %8s | %6s | %8s |\n", "---", "--:", "--:", "--:", "--:", "--:", "--:"
  }
  NF == 13 && $1 != "Filename" {
    name = $1; sub(root, "", name)
    if (name == "TOTAL") name = "**total**"
    printf "| %-34s | %6s | %6s | %7s | %8s | %6s | %8s |\n", name, $8, $9, $10, $11, $12, $13
  }' "$out/report.txt"
echo
echo "coverage: $(date -u +%Y-%m-%d), $# harnesses, corpus: ${FUZZ_COVERAGE_CORPUS:-all}; full report $out/report.txt"
echo "  per line: $cov show ${objects[0]} -instr-profile=$out/merged.profdata <file>"
