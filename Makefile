# ktftpd top-level Makefile.
#
#   make               build kernel/ktftpd.ko (for KVER) and build/ctl/ktftpctl
#   make KVER=V        build the module for another installed kernel
#   make check         install what is missing, build, run every test
#   make demo          install what is missing, build, boot a guest, serve
#   make lint          W=1 + sparse builds of the module for every kernel
#   make clean
#
# KVER defaults to the running kernel when its headers are installed, and
# otherwise to the newest installed headers tree (scripts/kver).

KVER ?= $(shell scripts/kver default)
KDIR ?= /lib/modules/$(KVER)/build
BUILD ?= build
JOBS ?= $(shell nproc)

.PHONY: all module ctl modules-all lint check demo setup clean fuzz

all: module ctl fuzz

module:
	$(MAKE) -C $(KDIR) M=$(CURDIR)/kernel modules

# CMake drives the control tool and the host tests.
ctl:
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	cmake --build $(BUILD) -j $(JOBS)

# One module per installed kernel, in build/kmod/<kver>/: what the guests load.
modules-all:
	@for v in $$(scripts/kver list); do \
		scripts/build-kmod $$v kernel $(BUILD)/kmod/$$v >/dev/null || exit 1; \
		scripts/build-kmod $$v tests/vm/warnmod $(BUILD)/kmod/$$v >/dev/null || exit 1; \
		echo "  KMOD    $(BUILD)/kmod/$$v/kernel/ktftpd.ko"; \
	done

lint:
	@for v in $$(scripts/kver list); do \
		KTFTPD_LINT=1 scripts/build-kmod $$v kernel $(BUILD)/lint/$$v >/dev/null || exit 1; \
		echo "  LINT    $$v: W=1 and sparse clean"; \
	done

setup:
	@if [ "$$(id -u)" = 0 ]; then scripts/setup; \
	else sudo scripts/setup; fi

check: setup
	$(MAKE) all modules-all
	tests/check

demo: setup
	$(MAKE) all modules-all
	tests/demo

clean:
	-$(MAKE) -C $(KDIR) M=$(CURDIR)/kernel clean 2>/dev/null
	rm -rf $(BUILD)

# libFuzzer target for the protocol core (clang: ASan + UBSan).
FUZZ_SRC := kernel/proto.c kernel/options.c kernel/netascii.c kernel/validate.c
$(BUILD)/fuzz/fuzz_request: tests/fuzz/fuzz_request.c $(FUZZ_SRC) $(wildcard kernel/*.h)
	@mkdir -p $(@D)
	clang -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
		-Ikernel -Iinclude tests/fuzz/fuzz_request.c $(FUZZ_SRC) -o $@

fuzz: $(BUILD)/fuzz/fuzz_request
