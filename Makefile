# mlgate: a plain GNU Makefile (see README "Build").
#
#   make                      build bin/mlgate*
#   make check                everything: format, unit, CLI, integration, sanitizers, valgrind
#   make demo                 the main job on the embedded default registry
#   make DEVELOPER=1          warnings are errors
#   make SANITIZE=address,undefined
#   make install PREFIX=/usr/local DESTDIR=
#   make dist                 reproducible source tarball build/mlgate-VERSION.tar.gz
#   make check-package        make install, the .deb (dpkg-buildpackage), unpacked and run
#
# Every variable below can be overridden on the command line.

# The version: `git describe` in a checkout, the VERSION file `make dist`
# stamps in a release tarball (scripts/version.sh). Only lib/version.o is
# compiled with it: a new commit rebuilds one object.
VERSION := $(shell scripts/version.sh)
ifeq ($(VERSION),)
$(error cannot tell the version: scripts/version.sh failed)
endif

PREFIX ?= /usr/local
MANDIR ?= $(PREFIX)/share/man
DATADIR ?= $(PREFIX)/share/mlgate
DOCDIR ?= $(PREFIX)/share/doc/mlgate
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
ZSHCOMPDIR ?= $(PREFIX)/share/zsh/site-functions
BUILD ?= build
OUT ?= bin
PKG_CONFIG ?= pkg-config
CFLAGS ?= -O2 -g
LDFLAGS ?=
INSTALL ?= install
CLANG_FORMAT ?= clang-format
VALGRIND ?= valgrind

PKGS := libcurl libcjson libgit2 libxml-2.0 sqlite3 libcrypto libxxhash
# libraries without a pkg-config file (the CSV reader is hand-written, see README): libm
# (statistics of compare and drift, the HTML report's chart scales) and POSIX threads
# (the bootstrap's -j)
NOPC_LIBS := -lm -pthread
TEST_PKGS := cunit

WARN := -std=c11 -Wall -Wextra -Wpedantic -Wshadow -Wstrict-prototypes \
	-Wmissing-prototypes -Wwrite-strings -Wformat=2 -Wvla -Wpointer-arith \
	-Wundef -Wcast-align -Wold-style-definition -fno-common

# pkg-config is asked once per make run, and only when something is compiled
# (the test-only packages separately: `make`/`make demo` build without them)
PKG_CFLAGS = $(eval PKG_CFLAGS := $(shell $(PKG_CONFIG) --cflags $(PKGS)))$(PKG_CFLAGS)
TEST_CFLAGS = $(eval TEST_CFLAGS := $(shell $(PKG_CONFIG) --cflags $(TEST_PKGS)))$(TEST_CFLAGS)
PKG_LIBS = $(eval PKG_LIBS := $(shell $(PKG_CONFIG) --libs $(PKGS)) $(NOPC_LIBS))$(PKG_LIBS)
TEST_LIBS = $(eval TEST_LIBS := $(shell $(PKG_CONFIG) --libs $(TEST_PKGS)))$(TEST_LIBS)

