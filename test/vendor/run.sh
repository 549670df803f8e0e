#!/usr/bin/env bash
# The ways of vendoring sluice, checked as a user would use them:
#   (a) make amalgamate, then test/vendor/echo_app.cpp built against build/amalgamated/
#       (g++ -Wall -Wextra -Wpedantic -Werror; clang++ compiles sluice.cpp with the same flags,
#       and g++ its kqueue branch over test/kqueue_emulation/);
#   (b) make amalgamate-codec, then test/vendor/codec_echo.cpp (a sans-I/O echo, both ends in
#       one process) built with -fno-exceptions -fno-rtti by g++ and clang++: its checks pass,
#       it allocates nothing per message after warm-up, and the program references no
#       __cxa_throw, std::__throw_* or pthread_*; its size at -Os -s is printed beside a full
#       echo server's;
#   (c) make install DESTDIR=<tmp> PREFIX=/usr/local, then the same echo_app built against the
#       installed tree three ways: -I<prefix>/include/sluice + libsluice.a, pkg-config
#       (the relocatable sluice.pc), and CMake (find_package(sluice), sluice::sluice);
#   (d) make uninstall with the same DESTDIR leaves no files.
# Each server program is started on a free 127.0.0.1 port and answers one WebSocket echo and
# one HTTP GET (check.py). One PASS/FAIL line per check, then "N passed, M failed".
#   test/vendor/run.sh [build-folder]        (default: build; relative to the repository root)
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build=${1:-build}
cd "$root" || exit 1
PYTHON=/usr/bin/python3
CXXFLAGS_USER=(-std=c++20 -O2 -Wall -Wextra -Wpedantic -Werror)
logs="$build/logs"
mkdir -p "$logs"
work=$(mktemp -d /tmp/sluice-vendor.XXXXXX)
dest="$work/dest"
prefix=/usr/local
app_pid=
pass=0 fail=0

stop_app() {
  [ -n "$app_pid" ] || return 0
  kill -TERM "$app_pid" 2>/dev/null
  local i
  for i in $(seq 1 100); do kill -0 "$app_pid" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$app_pid" 2>/dev/null
  wait "$app_pid" 2>/dev/null
  app_status=$?
  app_pid=
}
trap 'stop_app; rm -rf "$work"' EXIT
trap 'exit 130' INT TERM

result() { # PASS|FAIL text [log to show on failure]
  echo "$1 $2"
  if [ "$1" = PASS ]; then
    pass=$((pass + 1))
  else
    fail=$((fail + 1))
    if [ -n "${3:-}" ] && [ -f "$3" ]; then tail -n 15 "$3" | sed 's/^/  | /'; fi
  fi
}

check() { # label command... : PASS when the command succeeds (its output goes to a log)
  local label=$1 log="$logs/vendor-$2.log"; shift 2
  if "$@" >"$log" 2>&1; then result PASS "$label"; else result FAIL "$label (log: $log)" "$log"; fi
}

# The make of the user's shell, not the one running `make test` (no inherited jobserver).
user_make() { env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make --no-print-directory BUILD="$build" "$@"; }

serve_and_check() { # label binary
  local label=$1 bin=$2 port log="$logs/vendor-$1-app.log" i
  port=$("$PYTHON" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  "$bin" "$port" >"$log" 2>&1 &
  app_pid=$!
  for i in $(seq 1 100); do
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
    kill -0 "$app_pid" 2>/dev/null || break
    sleep 0.1
  done
  local out; out=$(timeout 30 "$PYTHON" "$here/check.py" "$port" "$label" 2>&1)
  local line seen=0
  while IFS= read -r line; do
    case $line in
      PASS\ *) result PASS "${line#PASS }"; seen=$((seen + 1)) ;;
      FAIL\ *) result FAIL "${line#FAIL }" "$log"; seen=$((seen + 1)) ;;
      *) echo "  | $line" ;;
    esac
  done <<<"$out"
  [ "$seen" = 2 ] || result FAIL "$label: check.py did not report both checks" "$log"
  stop_app
  if [ "${app_status:-1}" = 0 ]; then
    result PASS "$label: the program exits 0 on SIGTERM"
  else
    result FAIL "$label: the program exits 0 on SIGTERM (status ${app_status:-?})" "$log"
  fi
}

