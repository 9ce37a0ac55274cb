# ktftpd top-level Makefile.
#
#   make               build kernel/ktftpd.ko (for KVER) and build/ctl/ktftpctl
#   make KVER=V        build the module for another installed kernel
#   make test-build    the unit tests, ktftp-bench and ktftp-blast, the fuzzers
#   make check         install what is missing, build, run every test
#   make check-newest  the module for sid's newest kernel, and the guest suite on it
#   make check-packages  the Debian packages' whole guest test, with the kernel
#                      upgrade's DKMS compile and the Ansible role (make check
#                      runs the rest; docs/packaging.md)
#   make check-debug   the whole guest suite on the debug kernels of 6.1 and
#                      6.12 (KASAN, UBSAN, kmemleak, lockdep, failslab) and on
#                      the KCSAN kernel (data races); each built once, ~10 min;
#                      hours on 2 cores (docs/testing.md)
#   make demo          install what is missing, build, boot a guest, serve
#   make bench         install what is missing, build, benchmark ktftpd against
#                      tftpd-hpa, atftpd and dnsmasq in a guest (BENCH_KERNEL=6.1),
#                      then the firmware scenario (make bench-firmware alone)
#                      and the link scenarios (make bench-link alone)
#   make gen           rewrite the text derived from the settings tables
#   make lint          W=1 + sparse builds of the module for every kernel
#                      (and sid's newest: scripts/newest-kernel), then
#                      shellcheck, pyflakes, ansible-lint, checkpatch
#   make fuzz          run each libFuzzer target for FUZZ_SECONDS (300)
#   make install       install what `make` built (DESTDIR, PREFIX honoured)
#   make deb           build the Debian packages into build/deb (docs/packaging.md)
#   make dkms-install  add, build and install the module with DKMS (root)
#   make clean
#
# KVER defaults to the running kernel when its headers are installed, and
# otherwise to the newest installed headers tree (scripts/kver).

KVER ?= $(shell scripts/kver default)
KDIR ?= /lib/modules/$(KVER)/build
BUILD ?= build
JOBS ?= $(shell nproc)

VERSION := $(shell cat VERSION)

# Where `make install` puts things.  The unit and completion directories
# come from pkg-config (systemd's and bash-completion's own answer).
PREFIX ?= /usr/local
SBINDIR ?= $(PREFIX)/sbin
MANDIR ?= $(PREFIX)/share/man
SYSCONFDIR ?= /etc
UNITDIR ?= $(or $(shell pkg-config --variable=systemdsystemunitdir systemd 2>/dev/null),/lib/systemd/system)
COMPLETIONSDIR ?= $(or $(shell pkg-config --variable=completionsdir bash-completion 2>/dev/null),$(PREFIX)/share/bash-completion/completions)
DKMS_SRCDIR ?= /usr/src/ktftpd-$(VERSION)

.PHONY: all gen module ctl test-build modules-all lint check check-debug check-newest check-packages check-powercut demo bench bench-firmware bench-link setup clean fuzz fuzz-build install install-dkms-source dkms-install deb

all: module ctl

module:
	$(MAKE) -j $(JOBS) -C $(KDIR) M=$(CURDIR)/kernel modules

# CMake drives the control tool and the host tests: `make` builds
# ktftpctl, test-build everything the tests run.
ctl:
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	cmake --build $(BUILD) -j $(JOBS) --target ktftpctl

test-build: ctl fuzz-build
	cmake --build $(BUILD) -j $(JOBS)

# One module per installed kernel, in build/kmod/<kver>/: what the guests load.
modules-all:
	@for v in $$(scripts/kver list); do \
		scripts/build-kmod $$v kernel $(BUILD)/kmod/$$v >/dev/null || exit 1; \
		scripts/build-kmod $$v tests/vm/warnmod $(BUILD)/kmod/$$v >/dev/null || exit 1; \
		scripts/build-kmod $$v tests/vm/racemod $(BUILD)/kmod/$$v >/dev/null || exit 1; \
		echo "  KMOD    $(BUILD)/kmod/$$v/kernel/ktftpd.ko"; \
	done

