# mlgate: a plain GNU Makefile (see README "Build").
#
#   make                      build bin/mlgate*
#   make check                everything: format, unit, CLI, integration, sanitizers, valgrind
#   make demo                 the main job on the embedded default registry
#   make DEVELOPER=1          warnings are errors
#   make SANITIZE=address,undefined
#   make install PREFIX=/usr/local DESTDIR=
#
# Every variable below can be overridden on the command line.

VERSION := 0.1.0

PREFIX ?= /usr/local
BUILD ?= build
OUT ?= bin
PKG_CONFIG ?= pkg-config
CFLAGS ?= -O2 -g
LDFLAGS ?=
INSTALL ?= install
CLANG_FORMAT ?= clang-format
VALGRIND ?= valgrind

PKGS := libcurl libcjson libgit2 libxml-2.0 sqlite3 libcrypto libxxhash
# libraries without a pkg-config file: none (the CSV reader is hand-written, see README)
NOPC_LIBS :=
TEST_PKGS := cunit

WARN := -std=c11 -Wall -Wextra -Wpedantic -Wshadow -Wstrict-prototypes \
	-Wmissing-prototypes -Wwrite-strings -Wformat=2 -Wvla -Wpointer-arith \
	-Wundef -Wcast-align -Wold-style-definition -fno-common

# pkg-config is asked once per make run, and only when something is compiled
PKG_CFLAGS = $(eval PKG_CFLAGS := $(shell $(PKG_CONFIG) --cflags $(PKGS) $(TEST_PKGS)))$(PKG_CFLAGS)
PKG_LIBS = $(eval PKG_LIBS := $(shell $(PKG_CONFIG) --libs $(PKGS)) $(NOPC_LIBS))$(PKG_LIBS)
TEST_LIBS = $(eval TEST_LIBS := $(shell $(PKG_CONFIG) --libs $(TEST_PKGS)))$(TEST_LIBS)

ALL_CFLAGS = $(WARN) -D_POSIX_C_SOURCE=200809L -DMLGATE_VERSION='"$(VERSION)"' $(LAYER_INC) \
	$(PKG_CFLAGS) $(CFLAGS) -MMD -MP
# --as-needed: an executable loads only the libraries it calls (mlgate-compare
# does not load libgit2 and its TLS stack: ~10 ms less start-up per run)
ALL_LDFLAGS = -Wl,--as-needed $(LDFLAGS)

# Short build lines unless V=1
ifndef V
QUIET_CC = @echo '   CC' $@;
QUIET_LINK = @echo ' LINK' $@;
QUIET_AR = @echo '   AR' $@;
endif

ifdef DEVELOPER
ALL_CFLAGS += -Werror
endif
ifdef SANITIZE
ALL_CFLAGS += -fsanitize=$(SANITIZE) -fno-sanitize-recover=all -fno-omit-frame-pointer
ALL_LDFLAGS += -fsanitize=$(SANITIZE)
endif