# ---- (a) the amalgamation ---------------------------------------------------------------
amalg="$build/amalgamated"
make_amalgamation() { user_make amalgamate && test -s "$amalg/sluice.hpp" && test -s "$amalg/sluice.cpp"; }
check "amalgamation: make amalgamate writes sluice.hpp and sluice.cpp" amalgamate make_amalgamation
# Nothing outside the standard library and the OS is left to find: no project include remains.
if [ -s "$amalg/sluice.cpp" ] && ! grep -qE '^[[:space:]]*#[[:space:]]*include[[:space:]]*"' "$amalg/sluice.hpp" \
   && [ "$(grep -cE '^[[:space:]]*#[[:space:]]*include[[:space:]]*"' "$amalg/sluice.cpp")" = 1 ] \
   && grep -qx '#include "sluice.hpp"' "$amalg/sluice.cpp"; then
  result PASS "amalgamation: sluice.hpp includes no project header; sluice.cpp includes only \"sluice.hpp\""
else
  result FAIL "amalgamation: sluice.hpp includes no project header; sluice.cpp includes only \"sluice.hpp\""
fi
check "amalgamation: clang++ ${CXXFLAGS_USER[*]} compiles sluice.cpp" amalgamate-clang \
  clang++ "${CXXFLAGS_USER[@]}" -fsyntax-only "$amalg/sluice.cpp"
# On Linux only the epoll branch is compiled above; the kqueue branch, with its own
# file-local names in the one translation unit, is compiled against the kqueue emulation.
check "amalgamation: the kqueue branch of sluice.cpp compiles (g++, over test/kqueue_emulation)" amalgamate-kqueue \
  g++ "${CXXFLAGS_USER[@]}" -fsyntax-only -Itest/kqueue_emulation -DSLUICE_KQUEUE_EMULATION "$amalg/sluice.cpp"
check "amalgamation: g++ ${CXXFLAGS_USER[*]} builds echo_app.cpp + sluice.cpp" amalgamate-gcc \
  g++ "${CXXFLAGS_USER[@]}" -DSLUICE_VENDOR_AMALGAMATED -I"$amalg" "$here/echo_app.cpp" "$amalg/sluice.cpp" \
  -o "$work/echo_app_amalgamated" -pthread
if [ -x "$work/echo_app_amalgamated" ]; then
  serve_and_check amalgamated "$work/echo_app_amalgamated"
else
  result FAIL "amalgamated: no program to run"
fi
# A constrained target: the whole amalgamation without exceptions or RTTI (a handler's errors
# are then its own business: nothing is caught, README "Vendoring"), served and checked alike.
check "amalgamation: g++ ${CXXFLAGS_USER[*]} -fno-exceptions -fno-rtti builds echo_app.cpp + sluice.cpp" amalgamate-noexc \
  g++ "${CXXFLAGS_USER[@]}" -fno-exceptions -fno-rtti -DSLUICE_VENDOR_AMALGAMATED -I"$amalg" "$here/echo_app.cpp" \
  "$amalg/sluice.cpp" -o "$work/echo_app_noexc" -pthread
if [ -x "$work/echo_app_noexc" ]; then
  serve_and_check amalgamated-noexc "$work/echo_app_noexc"
  if nm -C "$work/echo_app_noexc" | grep -q ' U __cxa_throw\| T __cxa_throw'; then
    result FAIL "amalgamated-noexc: __cxa_throw is referenced (from the standard library's headers)"
  else
    result PASS "amalgamated-noexc: the program references no __cxa_throw"
  fi
else
  result FAIL "amalgamated-noexc: no program to run"
fi

# ---- (b) the codec-only amalgamation ------------------------------------------------------
make_codec() { user_make amalgamate-codec && test -s "$amalg/sluice_codec.hpp" && test -s "$amalg/sluice_codec.cpp"; }
check "codec: make amalgamate-codec writes sluice_codec.hpp and sluice_codec.cpp" codec make_codec
# What a constrained target may lack: threads, coroutines, iostreams, exception types, and the
# allocating containers.
banned='<(thread|mutex|atomic|condition_variable|future|coroutine|iostream|istream|ostream|sstream|fstream|stdexcept|exception|functional|string|vector)>'
if [ -s "$amalg/sluice_codec.cpp" ] && ! grep -hE "^[[:space:]]*#[[:space:]]*include[[:space:]]*$banned" "$amalg"/sluice_codec.{hpp,cpp} >/dev/null; then
  result PASS "codec: no <thread>, <atomic>, <coroutine>, <iostream>, <stdexcept>, <string> or <vector> is included"
else
  result FAIL "codec: includes $(grep -hoE "#[[:space:]]*include[[:space:]]*$banned" "$amalg"/sluice_codec.{hpp,cpp} 2>/dev/null | sort -u | tr '\n' ' ')"
fi
CODEC_FLAGS=(-std=c++20 -O2 -fno-exceptions -fno-rtti -Wall -Wextra -Wpedantic -Werror)
for cxx in g++ clang++; do
  check "codec: $cxx ${CODEC_FLAGS[*]} builds codec_echo.cpp + sluice_codec.cpp" "codec-$cxx" \
    "$cxx" "${CODEC_FLAGS[@]}" -I"$amalg" "$here/codec_echo.cpp" "$amalg/sluice_codec.cpp" -o "$work/codec_echo_$cxx"
  [ -x "$work/codec_echo_$cxx" ] || continue
  out=$("$work/codec_echo_$cxx" 2>&1); status=$?
  while IFS= read -r line; do
    case $line in
      PASS\ *) result PASS "${line#PASS } ($cxx)" ;;
      FAIL\ *) result FAIL "${line#FAIL } ($cxx)" ;;
      *) echo "  | $cxx: $line" ;;
    esac
  done <<<"$out"
  [ "$status" = 0 ] || result FAIL "codec: codec_echo ($cxx) exits 0 (status $status)"
  # Every symbol the program defines or imports: nothing that throws, nothing of threads.
  bad=$(nm "$work/codec_echo_$cxx" | grep -E '__cxa_throw|__throw_|pthread_' | awk '{print $NF}' | sort -u | tr '\n' ' ')
  if [ -z "$bad" ]; then
    result PASS "codec: the $cxx program references no __cxa_throw, __throw_* or pthread_* symbol"
  else
    result FAIL "codec: the $cxx program references $bad"
  fi
