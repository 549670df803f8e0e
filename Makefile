# sluice — one plain GNU Makefile. `make help` lists the targets.
#
# Build variants, each in its own folder under build/ with its own flags:
#   release/      -O2, the demo server, perf programs           (make run, make bench)
#   test/         -O1 with ASan + UBSan, the doctest binaries   (make test)
#   fuzz/         clang++ with libFuzzer + ASan + UBSan         (make fuzz, fuzz smoke)
#   check-gcc/    g++ -Werror, everything                       (make check)
#   check-clang/  clang++ -Werror, everything                   (make check)
#
# Layers: core/ net/ proto/ build with -fno-exceptions -fno-rtti; app/ is the only layer
# allowed exceptions and RTTI (and uses neither on its hot path).

SHELL    := /bin/bash
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
INCLUDES := -I.
DEPFLAGS := -MMD -MP
LDLIBS   := -pthread

# The reactor backend is chosen here and nowhere else.
UNAME    := $(shell uname -s)
BACKEND  ?= $(if $(filter Linux,$(UNAME)),epoll,kqueue)

# ---- sources -------------------------------------------------------------------------
CORE_SRCS  := $(sort $(wildcard core/*.cpp))
NET_SRCS   := $(sort $(filter-out net/reactor_%.cpp,$(wildcard net/*.cpp))) net/reactor_$(BACKEND).cpp
PROTO_SRCS := $(sort $(wildcard proto/*.cpp))
APP_SRCS   := $(sort $(wildcard app/*.cpp))
LIB_SRCS   := $(CORE_SRCS) $(NET_SRCS) $(PROTO_SRCS) $(APP_SRCS)
DEMO_SRCS  := $(sort $(wildcard app/demo/*.cpp))
# The demo's applications (all but its main) are linked into the test binaries too.
DEMO_LIB_SRCS := $(filter-out app/demo/main.cpp,$(DEMO_SRCS))
TEST_SRCS  := $(sort $(shell find test -name '*_test.cpp' -not -path '*/node_modules/*' 2>/dev/null)) test/main.cpp
# Test support code (not tests themselves) lives in test/support/.
TEST_SUPPORT_SRCS := $(sort $(wildcard test/support/*.cpp))
# On Linux the kqueue backend is tested against a small emulation of kqueue()/kevent().
KQ_EMUL_DIR  := test/kqueue_emulation
KQ_EMUL_SRCS := $(sort $(wildcard $(KQ_EMUL_DIR)/*.cpp))
# Every folder under perf/ (but peers/) is one program; every fuzz/*.cpp is one harness.
PERF_PROGS := $(filter-out peers,$(notdir $(patsubst %/,%,$(sort $(dir $(wildcard perf/*/*.cpp))))))
FUZZ_PROGS := $(basename $(notdir $(sort $(wildcard fuzz/*.cpp))))

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
$(BUILD)/check-gcc/%.o:   VCXX := g++
$(BUILD)/check-gcc/%.o:   VFLAGS := -O2 -Werror
$(BUILD)/check-clang/%.o: VCXX := clang++
$(BUILD)/check-clang/%.o: VFLAGS := -O2 -Werror

# Each object depends on its source: build/<variant>/<path>.o <- <path>.cpp
define object_rule
$(BUILD)/$(1)/%.o: %.cpp
	@mkdir -p $$(@D)
	$$(VCXX) $(STD) $(WARN) $$(INCLUDES) $(DEPFLAGS) $$(VFLAGS) $$(layer_flags) -c $$< -o $$@
endef
$(foreach v,release test test-kqueue fuzz check-gcc check-clang,$(eval $(call object_rule,$(v))))

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

# The demo built with sanitizers: the conformance, interop and browser suites drive this one.
$(DEMO_TEST): $(LIB_TEST) $(call objs,test,$(DEMO_SRCS))
	$(CXX) $(SAN) $^ -o $@ $(LDLIBS)

$(TESTS): $(LIB_TEST) $(call objs,test,$(DEMO_LIB_SRCS) $(TEST_SRCS) $(TEST_SUPPORT_SRCS))
	$(CXX) $(SAN) $^ -o $@ $(LDLIBS)

$(TESTS_KQ): $(LIB_TEST_KQ) $(call objs,test,$(DEMO_LIB_SRCS) $(TEST_SRCS) $(TEST_SUPPORT_SRCS))
	$(CXX) $(SAN) $^ -o $@ $(LDLIBS)

# perf/<name>/*.cpp -> build/release/perf/<name>/<name> (beside its objects)
PERF_BINS := $(foreach p,$(PERF_PROGS),$(BUILD)/release/perf/$(p)/$(p))
define perf_program
$(BUILD)/release/perf/$(1)/$(1): $(LIB_RELEASE) $(call objs,release,$(sort $(wildcard perf/$(1)/*.cpp)))
	$$(CXX) -O2 $(ARCH) $$^ -o $$@ $(LDLIBS)
endef
$(foreach p,$(PERF_PROGS),$(eval $(call perf_program,$(p))))

# fuzz/<name>.cpp -> build/fuzz/<name>; the harness links the library built for fuzzing.
LIB_FUZZ := $(call objs,fuzz,$(CORE_SRCS) $(PROTO_SRCS))
define fuzz_program
$(BUILD)/fuzz/$(1): $(LIB_FUZZ) $(BUILD)/fuzz/fuzz/$(1).o
	clang++ $(SAN) -fsanitize=fuzzer $$^ -o $$@
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
.PHONY: all run test test-deps test-build check fuzz fuzz-smoke bench bench-load help clean amalgamate

all: $(DEMO)

run: ## build and start the demo server: make run ARGS="--host 127.0.0.1 --port 60001"
	@$(MAKE) --no-print-directory -j$(JOBS) $(DEMO)
	exec $(DEMO) $(ARGS)

test-deps: ## install what the tests need (apt-get, npm); does nothing when it is all there
	@bash test/setup.sh

test-build: test-deps
	@$(MAKE) --no-print-directory -j$(JOBS) $(TESTS) $(TESTS_KQ) $(DEMO_TEST) $(DEMO) \
	  $(addprefix $(BUILD)/fuzz/,$(FUZZ_PROGS))

test: test-build ## install test needs, build with sanitizers, run every suite; ends "N passed, M failed"
	@bash test/run_suites.sh $(BUILD)

check: ## build everything with g++ and clang++ at -Werror, then make test
	@$(MAKE) --no-print-directory -j$(JOBS) check-variant V=check-gcc
	@$(MAKE) --no-print-directory -j$(JOBS) check-variant V=check-clang
	@$(MAKE) --no-print-directory test

CHECK_SRCS := $(LIB_SRCS) $(DEMO_SRCS) $(KQ_EMUL_SRCS) $(wildcard net/reactor_*.cpp) \
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

bench: ## microbenchmarks (-O2), one table; then the HTTP parser beside picohttpparser
	@$(MAKE) --no-print-directory -j$(JOBS) $(BUILD)/release/perf/micro/micro
	$(BUILD)/release/perf/micro/micro $(ARGS)
	@bash perf/bench_http_peer.sh $(BUILD)

bench-load: ## demo server vs peers under perf/wsload, pinned to separate cores
	@$(MAKE) --no-print-directory -j$(JOBS) $(DEMO) $(PERF_BINS)
	@bash perf/bench_load.sh $(BUILD)

help:
	@grep -E '^[a-z-]+:.*## ' Makefile | sed -E 's/:.*## /\t/'

clean:
	rm -rf $(BUILD)
