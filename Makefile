# corio with plain make (meson is not needed): `make` builds the library, tests and tools.
#   make test                    deps, build, run every test binary; ends "N passed, M failed"
#   make demo                    deps, build, run the demo program
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
B := build/make-$(MODE)$(if $(SANITIZE),-$(subst $(comma),-,$(SANITIZE)))

CPPFLAGS += -Iinclude -Isrc
CXXFLAGS += -std=c++20 -Wall -Wextra -Wno-missing-field-initializers $(OPT) $(SAN_FLAGS) -MMD -MP
LDFLAGS += $(SAN_FLAGS)
LDLIBS += -pthread

# Backend chosen at build time, as Redis's ae does.
ifeq ($(shell uname -s),Linux)
  POLLER_SKIP := src/poller_kqueue.cpp
else
  POLLER_SKIP := src/poller_epoll.cpp
endif

LIB_SRCS := $(filter-out $(POLLER_SKIP),$(wildcard src/*.cpp src/*/*.cpp))
LIB_OBJS := $(LIB_SRCS:%.cpp=$(B)/%.o)
LIB := $(B)/libcorio.a

TEST_SRCS := $(wildcard tests/test_*.cpp)
TEST_SUPPORT := $(filter-out $(TEST_SRCS),$(wildcard tests/*.cpp))
TEST_SUPPORT_OBJS := $(TEST_SUPPORT:%.cpp=$(B)/%.o)
TEST_BINS := $(TEST_SRCS:tests/%.cpp=$(B)/tests/%)
CATCH_MAIN := /usr/lib/libCatch2WithMain.a

TOOLS := $(notdir $(wildcard tools/*))
TOOL_BINS := $(TOOLS:%=$(B)/bin/%)

.PHONY: all lib tests tools test demo bench deps clean format check-format
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

$(B)/tests/%: $(B)/tests/%.o $(TEST_SUPPORT_OBJS) $(LIB)
	$(CXX) $(LDFLAGS) -o $@ $< $(TEST_SUPPORT_OBJS) $(LIB) $(CATCH_MAIN) $(LDLIBS)

# Each folder under tools/ is one program made of all its .cpp files.
.SECONDEXPANSION:
$(B)/bin/%: $$(addprefix $(B)/,$$(addsuffix .o,$$(basename $$(wildcard tools/$$*/*.cpp)))) $(LIB)
	@mkdir -p $(@D)
	$(CXX) $(LDFLAGS) -o $@ $(filter %.o,$^) $(LIB) $(LDLIBS)

deps:
	@bash scripts/deps.sh

test: deps
	@$(MAKE) --no-print-directory tests
	@bash scripts/run-tests.sh $(B) "$(CXX) $(CPPFLAGS) $(filter-out -MMD -MP,$(CXXFLAGS))" "$(LIB) $(LDFLAGS) $(LDLIBS)"

demo: deps
	@$(MAKE) --no-print-directory $(B)/bin/demo
	@$(B)/bin/demo

bench: deps
	@$(MAKE) --no-print-directory MODE=bench build/make-bench/bin/bench
	@build/make-bench/bin/bench $(BENCH_ARGS)

FORMAT_FILES = $(shell git ls-files '*.cpp' '*.hpp' 2>/dev/null)
format:
	clang-format -i $(FORMAT_FILES)
check-format:
	clang-format --dry-run --Werror $(FORMAT_FILES)

clean:
	rm -rf build

-include $(shell find build -name '*.d' 2>/dev/null)
