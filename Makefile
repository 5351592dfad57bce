# ovio -- the Windows overlapped I/O model on Linux (io_uring + epoll).
#
# Main targets:
#   all (default)  library (static + shared), examples, tests
#   deps           check/install the Debian packages the build needs
#   test           build, then run build/tests/* once per engine (tests/run.sh)
#   sanitize       ASan+UBSan build (build/asan, all tests) and TSan build
#                  (build/tsan, tests named *_mt* / *thread*), both engines
#   check          test + sanitize, with one overall summary line
#   demo           build, then run examples/demo.sh
#   bench          build, then run bench/run.sh; bench-smoke: BENCH_SMOKE=1
#   install        PREFIX (/usr/local), DESTDIR, LIBDIR, INCLUDEDIR, PKGCONFIGDIR
#   installcheck   install into a scratch DESTDIR and build programs against it
#   uninstall, clean, format, format-check
#
# Variables: CC, CXX, CFLAGS, CXXFLAGS, CPPFLAGS, LDFLAGS, LDLIBS, WERROR=1
# (default when CI=true), BUILD (build dir, default build), SAN_CC/SAN_CXX
# (compilers for sanitizer builds, default clang/clang++), ENGINES, TEST_TIMEOUT,
# TEST_JOBS (see tests/run.sh), OVIO_SKIP_DEPS=1 (skip the package check).
#
# Per-program extra flags: examples/<name>.flags / tests/<name>.flags hold
# extra compile flags, examples/<name>.ldflags / tests/<name>.ldflags extra
# link flags/libraries (plain whitespace-separated flags, no comments).

.DEFAULT_GOAL := all
.DELETE_ON_ERROR:
.SECONDEXPANSION:
SHELL := /bin/bash

VERSION   := 0.1.0
SOVERSION := 0

BUILD ?= build

# ---------------------------------------------------------------- toolchain
ifeq ($(origin CC),default)
CC := gcc
endif
ifeq ($(origin CXX),default)
ifneq ($(findstring clang,$(CC)),)
CXX := clang++
else
CXX := g++
endif
endif
AR         ?= ar
PKG_CONFIG ?= pkg-config
CLANG_FORMAT ?= clang-format

CFLAGS   ?= -std=gnu11 -O2 -g -Wall -Wextra -fPIC
CXXFLAGS ?= -std=gnu++17 -O2 -g -Wall -Wextra -fPIC

ifeq ($(CI),true)
WERROR ?= 1
endif
ifeq ($(WERROR),1)
WARN_FLAGS := -Werror
endif

# Sanitizer builds (used by the sanitize targets through a sub-make with SAN=...).
SAN_CC  ?= clang
SAN_CXX ?= clang++
ifeq ($(SAN),address)
SAN_FLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
else ifeq ($(SAN),thread)
SAN_FLAGS := -fsanitize=thread -fno-omit-frame-pointer
# gcc warns (-Wtsan) about atomic_thread_fence, which liburing's barriers use.
ifeq ($(findstring clang,$(CC)),)
SAN_FLAGS += -Wno-tsan
endif
else ifneq ($(SAN),)
$(error SAN must be empty, 'address' or 'thread')
endif

# Evaluated at most once, and only when first used (after `deps` ran).
URING_CFLAGS  = $(eval URING_CFLAGS := $(shell $(PKG_CONFIG) --cflags liburing 2>/dev/null))$(URING_CFLAGS)
URING_LIBS    = $(eval URING_LIBS := $(or $(shell $(PKG_CONFIG) --libs liburing 2>/dev/null),-luring))$(URING_LIBS)
SECCOMP_LIBS  = $(eval SECCOMP_LIBS := $(or $(shell $(PKG_CONFIG) --libs libseccomp 2>/dev/null),-lseccomp))$(SECCOMP_LIBS)

NPROC := $(shell nproc 2>/dev/null || echo 2)
# -jN for sub-makes unless the caller already runs make in parallel.
PAR = $(if $(filter -j% --jobserver%,$(MAKEFLAGS)),,-j$(NPROC))