done
# Code size at -Os -s: the codec-only echo beside a minimal full echo server (sluice.cpp).
size_kib() { echo $(( ($(stat -c %s "$1" 2>/dev/null || echo 0) + 1023) / 1024 )); }
if g++ -std=c++20 -Os -s -fno-exceptions -fno-rtti -I"$amalg" "$here/codec_echo.cpp" "$amalg/sluice_codec.cpp" \
     -o "$work/codec_echo_os" >"$logs/vendor-codec-size.log" 2>&1 \
   && g++ -std=c++20 -Os -s -DSLUICE_VENDOR_AMALGAMATED -I"$amalg" "$here/echo_app.cpp" "$amalg/sluice.cpp" \
     -o "$work/echo_app_os" -pthread >>"$logs/vendor-codec-size.log" 2>&1; then
  result PASS "codec: both echoes build at g++ -Os -s"
  echo "  | size at g++ -Os -s: codec-only echo $(size_kib "$work/codec_echo_os") KiB," \
       "full echo server (sluice.cpp) $(size_kib "$work/echo_app_os") KiB"
else
  result FAIL "codec: both echoes build at g++ -Os -s (log: $logs/vendor-codec-size.log)" "$logs/vendor-codec-size.log"
fi

# ---- (c) make install -------------------------------------------------------------------
check "install: make install DESTDIR=<tmp> PREFIX=$prefix" install user_make install DESTDIR="$dest" PREFIX="$prefix"
if [ -f "$dest$prefix/lib/libsluice.a" ] && [ -f "$dest$prefix/include/sluice/app/server.hpp" ] \
   && [ -f "$dest$prefix/include/sluice/core/buffer.hpp" ] && [ -f "$dest$prefix/lib/pkgconfig/sluice.pc" ] \
   && [ -f "$dest$prefix/lib/cmake/sluice/sluiceConfig.cmake" ]; then
  result PASS "install: lib/libsluice.a, lib/pkgconfig/sluice.pc, lib/cmake/sluice/sluiceConfig.cmake, include/sluice/{core,net,proto,app}/*.hpp"
