# corio with plain make (meson is not needed): `make` builds the library, tests and tools.
#   make test                    deps, build, run every test binary; ends "N passed, M failed"
#   make demo                    deps, build, run the demo (the seed end to end, under a minute)
#   make demo-plot               the same, and writes the table as a bar chart to build/demo.svg
#   make bench [BENCH_ARGS=--json]
#   make MODE=debug SANITIZE=address,undefined test    (or SANITIZE=thread)
# Objects go to build/make-$(MODE)[-$(SANITIZE)]; header dependencies are tracked (-MMD).

MODE ?= release
SANITIZE ?=
CXX ?= g++
V ?= 0

ifeq ($(MODE),debug)
  OPT := -O0 -g
else ifeq ($(MODE),release)
  OPT := -O2 -g
else ifeq ($(MODE),bench)
  OPT := -O2 -g -DNDEBUG
else
  $(error MODE must be debug, release or bench)
endif

comma := ,
SAN_FLAGS := $(if $(SANITIZE),-fsanitize=$(SANITIZE) -fno-omit-frame-pointer -fno-sanitize-recover=all)
# B may be set on the command line so that several builds of one checkout do not share objects.
B ?= build/make-$(MODE)$(if $(SANITIZE),-$(subst $(comma),-,$(SANITIZE)))

# llhttp ships as C sources (Debian node-llhttp), compiled into the library.
LLHTTP_DIR := /usr/share/llhttp
LLHTTP_INC := /usr/share/include/llhttp
CC ?= gcc

CPPFLAGS += -Iinclude -Isrc -I$(LLHTTP_INC)
CXXFLAGS += -std=c++20 -Wall -Wextra -Wno-missing-field-initializers $(OPT) $(SAN_FLAGS) -MMD -MP
CFLAGS += $(OPT) $(SAN_FLAGS)
LDFLAGS += $(SAN_FLAGS)
# What the library needs beyond libc: wslay frames, nettle's SHA-1/base64, zlib bodies (and
# OpenSSL when TLS is built in, below).
LIB_LIBS := -lwslay -lnettle -lz
LDLIBS += $(LIB_LIBS) -pthread

# Poller backends (src/reactor/poller_*.cpp): the system's native one, the first of epoll and
# kqueue whose header compiles, and poll(2), which every POSIX system has. POLLER=epoll|kqueue|poll
# picks the default a loop uses; a loop may still ask for another built one (LoopOptions::poller,
# CORIO_POLLER=poll). The choice reaches src/reactor/poller.cpp as macros; a stamp file
# rebuilds it when the choice changes.
has_header = $(shell printf '#include <%s>\n' $(1) | $(CXX) -E -x c++ - >/dev/null 2>&1 && echo y)
POLLER_HEADER_epoll := sys/epoll.h
POLLER_HEADER_kqueue := sys/event.h
POLLER ?=
ifeq ($(POLLER),)
  POLLER := $(firstword $(if $(call has_header,sys/epoll.h),epoll) \
                        $(if $(call has_header,sys/event.h),kqueue) poll)