COMMON_CFLAGS   = $(CFLAGS) $(WARN_FLAGS) $(SAN_FLAGS) -MMD -MP
COMMON_CXXFLAGS = $(CXXFLAGS) $(WARN_FLAGS) $(SAN_FLAGS) -MMD -MP
LIB_CPPFLAGS    = -Iinclude -Isrc $(URING_CFLAGS) $(CPPFLAGS)
WIN32_CPPFLAGS  = -Iinclude/win32 -Iinclude -Isrc $(URING_CFLAGS) $(CPPFLAGS)
PROG_CPPFLAGS   = -Iinclude/win32 -Iinclude $(URING_CFLAGS) $(CPPFLAGS)
TEST_CPPFLAGS   = -Iinclude/win32 -Iinclude -Itests $(URING_CFLAGS) $(CPPFLAGS)
ALL_LDFLAGS     = $(LDFLAGS) $(SAN_FLAGS)

# Contents of an optional per-program flags file ($1), or nothing.
progflags = $(if $(wildcard $1),$(strip $(file <$1)))

# ------------------------------------------------------------------ sources
# Everything under src/ goes into the library; src/win32/ sees the Win32 headers.
LIB_SRCS   := $(sort $(wildcard src/*.c src/*/*.c))
LIB_OBJS   := $(LIB_SRCS:%.c=$(BUILD)/obj/%.o)