else
  result FAIL "install: lib/libsluice.a, lib/pkgconfig/sluice.pc, lib/cmake/sluice/sluiceConfig.cmake, include/sluice/{core,net,proto,app}/*.hpp"
fi
check "installed: g++ ${CXXFLAGS_USER[*]} -I$prefix/include/sluice builds echo_app.cpp with libsluice.a" install-gcc \
  g++ "${CXXFLAGS_USER[@]}" -I"$dest$prefix/include/sluice" "$here/echo_app.cpp" "$dest$prefix/lib/libsluice.a" \
  -o "$work/echo_app_installed" -pthread
if [ -x "$work/echo_app_installed" ]; then
  serve_and_check installed "$work/echo_app_installed"
else
  result FAIL "installed: no program to run"
fi
# pkg-config: the staged tree is not at PREFIX, so a relocatable sluice.pc must point into it.
pc_flags=$(PKG_CONFIG_PATH="$dest$prefix/lib/pkgconfig" pkg-config --cflags --libs sluice 2>"$logs/vendor-pkgconfig.log")
case $pc_flags in
  *"$dest$prefix"*) result PASS "pkg-config: sluice.pc is relocatable (its paths follow the staged tree)" ;;
  *) result FAIL "pkg-config: sluice.pc is relocatable (got: $pc_flags)" "$logs/vendor-pkgconfig.log" ;;
esac
read -r -a pc_words <<<"$pc_flags"
check "pkg-config: g++ ${CXXFLAGS_USER[*]} echo_app.cpp \$(pkg-config --cflags --libs sluice)" pkgconfig-gcc \
  g++ "${CXXFLAGS_USER[@]}" "$here/echo_app.cpp" "${pc_words[@]}" -o "$work/echo_app_pkgconfig"
if [ -x "$work/echo_app_pkgconfig" ]; then
  serve_and_check pkg-config "$work/echo_app_pkgconfig"
else
  result FAIL "pkg-config: no program to run"
fi
# CMake: find_package(sluice) from the staged prefix, the imported target sluice::sluice.
cm="$work/cmake"
mkdir -p "$cm"
cat >"$cm/CMakeLists.txt" <<EOF
cmake_minimum_required(VERSION 3.16)
project(sluice_vendor_check CXX)
find_package(sluice REQUIRED)
add_executable(echo_app "$here/echo_app.cpp")
target_compile_options(echo_app PRIVATE -Wall -Wextra -Wpedantic -Werror)
target_link_libraries(echo_app PRIVATE sluice::sluice)
EOF
cmake_build() {
  cmake -S "$cm" -B "$cm/build" -DCMAKE_BUILD_TYPE=Release -DCMAKE_PREFIX_PATH="$dest$prefix" &&
    cmake --build "$cm/build" -j 2
}
check "cmake: find_package(sluice) + target_link_libraries(sluice::sluice) builds echo_app.cpp" cmake cmake_build
if [ -x "$cm/build/echo_app" ]; then
  serve_and_check cmake "$cm/build/echo_app"
else
  result FAIL "cmake: no program to run"
fi

# ---- (d) make uninstall -----------------------------------------------------------------
check "uninstall: make uninstall with the same DESTDIR" uninstall user_make uninstall DESTDIR="$dest" PREFIX="$prefix"
left=$(find "$dest" -type f 2>/dev/null)
if [ -d "$dest" ] && [ -z "$left" ]; then
  result PASS "uninstall: no file is left under DESTDIR"
else
  result FAIL "uninstall: no file is left under DESTDIR (left: $(head -n 3 <<<"$left" | tr '\n' ' '))"
fi

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
