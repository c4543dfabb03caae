# Palermo - plain Makefile (see ../shared/STYLE.md "Build and tests").
#
#   make                  libpalermo-keys (and the programs, once they exist)
#   make test             every test; last line "N passed, N failed"
#   make SANITIZE=1 test  the same under AddressSanitizer + UBSan
#   make valgrind         unit tests under valgrind (leaks are errors)  valgrind-e2e: e2e too
#   make fuzz             libFuzzer targets (clang)  make fuzz-smoke: short runs
#   make crash-test       1,000 uploads, kill -9 again and again  make load-test: 50 x 200
#   make examples         regenerate the hex examples in docs/PROTOCOL.md
#   make install PREFIX=/usr/local DESTDIR=
#   make deps             install the Debian packages (as root)

PREFIX ?= /usr/local
DESTDIR ?=
SYSCONFDIR ?= /etc
MANDIR ?= $(PREFIX)/share/man
DOCDIR ?= $(PREFIX)/share/doc/palermo
SYSTEMDUNITDIR ?= $(PREFIX)/lib/systemd/system
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
ZSHCOMPDIR ?= $(PREFIX)/share/zsh/site-functions
CC ?= cc
CLANG ?= clang
PKG_CONFIG ?= pkg-config
CFLAGS ?= -O2 -g
LDFLAGS ?=
SANITIZE ?= 0
FUZZ_SECONDS ?= 5

# Debian 12 packages needed to build and test everything.
DEB_PACKAGES = build-essential pkg-config libsodium-dev libcurl4-openssl-dev libsqlite3-dev \
  libyaml-dev libmagic-dev libmicrohttpd-dev libjansson-dev clang libclang-rt-14-dev llvm \
  valgrind time curl jq
# For the tests of issue 11: headless Chromium renders the report (t7020),
# systemd-analyze checks the unit and man/groff the pages (t7000), zsh
# parses its completion (t7040).
DEB_PACKAGES += chromium fonts-dejavu-core systemd man-db groff-base zsh

ifeq ($(SANITIZE),1)
BUILD ?= build-san
BIN ?= build-san/bin
SAN_FLAGS = -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
else
BUILD ?= build
BIN ?= bin
SAN_FLAGS =
endif

WARN = -Wall -Wextra -Wmissing-prototypes -Wstrict-prototypes -Wformat-security \
       -Wvla -Wwrite-strings -Wshadow -Werror

# pkg-config name -> Debian package that provides it.
# $(call need,PKGNAME,DEBIAN_PACKAGE): stop with a clear message when absent.
need = $(if $(shell $(PKG_CONFIG) --exists $(1) 2>/dev/null && echo y),,\
  $(error missing library $(1): install the Debian package $(2) with "apt-get install $(2)" (or run "make deps" as root)))

NO_LIBS_GOALS = clean deps help
ifeq ($(filter $(NO_LIBS_GOALS),$(MAKECMDGOALS)),)
$(call need,libsodium,libsodium-dev)
$(call need,yaml-0.1,libyaml-dev)
SODIUM_CFLAGS := $(shell $(PKG_CONFIG) --cflags libsodium)
SODIUM_LIBS := $(shell $(PKG_CONFIG) --libs libsodium)
YAML_CFLAGS := $(shell $(PKG_CONFIG) --cflags yaml-0.1)
YAML_LIBS := $(shell $(PKG_CONFIG) --libs yaml-0.1)
$(call need,sqlite3,libsqlite3-dev)
$(call need,libmicrohttpd,libmicrohttpd-dev)
$(call need,jansson,libjansson-dev)
DAEMON_PKGS = sqlite3 libmicrohttpd jansson
DAEMON_CFLAGS := $(shell $(PKG_CONFIG) --cflags $(DAEMON_PKGS))
DAEMON_LIBS := $(shell $(PKG_CONFIG) --libs $(DAEMON_PKGS)) -lpthread
$(call need,libmagic,libmagic-dev)
$(call need,libcurl,libcurl4-openssl-dev)
CURL_CFLAGS := $(shell $(PKG_CONFIG) --cflags libcurl)
CURL_LIBS := $(shell $(PKG_CONFIG) --libs libcurl)
CLIENT_PKGS = libcurl sqlite3 jansson libmagic
CLIENT_CFLAGS := $(shell $(PKG_CONFIG) --cflags $(CLIENT_PKGS))
CLIENT_LIBS := $(shell $(PKG_CONFIG) --libs $(CLIENT_PKGS))
endif