EXAMPLE_SRCS  := $(sort $(wildcard examples/*.c))
EXAMPLE_NAMES := $(EXAMPLE_SRCS:examples/%.c=%)
EXAMPLE_OBJS  := $(EXAMPLE_NAMES:%=$(BUILD)/obj/examples/%.o)
EXAMPLE_BINS  := $(EXAMPLE_NAMES:%=$(BUILD)/examples/%)

TEST_C_NAMES   := $(patsubst tests/%.c,%,$(sort $(wildcard tests/*.c)))
TEST_CXX_NAMES := $(filter-out $(TEST_C_NAMES),$(patsubst tests/%.cpp,%,$(sort $(wildcard tests/*.cpp))))
# TESTS_MATCH: optional list of substrings; only tests whose name contains one are built.
ifneq ($(strip $(TESTS_MATCH)),)
matches = $(strip $(foreach m,$(TESTS_MATCH),$(findstring $m,$1)))
TEST_C_NAMES   := $(foreach t,$(TEST_C_NAMES),$(if $(call matches,$t),$t))
TEST_CXX_NAMES := $(foreach t,$(TEST_CXX_NAMES),$(if $(call matches,$t),$t))
endif
TEST_OBJS := $(TEST_C_NAMES:%=$(BUILD)/obj/tests/%.o) $(TEST_CXX_NAMES:%=$(BUILD)/obj/tests/%.cpp.o)
TEST_BINS := $(addprefix $(BUILD)/tests/,$(TEST_C_NAMES) $(TEST_CXX_NAMES))

LIB_A       := $(BUILD)/libovio.a
LIB_SO_REAL := $(BUILD)/libovio.so.$(VERSION)
LIB_SO_NAME := $(BUILD)/libovio.so.$(SOVERSION)
LIB_SO      := $(BUILD)/libovio.so

PC_FILES := $(BUILD)/ovio.pc $(BUILD)/ovio-win32.pc

ALL_OBJS := $(LIB_OBJS) $(EXAMPLE_OBJS) $(TEST_OBJS)

# ------------------------------------------------------------------- deps
DEPS_PACKAGES ?= gcc g++ make libc6-dev pkg-config liburing-dev gcc-mingw-w64-x86-64 \
	clang libclang-rt-14-dev llvm clang-format libuv1-dev libseccomp-dev

.PHONY: deps
deps:
ifneq ($(OVIO_SKIP_DEPS),1)
	@sh mk/deps.sh $(DEPS_PACKAGES)
endif

# Rebuild everything when the compiler or flags change.
FLAGS_SIG = $(CC) | $(CXX) | $(CFLAGS) | $(CXXFLAGS) | $(CPPFLAGS) | $(WARN_FLAGS) | $(SAN_FLAGS) | $(LDFLAGS) | $(VERSION)
$(BUILD)/.flags: FORCE | deps
	@mkdir -p $(@D)
	@echo '$(FLAGS_SIG)' | cmp -s - $@ || echo '$(FLAGS_SIG)' > $@

.PHONY: FORCE
FORCE:

# ------------------------------------------------------------------ build
.PHONY: all lib examples tests
all: lib examples tests
lib: $(LIB_A) $(LIB_SO) $(LIB_SO_NAME) $(PC_FILES)
examples: $(EXAMPLE_BINS)
tests: $(TEST_BINS)

$(BUILD)/obj/src/win32/%.o: src/win32/%.c $(BUILD)/.flags | deps
	@mkdir -p $(@D)
	$(CC) $(WIN32_CPPFLAGS) $(COMMON_CFLAGS) -c $< -o $@

$(BUILD)/obj/src/%.o: src/%.c $(BUILD)/.flags | deps
	@mkdir -p $(@D)
	$(CC) $(LIB_CPPFLAGS) $(COMMON_CFLAGS) -c $< -o $@

$(LIB_A): $(LIB_OBJS)
	@mkdir -p $(@D)
	@rm -f $@
	$(AR) rcs $@ $^

$(LIB_SO_REAL): $(LIB_OBJS)
	@mkdir -p $(@D)
	$(CC) -shared -Wl,-soname,libovio.so.$(SOVERSION) -Wl,--no-undefined $(ALL_LDFLAGS) \
		-o $@ $^ $(URING_LIBS) -lpthread

$(LIB_SO_NAME): $(LIB_SO_REAL)
	ln -sf $(notdir $<) $@

$(LIB_SO): $(LIB_SO_NAME)
	ln -sf $(notdir $<) $@

$(BUILD)/obj/examples/%.o: examples/%.c $$(wildcard examples/$$*.flags) $(BUILD)/.flags | deps
	@mkdir -p $(@D)
	$(CC) $(PROG_CPPFLAGS) $(COMMON_CFLAGS) $(call progflags,examples/$*.flags) -c $< -o $@

$(EXAMPLE_BINS): $(BUILD)/examples/%: $(BUILD)/obj/examples/%.o $(LIB_A) $$(wildcard examples/$$*.ldflags)
	@mkdir -p $(@D)
	$(CC) $(ALL_LDFLAGS) -o $@ $< $(LIB_A) $(call progflags,examples/$*.ldflags) \
		$(LDLIBS) $(URING_LIBS) -lpthread -lm

$(BUILD)/obj/tests/%.o: tests/%.c $$(wildcard tests/$$*.flags) $(BUILD)/.flags | deps
	@mkdir -p $(@D)
	$(CC) $(TEST_CPPFLAGS) $(COMMON_CFLAGS) $(call progflags,tests/$*.flags) -c $< -o $@

$(BUILD)/obj/tests/%.cpp.o: tests/%.cpp $$(wildcard tests/$$*.flags) $(BUILD)/.flags | deps
	@mkdir -p $(@D)
	$(CXX) $(TEST_CPPFLAGS) $(COMMON_CXXFLAGS) $(call progflags,tests/$*.flags) -c $< -o $@

TEST_LINK_LIBS = $(LDLIBS) $(SECCOMP_LIBS) $(URING_LIBS) -lpthread -lm

$(TEST_C_NAMES:%=$(BUILD)/tests/%): $(BUILD)/tests/%: $(BUILD)/obj/tests/%.o $(LIB_A) $$(wildcard tests/$$*.ldflags)
	@mkdir -p $(@D)
	$(CC) $(ALL_LDFLAGS) -o $@ $< $(LIB_A) $(call progflags,tests/$*.ldflags) $(TEST_LINK_LIBS)

$(TEST_CXX_NAMES:%=$(BUILD)/tests/%): $(BUILD)/tests/%: $(BUILD)/obj/tests/%.cpp.o $(LIB_A) $$(wildcard tests/$$*.ldflags)
	@mkdir -p $(@D)
	$(CXX) $(ALL_LDFLAGS) -o $@ $< $(LIB_A) $(call progflags,tests/$*.ldflags) $(TEST_LINK_LIBS)

-include $(ALL_OBJS:.o=.d)

# ------------------------------------------------------------ pkg-config
PREFIX       ?= /usr/local
LIBDIR       ?= $(PREFIX)/lib
INCLUDEDIR   ?= $(PREFIX)/include
PKGCONFIGDIR ?= $(LIBDIR)/pkgconfig

# Express libdir/includedir relative to ${prefix} when they live under it.
pc_path = $(patsubst $(PREFIX)/%,$${prefix}/%,$1)

$(BUILD)/%.pc: %.pc.in Makefile | deps
	@mkdir -p $(@D)
	sed -e 's|@PREFIX@|$(PREFIX)|g' \
	    -e 's|@LIBDIR@|$(call pc_path,$(LIBDIR))|g' \
	    -e 's|@INCLUDEDIR@|$(call pc_path,$(INCLUDEDIR))|g' \
	    -e 's|@VERSION@|$(VERSION)|g' $< > $@

# PREFIX etc. are baked into the .pc files: regenerate them when they change.
PC_SIG = $(PREFIX) | $(LIBDIR) | $(INCLUDEDIR) | $(VERSION)
$(BUILD)/.pcvars: FORCE
	@mkdir -p $(@D)
	@echo '$(PC_SIG)' | cmp -s - $@ || echo '$(PC_SIG)' > $@
$(PC_FILES): $(BUILD)/.pcvars

# ---------------------------------------------------------------- install
.PHONY: install uninstall installcheck
install: lib
	install -d $(DESTDIR)$(LIBDIR) $(DESTDIR)$(PKGCONFIGDIR) \
		$(DESTDIR)$(INCLUDEDIR) $(DESTDIR)$(INCLUDEDIR)/ovio/win32
	install -m 644 $(LIB_A) $(DESTDIR)$(LIBDIR)/
	install -m 755 $(LIB_SO_REAL) $(DESTDIR)$(LIBDIR)/
	ln -sf libovio.so.$(VERSION) $(DESTDIR)$(LIBDIR)/libovio.so.$(SOVERSION)
	ln -sf libovio.so.$(SOVERSION) $(DESTDIR)$(LIBDIR)/libovio.so
	install -m 644 $(wildcard include/*.h) $(DESTDIR)$(INCLUDEDIR)/
	$(if $(wildcard include/ovio/.),cp -RP include/ovio/. $(DESTDIR)$(INCLUDEDIR)/ovio/)
	cp -RP include/win32/. $(DESTDIR)$(INCLUDEDIR)/ovio/win32/
	install -m 644 $(PC_FILES) $(DESTDIR)$(PKGCONFIGDIR)/
	@# A real install (no DESTDIR) as root refreshes the loader's cache, so programs linked
	@# against the shared library run without LD_LIBRARY_PATH from a system directory.
	@if [ -z "$(DESTDIR)" ] && [ "$$(id -u)" = 0 ] && command -v ldconfig >/dev/null; then ldconfig; fi

uninstall:
	rm -f $(DESTDIR)$(LIBDIR)/libovio.a $(DESTDIR)$(LIBDIR)/libovio.so \
		$(DESTDIR)$(LIBDIR)/libovio.so.$(SOVERSION) $(DESTDIR)$(LIBDIR)/libovio.so.$(VERSION) \
		$(DESTDIR)$(PKGCONFIGDIR)/ovio.pc $(DESTDIR)$(PKGCONFIGDIR)/ovio-win32.pc \
		$(addprefix $(DESTDIR)$(INCLUDEDIR)/,$(notdir $(wildcard include/*.h)))
	rm -rf $(DESTDIR)$(INCLUDEDIR)/ovio

INSTALLCHECK_DIR := $(BUILD)/installcheck
installcheck: lib
	rm -rf $(INSTALLCHECK_DIR)
	$(MAKE) --no-print-directory install DESTDIR=$(abspath $(INSTALLCHECK_DIR))/root \
		PREFIX=/usr/local LIBDIR=/usr/local/lib INCLUDEDIR=/usr/local/include \
		PKGCONFIGDIR=/usr/local/lib/pkgconfig
	CC='$(CC)' CXX='$(CXX)' PKG_CONFIG='$(PKG_CONFIG)' \
		bash tests/install/run.sh $(abspath $(INSTALLCHECK_DIR))/root /usr/local

# ------------------------------------------------------------------ tests
ENGINES ?= io_uring epoll
export ENGINES

ASAN_OPTIONS  ?= detect_leaks=1:halt_on_error=1:abort_on_error=0:strict_init_order=1
UBSAN_OPTIONS ?= print_stacktrace=1:halt_on_error=1
TSAN_OPTIONS  ?= halt_on_error=1:second_deadlock_stack=1
export ASAN_OPTIONS UBSAN_OPTIONS TSAN_OPTIONS

TSAN_MATCH := _mt thread

.PHONY: test check sanitize asan tsan asan-build tsan-build check-summary
test: all
	bash tests/run.sh $(BUILD)

SAN_MAKE = $(MAKE) --no-print-directory $(PAR) OVIO_SKIP_DEPS=1 CC='$(SAN_CC)' CXX='$(SAN_CXX)'

asan-build: deps
	+$(SAN_MAKE) BUILD=$(BUILD)/asan SAN=address tests

tsan-build: deps
	+$(SAN_MAKE) BUILD=$(BUILD)/tsan SAN=thread TESTS_MATCH='$(TSAN_MATCH)' tests

asan: asan-build
	bash tests/run.sh $(BUILD)/asan

tsan: tsan-build
	bash tests/run.sh $(BUILD)/tsan '$(subst $() ,|,$(TSAN_MATCH))'

# Run both sanitizer suites even when the first one fails.
sanitize: deps
	@rc=0; \
	$(MAKE) --no-print-directory asan || rc=1; \
	$(MAKE) --no-print-directory tsan || rc=1; \
	exit $$rc

# test + sanitize, then one summary line over all runs.
check: deps
	$(MAKE) --no-print-directory $(PAR) all
	@rc=0; \
	rm -f $(BUILD)/test-logs/summary $(BUILD)/asan/test-logs/summary $(BUILD)/tsan/test-logs/summary; \
	bash tests/run.sh $(BUILD) || rc=1; \
	$(MAKE) --no-print-directory sanitize || rc=1; \
	$(MAKE) --no-print-directory stress-quick || rc=1; \
	$(MAKE) --no-print-directory check-summary || rc=1; \
	exit $$rc

check-summary:
	@p=0; f=0; s=0; missing=""; \
	for d in $(BUILD) $(BUILD)/asan $(BUILD)/tsan; do \
		if [ -f $$d/test-logs/summary ]; then \
			read -r a b c < $$d/test-logs/summary; p=$$((p+a)); f=$$((f+b)); s=$$((s+c)); \
		else missing="$$missing $$d"; fi; \
	done; \
	echo "== check: normal + asan + tsan =="; \
	if [ -n "$$missing" ]; then echo "check: test suite did not complete in:$$missing"; fi; \
	echo "total: $$p passed, $$f failed, $$s skipped" | tee $(BUILD)/check-summary.txt; \
	[ $$f -eq 0 ] && [ -z "$$missing" ]

# ------------------------------------------------------------ demo/bench
.PHONY: demo bench bench-smoke
demo: all
	OVIO_BUILD_DIR=$(abspath $(BUILD)) bash examples/demo.sh

# bench: the whole matrix (about 3 minutes on 2 cores), tables in bench/build/results.{txt,md}
# and the chart bench/build/bench.svg (gnuplot-nox, installed here when root; without it the
# chart is skipped).  bench/update_doc.sh then copies both into docs/BENCHMARKS.md.
bench: lib examples
ifneq ($(OVIO_SKIP_DEPS),1)
	@sh mk/deps.sh gnuplot-nox || echo "bench: gnuplot-nox is missing, the chart will be skipped"
endif
	OVIO_BUILD_DIR=$(abspath $(BUILD)) bash bench/run.sh

bench-smoke: lib examples
	OVIO_BUILD_DIR=$(abspath $(BUILD)) BENCH_SMOKE=1 bash bench/run.sh

# ---------------------------------------------------------------- format
FORMAT_FIND = find src include tests examples bench -type f \
	\( -name '*.c' -o -name '*.h' -o -name '*.cpp' \) 2>/dev/null | LC_ALL=C sort

.PHONY: format format-check clean
format:
	$(FORMAT_FIND) | xargs -r $(CLANG_FORMAT) -i

format-check:
	$(FORMAT_FIND) | xargs -r $(CLANG_FORMAT) --dry-run --Werror

clean:
	rm -rf $(BUILD) bench/build

# ------------------------------------------------------------ stress/fuzz
# Reliability (docs/RELIABILITY.md).  stress/*.c: one program each, linked with stress/lib/*.c
# and the library.  stress: every scenario at full size on both engines (minutes), plus
# close_pending/misuse under ASan; stress-quick: scaled down (~30 s), part of `check`.
# fuzz/*.c: libFuzzer targets, built with clang -fsanitize=fuzzer,address,undefined against the
# library built with the same sanitizers (BUILD/fuzz); fuzz: FUZZ_SECONDS (600) on both engines
# at once; fuzz-smoke: FUZZ_SMOKE_SECONDS (30).
STRESS_NAMES    := $(patsubst stress/%.c,%,$(sort $(wildcard stress/*.c)))
STRESS_LIB_OBJS := $(patsubst %.c,$(BUILD)/obj/%.o,$(sort $(wildcard stress/lib/*.c)))
STRESS_BINS     := $(STRESS_NAMES:%=$(BUILD)/stress/%)
STRESS_CPPFLAGS  = -Iinclude/win32 -Iinclude -Istress/lib $(URING_CFLAGS) $(CPPFLAGS)
STRESS_ASAN     := close_pending misuse

$(BUILD)/obj/stress/%.o: stress/%.c $(BUILD)/.flags | deps
	@mkdir -p $(@D)
	$(CC) $(STRESS_CPPFLAGS) $(COMMON_CFLAGS) -c $< -o $@

$(STRESS_BINS): $(BUILD)/stress/%: $(BUILD)/obj/stress/%.o $(STRESS_LIB_OBJS) $(LIB_A)
	@mkdir -p $(@D)
	$(CC) $(ALL_LDFLAGS) -o $@ $< $(STRESS_LIB_OBJS) $(LIB_A) $(LDLIBS) $(URING_LIBS) -lpthread -lm

-include $(STRESS_NAMES:%=$(BUILD)/obj/stress/%.d) $(STRESS_LIB_OBJS:.o=.d)

.PHONY: stress stress-quick stress-build stress-asan-build
stress-build: $(STRESS_BINS) $(BUILD)/examples/cmpl_routine_echo_server

stress-asan-build: deps
	+$(SAN_MAKE) BUILD=$(BUILD)/asan SAN=address $(STRESS_ASAN:%=$(BUILD)/asan/stress/%)

stress: deps
	+$(MAKE) --no-print-directory $(PAR) stress-build stress-asan-build
	bash stress/run.sh full $(BUILD)

stress-quick: deps
	+$(MAKE) --no-print-directory $(PAR) stress-build stress-asan-build
	bash stress/run.sh quick $(BUILD)

FUZZ_NAMES         := $(patsubst fuzz/%.c,%,$(sort $(wildcard fuzz/*.c)))
FUZZ_SECONDS       ?= 600
FUZZ_SMOKE_SECONDS ?= 30
# The library and the targets get the same sanitizers (SAN=address: ASan+UBSan); the library is
# also instrumented for libFuzzer's coverage.
FUZZ_LIB_CFLAGS = $(CFLAGS) -fsanitize=fuzzer-no-link

$(FUZZ_NAMES:%=$(BUILD)/fuzz/%): $(BUILD)/fuzz/%: fuzz/%.c $(LIB_A) $(BUILD)/.flags | deps
	@mkdir -p $(@D)
	$(CC) $(PROG_CPPFLAGS) $(COMMON_CFLAGS) -fsanitize=fuzzer $(ALL_LDFLAGS) -o $@ $< $(LIB_A) \
		$(LDLIBS) $(URING_LIBS) -lpthread -lm

.PHONY: fuzz fuzz-smoke fuzz-build
fuzz-build: deps
	+$(SAN_MAKE) BUILD=$(BUILD)/fuzz SAN=address CFLAGS='$(FUZZ_LIB_CFLAGS)' \
		$(FUZZ_NAMES:%=$(BUILD)/fuzz/fuzz/%)

fuzz: fuzz-build
	bash fuzz/run.sh $(BUILD)/fuzz $(FUZZ_SECONDS)

fuzz-smoke: fuzz-build
	bash fuzz/run.sh $(BUILD)/fuzz $(FUZZ_SMOKE_SECONDS)