endif
ifeq ($(filter $(POLLER),epoll kqueue poll),)
  $(error POLLER must be epoll, kqueue or poll (or empty: the system's best))
endif
ifneq ($(POLLER),poll)
  ifeq ($(call has_header,$(POLLER_HEADER_$(POLLER))),)
    $(error POLLER=$(POLLER): <$(POLLER_HEADER_$(POLLER))> is not on this system)
  endif
endif
POLLERS := $(sort $(POLLER) poll)
POLLER_SKIP := $(filter-out $(POLLERS:%=src/reactor/poller_%.cpp),$(wildcard src/reactor/poller_*.cpp))
POLLER_ID_epoll := 1
POLLER_ID_kqueue := 2
POLLER_ID_poll := 3
POLLER_MACRO_epoll := EPOLL
POLLER_MACRO_kqueue := KQUEUE
POLLER_MACRO_poll := POLL
POLLER_FLAGS := -DCORIO_POLLER_DEFAULT=$(POLLER_ID_$(POLLER)) \
                $(foreach p,$(POLLERS),-DCORIO_POLLER_HAS_$(POLLER_MACRO_$(p))=1)
POLLER_STAMP := $(B)/poller.flags
$(shell mkdir -p $(B) && { [ "$$(cat $(POLLER_STAMP) 2>/dev/null)" = "$(POLLER_FLAGS)" ] || \
                           echo "$(POLLER_FLAGS)" > $(POLLER_STAMP); })
$(B)/src/reactor/poller.o: CPPFLAGS += $(POLLER_FLAGS)
$(B)/src/reactor/poller.o: $(POLLER_STAMP)

# TLS (OpenSSL, src/tls/) is built in when OpenSSL's headers are there; TLS=0 leaves it out,
# and then src/tls/none.cpp stands in, so https:// and wss:// fail with a clear error. OpenSSL
# itself is loaded with dlopen when the first TLS context is made (src/tls/openssl_lib.cpp).
TLS ?= $(if $(call has_header,openssl/ssl.h),1,0)
ifeq ($(TLS),1)
  TLS_SKIP := src/tls/none.cpp
  LIB_LIBS += -ldl
  # Where pkg-config finds OpenSSL: tried first at run time, before the plain soname.
  OPENSSL_LIBDIR := $(shell pkg-config --variable=libdir openssl 2>/dev/null)
  $(B)/src/tls/openssl_lib.o: CPPFLAGS += $(if $(OPENSSL_LIBDIR),-DCORIO_OPENSSL_LIBDIR='"$(OPENSSL_LIBDIR)"')
else
  TLS_SKIP := $(filter-out src/tls/none.cpp,$(wildcard src/tls/*.cpp))
endif

LIB_SRCS := $(filter-out $(POLLER_SKIP) $(TLS_SKIP),$(wildcard src/*.cpp src/*/*.cpp))
LLHTTP_OBJS := $(addprefix $(B)/third_party/llhttp/,llhttp.o api.o http.o)
LIB_OBJS := $(LIB_SRCS:%.cpp=$(B)/%.o) $(LLHTTP_OBJS)
LIB := $(B)/libcorio.a

# Without TLS built in, the TLS tests have nothing to test (what https and wss say then is
# tested beside the plain cases: test_http_client_faults, test_ws_server, test_wsserver_tls).
TLS_ONLY_TESTS := tests/test_tls% tests/test_crawl_tls%
TEST_SRCS := $(filter-out $(if $(filter 0,$(TLS)),$(TLS_ONLY_TESTS)),$(wildcard tests/test_*.cpp))
TEST_SUPPORT := $(filter-out tests/test_%,$(wildcard tests/*.cpp))
TEST_SUPPORT_OBJS := $(TEST_SUPPORT:%.cpp=$(B)/%.o)
TEST_BINS := $(TEST_SRCS:tests/%.cpp=$(B)/tests/%)
CATCH_MAIN := /usr/lib/libCatch2WithMain.a

# Programs: each folder under tools/ (what users run) or examples/ (what users read) is one
# program made of all its .cpp files, built as $(B)/bin/<folder>.
PROGRAM_DIRS := $(patsubst %/,%,$(wildcard tools/*/ examples/*/))
TOOL_BINS := $(addprefix $(B)/bin/,$(notdir $(PROGRAM_DIRS)))
# Extra libraries of one program, and of the tests that link its objects.
LIBS_crawl := -lgumbo
# The programs people run start a process per job (a crawl of 1,000 URLs lasts about 20 ms) and
# loading libstdc++.so costs each start 0.5 ms of symbol lookups: they carry their own copy (and
# so does thread_crawler, their peer in bench crawl). Linux only, and not under the sanitizers,
# whose runtimes expect the shared one.
STATIC_CXX := $(if $(SANITIZE),,$(if $(filter Linux,$(shell uname -s)),-static-libstdc++ -static-libgcc))
LDFLAGS_crawl := $(STATIC_CXX)
LDFLAGS_wsserver := $(STATIC_CXX)
LDFLAGS_thread_crawler := $(STATIC_CXX)

.PHONY: all lib tests tools test demo demo-plot bench deps clean format check-format check-portable
# Objects reached through pattern chains are kept, so an unchanged test is not recompiled.
.SECONDARY:
all: lib tests tools
lib: $(LIB)
tests: $(TEST_BINS)
tools: $(TOOL_BINS)

$(LIB): $(LIB_OBJS)
	@mkdir -p $(@D)
	rm -f $@ && ar rcs $@ $^

$(B)/%.o: %.cpp
	@mkdir -p $(@D)
	$(CXX) $(CPPFLAGS) $(CXXFLAGS) -c $< -o $@

$(B)/third_party/llhttp/%.o: $(LLHTTP_DIR)/%.c
	@mkdir -p $(@D)
	$(CC) -I$(LLHTTP_INC) $(CFLAGS) -c $< -o $@

# A test named test_<tool>_*.cpp also links that tool's objects but its main.o (for unit tests
# of a tool's parts, e.g. test_crawl_robots.cpp), with the tool's extra libraries.
tool_of = $(word 2,$(subst _, ,$(notdir $(1))))
tool_objs = $(if $(wildcard tools/$(call tool_of,$(1))/main.cpp),$(filter-out %/main.o,$(addprefix $(B)/,$(addsuffix .o,$(basename $(wildcard tools/$(call tool_of,$(1))/*.cpp))))))

.SECONDEXPANSION:
$(B)/tests/%: $(B)/tests/%.o $$(call tool_objs,$$*) $(TEST_SUPPORT_OBJS) $(LIB)
	$(CXX) $(LDFLAGS) -o $@ $< $(call tool_objs,$*) $(TEST_SUPPORT_OBJS) $(LIB) $(CATCH_MAIN) $(LIBS_$(call tool_of,$*)) $(LDLIBS)

$(B)/bin/%: $$(addprefix $(B)/,$$(addsuffix .o,$$(basename $$(wildcard tools/$$*/*.cpp examples/$$*/*.cpp)))) $(LIB)
	@mkdir -p $(@D)
	$(CXX) $(LDFLAGS) $(LDFLAGS_$*) -o $@ $(filter %.o,$^) $(LIB) $(LIBS_$*) $(LDLIBS)

deps:
	@bash scripts/deps.sh

# The tests run the programs too (crawl, wsserver, the examples), so they are built first.
test: deps
	@$(MAKE) --no-print-directory tests tools
	@bash scripts/run-tests.sh $(B) "$(CXX) $(CPPFLAGS) $(filter-out -MMD -MP,$(CXXFLAGS))" "$(LIB) $(LDFLAGS) $(LDLIBS)"

DEMO_BINS := $(addprefix $(B)/bin/,demo crawl thread_crawler wsserver)
demo: deps
	@$(MAKE) --no-print-directory $(DEMO_BINS)
	@$(B)/bin/demo

demo-plot: deps
	@$(MAKE) --no-print-directory $(DEMO_BINS)
	@$(B)/bin/demo --plot build/demo.svg

# The network groups run crawl, wsserver and thread_crawler beside their peers.
bench: deps
	@$(MAKE) --no-print-directory MODE=bench $(addprefix build/make-bench/bin/,bench crawl wsserver thread_crawler)
	@build/make-bench/bin/bench $(BENCH_ARGS)

# Compiles, never links or runs, the code this system does not use: the kqueue backend against
# tests/standin/sys/event.h (declarations only, NOT a real kqueue), with EVFILT_USER and with
# its pipe fallback, and the reactor's and sockets' POSIX paths (CORIO_FORCE_PORTABLE, with
# tests/standin/platform.h naming macOS's SO_NOSIGPIPE), so type and API mistakes fail CI.
PORTABLE_SRCS := $(wildcard src/reactor/*.cpp) src/net/socket.cpp src/net/socket_open.cpp \
                 src/net/tcp_options.cpp
PORTABLE_FLAGS := $(CPPFLAGS) -Itests/standin -include tests/standin/platform.h \
                  -DCORIO_FORCE_PORTABLE -DCORIO_POLLER_DEFAULT=2 -DCORIO_POLLER_HAS_KQUEUE=1 \
                  -DCORIO_POLLER_HAS_POLL=1 $(filter-out -MMD -MP,$(CXXFLAGS)) -Werror -fsyntax-only
check-portable:
	@for f in $(PORTABLE_SRCS); do \
	  $(CXX) $(PORTABLE_FLAGS) $$f || { echo "check-portable: $$f does not compile"; exit 1; }; \
	done
	@$(CXX) $(PORTABLE_FLAGS) -DCORIO_KQUEUE_NO_EVFILT_USER src/reactor/poller_kqueue.cpp
	@echo "check-portable: ok ($(words $(PORTABLE_SRCS)) files and the kqueue pipe fallback, compiled only)"

FORMAT_FILES = $(shell git ls-files '*.cpp' '*.hpp' 2>/dev/null)
format:
	clang-format -i $(FORMAT_FILES)
check-format:
	clang-format --dry-run --Werror $(FORMAT_FILES)

clean:
	rm -rf build

-include $(shell find build -name '*.d' 2>/dev/null)