ALL_CFLAGS = -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -I. \
             $(SODIUM_CFLAGS) $(YAML_CFLAGS) $(DAEMON_CFLAGS) $(WARN) $(SAN_FLAGS) \
             -DPLM_POLICY_DIR='"$(PREFIX)/share/palermo"' $(CFLAGS)
ALL_LDFLAGS = $(SAN_FLAGS) $(LDFLAGS)

KEYS_SRC = $(wildcard keys/*.c)
KEYS_OBJ = $(KEYS_SRC:%.c=$(BUILD)/%.o)
KEYS_LIB = $(BUILD)/libpalermo-keys.a

POLICIES_SRC = $(wildcard policies/*.c)
POLICIES_OBJ = $(POLICIES_SRC:%.c=$(BUILD)/%.o)
POLICIES_LIB = $(BUILD)/libpalermo-policies.a
LIBS = $(POLICIES_LIB) $(KEYS_LIB)
LIB_DEPS = $(SODIUM_LIBS) $(YAML_LIBS)

DAEMON_SRC = $(wildcard daemon/*.c)
DAEMON_OBJ = $(DAEMON_SRC:%.c=$(BUILD)/%.o)
PALERMOD = $(BIN)/palermod

CLIENT_SRC = $(wildcard client/*.c)
CLIENT_OBJ = $(CLIENT_SRC:%.c=$(BUILD)/%.o)
PALERMO = $(BIN)/palermo

UNIT_SRC = $(wildcard tests/unit/test_*.c)
UNIT_BIN = $(UNIT_SRC:%.c=$(BUILD)/%)
CHECK_OBJ = $(BUILD)/tests/unit/check.o $(BUILD)/tests/unit/fixtures.o

EXAMPLES_SRC = $(wildcard tests/examples/*.c)
EXAMPLES_OBJ = $(EXAMPLES_SRC:%.c=$(BUILD)/%.o)
EXAMPLES_BIN = $(BUILD)/tests/protocol-examples

FUZZ_SRC = $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_BIN = $(FUZZ_SRC:tests/fuzz/%.c=$(BUILD)/fuzz/%)
FUZZ_KEYS_OBJ = $(KEYS_SRC:%.c=$(BUILD)/fuzz/obj/%.o) $(POLICIES_SRC:%.c=$(BUILD)/fuzz/obj/%.o)
FUZZ_FLAGS = -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -I. $(SODIUM_CFLAGS) $(YAML_CFLAGS) \
             -g -O1 -fsanitize=fuzzer-no-link,address,undefined

.PHONY: all demo test check valgrind fuzz fuzz-smoke examples install uninstall clean deps help
.PHONY: crash-test load-test valgrind-e2e
.PHONY: bench bench-deps
.DELETE_ON_ERROR:
.SECONDARY:

all: $(LIBS) $(PALERMOD) $(PALERMO)

$(BUILD)/client/%.o: client/%.c $(wildcard keys/*.h policies/*.h client/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(CLIENT_CFLAGS) -c -o $@ $<

$(BUILD)/%.o: %.c $(wildcard keys/*.h policies/*.h daemon/*.h tests/unit/*.h tests/examples/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(KEYS_LIB): $(KEYS_OBJ)
	@mkdir -p $(dir $@)
	rm -f $@
	ar rcs $@ $^

$(POLICIES_LIB): $(POLICIES_OBJ)
	@mkdir -p $(dir $@)
	rm -f $@
	ar rcs $@ $^

$(PALERMOD): $(DAEMON_OBJ) $(LIBS)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(DAEMON_LIBS) $(LIB_DEPS)

$(PALERMO): $(CLIENT_OBJ) $(LIBS)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(CLIENT_LIBS) $(LIB_DEPS)

$(BUILD)/tests/unit/test_%: $(BUILD)/tests/unit/test_%.o $(CHECK_OBJ) $(LIBS)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIB_DEPS)

# The end-to-end test tool (tests/tools/plmtest.c): plays the secretariat and
# the members against a real palermod, through the keys/ and policies/ APIs.
PLMTEST = $(BUILD)/tests/plmtest

$(BUILD)/tests/tools/%.o: tests/tools/%.c $(wildcard keys/*.h policies/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(CURL_CFLAGS) -c -o $@ $<

$(PLMTEST): $(BUILD)/tests/tools/plmtest.o $(LIBS)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(CURL_LIBS) $(LIB_DEPS)

# The malicious relay of tests/t50*.sh (docs/SECURITY.md): palermod-evil is
# palermod built again from the same sources with -DPLM_EVIL, whose only
# difference is the hook of daemon/evil.h (PLM_EVIL=accept stores what the
# review state refuses); it is never installed. plmevil is the tampering
# proxy in front of a real daemon, and the test-only key helpers.
PALERMOD_EVIL = $(BUILD)/tests/palermod-evil
PLMEVIL = $(BUILD)/tests/plmevil
EVIL_DAEMON_OBJ = $(DAEMON_SRC:%.c=$(BUILD)/evil/%.o)

$(BUILD)/evil/daemon/%.o: daemon/%.c $(wildcard keys/*.h policies/*.h daemon/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -DPLM_EVIL -c -o $@ $<

$(PALERMOD_EVIL): $(EVIL_DAEMON_OBJ) $(LIBS)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(DAEMON_LIBS) $(LIB_DEPS)

$(PLMEVIL): $(BUILD)/tests/tools/plmevil.o $(LIBS)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(DAEMON_LIBS) $(CURL_LIBS) $(LIB_DEPS)
# The load and crash generator (tests/tools/plmload.c, issue 9): concurrent
# clients on the real client's transport (the client's objects but main).
PLMLOAD = $(BUILD)/tests/plmload
CLIENT_LIB = $(BUILD)/libpalermo-client.a

$(CLIENT_LIB): $(filter-out $(BUILD)/client/main.o,$(CLIENT_OBJ))
	rm -f $@
	ar rcs $@ $^

$(PLMLOAD): $(BUILD)/tests/tools/plmload.o $(CLIENT_LIB) $(LIBS)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(CLIENT_LIBS) $(LIB_DEPS) -lpthread

# Tools that make bench (issue 10) measures from outside.
BENCH_TOOLS = $(BUILD)/tests/bench/envelope_tool

$(BUILD)/tests/bench/%: $(BUILD)/tests/bench/%.o $(KEYS_LIB)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(SODIUM_LIBS)

BENCH_TOOLS += $(BUILD)/tests/bench/secretstream_floor $(BUILD)/tests/bench/timeit \
  $(BUILD)/tests/bench/bench_client

# bench_client drives palermod through the client's own code (client/*.o).
$(BUILD)/tests/bench/bench_client.o: tests/bench/bench_client.c $(wildcard keys/*.h client/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(CLIENT_CFLAGS) -c -o $@ $<

$(BUILD)/tests/bench/bench_client: $(BUILD)/tests/bench/bench_client.o \
  $(filter-out $(BUILD)/client/main.o $(BUILD)/client/cmd_complete.o,$(CLIENT_OBJ)) $(LIBS)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(CLIENT_LIBS) $(LIB_DEPS) -lpthread

# make bench: Palermo against age, nginx and the libsodium floor (tests/bench/run.sh,
# docs/PERFORMANCE.md). Never part of make test. make bench-deps installs what it needs.
BENCH_PACKAGES = age nginx time curl
BENCH_ARGS ?=

bench: $(BENCH_TOOLS) $(PALERMOD) $(PALERMO)
	@PLM_BUILD=$(abspath $(BUILD)) PLM_BIN=$(abspath $(BIN)) PLM_TOP=$(CURDIR) \
	  BENCH_PACKAGES="$(BENCH_PACKAGES)" sh tests/bench/run.sh $(BENCH_ARGS)

bench-deps:
	apt-get install -y --no-install-recommends $(BENCH_PACKAGES)

$(EXAMPLES_BIN): $(EXAMPLES_OBJ) $(KEYS_LIB)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(SODIUM_LIBS)

# Everything make test needs, built before any test runs.
TEST_DEPS = $(LIBS) $(PALERMOD) $(PALERMO) $(PLMTEST) $(UNIT_BIN) $(EXAMPLES_BIN) \
            $(PALERMOD_EVIL) $(PLMEVIL)
TEST_DEPS += $(PLMLOAD)

test check: $(TEST_DEPS) fuzz
	@PLM_FUZZ_SECONDS=$(FUZZ_SECONDS) PLM_BIN=$(abspath $(BIN)) sh tests/run.sh $(BUILD)

# The main job. Until the daemon and client exist (issues 3 and 4), it is
# the check of this library against published test vectors and of the spec's
# worked examples against the code.
demo: $(TEST_DEPS)
	@PLM_BIN=$(abspath $(BIN)) sh tests/demo.sh $(BUILD)

valgrind: $(UNIT_BIN)
	@set -e; for t in $(UNIT_BIN); do \
	  echo "valgrind $$t"; \
	  valgrind -q --leak-check=full --show-leak-kinds=definite,indirect,possible \
	    --errors-for-leak-kinds=definite,indirect,possible --error-exitcode=99 \
	    $$t >/dev/null; \
	done; echo "valgrind: no errors, no leaks"

fuzz: $(FUZZ_BIN)

$(BUILD)/fuzz/obj/%.o: %.c $(wildcard keys/*.h policies/*.h)
	@mkdir -p $(dir $@)
	$(CLANG) $(FUZZ_FLAGS) -c -o $@ $<

$(BUILD)/fuzz/fuzz_%: tests/fuzz/fuzz_%.c $(FUZZ_KEYS_OBJ)
	@mkdir -p $(dir $@)
	$(CLANG) $(FUZZ_FLAGS) -fsanitize=fuzzer -o $@ $^ $(LIB_DEPS)

# Issue 9: the full crash and load runs (minutes; loopback only, bounded).
CRASH_CLIENTS ?= 10
CRASH_MESSAGES ?= 100
LOAD_CLIENTS ?= 50
LOAD_MESSAGES ?= 200
ROBUST_ENV = PLM_BUILD=$(abspath $(BUILD)) PLM_TOP=$(CURDIR) PLM_BIN=$(abspath $(BIN))

# End-to-end scripts with palermod and palermo under valgrind (minutes).
VALGRIND_E2E ?= t1030-daemon-upload t2100-reader-sync t2200-writer-send t6010-secret-hygiene

valgrind-e2e: $(TEST_DEPS)
	@$(ROBUST_ENV) sh tests/tools/valgrind-e2e.sh $(VALGRIND_E2E)

crash-test: $(TEST_DEPS)
	@$(ROBUST_ENV) PLM_CRASH_CLIENTS=$(CRASH_CLIENTS) PLM_CRASH_MESSAGES=$(CRASH_MESSAGES) \
	  PLM_CRASH_MAX_KILLS=60 PLM_CRASH_THINK_MS=200 PLM_CRASH_PAUSE_MS=1100 sh tests/t1065-daemon-crash-repeated.sh

load-test: $(TEST_DEPS)
	@$(ROBUST_ENV) PLM_LOAD_CLIENTS=$(LOAD_CLIENTS) PLM_LOAD_MESSAGES=$(LOAD_MESSAGES) \
	  sh tests/t1075-daemon-load.sh

fuzz-smoke: fuzz
	@PLM_FUZZ_SECONDS=$(FUZZ_SECONDS) PLM_BUILD=$(BUILD) PLM_TOP=. PLM_ONLY=fuzz sh tests/run.sh $(BUILD)

examples: $(EXAMPLES_BIN)
	sh tests/examples/update.sh $(EXAMPLES_BIN) docs/PROTOCOL.md

install: $(LIBS) $(PALERMOD) $(PALERMO)
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/lib \
	  $(DESTDIR)$(PREFIX)/include/palermo/keys $(DESTDIR)$(PREFIX)/include/palermo/policies \
	  $(DESTDIR)$(PREFIX)/share/palermo
	install -m 0755 $(PALERMOD) $(PALERMO) $(DESTDIR)$(PREFIX)/bin/
	install -m 0644 $(LIBS) $(DESTDIR)$(PREFIX)/lib/
	install -m 0644 keys/*.h $(DESTDIR)$(PREFIX)/include/palermo/keys/
	install -m 0644 policies/yaml.h policies/policy.h policies/review.h \
	  $(DESTDIR)$(PREFIX)/include/palermo/policies/
	install -m 0644 policies/untoc.yaml $(DESTDIR)$(PREFIX)/share/palermo/
	install -d $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(MANDIR)/man8 \
	  $(DESTDIR)$(DOCDIR) $(DESTDIR)$(SYSTEMDUNITDIR) $(DESTDIR)$(BASHCOMPDIR) \
	  $(DESTDIR)$(ZSHCOMPDIR)
	install -m 0644 docs/palermo.1 $(DESTDIR)$(MANDIR)/man1/
	install -m 0644 docs/palermo-policy.5 $(DESTDIR)$(MANDIR)/man5/
	install -m 0644 docs/palermod.8 $(DESTDIR)$(MANDIR)/man8/
	install -m 0644 daemon/palermod.yaml.example $(DESTDIR)$(DOCDIR)/
	sed -e 's|@BINDIR@|$(PREFIX)/bin|g' -e 's|@SYSCONFDIR@|$(SYSCONFDIR)|g' \
	  -e 's|@DOCDIR@|$(DOCDIR)|g' daemon/palermod.service.in >$(BUILD)/palermod.service
	install -m 0644 $(BUILD)/palermod.service $(DESTDIR)$(SYSTEMDUNITDIR)/
	install -m 0644 client/completion/palermo.bash $(DESTDIR)$(BASHCOMPDIR)/palermo
	install -m 0644 client/completion/_palermo $(DESTDIR)$(ZSHCOMPDIR)/

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/palermod $(DESTDIR)$(PREFIX)/bin/palermo
	rm -f $(DESTDIR)$(PREFIX)/lib/libpalermo-keys.a $(DESTDIR)$(PREFIX)/lib/libpalermo-policies.a
	rm -rf $(DESTDIR)$(PREFIX)/include/palermo $(DESTDIR)$(PREFIX)/share/palermo
	rm -f $(DESTDIR)$(MANDIR)/man1/palermo.1 $(DESTDIR)$(MANDIR)/man5/palermo-policy.5 \
	  $(DESTDIR)$(MANDIR)/man8/palermod.8 $(DESTDIR)$(DOCDIR)/palermod.yaml.example \
	  $(DESTDIR)$(SYSTEMDUNITDIR)/palermod.service $(DESTDIR)$(BASHCOMPDIR)/palermo \
	  $(DESTDIR)$(ZSHCOMPDIR)/_palermo
	-rmdir $(DESTDIR)$(DOCDIR) 2>/dev/null

deps:
	apt-get install -y --no-install-recommends $(DEB_PACKAGES)

clean:
	rm -rf build build-san bin

help:
	@sed -n '2,12p' Makefile | sed 's/^# \{0,1\}//'