ALL_CFLAGS = $(WARN) -D_POSIX_C_SOURCE=200809L $(LAYER_INC) \
	$(PKG_CFLAGS) $(CPPFLAGS) $(CFLAGS) -MMD -MP
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
# relay/ (mlgate-relay, docs/relay.md): its own layer on lib/ alone; only its
# executable links libmicrohttpd (RELAY_PKGS)
RELAY_DIRS := relay
RELAY_PKGS := libmicrohttpd
SRC_DIRS := $(LAYER_DIRS) $(GATE_DIRS) $(RELAY_DIRS)
MAIN_SRC := $(sort $(foreach d,$(SRC_DIRS),$(wildcard $(d)/mlgate.c $(d)/mlgate-*.c)))
LIB_SRC := $(sort $(filter-out $(MAIN_SRC),$(foreach d,$(SRC_DIRS),$(wildcard $(d)/*.c))))
# Tests, tools, fuzz targets and benchmarks see every layer.
LAYER_INC = $(addprefix -I,$(SRC_DIRS))
# (private: a prerequisite, $(BUILD)/build-flags above all, must not inherit them)
$(BUILD)/obj/lib/%.o: private LAYER_INC = -Ilib
$(BUILD)/obj/lib/registry/%.o: private LAYER_INC = $(addprefix -I,$(LIB_DIRS))
$(BUILD)/obj/reporters/%.o: private LAYER_INC = $(addprefix -I,$(LIB_DIRS) reporters)
$(BUILD)/obj/gate/%.o: private LAYER_INC = $(addprefix -I,$(LAYER_DIRS))
$(BUILD)/obj/relay/%.o: private LAYER_INC = -Ilib -Irelay $(shell $(PKG_CONFIG) --cflags $(RELAY_PKGS))
$(OUT)/mlgate-relay: private EXTRA_LIBS = $(shell $(PKG_CONFIG) --libs $(RELAY_PKGS))
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

.PHONY: all tests deps deps-build deps-test demo check check-build check-venv check-format check-unit check-cli \
	check-integration check-asan check-valgrind check-fuzz check-generated check-layers check-ci \
	check-deps policy-schema bench format install uninstall man completion dist check-package \
	bindist \
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

$(BUILD)/gen/version: FORCE
	@mkdir -p $(dir $@)
	@echo '$(VERSION)' > $@.new; \
	if cmp -s $@.new $@; then rm -f $@.new; else mv -f $@.new $@; fi
$(BUILD)/obj/lib/version.o: $(BUILD)/gen/version
$(BUILD)/obj/lib/version.o: private ALL_CFLAGS += -DMLGATE_VERSION='"$(VERSION)"'

$(LIB_A): $(call obj,$(LIB_SRC))
	@rm -f $@
	$(QUIET_AR)$(AR) rcs $@ $^

define PROGRAM_RULE
$(OUT)/$(basename $(notdir $(1))): $(call obj,$(1)) $(LIB_A)
	@mkdir -p $(OUT)
	$$(QUIET_LINK)$$(CC) $$(ALL_LDFLAGS) -o $$@ $$^ $$(PKG_LIBS) $$(EXTRA_LIBS)
endef
$(foreach src,$(MAIN_SRC),$(eval $(call PROGRAM_RULE,$(src))))

# The suite list is generated from the file names: tests/unit/test_X.c
# defines unit_suite_X, so adding a suite needs no edit anywhere else.
UNIT_SUITES := $(patsubst tests/unit/test_%.c,%,$(filter tests/unit/test_%.c,$(UNIT_SRC)))
$(BUILD)/gen/unit_suites.h: FORCE
	@mkdir -p $(dir $@)
	@{ $(foreach s,$(UNIT_SUITES),echo 'UNIT_SUITE($(s))';) } > $@.new; \
	if cmp -s $@.new $@; then rm -f $@.new; else mv -f $@.new $@; fi
# every unit object may include unit.h, which includes the generated list
$(call obj,$(UNIT_SRC)): $(BUILD)/gen/unit_suites.h
$(BUILD)/obj/tests/unit/%.o: private ALL_CFLAGS += -I$(BUILD)/gen $(TEST_CFLAGS)

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
$(BUILD)/obj/fuzz/%.o: private ALL_CFLAGS += -Ifuzz

$(BUILD)/bench/%: $(BUILD)/obj/bench/%.o $(LIB_A)
	@mkdir -p $(dir $@)
	$(QUIET_LINK)$(CC) $(ALL_LDFLAGS) -o $@ $^ $(PKG_LIBS)

$(BUILD)/tools/%: $(BUILD)/obj/tools/%.o $(LIB_A)
	@mkdir -p $(dir $@)
	$(QUIET_LINK)$(CC) $(ALL_LDFLAGS) -o $@ $^ $(PKG_LIBS)

-include $(wildcard $(BUILD)/obj/*/*.d $(BUILD)/obj/*/*/*.d)

# --- set-up --------------------------------------------------------------

# Debian packages (scripts/deps.sh; README "Dependencies"): what building and
# the demo need, and what the tests need as well.
deps: deps-test
deps-build:
	@scripts/deps.sh build
deps-test:
	@scripts/deps.sh test

demo: deps-build
	@$(MAKE) --no-print-directory all
	@scripts/demo.sh $(OUT)

# --- tests ---------------------------------------------------------------

# Each build is made first, CHECK_JOBS compilers at a time (one per CPU; make
# -jN on the command line wins), then its test layers run one after the other
# (each runs its own cases in parallel). The first build runs beside check-ci
# and the making of the MLflow venv, which mostly wait for downloads: two
# more jobs, each one's output in one piece (-O).
CHECK_JOBS ?= $(shell nproc 2>/dev/null || echo 2)
CHECK_J = $(if $(filter -j%,$(MAKEFLAGS)),,-j$(CHECK_JOBS))
CHECK_J_SETUP = $(if $(filter -j%,$(MAKEFLAGS)),,-j$(shell echo $$(($(CHECK_JOBS) + 2))))
# $(call timed,WHAT,COMMAND): run COMMAND and say how long WHAT took (the
# 20-minute rule is watched layer by layer in every CI log)
timed = t0=$$(date +%s); $(2); rc=$$?; \
	echo "make check: $(1): $$(($$(date +%s) - t0)) s"; exit $$rc
check: deps-test
	@mkdir -p $(BUILD) && date +%s > $(BUILD)/check-started
	@$(call timed,build + check-ci + venv,$(MAKE) --no-print-directory $(CHECK_J_SETUP) -O DEVELOPER=1 \
		check-ci check-venv check-build)
	@$(call timed,format + layers + generated + deps,$(MAKE) --no-print-directory DEVELOPER=1 \
		check-format check-layers check-generated check-deps)
	@$(call timed,check-unit,$(MAKE) --no-print-directory DEVELOPER=1 check-unit)
	@$(call timed,check-cli,$(MAKE) --no-print-directory DEVELOPER=1 check-cli)
	@$(call timed,check-integration,$(MAKE) --no-print-directory DEVELOPER=1 check-integration)
	@$(call timed,check-asan,$(MAKE) --no-print-directory check-asan)
	@$(call timed,check-valgrind,$(MAKE) --no-print-directory DEVELOPER=1 check-valgrind)
	@$(call timed,check-package,$(MAKE) --no-print-directory DEVELOPER=1 check-package)
	@echo "make check: all test layers passed in $$(($$(date +%s) - $$(cat $(BUILD)/check-started))) s"

# everything the test layers run
check-build: $(PROGRAMS) $(UNIT_BIN) $(ITEST_BINS) $(FUZZ_BINS) $(TOOL_BINS)

# the integration tests' MLflow venv (made by their harness when missing)
check-venv:
	@scripts/mlflow-venv.sh >/dev/null

check-unit: $(UNIT_BIN)
	$(UNIT_BIN)

check-cli: $(PROGRAMS)
	tests/cli/selftest.sh $(OUT)
	tests/cli/run.sh $(OUT)

check-integration: $(PROGRAMS) $(ITEST_BINS)
	MLGATE_BIN=$(OUT) MLGATE_TEST_BIN=$(BUILD)/tests tests/integration/run.sh

# Unit, command-line and fuzz tests again, built with AddressSanitizer and UBSan.
check-asan:
	@$(MAKE) --no-print-directory $(CHECK_J) DEVELOPER=1 SANITIZE=address,undefined \
		BUILD=$(BUILD)/asan OUT=$(BUILD)/asan/bin check-build
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
bench: deps-test $(PROGRAMS) $(ITEST_BINS) $(BENCH_BINS)
	MLGATE_HARNESS_SUITE=bench MLGATE_BIN=$(OUT) MLGATE_TEST_BIN=$(BUILD)/tests \
		MLGATE_BENCH_BIN=$(abspath $(BUILD)/bench) tests/integration/run.sh

# The CI integration (ci/): actionlint on the example workflows (built from
# the Go module proxy, pinned, by scripts/actionlint.sh), the GitHub files
# against their published JSON schemas, structural checks of the composite
# actions and the Azure YAML, in a small venv of their own (scripts/ci-venv.sh:
# PyYAML, check-jsonschema; pinned with hashes).
check-ci: deps-test
	@scripts/actionlint.sh
	@venv=$$(scripts/ci-venv.sh | tail -n 1) && \
		$$venv/bin/python scripts/ci-check-schemas.py && \
		$$venv/bin/python scripts/ci-check-actions.py && \
		$$venv/bin/python scripts/ci-check-azure.py

# `make`/`make demo` build with the build packages alone (scripts/deps.sh build).
check-deps:
	@TEST_PKGS='$(TEST_PKGS)' scripts/check-deps.sh

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

# Man pages and bash/zsh completion, printed by each executable from its
# option table (--mlgate-doc=man|bash|zsh, lib/optsdoc.h), as --help is.
MAN_PAGES := $(patsubst $(OUT)/%,$(BUILD)/man/%.1,$(PROGRAMS))
COMPLETIONS := $(BUILD)/completion/mlgate $(BUILD)/completion/_mlgate
DOC_FILES := README.md CHANGELOG.md LICENSE
DATA_FILES := docs/policy.schema.json docs/junit.xsd

$(BUILD)/gen/docdir: FORCE
	@mkdir -p $(dir $@)
	@echo '$(DOCDIR)' > $@.new; \
	if cmp -s $@.new $@; then rm -f $@.new; else mv -f $@.new $@; fi
$(BUILD)/man/%.1: $(OUT)/% $(BUILD)/gen/docdir
	@mkdir -p $(dir $@)
	@$< --mlgate-doc=man | sed 's|@DOCDIR@|$(DOCDIR)|g' > $@.new && mv -f $@.new $@
$(BUILD)/completion/mlgate: $(PROGRAMS)
	@mkdir -p $(dir $@)
	@{ echo '# bash completion for mlgate: made by `make completion` from the option tables'; \
	  for p in $(PROGRAMS); do $$p --mlgate-doc=bash || exit 1; done; } > $@.new && mv -f $@.new $@
$(BUILD)/completion/_mlgate: $(PROGRAMS)
	@mkdir -p $(dir $@)
	@{ echo '#compdef $(notdir $(PROGRAMS))'; \
	  echo '# zsh completion for mlgate: made by `make completion` from the option tables'; \
	  for p in $(PROGRAMS); do $$p --mlgate-doc=zsh || exit 1; done; \
	  echo '"__$${service//-/_}" "$$@"'; } > $@.new && mv -f $@.new $@

man: $(MAN_PAGES)
completion: $(COMPLETIONS)

# Executables, man pages, completion (bash: one file, a link per command for
# bash-completion's loading by name), the policy schema and JUnit profile
# (DATADIR), the README and docs/ as in the tree, so their links and the
# "docs/NAME.md" of --help hold under DOCDIR.
install: all man completion
	$(INSTALL) -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(DATADIR) \
		$(DESTDIR)$(DOCDIR)/docs $(DESTDIR)$(BASHCOMPDIR) $(DESTDIR)$(ZSHCOMPDIR)
	$(INSTALL) -m 755 $(PROGRAMS) $(DESTDIR)$(PREFIX)/bin/
	$(INSTALL) -m 644 $(MAN_PAGES) $(DESTDIR)$(MANDIR)/man1/
	$(INSTALL) -m 644 $(DATA_FILES) $(DESTDIR)$(DATADIR)/
	$(INSTALL) -m 644 $(DOC_FILES) $(DESTDIR)$(DOCDIR)/
	$(INSTALL) -m 644 $(sort $(wildcard docs/*.md)) $(DATA_FILES) $(DESTDIR)$(DOCDIR)/docs/
	$(INSTALL) -m 644 $(BUILD)/completion/mlgate $(DESTDIR)$(BASHCOMPDIR)/mlgate
	for p in $(filter-out mlgate,$(notdir $(PROGRAMS))); do \
		ln -sf mlgate $(DESTDIR)$(BASHCOMPDIR)/$$p || exit 1; done
	$(INSTALL) -m 644 $(BUILD)/completion/_mlgate $(DESTDIR)$(ZSHCOMPDIR)/_mlgate

# --- release artifacts ---------------------------------------------------

# A reproducible source tarball (scripts/dist.sh), stamped with VERSION.
DISTDIR ?= $(BUILD)
dist:
	@scripts/dist.sh $(DISTDIR)

# What make install ships (tests/package/t_install.sh), and the .deb built
# from make dist's tarball, lintian-checked, unpacked and run through the demo
# (tests/package/t_deb.sh). Its tools: scripts/deps.sh package.
check-package: all
	@scripts/deps.sh package
	tests/package/t_install.sh
	tests/package/t_deb.sh

# The binary release tarball the CI setup steps download, and SHA256SUMS:
# dist/mlgate-VERSION-PLATFORM-ARCH.tar.gz (scripts/bindist.sh says what is in it).
bindist:
	scripts/bindist.sh --version '$(VERSION)' --out dist

uninstall:
	rm -f $(addprefix $(DESTDIR)$(PREFIX)/bin/,$(notdir $(PROGRAMS))) \
		$(addprefix $(DESTDIR)$(MANDIR)/man1/,$(notdir $(MAN_PAGES))) \
		$(addprefix $(DESTDIR)$(BASHCOMPDIR)/,$(notdir $(PROGRAMS))) \
		$(DESTDIR)$(ZSHCOMPDIR)/_mlgate
	rm -rf $(DESTDIR)$(DATADIR) $(DESTDIR)$(DOCDIR)

clean:
	rm -rf $(BUILD) $(OUT)
