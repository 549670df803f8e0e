# sluice — one plain GNU Makefile. `make help` lists the targets.
#
# Build variants, each in its own folder under build/ with its own flags:
#   release/      -O2, the demo server, perf programs           (make run, make bench)
#   test/         -O1 with ASan + UBSan, the doctest binaries   (make test)
#   fuzz/         clang++ with libFuzzer + ASan + UBSan         (make fuzz, fuzz smoke)
#   fuzz-cov/     clang++ source-based coverage, corpus replay  (make fuzz-coverage)
#   check-gcc/    g++ -Werror, everything                       (make check)
#   check-clang/  clang++ -Werror, everything                   (make check)
#   tsan/         -O1 with ThreadSanitizer, the demo            (make soak TSAN=1)
#
# Layers: core/ net/ proto/ build with -fno-exceptions -fno-rtti; app/ is the only layer
# allowed exceptions and RTTI (and uses neither on its hot path).

SHELL    := /bin/bash
# `make` builds `all` (the -include of dependency files below would otherwise pick the goal).
.DEFAULT_GOAL := all
BUILD    ?= build
JOBS     ?= $(shell nproc 2>/dev/null || echo 2)
ARGS     ?=
ARCH     ?= -march=native
FUZZ_SECONDS ?= 60

STD      := -std=c++20
WARN     := -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wsign-conversion
NOEXC    := -fno-exceptions -fno-rtti
# vptr checks need RTTI, which core/ net/ proto/ are built without.
SAN      := -fsanitize=address,undefined -fno-sanitize=vptr -fno-sanitize-recover=undefined -fno-omit-frame-pointer
# clang's source-based coverage (line and branch counts per source line).
COVERAGE := -fprofile-instr-generate -fcoverage-mapping
INCLUDES := -I.
DEPFLAGS := -MMD -MP
LDLIBS   := -pthread

# The reactor backend is chosen here; on Linux, epoll or io_uring is then chosen per reactor.
UNAME    := $(shell uname -s)
BACKEND  ?= $(if $(filter Linux,$(UNAME)),epoll,kqueue)