# Layout, in layers that point one way (README "Layout", make check-layers):
#   lib/ (the core) -> lib/registry/ -> reporters/ -> gate/ -> checks/, runners/
# Each layer's sources see only its own and the lower layers' headers, so an
# include that points up does not compile. Every .c of these folders goes
# into the library, except mlgate.c and mlgate-*.c, which are the thin main()s.
LIB_DIRS := lib lib/registry
LAYER_DIRS := $(LIB_DIRS) reporters gate
GATE_DIRS := checks runners
SRC_DIRS := $(LAYER_DIRS) $(GATE_DIRS)
MAIN_SRC := $(sort $(foreach d,$(SRC_DIRS),$(wildcard $(d)/mlgate.c $(d)/mlgate-*.c)))
LIB_SRC := $(sort $(filter-out $(MAIN_SRC),$(foreach d,$(SRC_DIRS),$(wildcard $(d)/*.c))))
# Tests, tools, fuzz targets and benchmarks see every layer.
LAYER_INC = $(addprefix -I,$(SRC_DIRS))
$(BUILD)/obj/lib/%.o: LAYER_INC = -Ilib
$(BUILD)/obj/lib/registry/%.o: LAYER_INC = $(addprefix -I,$(LIB_DIRS))
$(BUILD)/obj/reporters/%.o: LAYER_INC = $(addprefix -I,$(LIB_DIRS) reporters)
$(BUILD)/obj/gate/%.o: LAYER_INC = $(addprefix -I,$(LAYER_DIRS))
UNIT_SRC := $(sort $(wildcard tests/unit/*.c))
ITEST_SRC := $(sort $(wildcard tests/integration/*.c))
TOOL_SRC := $(sort $(wildcard tools/*.c))
BENCH_SRC := $(sort $(wildcard bench/*.c))
FUZZ_SRC := $(sort $(wildcard fuzz/fuzz_*.c))

obj = $(patsubst %.c,$(BUILD)/obj/%.o,$(1))
LIB_A := $(BUILD)/libmlgate.a
PROGRAMS := $(patsubst %.c,$(OUT)/%,$(notdir $(MAIN_SRC)))
UNIT_BIN := $(BUILD)/tests/unit-tests
ITEST_BINS := $(patsubst tests/integration/%.c,$(BUILD)/tests/%,$(ITEST_SRC))
TOOL_BINS := $(patsubst tools/%.c,$(BUILD)/tools/%,$(TOOL_SRC))
BENCH_BINS := $(patsubst bench/%.c,$(BUILD)/bench/%,$(BENCH_SRC))
FUZZ_BINS := $(patsubst fuzz/%.c,$(BUILD)/fuzz/%,$(FUZZ_SRC))
FORMAT_SRC := $(sort $(wildcard $(foreach d,$(SRC_DIRS),$(d)/*.[ch]) \
	tests/unit/*.[ch] tests/integration/*.[ch] tools/*.[ch] bench/*.[ch] fuzz/*.[ch]))

# keep intermediate objects (integration test programs are built from them)
.SECONDARY:

.PHONY: all tests deps demo check check-format check-unit check-cli check-integration \
	check-asan check-valgrind check-fuzz check-generated check-layers check-ci policy-schema bench format install \
	uninstall bindist \
	clean FORCE

all: $(PROGRAMS)

tests: $(UNIT_BIN) $(ITEST_BINS)

# Rebuild everything when the compiler flags change (DEVELOPER, SANITIZE, CFLAGS).
$(BUILD)/build-flags: FORCE
	@mkdir -p $(BUILD)
	@echo '$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS)' > $@.new; \
	if cmp -s $@.new $@; then rm -f $@.new; else mv -f $@.new $@; fi

$(BUILD)/obj/%.o: %.c $(BUILD)/build-flags
	@mkdir -p $(dir $@)
	$(QUIET_CC)$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(LIB_A): $(call obj,$(LIB_SRC))
	@rm -f $@
	$(QUIET_AR)$(AR) rcs $@ $^

define PROGRAM_RULE
$(OUT)/$(basename $(notdir $(1))): $(call obj,$(1)) $(LIB_A)
	@mkdir -p $(OUT)
	$$(QUIET_LINK)$$(CC) $$(ALL_LDFLAGS) -o $$@ $$^ $$(PKG_LIBS)
endef
$(foreach src,$(MAIN_SRC),$(eval $(call PROGRAM_RULE,$(src))))

# The suite list is generated from the file names: tests/unit/test_X.c
# defines unit_suite_X, so adding a suite needs no edit anywhere else.
UNIT_SUITES := $(patsubst tests/unit/test_%.c,%,$(filter tests/unit/test_%.c,$(UNIT_SRC)))
$(BUILD)/gen/unit_suites.h: FORCE
	@mkdir -p $(dir $@)
	@{ $(foreach s,$(UNIT_SUITES),echo 'UNIT_SUITE($(s))';) } > $@.new; \
	if cmp -s $@.new $@; then rm -f $@.new; else mv -f $@.new $@; fi
$(BUILD)/obj/tests/unit/main.o: $(BUILD)/gen/unit_suites.h
$(BUILD)/obj/tests/unit/%.o: ALL_CFLAGS += -I$(BUILD)/gen

$(UNIT_BIN): $(call obj,$(UNIT_SRC)) $(LIB_A)
	@mkdir -p $(dir $@)
	$(QUIET_LINK)$(CC) $(ALL_LDFLAGS) -o $@ $^ $(PKG_LIBS) $(TEST_LIBS)

$(BUILD)/tests/%: $(BUILD)/obj/tests/integration/%.o $(LIB_A)
	@mkdir -p $(dir $@)
	$(QUIET_LINK)$(CC) $(ALL_LDFLAGS) -o $@ $^ $(PKG_LIBS)

# Each fuzz target with the stand-alone driver (fuzz/fuzz.h).
$(BUILD)/fuzz/%: $(BUILD)/obj/fuzz/%.o $(BUILD)/obj/fuzz/driver.o $(LIB_A)
	@mkdir -p $(dir $@)
	$(QUIET_LINK)$(CC) $(ALL_LDFLAGS) -o $@ $^ $(PKG_LIBS)
$(BUILD)/obj/fuzz/%.o: ALL_CFLAGS += -Ifuzz

$(BUILD)/bench/%: $(BUILD)/obj/bench/%.o $(LIB_A)
	@mkdir -p $(dir $@)
	$(QUIET_LINK)$(CC) $(ALL_LDFLAGS) -o $@ $^ $(PKG_LIBS)

$(BUILD)/tools/%: $(BUILD)/obj/tools/%.o $(LIB_A)
	@mkdir -p $(dir $@)
	$(QUIET_LINK)$(CC) $(ALL_LDFLAGS) -o $@ $^ $(PKG_LIBS)

-include $(wildcard $(BUILD)/obj/*/*.d $(BUILD)/obj/*/*/*.d)

# --- set-up --------------------------------------------------------------

deps:
	@scripts/deps.sh

demo: deps
	@$(MAKE) --no-print-directory all
	@scripts/demo.sh $(OUT)

# --- tests ---------------------------------------------------------------

check: deps check-ci
	@$(MAKE) --no-print-directory check-format check-layers check-generated
	@$(MAKE) --no-print-directory DEVELOPER=1 check-unit check-cli check-integration
	@$(MAKE) --no-print-directory check-asan
	@$(MAKE) --no-print-directory DEVELOPER=1 check-valgrind
	@echo "make check: all test layers passed"

check-unit: $(UNIT_BIN)
	$(UNIT_BIN)

check-cli: $(PROGRAMS)
	tests/cli/selftest.sh $(OUT)
	tests/cli/run.sh $(OUT)

check-integration: $(PROGRAMS) $(ITEST_BINS)
	MLGATE_BIN=$(OUT) MLGATE_TEST_BIN=$(BUILD)/tests tests/integration/run.sh

# Unit, command-line and fuzz tests again, built with AddressSanitizer and UBSan.
check-asan:
	@$(MAKE) --no-print-directory DEVELOPER=1 SANITIZE=address,undefined \
		BUILD=$(BUILD)/asan OUT=$(BUILD)/asan/bin check-unit check-cli check-fuzz

# Every parser against its seed corpus and a reproducible stream of mutants.
FUZZ_ITERATIONS ?= 20000
check-fuzz: $(FUZZ_BINS)
	@for f in $(FUZZ_BINS); do \
		name=$${f##*/fuzz_}; \
		$$f fuzz/corpus/$$name $(FUZZ_ITERATIONS) || exit 1; \
	done

# Unit and command-line tests under valgrind (leaks and memory errors fail).
VALGRIND_CMD = $(VALGRIND) -q --error-exitcode=97 --leak-check=full \
	--show-leak-kinds=definite,indirect --errors-for-leak-kinds=definite,indirect
check-valgrind: $(UNIT_BIN) $(PROGRAMS)
	$(VALGRIND_CMD) $(UNIT_BIN)
	MLGATE_WRAP='$(VALGRIND_CMD)' tests/cli/run.sh $(OUT)

# Benchmarks (bench/b_*.sh), each printing mlgate and its peer side by side,
# on the integration harness (real MLflow server, project venv).
bench: deps $(PROGRAMS) $(ITEST_BINS) $(BENCH_BINS)
	MLGATE_HARNESS_SUITE=bench MLGATE_BIN=$(OUT) MLGATE_TEST_BIN=$(BUILD)/tests \
		MLGATE_BENCH_BIN=$(abspath $(BUILD)/bench) tests/integration/run.sh

# The CI integration (ci/): actionlint on the example workflows (installed
# from the Go module proxy by scripts/actionlint.sh), structural checks of
# the composite actions and the Azure YAML (PyYAML from the project venv).
check-ci: deps
	@scripts/actionlint.sh
	@venv=$$(scripts/mlflow-venv.sh | tail -n 1) && \
		$$venv/bin/python scripts/ci-check-actions.py && \
		$$venv/bin/python scripts/ci-check-azure.py

# The include graph between folders; an include that points up a layer fails.
check-layers:
	@scripts/check-layers.sh

# Files made from the code: regenerate with `make policy-schema`.
check-generated: $(BUILD)/tools/policy-schema
	@$(BUILD)/tools/policy-schema | cmp -s - docs/policy.schema.json || \
		{ echo "docs/policy.schema.json is stale: run 'make policy-schema'"; exit 1; }
	@echo "check-generated: docs/policy.schema.json is up to date"

policy-schema: $(BUILD)/tools/policy-schema
	$(BUILD)/tools/policy-schema > docs/policy.schema.json.new
	mv docs/policy.schema.json.new docs/policy.schema.json

check-format:
	@$(CLANG_FORMAT) --dry-run --Werror $(FORMAT_SRC) && echo "check-format: $(words $(FORMAT_SRC)) files formatted"

format:
	$(CLANG_FORMAT) -i $(FORMAT_SRC)

# --- install -------------------------------------------------------------

install: all
	$(INSTALL) -d $(DESTDIR)$(PREFIX)/bin
	$(INSTALL) -m 755 $(PROGRAMS) $(DESTDIR)$(PREFIX)/bin/

# The binary release tarball the CI setup steps download, and SHA256SUMS:
# dist/mlgate-VERSION-PLATFORM-ARCH.tar.gz (scripts/bindist.sh says what is in it).
bindist:
	scripts/bindist.sh --version '$(VERSION)' --out dist

uninstall:
	rm -f $(addprefix $(DESTDIR)$(PREFIX)/bin/,$(notdir $(PROGRAMS)))

clean:
	rm -rf $(BUILD) $(OUT)