# The text derived from kernel/params.h and kernel/counters.h (the man
# pages' settings, the completion's keys, the uapi's comments); the ops
# stage fails while it is stale.
gen:
	scripts/gen-settings

lint:
	@for v in $$(scripts/kver list); do \
		KTFTPD_LINT=1 scripts/build-kmod $$v kernel $(BUILD)/lint/$$v >/dev/null || exit 1; \
		echo "  LINT    $$v: W=1 and sparse clean"; \
	done
	@scripts/newest-kernel build
	@scripts/lint-tree

setup:
	@if [ "$$(id -u)" = 0 ]; then scripts/setup; \
	else sudo scripts/setup; fi

# -j: the fuzz targets and the modules are make's own rules, one at a
# time without it.
check: setup
	$(MAKE) -j $(JOBS) all test-build modules-all
	tests/check

check-debug: setup
	$(MAKE) all test-build
	tests/check --stage debug --stage kcsan --debug-full

# The packages' whole test: make check's deb stage with test_deb.py's
# deb_full tests, which make check leaves out for CI's time.
check-packages: setup
	$(MAKE) all test-build modules-all
	tests/check --stage deb --deb-full

# sid's newest kernel: the W=1 and sparse build (make check's lint stage
# has it too), then the guest suite booted on that kernel, as the guest
# stage runs it on the others: not the failslab tests (debug/, the debug
# kernel's) nor the soak (docs/testing.md, "The newest kernel").
check-newest: setup
	$(MAKE) all test-build
	scripts/newest-kernel build
	tests/vm/run --kernel newest --tcg single --timeout 5400 -- \
		python3 -m pytest -q -p no:cacheprovider -rfEs tests/integration \
		--ignore=tests/integration/debug --ignore=tests/integration/soak

# Uploads survive a power cut: 50 crashes of a 6.12 guest mid-upload, each
# checked after the next boot's fsck, then durability's cost measured
# (docs/testing.md, "Power cuts"); POWERCUT_ARGS go to tests/powercut/run.
check-powercut: setup
	$(MAKE) all
	tests/powercut/run --kernel 6.12 --crashes 50 $(POWERCUT_ARGS)

demo: setup
	$(MAKE) all modules-all
	tests/demo

# Side by side against the user-space servers; see docs/benchmarks.md.
# BENCH_ARGS go to tests/bench/run-guest (e.g. --rounds 5),
# FIRMWARE_BENCH_ARGS to tests/bench/firmware (e.g. --rounds 5), and
# LINK_BENCH_ARGS to tests/bench/link (e.g. --storm-clients 500).
BENCH_KERNEL ?= 6.1
bench: setup
	$(MAKE) all test-build modules-all
	tests/bench/run --kernel $(BENCH_KERNEL) -- $(BENCH_ARGS)
	tests/bench/firmware --kernel $(BENCH_KERNEL) --doc docs/benchmarks.md $(FIRMWARE_BENCH_ARGS)
	tests/bench/link --kernel $(BENCH_KERNEL) --doc docs/benchmarks.md $(LINK_BENCH_ARGS)

# Only the link scenarios: S2, S3 and S4 from a second guest on a NIC link.
bench-link: setup
	$(MAKE) all test-build modules-all
	tests/bench/link --kernel $(BENCH_KERNEL) --doc docs/benchmarks.md $(LINK_BENCH_ARGS)

# Only the firmware scenario: OVMF, U-Boot and iPXE fetching their initrd.
bench-firmware: setup
	$(MAKE) all test-build modules-all
	tests/bench/firmware --kernel $(BENCH_KERNEL) --doc docs/benchmarks.md $(FIRMWARE_BENCH_ARGS)