# ---- sources -------------------------------------------------------------------------
CORE_SRCS  := $(sort $(wildcard core/*.cpp))
# The Linux backend (reactor_epoll.cpp) polls with epoll or io_uring (net/uring_*.cpp), chosen
# per reactor at run time; the io_uring files are built wherever that backend is.
URING_SRCS := $(sort $(wildcard net/uring_*.cpp))
NET_SRCS   := $(sort $(filter-out net/reactor_%.cpp $(URING_SRCS),$(wildcard net/*.cpp))) net/reactor_$(BACKEND).cpp \
              $(if $(filter epoll,$(BACKEND)),$(URING_SRCS))
PROTO_SRCS := $(sort $(wildcard proto/*.cpp))
APP_SRCS   := $(sort $(wildcard app/*.cpp app/detail/*.cpp))
LIB_SRCS   := $(CORE_SRCS) $(NET_SRCS) $(PROTO_SRCS) $(APP_SRCS)
DEMO_SRCS  := $(sort $(wildcard app/demo/*.cpp))
# The demo's applications (all but its main) are linked into the test binaries too.
DEMO_LIB_SRCS := $(filter-out app/demo/main.cpp,$(DEMO_SRCS))
# sluice-cat, the command-line WebSocket client (app/cat/): one program on the library.
CAT_SRCS   := $(sort $(wildcard app/cat/*.cpp))
TEST_SRCS  := $(sort $(shell find test -name '*_test.cpp' -not -path '*/node_modules/*' 2>/dev/null)) test/main.cpp
# Test support code (not tests themselves) lives in test/support/.
TEST_SUPPORT_SRCS := $(sort $(wildcard test/support/*.cpp))
# On Linux the kqueue backend is tested against a small emulation of kqueue()/kevent().
KQ_EMUL_DIR  := test/kqueue_emulation
KQ_EMUL_SRCS := $(sort $(wildcard $(KQ_EMUL_DIR)/*.cpp))
# Every folder under perf/ (but peers/) is one program; every fuzz/*_fuzz.cpp is one harness
# (the other fuzz/*.cpp are shared by all of them).
PERF_PROGS := $(filter-out peers,$(notdir $(patsubst %/,%,$(sort $(dir $(wildcard perf/*/*.cpp))))))
FUZZ_PROGS := $(basename $(notdir $(sort $(wildcard fuzz/*_fuzz.cpp))))

objs = $(patsubst %.cpp,$(BUILD)/$(1)/%.o,$(2))

# Layer flags: exceptions and RTTI are off below app/.
layer_flags = $(if $(filter core/% net/% proto/%,$<),$(NOEXC))

# ---- variants --------------------------------------------------------------------------
# Pattern-specific variables give each variant folder its compiler and flags.
$(BUILD)/release/%.o:     VCXX := $(CXX)
$(BUILD)/release/%.o:     VFLAGS := -O2 -g -DNDEBUG $(ARCH)
$(BUILD)/test/%.o:        VCXX := $(CXX)
$(BUILD)/test/%.o:        VFLAGS := -O1 -g $(SAN)
$(BUILD)/test-kqueue/%.o: VCXX := $(CXX)
$(BUILD)/test-kqueue/%.o: VFLAGS := -O1 -g $(SAN) -I$(KQ_EMUL_DIR) -DSLUICE_KQUEUE_EMULATION
$(BUILD)/fuzz/%.o:        VCXX := clang++
$(BUILD)/fuzz/%.o:        VFLAGS := -O1 -g $(SAN) -fsanitize=fuzzer-no-link
$(BUILD)/fuzz-cov/%.o:    VCXX := clang++
$(BUILD)/fuzz-cov/%.o:    VFLAGS := -O0 -g $(COVERAGE)
$(BUILD)/check-gcc/%.o:   VCXX := g++
$(BUILD)/check-gcc/%.o:   VFLAGS := -O2 -Werror
$(BUILD)/check-clang/%.o: VCXX := clang++
$(BUILD)/check-clang/%.o: VFLAGS := -O2 -Werror
$(BUILD)/tsan/%.o:        VCXX := $(CXX)
$(BUILD)/tsan/%.o:        VFLAGS := -O1 -g -fsanitize=thread -fno-omit-frame-pointer

# Each object depends on its source: build/<variant>/<path>.o <- <path>.cpp
define object_rule
$(BUILD)/$(1)/%.o: %.cpp
	@mkdir -p $$(@D)
	$$(VCXX) $(STD) $(WARN) $$(INCLUDES) $(DEPFLAGS) $$(VFLAGS) $$(layer_flags) -c $$< -o $$@
endef
$(foreach v,release test test-kqueue fuzz fuzz-cov check-gcc check-clang tsan,$(eval $(call object_rule,$(v))))

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)

# ---- programs --------------------------------------------------------------------------
LIB_RELEASE := $(call objs,release,$(LIB_SRCS))
LIB_TEST    := $(call objs,test,$(LIB_SRCS))
# The kqueue test binary swaps only the backend object; everything else is shared.
LIB_TEST_KQ := $(filter-out $(BUILD)/test/net/reactor_%.o,$(LIB_TEST)) \
               $(BUILD)/test-kqueue/net/reactor_kqueue.o $(call objs,test-kqueue,$(KQ_EMUL_SRCS))

DEMO        := $(BUILD)/release/sluice-demo
DEMO_TEST   := $(BUILD)/test/sluice-demo
TESTS       := $(BUILD)/test/sluice-tests
TESTS_KQ    := $(BUILD)/test/sluice-tests-kqueue

$(DEMO): $(LIB_RELEASE) $(call objs,release,$(DEMO_SRCS))
	$(CXX) -O2 $(ARCH) $^ -o $@ $(LDLIBS)

CAT         := $(BUILD)/release/sluice-cat
CAT_TEST    := $(BUILD)/test/sluice-cat
$(CAT): $(LIB_RELEASE) $(call objs,release,$(CAT_SRCS))
	$(CXX) -O2 $(ARCH) $^ -o $@ $(LDLIBS)
# With sanitizers: test/client/run.sh drives this one.
$(CAT_TEST): $(LIB_TEST) $(call objs,test,$(CAT_SRCS))
	$(CXX) $(SAN) $^ -o $@ $(LDLIBS)

# The demo under ThreadSanitizer, for `make soak TSAN=1` (threads 2).
DEMO_TSAN   := $(BUILD)/tsan/sluice-demo
$(DEMO_TSAN): $(call objs,tsan,$(LIB_SRCS) $(DEMO_SRCS))
	$(CXX) -fsanitize=thread $^ -o $@ $(LDLIBS)

# The demo built with sanitizers: the conformance, interop and browser suites drive this one.
$(DEMO_TEST): $(LIB_TEST) $(call objs,test,$(DEMO_SRCS))
	$(CXX) $(SAN) $^ -o $@ $(LDLIBS)

$(TESTS): $(LIB_TEST) $(call objs,test,$(DEMO_LIB_SRCS) $(TEST_SRCS) $(TEST_SUPPORT_SRCS))
	$(CXX) $(SAN) $^ -o $@ $(LDLIBS)

$(TESTS_KQ): $(LIB_TEST_KQ) $(call objs,test,$(DEMO_LIB_SRCS) $(TEST_SRCS) $(TEST_SUPPORT_SRCS))
	$(CXX) $(SAN) $^ -o $@ $(LDLIBS)

# perf/<name>/*.cpp -> build/release/perf/<name>/<name> (beside its objects)
PERF_BINS := $(foreach p,$(PERF_PROGS),$(BUILD)/release/perf/$(p)/$(p))
# zlib is a peer to measure against (perf/micro/deflate_bench.cpp) and an oracle (the inflate
# fuzz harness), linked into those two programs only, and only where zlib1g-dev is installed
# (the sources test __has_include(<zlib.h>)). Nothing the project ships links it.
ZLIB_PEER := $(if $(wildcard /usr/include/zlib.h),-lz)
PERF_LDLIBS_micro := $(ZLIB_PEER)
FUZZ_LDLIBS_inflate_fuzz := $(ZLIB_PEER)
define perf_program
$(BUILD)/release/perf/$(1)/$(1): $(LIB_RELEASE) $(call objs,release,$(sort $(wildcard perf/$(1)/*.cpp)))
	$$(CXX) -O2 $(ARCH) $$^ -o $$@ $(LDLIBS) $(PERF_LDLIBS_$(1))
endef
$(foreach p,$(PERF_PROGS),$(eval $(call perf_program,$(p))))
# transport_load reads the server's CPU and RSS with wsload's /proc readers and dials with its dial() (one copy of each).
$(BUILD)/release/perf/transport_load/transport_load: $(call objs,release,perf/wsload/proc_stats.cpp perf/wsload/dial.cpp)

# fuzz/<name>_fuzz.cpp -> build/fuzz/<name>_fuzz; the harness links the library built for
# fuzzing (core/ and proto/) plus the app/ or net/ sources it names on a line of its own
# `// fuzz-links: app/router.cpp` (fuzz/build.sh reads the same line), so a harness never
# drags in the rest of app/.
LIB_FUZZ := $(call objs,fuzz,$(CORE_SRCS) $(PROTO_SRCS))
fuzz_links = $(shell sed -n 's|^// fuzz-links: *||p' fuzz/$(1).cpp)
define fuzz_program
$(BUILD)/fuzz/$(1): $(LIB_FUZZ) $(call objs,fuzz,$(call fuzz_links,$(1))) $(BUILD)/fuzz/fuzz/$(1).o
	clang++ $(SAN) -fsanitize=fuzzer $$^ -o $$@ $(FUZZ_LDLIBS_$(1))
# The coverage twin: no sanitizers, no libFuzzer; fuzz/replay_main.cpp runs each input once.
$(BUILD)/fuzz-cov/$(1): $(call objs,fuzz-cov,$(CORE_SRCS) $(PROTO_SRCS) $(call fuzz_links,$(1)) fuzz/$(1).cpp fuzz/replay_main.cpp)
	clang++ $(COVERAGE) $$^ -o $$@ $(FUZZ_LDLIBS_$(1))
endef
$(foreach f,$(FUZZ_PROGS),$(eval $(call fuzz_program,$(f))))

# make unit L="core proto" [T="test/proto/x_test.cpp ..."] [DOCTEST_ARGS=...]: a doctest
# binary of only those layers and their tests, so one layer can be worked on while another
# is mid-edit. It builds build/test/unit-<layers>.
L ?= core
T ?=
empty :=
space := $(empty) $(empty)
UNIT_NAME  := unit-$(subst $(space),-,$(strip $(L)))$(if $(strip $(T)),-$(firstword $(shell echo '$(T)' | cksum)))
UNIT_LIB   := $(call objs,test,$(filter $(addsuffix /%,$(L)),$(LIB_SRCS) $(DEMO_LIB_SRCS)))
UNIT_TESTS := $(if $(strip $(T)),$(T),$(foreach l,$(L),$(shell find test/$(l) -name '*_test.cpp' 2>/dev/null)))
$(BUILD)/test/$(UNIT_NAME): $(UNIT_LIB) $(call objs,test,$(UNIT_TESTS) test/main.cpp $(TEST_SUPPORT_SRCS))
	$(CXX) $(SAN) $^ -o $@ $(LDLIBS)
$(BUILD)/test/$(UNIT_NAME)-kqueue: $(filter-out $(BUILD)/test/net/reactor_%.o,$(UNIT_LIB)) \
  $(BUILD)/test-kqueue/net/reactor_kqueue.o $(call objs,test-kqueue,$(KQ_EMUL_SRCS)) \
  $(call objs,test,$(UNIT_TESTS) test/main.cpp $(TEST_SUPPORT_SRCS))
	$(CXX) $(SAN) $^ -o $@ $(LDLIBS)
.PHONY: unit unit-kqueue
unit:
	@$(MAKE) --no-print-directory -j$(JOBS) $(BUILD)/test/$(UNIT_NAME)
	$(BUILD)/test/$(UNIT_NAME) $(DOCTEST_ARGS)
unit-kqueue: ## the same, with the kqueue backend over its emulation
	@$(MAKE) --no-print-directory -j$(JOBS) $(BUILD)/test/$(UNIT_NAME)-kqueue
	$(BUILD)/test/$(UNIT_NAME)-kqueue $(DOCTEST_ARGS)

# ---- targets ---------------------------------------------------------------------------
.PHONY: all run test test-deps test-build check fuzz fuzz-smoke fuzz-coverage bench bench-load bench-transports soak help clean amalgamate

all: $(DEMO) $(CAT)

run: ## build and start the demo server: make run ARGS="--host 127.0.0.1 --port 60001"
	@$(MAKE) --no-print-directory -j$(JOBS) $(DEMO)
	exec $(DEMO) $(ARGS)

test-deps: ## install what the tests need (apt-get, npm); does nothing when it is all there
	@bash test/setup.sh

test-build: test-deps
	@$(MAKE) --no-print-directory -j$(JOBS) $(TESTS) $(TESTS_KQ) $(DEMO_TEST) $(DEMO) $(CAT_TEST) \
	  $(BUILD)/release/perf/wsload/wsload $(BUILD)/release/perf/transport_server/transport_server \
	  $(BUILD)/release/perf/transport_load/transport_load $(addprefix $(BUILD)/fuzz/,$(FUZZ_PROGS))

test: test-build ## install test needs, build with sanitizers, run every suite; ends "N passed, M failed"
	@bash test/run_suites.sh $(BUILD)

check: ## build everything with g++ and clang++ at -Werror, then make test
	@$(MAKE) --no-print-directory -j$(JOBS) check-variant V=check-gcc
	@$(MAKE) --no-print-directory -j$(JOBS) check-variant V=check-clang
	@$(MAKE) --no-print-directory test

CHECK_SRCS := $(LIB_SRCS) $(DEMO_SRCS) $(CAT_SRCS) $(KQ_EMUL_SRCS) $(wildcard net/reactor_*.cpp) \
              $(TEST_SRCS) $(TEST_SUPPORT_SRCS) $(wildcard fuzz/*.cpp) \
              $(foreach p,$(PERF_PROGS),$(wildcard perf/$(p)/*.cpp))
.PHONY: check-variant
check-variant: test-deps $(call objs,$(V),$(sort $(CHECK_SRCS)))
	@echo "check: $(V) built warning-free with -Werror"

# net/reactor_kqueue.cpp builds against the emulation's <sys/event.h> where the real one is absent.
$(BUILD)/check-gcc/net/reactor_kqueue.o $(BUILD)/check-clang/net/reactor_kqueue.o: \
  INCLUDES += $(if $(wildcard /usr/include/sys/event.h),,-I$(KQ_EMUL_DIR) -DSLUICE_KQUEUE_EMULATION)

fuzz: ## run every fuzz harness for FUZZ_SECONDS (default 60); fails on any report
	@$(MAKE) --no-print-directory -j$(JOBS) $(addprefix $(BUILD)/fuzz/,$(FUZZ_PROGS))
	@bash fuzz/run.sh $(BUILD)/fuzz $(FUZZ_SECONDS)

fuzz-smoke: ## a short run of every harness (part of make test)
	@$(MAKE) --no-print-directory -j$(JOBS) $(addprefix $(BUILD)/fuzz/,$(FUZZ_PROGS))
	@bash fuzz/run.sh $(BUILD)/fuzz 5

fuzz-coverage: ## replay every harness's corpus in a coverage build; line/branch table per parser file
	@bash test/setup.sh fuzz
	@$(MAKE) --no-print-directory -j$(JOBS) $(addprefix $(BUILD)/fuzz-cov/,$(FUZZ_PROGS))
	@bash fuzz/coverage.sh $(BUILD) $(FUZZ_PROGS)

# Installs happen in perf/setup.sh only, called here; the scripts take JOBS from make.
bench: ## microbenchmarks (-O2 -march=native), one table; then the HTTP parser beside picohttpparser
	@bash perf/setup.sh micro
	@$(MAKE) --no-print-directory -j$(JOBS) $(BUILD)/release/perf/micro/micro
	$(BUILD)/release/perf/micro/micro $(ARGS)
	@JOBS=$(JOBS) bash perf/bench_http_peer.sh $(BUILD)

bench-load: ## demo server vs peers under perf/wsload, pinned to separate cores
	@bash perf/setup.sh load
	@$(MAKE) --no-print-directory -j$(JOBS) $(DEMO) $(PERF_BINS)
	@bash perf/bench_load.sh $(BUILD)

bench-transports: ## the seed's transport table: WebSocket, SSE, long-poll, polling at 1,000 clients each
	@$(MAKE) --no-print-directory -j$(JOBS) $(BUILD)/release/perf/transport_server/transport_server \
	  $(BUILD)/release/perf/transport_load/transport_load
	@bash perf/bench_transports.sh $(BUILD)

# make soak: issue 21's scenarios at full scale against the release demo, threads 1 and 2
# (test/soak/README.md); TSAN=1 runs them against the ThreadSanitizer build with threads 2,
# where a data race fails the scenario. A one-minute smoke runs inside make test.
# ThreadSanitizer slows the server ten-fold: TSAN=1 runs the smoke scale unless SOAK_SCALE says.
SOAK_ARGS ?=
SOAK_SCALE ?= $(if $(TSAN),smoke,full)
soak: ## soak and chaos scenarios at full scale (TSAN=1: under ThreadSanitizer, threads 2)
	@$(MAKE) --no-print-directory -j$(JOBS) $(BUILD)/release/perf/wsload/wsload \
	  $(if $(TSAN),$(DEMO_TSAN),$(DEMO))
	python3 test/soak/soak.py --scale $(SOAK_SCALE) --logs $(BUILD)/logs \
	  --wsload $(BUILD)/release/perf/wsload/wsload \
	  $(if $(TSAN),--demo $(DEMO_TSAN) --threads 2,--demo $(DEMO) --threads 1,2) $(SOAK_ARGS)

help:
	@grep -E '^[a-z-]+:.*## ' Makefile | sed -E 's/:.*## /\t/'

clean:
	rm -rf $(BUILD)

# ---- vendoring: make amalgamate, amalgamate-codec, install / uninstall -------------------
# Ways to vendor sluice (README "Vendoring"; test/vendor/run.sh checks each):
#   build/amalgamated/sluice.hpp + sluice.cpp : one header and one source, no include paths;
#   build/amalgamated/sluice_codec.hpp + .cpp : the sans-I/O codec alone (core/ + proto/);
#   $(PREFIX)/include/sluice/ + lib/libsluice.a : the headers in their layer folders (compile
#     with -I$(PREFIX)/include/sluice, since they include each other as "core/x.hpp"), with
#     lib/pkgconfig/sluice.pc and lib/cmake/sluice/sluiceConfig.cmake (both relocatable).
PREFIX     ?= /usr/local
DESTDIR    ?=
AMALG_DIR  := $(BUILD)/amalgamated
VENDOR_HDRS := $(sort $(wildcard core/*.hpp)) $(sort $(wildcard net/*.hpp)) \
               $(sort $(wildcard proto/*.hpp)) $(sort $(wildcard app/*.hpp)) $(sort $(wildcard app/detail/*.hpp))
# Every backend goes into the amalgamation, each inside the platform #if that the awk
# program writes around it; the library and the installed build take BACKEND as above.
AMALG_SRCS := $(CORE_SRCS) $(sort $(filter-out net/reactor_%.cpp,$(wildcard net/*.cpp))) \
              $(sort $(wildcard net/reactor_*.cpp)) $(PROTO_SRCS) $(APP_SRCS)
VENDOR_COMMIT = $(shell git describe --always --dirty 2>/dev/null || echo unknown)

# The amalgamator is an awk program kept here, beside the only targets that run it: it is a
# build step, and no top-level folder fits one (core/ net/ proto/ app/ ship, test/ tests).
# `make amalgamate` writes it to $(AMALG_DIR)/amalgamate.awk and runs it twice:
#   mode=hpp: each file argument is a header; it is inlined once (`#pragma once` honoured
#     by a seen-set), and each project `#include "layer/x.hpp"` in it is replaced by that
#     header inlined on the spot, first, so the output is in dependency order. System
#     includes stay where they are.
#   mode=cpp: each file argument is a source, copied after one `#include "sluice.hpp"` with
#     its project includes removed; net/reactor_epoll.cpp and net/reactor_kqueue.cpp are
#     wrapped in the #if that picks the Makefile's backend: epoll on Linux, kqueue elsewhere.
# Any project include that is not a header of core/ net/ proto/ app/ app/detail/ is an error.
define AMALGAMATE_AWK
function fail(msg) { print "amalgamate: " msg > "/dev/stderr"; failed = 1; exit 1 }
function project_include(line,   target) {
    if (line !~ /^[ \t]*#[ \t]*include[ \t]*"/) return ""
    target = line
    sub(/^[^"]*"/, "", target)
    sub(/".*$/, "", target)
    if (target !~ /^(core|net|proto|app|app\/detail)\/[A-Za-z0-9_]+\.hpp$/)
        fail("\"" target "\" is not a header of core/ net/ proto/ app/ app/detail/")
    return target
}
function inline_header(path,   line, target, status, nested, guard) {
    if (path in seen) return 0
    seen[path] = 1
    guard = linux_guard(path)
    print ""
    print "// ==== " path " " rule(path)
    if (guard != "") print guard "  // the io_uring poller exists on Linux only"
    while ((status = (getline line < path)) > 0) {
        if (line ~ /^[ \t]*#[ \t]*pragma[ \t]+once/) continue
        target = project_include(line)
        if (target != "") {
            if (inline_header(target)) nested = 1
            continue
        }
        if (nested) { print "// ==== " path " (continued) " rule(path " (continued)"); nested = 0 }
        print line
    }
    if (status < 0) fail("cannot read " path)
    close(path)
    if (guard != "") print "#endif  // " path
    return 1
}
function linux_guard(path) {
    if (path == "net/reactor_epoll.cpp" || path ~ /^net\/uring_/) return "#if defined(__linux__) && !defined(SLUICE_KQUEUE_EMULATION)"
    return ""
}
function copy_source(path,   line, status, guard, target, probe) {
    guard = linux_guard(path)
    if (path == "net/reactor_kqueue.cpp") guard = "#if !defined(__linux__) || defined(SLUICE_KQUEUE_EMULATION)"
    print ""
    print "// ==== " path " " rule(path)
    if (guard != "") print guard "  // the Makefile's BACKEND choice"
    while ((status = (getline line < path)) > 0) {
        target = project_include(line)
        if (target != "") {
            if ((getline probe < target) < 0) fail(path " includes \"" target "\", which cannot be read")
            close(target)
            continue
        }
        print line
    }
    if (status < 0) fail("cannot read " path)
    close(path)
    if (guard != "") print "#endif  // " path
}
function rule(text,   n) {
    n = 86 - length(text)
    return substr("==========================================================================================", 1, n < 4 ? 4 : n)
}
BEGIN {
    if (name == "") name = "sluice"
    if (mode == "hpp") {
        print "// " name ".hpp -- sluice (WebSocket RFC 6455 + HTTP/1.1 engine, C++20), amalgamated:"
    } else if (mode == "cpp") {
        print "// " name ".cpp -- sluice (WebSocket RFC 6455 + HTTP/1.1 engine, C++20), amalgamated:"
    } else {
        fail("mode must be hpp or cpp")
    }
    if (name == "sluice_codec") {
        print "// the codec only: core/ (buffers, SHA-1, Base64, UTF-8) and proto/ (HTTP/1.1 parser and"
        print "// writer, WebSocket handshake, frame codec, close handshake), sans-I/O. No threads, no"
        print "// coroutines, no iostream, no exceptions, no RTTI, no throwing standard-library call."
    } else if (mode == "hpp") {
        print "// every header of core/ net/ proto/ app/ inlined once, in dependency order."
    } else {
        print "// every source of core/ net/ proto/ app/ in one translation unit (the reactor backend"
        print "// is chosen by the platform #if around each one: epoll on Linux, kqueue elsewhere)."
    }
    print "// Generated by `make " target "` from commit " commit "; edit the sources, not this file."
    print "// Use: put " name ".hpp and " name ".cpp beside your program, #include \"" name ".hpp\", and"
    if (name == "sluice_codec") {
        print "//   g++ -std=c++20 -O2 -fno-exceptions -fno-rtti app.cpp " name ".cpp"
    } else {
        print "//   g++ -std=c++20 -O2 app.cpp sluice.cpp -pthread"
        print "// (clang++ alike; core/ net/ proto/ need no exceptions or RTTI, app/ uses exceptions.)"
    }
    if (mode == "hpp") {
        print "#pragma once"
        for (i = 1; i < ARGC; i++) inline_header(ARGV[i])
    } else {
        print "#include \"" name ".hpp\""
        for (i = 1; i < ARGC; i++) copy_source(ARGV[i])
    }
    exit 0
}
endef

# The codec-only pair (make amalgamate-codec): the sans-I/O core/ and proto/ files named here
# and nothing else (no net/, no app/, no block pool), for targets without threads, exceptions
# or an allocator on the hot path. A file joins the codec only when it keeps those promises
# (test/vendor/run.sh checks them), hence a list, not a wildcard.
CODEC_CORE  := byte_order base64 buffer cpu sha1 utf8
CODEC_PROTO := http_error http_limits http_fields http_chars http_framing http_field_scanner \
               http_request http_body http_target http_parser http_response http_writer \
               ws_error ws_close ws_unmask ws_frame ws_receiver ws_session span_appender ws_handshake
CODEC_HDRS  := $(addprefix core/,$(addsuffix .hpp,$(CODEC_CORE))) $(addprefix proto/,$(addsuffix .hpp,$(CODEC_PROTO)))
# core/sha1_x86.cpp has no header of its own: it implements a part of core/sha1.hpp.
CODEC_SRCS  := $(wildcard $(addprefix core/,$(addsuffix .cpp,$(CODEC_CORE))) $(addprefix proto/,$(addsuffix .cpp,$(CODEC_PROTO)))) \
               core/sha1_x86.cpp

.PHONY: amalgamate amalgamate-codec install uninstall
# ($(file) runs when the recipe is expanded, before its first line: the folder comes first.)
# amalgamate_pair NAME, TARGET, HEADERS, SOURCES: the recipe lines that write NAME.hpp + NAME.cpp.
define amalgamate_pair
	$(file >$(AMALG_DIR)/amalgamate.awk,$(value AMALGAMATE_AWK))
	awk -v mode=hpp -v name=$(1) -v target=$(2) -v commit='$(VENDOR_COMMIT)' -f $(AMALG_DIR)/amalgamate.awk $(3) >$(AMALG_DIR)/$(1).hpp.tmp
	awk -v mode=cpp -v name=$(1) -v target=$(2) -v commit='$(VENDOR_COMMIT)' -f $(AMALG_DIR)/amalgamate.awk $(4) >$(AMALG_DIR)/$(1).cpp.tmp
	@mv $(AMALG_DIR)/$(1).hpp.tmp $(AMALG_DIR)/$(1).hpp
	@mv $(AMALG_DIR)/$(1).cpp.tmp $(AMALG_DIR)/$(1).cpp
	@echo "$(2): $(AMALG_DIR)/$(1).hpp $(AMALG_DIR)/$(1).cpp ($(VENDOR_COMMIT))"
endef
amalgamate: | $(AMALG_DIR) ## write build/amalgamated/sluice.hpp + sluice.cpp: sluice as one header and one source
	$(call amalgamate_pair,sluice,amalgamate,$(VENDOR_HDRS),$(AMALG_SRCS))
amalgamate-codec: | $(AMALG_DIR) ## write build/amalgamated/sluice_codec.hpp + .cpp: core/ + proto/ only, no threads, no exceptions
	$(call amalgamate_pair,sluice_codec,amalgamate-codec,$(CODEC_HDRS),$(CODEC_SRCS))
$(AMALG_DIR):
	mkdir -p $@

# make install: a release static library of every non-demo object of core/ net/ proto/ app/
# (-O2, no -march=native: it may run on another machine), built in its own variant folder,
# and the headers in their layer folders under include/sluice/, plus a pkg-config file.
LIB_A        := $(BUILD)/lib/libsluice.a
INSTALL_INC  := $(DESTDIR)$(PREFIX)/include/sluice
INSTALL_LIB  := $(DESTDIR)$(PREFIX)/lib
$(BUILD)/lib/%.o: VCXX := $(CXX)
$(BUILD)/lib/%.o: VFLAGS := -O2 -DNDEBUG
$(eval $(call object_rule,lib))

$(LIB_A): $(call objs,lib,$(LIB_SRCS))
	@rm -f $@
	$(AR) rcs $@ $^

# Relocatable: pkg-config sets ${pcfiledir} to this file's folder (lib/pkgconfig), so the
# paths follow the tree wherever it is copied or staged (DESTDIR), not the PREFIX it was built for.
define SLUICE_PC
prefix=$${pcfiledir}/../..
includedir=$${prefix}/include/sluice
libdir=$${prefix}/lib

Name: sluice
Description: zero-dependency WebSocket (RFC 6455) and HTTP/1.1 engine, C++20
Version: $(VENDOR_COMMIT)
Cflags: -std=c++20 -I$${includedir}
Libs: -L$${libdir} -lsluice -pthread
endef

# The CMake package: find_package(sluice) gives the imported target sluice::sluice (the
# include folder, the library, C++20 and Threads). Relocatable like the .pc file: the prefix
# is found from this file's own place, lib/cmake/sluice/, three folders down.
define SLUICE_CMAKE
# sluiceConfig.cmake -- written by `make install` (sluice $(VENDOR_COMMIT)).
#   find_package(sluice REQUIRED)
#   target_link_libraries(app PRIVATE sluice::sluice)
include(CMakeFindDependencyMacro)
find_dependency(Threads)
get_filename_component(_sluice_prefix "$${CMAKE_CURRENT_LIST_DIR}/../../.." ABSOLUTE)
if(NOT TARGET sluice::sluice)
  add_library(sluice::sluice STATIC IMPORTED)
  set_target_properties(sluice::sluice PROPERTIES
    IMPORTED_LOCATION "$${_sluice_prefix}/lib/libsluice.a"
    IMPORTED_LINK_INTERFACE_LANGUAGES CXX
    INTERFACE_INCLUDE_DIRECTORIES "$${_sluice_prefix}/include/sluice"
    INTERFACE_COMPILE_FEATURES cxx_std_20
    INTERFACE_LINK_LIBRARIES Threads::Threads)
endif()
unset(_sluice_prefix)
endef

install: | $(BUILD)/lib ## build libsluice.a (-O2), install it, the headers, sluice.pc and the CMake package: make install PREFIX=/usr/local [DESTDIR=...]
	@$(MAKE) --no-print-directory -j$(JOBS) $(LIB_A)
	install -d '$(INSTALL_LIB)/pkgconfig' '$(INSTALL_LIB)/cmake/sluice' $(foreach l,core net proto app app/detail,'$(INSTALL_INC)/$(l)')
	install -m 644 $(LIB_A) '$(INSTALL_LIB)/libsluice.a'
	$(foreach l,core net proto app app/detail,install -m 644 $(filter $(l)/%.hpp,$(filter-out $(if $(filter app,$(l)),app/detail/%),$(VENDOR_HDRS))) '$(INSTALL_INC)/$(l)/' &&) true
	$(file >$(BUILD)/lib/sluice.pc,$(SLUICE_PC))
	install -m 644 $(BUILD)/lib/sluice.pc '$(INSTALL_LIB)/pkgconfig/sluice.pc'
	$(file >$(BUILD)/lib/sluiceConfig.cmake,$(SLUICE_CMAKE))
	install -m 644 $(BUILD)/lib/sluiceConfig.cmake '$(INSTALL_LIB)/cmake/sluice/sluiceConfig.cmake'
	@echo "install: compile with -I$(PREFIX)/include/sluice (headers include each other as \"core/x.hpp\"), link $(PREFIX)/lib/libsluice.a -pthread;"
	@echo "         or pkg-config --cflags --libs sluice; or CMake find_package(sluice) and sluice::sluice"

$(BUILD)/lib:
	mkdir -p $@

uninstall: ## remove what make install put under $(DESTDIR)$(PREFIX)
	rm -f '$(INSTALL_LIB)/libsluice.a' '$(INSTALL_LIB)/pkgconfig/sluice.pc' '$(INSTALL_LIB)/cmake/sluice/sluiceConfig.cmake'
	rmdir '$(INSTALL_LIB)/cmake/sluice' 2>/dev/null || true
	rm -rf '$(INSTALL_INC)'
