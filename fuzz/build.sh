#!/usr/bin/env bash
# fuzz/build.sh — builds every harness the OSS-Fuzz way, so the project can be submitted there
# as it is (its Dockerfile clones the repository; its build.sh runs this one).
# Reads the environment OSS-Fuzz sets:
#   CC CXX CFLAGS CXXFLAGS   compilers and flags (sanitizer + -fsanitize=fuzzer-no-link)
#   LIB_FUZZING_ENGINE       what the engine's main() links from (-fsanitize=fuzzer, or a .a)
#   OUT                      where the fuzzers and their files go
# and writes, for each fuzz/<name>_fuzz.cpp: $OUT/<name>_fuzz, $OUT/<name>_fuzz.dict (when it
# has one), $OUT/<name>_fuzz.options (max_len, dict) and $OUT/<name>_fuzz_seed_corpus.zip.
# Try it locally:
#   CC=clang CXX=clang++ CXXFLAGS="-fsanitize=address,fuzzer-no-link" \
#     LIB_FUZZING_ENGINE=-fsanitize=fuzzer OUT=/tmp/ossfuzz-out bash fuzz/build.sh
# A harness links core/ and proto/, plus the app/ or net/ sources it names on its
# `// fuzz-links:` line (as the Makefile does). Objects go to $WORK (or a temporary folder).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
: "${CXX:=clang++}" "${CXXFLAGS:=}" "${LIB_FUZZING_ENGINE:=-fsanitize=fuzzer}"
: "${OUT:?set OUT to the output folder}"
work=${WORK:-$(mktemp -d)}/sluice
rm -rf "$work"   # objects of an earlier build may be stale
mkdir -p "$OUT" "$work"
OUT=$(cd "$OUT" && pwd)
# shellcheck source=fuzz/harnesses.sh
. "$here/harnesses.sh"

# The layer rule of the Makefile: core/ net/ proto/ without exceptions or RTTI.
compile() { # source -> prints its object
  local src=$1 obj="$work/${1%.cpp}.o" extra=()
  case "$src" in core/*|net/*|proto/*) extra=(-fno-exceptions -fno-rtti) ;; esac
  mkdir -p "$(dirname "$obj")"
  if [ ! -f "$obj" ]; then   # once per build: two harnesses may name the same source
    # CXXFLAGS is a list of flags: split on spaces.
    # shellcheck disable=SC2086
    (cd "$root" && $CXX -std=c++20 -I. $CXXFLAGS "${extra[@]}" -c "$src" -o "$obj")
  fi
  echo "$obj"
}

lib=()
for src in $(cd "$root" && ls core/*.cpp proto/*.cpp); do lib+=("$(compile "$src")"); done

zip_folder() { # folder zip: the folder's files at the zip's top level
  rm -f "$2"
  if command -v zip >/dev/null 2>&1; then
    (cd "$1" && zip -q -j "$2" ./*)
  else
    python3 - "$1" "$2" <<'PY'
import os, sys, zipfile
with zipfile.ZipFile(sys.argv[2], "w", zipfile.ZIP_DEFLATED) as z:
    for name in sorted(os.listdir(sys.argv[1])):
        z.write(os.path.join(sys.argv[1], name), name)
PY
  fi
}

for name in $(harness_names "$here"); do
  objs=("${lib[@]}")
  for src in $(sed -n 's|^// fuzz-links: *||p' "$here/$name.cpp"); do objs+=("$(compile "$src")"); done
  objs+=("$(compile "fuzz/$name.cpp")")
  # shellcheck disable=SC2086
  $CXX $CXXFLAGS "${objs[@]}" $LIB_FUZZING_ENGINE -o "$OUT/$name"
  options="[libfuzzer]\nmax_len = $(max_len_of "$name")\n"
  dict=$(dict_of "$name" "$here")
  if [ -n "$dict" ]; then
    cp "$dict" "$OUT/$name.dict"
    options+="dict = $name.dict\n"
  fi
  printf "$options" >"$OUT/$name.options"
  if [ -d "$here/corpus/$name" ]; then zip_folder "$here/corpus/$name" "$OUT/${name}_seed_corpus.zip"; fi
  echo "build.sh: $OUT/$name"
done