# The units, from one source: the initial namespace's server, and the
# template that serves network namespace NAME (/run/netns/NAME) from
# /etc/ktftpd/NAME.json.
UNIT_SED = -e 's|@SBINDIR@|$(SBINDIR)|g'
UNIT_INITIAL = -e 's|@IN_NETNS@||' -e 's|@CONF@|ktftpd|g' \
	-e 's|@NETNS_PATH@|\# The initial network namespace.|' \
	-e 's|@SERVER_UNIT@|ktftpd.service|' -e 's|@NETNS_LABEL@||' -e 's|@PROM@|ktftpd|'
UNIT_TEMPLATE = -e 's|@IN_NETNS@| in network namespace %i|' -e 's|@CONF@|%i|g' \
	-e 's|@NETNS_PATH@|NetworkNamespacePath=/run/netns/%i|' \
	-e 's|@SERVER_UNIT@|ktftpd@%i.service|' -e 's|@NETNS_LABEL@| --netns-label %i|' \
	-e 's|@PROM@|ktftpd-%i|'
# Each unit, and its template beside it (NAME@.EXT).
UNITS = ktftpd.service ktftpd-metrics.service ktftpd-metrics.timer ktftpd-log.service

# Installs only what `make` built: run `make` first, as yourself.
install:
	@test -x $(BUILD)/ctl/ktftpctl || { echo "make install: no $(BUILD)/ctl/ktftpctl: run make first" >&2; exit 1; }
	install -D -m 0755 $(BUILD)/ctl/ktftpctl $(DESTDIR)$(SBINDIR)/ktftpctl
	install -d $(DESTDIR)$(UNITDIR)
	@for u in $(UNITS); do \
		t=$${u%.*}@.$${u##*.}; \
		sed $(UNIT_SED) $(UNIT_INITIAL) systemd/$$u.in >$(DESTDIR)$(UNITDIR)/$$u && \
		sed $(UNIT_SED) $(UNIT_TEMPLATE) systemd/$$u.in >$(DESTDIR)$(UNITDIR)/$$t && \
		chmod 0644 $(DESTDIR)$(UNITDIR)/$$u $(DESTDIR)$(UNITDIR)/$$t || exit 1; \
	done
	@# The example config only where there is none: never overwrite an admin's.
	@if [ -e $(DESTDIR)$(SYSCONFDIR)/ktftpd/ktftpd.json ]; then \
		echo "keeping $(DESTDIR)$(SYSCONFDIR)/ktftpd/ktftpd.json"; \
	else \
		install -D -m 0644 etc/ktftpd.json $(DESTDIR)$(SYSCONFDIR)/ktftpd/ktftpd.json; \
	fi
	install -D -m 0644 docs/man/ktftpctl.8 $(DESTDIR)$(MANDIR)/man8/ktftpctl.8
	install -D -m 0644 docs/man/ktftpd.8 $(DESTDIR)$(MANDIR)/man8/ktftpd.8
	install -D -m 0644 docs/man/ktftpd.json.5 $(DESTDIR)$(MANDIR)/man5/ktftpd.json.5
	install -D -m 0644 ctl/completion/ktftpctl.bash $(DESTDIR)$(COMPLETIONSDIR)/ktftpctl
	$(MAKE) -s install-dkms-source

# The DKMS source tree: the module's sources and the uapi header only (not
# what an in-tree `make module` generated beside them, e.g. ktftpd.mod.c).
KMOD_SOURCES = $(filter-out %.mod.c,$(wildcard kernel/*.c)) $(wildcard kernel/*.h)
install-dkms-source:
	rm -rf $(DESTDIR)$(DKMS_SRCDIR)
	install -d $(DESTDIR)$(DKMS_SRCDIR)/kernel $(DESTDIR)$(DKMS_SRCDIR)/include/uapi/linux
	install -m 0644 kernel/Kbuild $(KMOD_SOURCES) $(DESTDIR)$(DKMS_SRCDIR)/kernel/
	install -m 0644 include/uapi/linux/ktftpd.h $(DESTDIR)$(DKMS_SRCDIR)/include/uapi/linux/
	install -m 0644 VERSION $(DESTDIR)$(DKMS_SRCDIR)/VERSION
	sed 's|@VERSION@|$(VERSION)|g' dkms/dkms.conf.in >$(DESTDIR)$(DKMS_SRCDIR)/dkms.conf

# After `make install`: build and install the module for KVER (default:
# the running kernel) and run depmod, so `modprobe ktftpd` works.
dkms-install:
	@[ -n "$$(dkms status -m ktftpd -v $(VERSION))" ] || dkms add -m ktftpd -v $(VERSION)
	dkms install -m ktftpd -v $(VERSION) -k $(or $(DKMS_KVER),$(shell uname -r))

# The Debian packages, from a clean copy of the tree (scripts/build-deb).
deb:
	scripts/build-deb $(BUILD)/deb

clean:
	-$(MAKE) -C $(KDIR) M=$(CURDIR)/kernel clean 2>/dev/null
	rm -rf $(BUILD)

# libFuzzer targets (clang: ASan + UBSan): the protocol core's request
# parser, option negotiation and transfer state machines, and ktftpctl's
# config parser.  `make fuzz` builds them and runs each for FUZZ_SECONDS
# from its seed corpus (tests/fuzz/corpus/NAME; what it grows stays in
# build/fuzz/corpus/NAME); `make check` runs a short bounded run.
FUZZ_SECONDS ?= 300
FUZZ_TARGETS := request options session config rewrite cidr
FUZZ_BINS := $(FUZZ_TARGETS:%=$(BUILD)/fuzz/fuzz_%)
FUZZ_SAN := -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all
FUZZ_CORE := kernel/proto.c kernel/options.c kernel/netascii.c kernel/params.c kernel/rewrite.c kernel/cidr.c

$(BUILD)/fuzz/fuzz_%: tests/fuzz/fuzz_%.c $(FUZZ_CORE) $(wildcard kernel/*.h)
	@mkdir -p $(@D)
	clang $(FUZZ_SAN) -Ikernel -Iinclude $< $(FUZZ_CORE) -o $@

# The C core ktftpctl's config parser uses: the settings table, the
# filename rules' checker (tftp_rule_check()) and the client networks'
# (tftp_cidr_check()).
FUZZ_CONFIG_CORE := $(BUILD)/fuzz/params.o $(BUILD)/fuzz/rewrite.o $(BUILD)/fuzz/cidr.o
$(FUZZ_CONFIG_CORE): $(BUILD)/fuzz/%.o: kernel/%.c $(wildcard kernel/*.h)
	@mkdir -p $(@D)
	clang $(FUZZ_SAN) -Ikernel -Iinclude -c $< -o $@

# ktftpctl's parsers of what people write: the config file and KEY=VALUE,
# and `config import`'s readers of tftpd-hpa's and dnsmasq's files.
FUZZ_CONFIG_CTL := ctl/config.cpp ctl/rules.cpp ctl/networks.cpp ctl/port_range.cpp \
	ctl/import.cpp ctl/import_tftpd_hpa.cpp ctl/import_dnsmasq.cpp ctl/shell_words.cpp \
	ctl/hpa_map.cpp ctl/hpa_regex.cpp
$(BUILD)/fuzz/fuzz_config: tests/fuzz/fuzz_config.cpp $(FUZZ_CONFIG_CTL) $(FUZZ_CONFIG_CORE) \
		$(wildcard ctl/*.hpp)
	clang++ -std=c++20 $(FUZZ_SAN) -Ictl -Ikernel -Iinclude $< $(FUZZ_CONFIG_CTL) \
		$(FUZZ_CONFIG_CORE) -o $@

fuzz-build: $(FUZZ_BINS)

fuzz: fuzz-build
	tests/fuzz/run --seconds $(FUZZ_SECONDS) $(FUZZ_TARGETS)
