# amphi — top-level build.  `make` builds the host command and the kernel;
# `make demo`, `make test` and `make bench` also install what they need.

BUILD   := build
HOSTCC  := gcc
CC      := gcc
MUSLCC  := musl-gcc
PYTHON  := /usr/bin/python3
MUSL_LIB := /usr/lib/x86_64-linux-musl

# One short line per step; `make V=1` shows the full commands.  A failing
# command's own messages (the compiler's) show either way.
V ?= 0
ifeq ($(V),1)
Q :=
say = @:
else
Q := @
say = @printf '  %-7s %s\n' '$(1)' '$(2)'
MAKEFLAGS += --no-print-directory
endif

HOST_CFLAGS := -std=gnu11 -O2 -g -Wall -Wextra -Werror=implicit-function-declaration -Ilib

# The kernel: freestanding, higher half (-mcmodel=kernel), no red zone
# (interrupts land on the same stack), no SSE (user FPU state is ours to keep),
# frame pointers kept for the panic backtrace.  gcc would inline copies and
# fills of a known size as rep movs/stos, which QEMU's TCG runs one element
# per step (kernel/core/string.c): short ones become unrolled moves instead,
# long ones calls to memcpy and memset, which choose.
STRING_OPS := unrolled_loop:256:noalign,libcall:-1:noalign
KERNEL_CFLAGS := -std=gnu11 -O2 -g -Wall -Wextra -Werror=implicit-function-declaration \
	-ffreestanding -fno-pic -fno-pie -mcmodel=kernel -mno-red-zone \
	-mgeneral-regs-only -fno-stack-protector -fno-omit-frame-pointer \
	-fno-asynchronous-unwind-tables -fno-strict-aliasing -fcallgraph-info=su \
	-mmemcpy-strategy=$(STRING_OPS) -mmemset-strategy=$(STRING_OPS) \
	-Ikernel -Ilib -DAMPHI_KERNEL
KERNEL_LDFLAGS := -nostdlib -static -no-pie -Wl,--build-id=none -z max-page-size=0x1000 -z noexecstack \
	-T kernel/arch/x86_64/linker.ld

LIB_SRC     := $(wildcard lib/*.c)
KERNEL_SRC  := $(wildcard kernel/*/*.c kernel/arch/x86_64/*.c) $(LIB_SRC)
KERNEL_ASM  := $(wildcard kernel/arch/x86_64/*.S)
KERNEL_OBJ  := $(patsubst %,$(BUILD)/k/%.o,$(KERNEL_SRC) $(KERNEL_ASM)) \
	$(BUILD)/k/syscall_names.o $(BUILD)/k/errno_names.o

# lwIP, from Debian's source package (tools/fetch-source.sh; never committed).
# Named file by file: the tree may not be unpacked yet when make reads this.
LWIP_DIR    := deps/src/lwip
LWIP_SRC    := $(addprefix core/,def.c dns.c inet_chksum.c init.c ip.c mem.c memp.c netif.c \
		pbuf.c raw.c stats.c sys.c tcp.c tcp_in.c tcp_out.c timeouts.c udp.c) \
	$(addprefix core/ipv4/,autoip.c dhcp.c etharp.c icmp.c igmp.c ip4.c ip4_addr.c ip4_frag.c) \
	$(addprefix core/ipv6/,dhcp6.c ethip6.c icmp6.c inet6.c ip6.c ip6_addr.c ip6_frag.c \
		mld6.c nd6.c) \
	$(addprefix api/,api_lib.c api_msg.c err.c netbuf.c tcpip.c) \
	netif/ethernet.c
LWIP_OBJ    := $(patsubst %.c,$(BUILD)/k/lwip/%.c.o,$(LWIP_SRC))
# The port's headers (lwipopts.h, arch/) come first, then lwIP's own.
LWIP_INC    := -Ikernel/net/lwip/include -I$(LWIP_DIR)/src/include
# lwIP is not written to amphi's warning set; its own code keeps its style.
LWIP_CFLAGS := $(KERNEL_CFLAGS) $(LWIP_INC) -Wno-unused-parameter -Wno-sign-compare \
	-Wno-address -Wno-type-limits
KERNEL_OBJ  += $(LWIP_OBJ)
TOOL_SRC    := $(wildcard tools/amphi/*.c) $(LIB_SRC)
UNIT_SRC    := $(wildcard tests/unit/test_*.c)
UNIT_BIN    := $(patsubst tests/unit/%.c,$(BUILD)/unit/%,$(UNIT_SRC))
PROG_SRC    := $(wildcard tests/progs/*.c)
PROG_BIN    := $(patsubst tests/progs/%.c,$(BUILD)/progs/%,$(PROG_SRC)) \
	$(patsubst tests/progs/%.c,$(BUILD)/progs/%-pie,$(filter tests/progs/hello.c tests/progs/auxv.c \
		tests/progs/gdb_target.c,$(PROG_SRC))) \
	$(BUILD)/progs/hello-dyn $(BUILD)/progs/go_httpd
EXAMPLES    := $(BUILD)/examples/hello

.PHONY: all deps demo test unit stack-check vmtest stress stress-net bench clean
all: $(BUILD)/amphi $(BUILD)/amphi.elf $(BUILD)/amphi-slirp.so

deps:
	@sh tools/install-deps.sh

# ---- kernel ---------------------------------------------------------------
$(BUILD)/k/%.c.o: %.c
	@mkdir -p $(dir $@)
	$(call say,CC,$<)
	$(Q)$(CC) $(KERNEL_CFLAGS) -MMD -MP -c $< -o $@
# Its loops must stay loops, not become calls to themselves.
$(BUILD)/k/kernel/core/string.c.o: KERNEL_CFLAGS += -fno-tree-loop-distribute-patterns
# The kernel's network code sees lwIP's headers; the rest of the kernel does not.
# A change to our lwIP patches unpacks the tree again (tools/fetch-source.sh)
# and rebuilds everything that sees it.
LWIP_PATCHES := $(wildcard tools/patches/lwip/*.patch)
$(BUILD)/k/kernel/net/%.c.o: KERNEL_CFLAGS += $(LWIP_INC)
$(filter $(BUILD)/k/kernel/net/%,$(KERNEL_OBJ)): $(LWIP_DIR)/.unpacked
$(LWIP_OBJ): $(BUILD)/k/lwip/%.c.o: $(LWIP_DIR)/src/%.c $(LWIP_DIR)/.unpacked
	@mkdir -p $(dir $@)
	$(call say,CC,$<)
	$(Q)$(CC) $(LWIP_CFLAGS) -MMD -MP -c $< -o $@
$(addprefix $(LWIP_DIR)/src/,$(LWIP_SRC)): | $(LWIP_DIR)/.unpacked
$(LWIP_DIR)/.unpacked: $(LWIP_PATCHES)
	$(call say,FETCH,lwip)
	@mkdir -p $(BUILD)
	$(Q)sh tools/fetch-source.sh lwip > $(BUILD)/fetch-lwip.log 2>&1 || \
		{ cat $(BUILD)/fetch-lwip.log >&2; exit 1; }
	@touch $@	# an unchanged series leaves the stamp as it was: newer now
$(BUILD)/k/%.S.o: %.S
	@mkdir -p $(dir $@)
	$(call say,AS,$<)
	$(Q)$(CC) $(KERNEL_CFLAGS) -MMD -MP -c $< -o $@

# Tables made from the system's kernel headers: the names of the system
# calls (the kernel's and amphi's, which checks --trace), and of errnos.
$(BUILD)/syscall_names.c: tools/syscall-names.sh
	@mkdir -p $(dir $@)
	$(call say,GEN,$@)
	$(Q)sh tools/syscall-names.sh > $@.tmp && mv $@.tmp $@
$(BUILD)/errno_names.c: tools/errno-names.py
	@mkdir -p $(dir $@)
	$(call say,GEN,$@)
	$(Q)$(PYTHON) tools/errno-names.py > $@.tmp && mv $@.tmp $@
$(BUILD)/k/%_names.o: $(BUILD)/%_names.c
	@mkdir -p $(dir $@)
	$(call say,CC,$<)
	$(Q)$(CC) $(KERNEL_CFLAGS) -c $< -o $@

# Two links: the first finds where every function landed, the second adds that
# table (placed after all code, so no function moves) for panic backtraces.
$(BUILD)/amphi.elf: $(KERNEL_OBJ) kernel/arch/x86_64/linker.ld tools/ksyms.sh
	$(call say,LD,$@)
	$(Q)$(CC) $(KERNEL_LDFLAGS) -o $@.pass1 $(KERNEL_OBJ)
	$(Q)sh tools/ksyms.sh $@.pass1 > $(BUILD)/ksyms.S
	$(Q)$(CC) $(KERNEL_CFLAGS) -c $(BUILD)/ksyms.S -o $(BUILD)/ksyms.o
	$(Q)$(CC) $(KERNEL_LDFLAGS) -o $@ $(KERNEL_OBJ) $(BUILD)/ksyms.o
	@sh tools/ksyms.sh $@ | cmp -s - $(BUILD)/ksyms.S || { echo "ksyms moved between links" >&2; exit 1; }

# ---- host command ---------------------------------------------------------
# Linked statically: the dynamic loader cost 0.8 ms of every `amphi run`,
# and the tool needs nothing from the C library that only comes shared.
$(BUILD)/amphi: $(TOOL_SRC) $(BUILD)/syscall_names.c $(wildcard tools/amphi/*.h lib/*.h)
	@mkdir -p $(BUILD)
	$(call say,HOSTCC,$@)
	$(Q)$(HOSTCC) $(HOST_CFLAGS) -static -o $@ $(TOOL_SRC) $(BUILD)/syscall_names.c

# ---- tests ----------------------------------------------------------------
$(BUILD)/unit/%: tests/unit/%.c $(LIB_SRC) $(wildcard lib/*.h tests/unit/*.h)
	@mkdir -p $(dir $@)
	$(call say,HOSTCC,$@)
	$(Q)$(HOSTCC) $(HOST_CFLAGS) -fsanitize=address,undefined -o $@ $< $(LIB_SRC) -lcmocka
# Kernel code built unchanged for the host, with the kernel's aliasing rules:
# tests/unit/kshim stands in for the headers that need the kernel (the CPU's).
$(BUILD)/unit/test_virtq: tests/unit/test_virtq.c kernel/dev/virtq.c kernel/dev/virtq.h \
		kernel/dev/virtio.h $(wildcard tests/unit/kshim/*/*.h tests/unit/kshim/*/*/*.h)
	@mkdir -p $(dir $@)
	$(call say,HOSTCC,$@)
	$(Q)$(HOSTCC) $(HOST_CFLAGS) -fsanitize=address,undefined -fno-strict-aliasing \
		-Itests/unit/kshim -Ikernel -o $@ $< kernel/dev/virtq.c -lcmocka
# kernel/core/string.c under names that do not stand in for the C library's.
KSTRING_NAMES := memcpy memmove memset memcmp memchr strlen strnlen strcmp strncmp strchr strstr
$(BUILD)/unit/test_string: tests/unit/test_string.c kernel/core/string.c kernel/core/string.h
	@mkdir -p $(dir $@)
	$(call say,HOSTCC,$@)
	$(Q)$(HOSTCC) $(HOST_CFLAGS) -fsanitize=address,undefined -fno-strict-aliasing \
		-fno-tree-loop-distribute-patterns -fno-builtin $(foreach f,$(KSTRING_NAMES),-D$(f)=k_$(f)) \
		-Ikernel -o $@ $< kernel/core/string.c -lcmocka
$(BUILD)/unit/test_nvme_io: tests/unit/test_nvme_io.c kernel/dev/nvme_io.c kernel/dev/nvme_queue.c \
		$(wildcard kernel/dev/nvme*.h kernel/dev/blk.h tests/unit/kshim/*/*/*.h)
	@mkdir -p $(dir $@)
	$(call say,HOSTCC,$@)
	$(Q)$(HOSTCC) $(HOST_CFLAGS) -fsanitize=address,undefined -fno-strict-aliasing \
		-Itests/unit/kshim -Ikernel -o $@ $< kernel/dev/nvme_io.c kernel/dev/nvme_queue.c -lcmocka

$(BUILD)/unit/test_blk: tests/unit/test_blk.c kernel/dev/blk.c kernel/dev/blk.h \
		kernel/dev/blk_internal.h $(wildcard tests/unit/kshim/*/*.h tests/unit/kshim/*/*/*.h)
	@mkdir -p $(dir $@)
	$(call say,HOSTCC,$@)
	$(Q)$(HOSTCC) $(HOST_CFLAGS) -fsanitize=address,undefined -fno-strict-aliasing \
		-Itests/unit/kshim -Ikernel -o $@ $< kernel/dev/blk.c -lcmocka

# The app's claims bookkeeping (tests/unit/kshim/dev stands in for ivshmem).
$(BUILD)/unit/test_link_claims: tests/unit/test_link_claims.c kernel/dev/link_claims.c \
		kernel/dev/link_app_internal.h lib/link.h $(wildcard tests/unit/kshim/*/*.h tests/unit/kshim/*/*/*.h)
	@mkdir -p $(dir $@)
	$(call say,HOSTCC,$@)
	$(Q)$(HOSTCC) $(HOST_CFLAGS) -fsanitize=address,undefined -fno-strict-aliasing \
		-Itests/unit/kshim -Ikernel -o $@ $< kernel/dev/link_claims.c -lcmocka

# The server's claims across restarts, over regions in memory.
$(BUILD)/unit/test_ns_claims: tests/unit/test_ns_claims.c kernel/netserver/claims.c \
		kernel/netserver/netserver_internal.h $(LIB_SRC) $(wildcard lib/*.h tests/unit/kshim/*/*.h tests/unit/kshim/*/*/*.h)
	@mkdir -p $(dir $@)
	$(call say,HOSTCC,$@)
	$(Q)$(HOSTCC) $(HOST_CFLAGS) -fsanitize=address,undefined -fno-strict-aliasing \
		-Itests/unit/kshim -Ikernel -o $@ $< kernel/netserver/claims.c $(LIB_SRC) -lcmocka

# The ext2/ext4 core and the buffer cache over image files (tests/unit/ext4_host.c
# stands in for the block layer, the heap and printk).
EXT4_CORE := $(wildcard kernel/fs/ext4_*.c) kernel/fs/bcache.c
$(BUILD)/unit/test_ext4: tests/unit/test_ext4.c tests/unit/ext4_host.c tests/unit/ext4_host.h \
		tests/unit/ext4_writes.c tests/unit/ext4_htree.c tests/unit/ext4_journal_tests.c tests/unit/test_ext4.h \
		tests/unit/ext4_records.c \
		$(filter-out kernel/fs/ext4_vfs.c,$(EXT4_CORE)) lib/crc32c.c $(wildcard kernel/fs/ext4*.h kernel/fs/bcache.h) \
		$(wildcard tests/unit/kshim/*/*.h tests/unit/kshim/*/*/*.h)
	@mkdir -p $(dir $@)
	$(call say,HOSTCC,$@)
	$(Q)$(HOSTCC) $(HOST_CFLAGS) -fsanitize=address,undefined -fno-strict-aliasing \
		-Itests/unit/kshim -Ikernel -Itests/unit -o $@ $< tests/unit/ext4_host.c tests/unit/ext4_writes.c tests/unit/ext4_htree.c tests/unit/ext4_journal_tests.c \
		tests/unit/ext4_records.c $(filter-out kernel/fs/ext4_vfs.c,$(EXT4_CORE)) lib/crc32c.c -lcmocka

# The 9P client, against replies made by the test (tests/unit/kshim/core
# stands in for the kernel's locks).
$(BUILD)/unit/test_9p_client: tests/unit/test_9p_client.c kernel/fs/9p_client.c kernel/fs/9p.h \
		$(wildcard tests/unit/kshim/*/*.h tests/unit/kshim/*/*/*.h)
	@mkdir -p $(dir $@)
	$(call say,HOSTCC,$@)
	$(Q)$(HOSTCC) $(HOST_CFLAGS) -fsanitize=address,undefined -fno-strict-aliasing \
		-Itests/unit/kshim -Ikernel -o $@ $< kernel/fs/9p_client.c -lcmocka

# The supervisor's QMP client, against a QEMU played by a thread.
$(BUILD)/unit/test_qmp: tests/unit/test_qmp.c tools/amphi/qmp.c tools/amphi/util.c tools/amphi/runtime.c \
		$(wildcard tools/amphi/*.h lib/*.h)
	@mkdir -p $(dir $@)
	$(call say,HOSTCC,$@)
	$(Q)$(HOSTCC) $(HOST_CFLAGS) -fsanitize=address,undefined -Itools/amphi -o $@ $< \
		tools/amphi/qmp.c tools/amphi/util.c tools/amphi/runtime.c -lcmocka -lpthread

# What amphi run does with each frame from the guest, fed random streams.
$(BUILD)/unit/test_console_frames: tests/unit/test_console_frames.c tools/amphi/console_frames.c \
		tools/amphi/queue.c tools/amphi/util.c tools/amphi/runtime.c $(LIB_SRC) \
		$(wildcard tools/amphi/*.h lib/*.h)
	@mkdir -p $(dir $@)
	$(call say,HOSTCC,$@)
	$(Q)$(HOSTCC) $(HOST_CFLAGS) -fsanitize=address,undefined -Itools/amphi -o $@ $< \
		tools/amphi/console_frames.c tools/amphi/queue.c tools/amphi/util.c \
		tools/amphi/runtime.c $(LIB_SRC) -lcmocka

# A true static-pie: musl-gcc -static-pie makes a dynamic PIE on Debian, so
# link musl's rcrt1.o by hand, without a dynamic linker.
$(BUILD)/progs/%-pie: tests/progs/%.c
	@mkdir -p $(dir $@)
	$(call say,MUSLCC,$@)
	$(Q)$(MUSLCC) -O2 -Wall $(PROG_CFLAGS) -fPIE -nostartfiles -o $@ $(MUSL_LIB)/rcrt1.o $(MUSL_LIB)/crti.o $< \
		-Wl,-static,-pie,--no-dynamic-linker -pthread $(MUSL_LIB)/crtn.o
# Dynamically linked against musl (its loader, /lib/ld-musl-x86_64.so.1,
# comes into the guest with the program).
$(BUILD)/progs/%-dyn: tests/progs/%.c
	@mkdir -p $(dir $@)
	$(call say,MUSLCC,$@)
	$(Q)$(MUSLCC) -O2 -Wall -o $@ $<
# Debian's libaio (libaio-dev), its static archive linked with musl: it
# needs only syscall() and errno.  Its header is the one glibc's tree has
# that musl's lacks, so that tree is searched after musl's.
LIBAIO_A := $(firstword $(wildcard /usr/lib/*/libaio.a /usr/lib/libaio.a))
$(BUILD)/progs/aio_libaio: tests/progs/aio_libaio.c
	@mkdir -p $(dir $@)
	$(call say,MUSLCC,$@)
	$(Q)$(MUSLCC) -static -O2 -Wall -idirafter /usr/include -o $@ $< $(LIBAIO_A)
$(BUILD)/progs/%: tests/progs/%.c
	@mkdir -p $(dir $@)
	$(call say,MUSLCC,$@)
	$(Q)$(MUSLCC) -static -O2 -Wall $(PROG_CFLAGS) -o $@ $< -pthread
# Go programs: static (no cgo), with the build's caches kept in build/.
$(BUILD)/progs/%: tests/progs/%.go
	@mkdir -p $(dir $@)
	$(call say,GO,$@)
	$(Q)CGO_ENABLED=0 GOCACHE=$(abspath $(BUILD))/go/cache GOPATH=$(abspath $(BUILD))/go \
		go build -trimpath -o $@ $<
# gdb finds its variables by name (tests/vm/test_gdb.py).
$(BUILD)/progs/gdb_target $(BUILD)/progs/gdb_target-pie: PROG_CFLAGS := -g -O0

$(BUILD)/examples/hello: examples/hello/hello.c
	@mkdir -p $(dir $@)
	$(call say,MUSLCC,$@)
	$(Q)$(MUSLCC) -static -O2 -Wall -o $@ $<

# Redis from Debian's source package, static with musl (how and why:
# tools/build-redis.sh).  Built out of tree, in build/redis-src.
$(BUILD)/redis/redis-server: tools/build-redis.sh
	$(call say,BUILD,redis)
	@mkdir -p $(BUILD)
	$(Q)sh tools/build-redis.sh > $(BUILD)/redis-build.log 2>&1 || \
		{ tail -40 $(BUILD)/redis-build.log >&2; exit 1; }	# its own make's lines, on failure

# Preloaded into QEMU by `amphi run` on user networking: slirp listens on
# forwarded ports with a backlog of 1 (the file says more).
$(BUILD)/amphi-slirp.so: tools/amphi-slirp.c
	@mkdir -p $(dir $@)
	$(call say,HOSTCC,$@)
	$(Q)$(HOSTCC) -O2 -Wall -shared -fPIC -o $@ $< -ldl

unit: $(UNIT_BIN)
	@set -e; for t in $(UNIT_BIN); do $$t; done

# Kernel stack use, from the call graphs GCC leaves beside each object
# (-fcallgraph-info): fails on a recursion not known to be bounded, or a
# chain of calls too deep for half a stack (tools/stack-usage.py says more).
stack-check: $(BUILD)/amphi.elf
	$(call say,CHECK,kernel stack use)
	$(Q)$(PYTHON) tools/stack-usage.py --check $$(find $(BUILD)/k -name '*.ci') > $(BUILD)/stack-usage.txt

# Debian's memcached, unpacked and never installed: its libraries are the
# host's (tools/install-deps.sh); tests/vm/test_debian_daemons.py runs it,
# and bench/netscale.py measures it.
deps/deb/memcached/.unpacked: tools/fetch-deb.sh
	$(call say,FETCH,memcached)
	$(Q)sh tools/fetch-deb.sh memcached > /dev/null

# Debian's iputils ping, the same way: tests/vm/test_raw_sockets.py.
deps/deb/iputils-ping/.unpacked: tools/fetch-deb.sh
	$(call say,FETCH,iputils-ping)
	$(Q)sh tools/fetch-deb.sh iputils-ping > /dev/null

# Debian's mtr (mtr-tiny), the same way: tests/vm/test_raw_hdrincl.py.
deps/deb/mtr-tiny/.unpacked: tools/fetch-deb.sh
	$(call say,FETCH,mtr-tiny)
	$(Q)sh tools/fetch-deb.sh mtr-tiny > /dev/null

# A test that hangs fails after 20 minutes with its stack, rather than
# holding the run (no test takes half of that).
vmtest: all $(PROG_BIN) $(EXAMPLES) $(BUILD)/redis/redis-server deps/deb/memcached/.unpacked \
		deps/deb/iputils-ping/.unpacked deps/deb/mtr-tiny/.unpacked
	$(Q)$(PYTHON) -m pytest -q --timeout=1200 tests/vm tests/stress


test: deps
	$(Q)$(MAKE) -s all
	$(Q)$(MAKE) unit
	$(Q)$(MAKE) stack-check
	$(Q)$(MAKE) vmtest

# Longer and bigger runs than make test's (docs/testing.md): every test in
# tests/stress for STRESS_MINUTES (make test runs each once, short), then
# stress-net, the full set of network attacks
# (tests/vm/test_net_attacks_full.py, skipped by make test).
STRESS_MINUTES ?= 3
stress: deps
	$(Q)$(MAKE) all $(PROG_BIN) $(EXAMPLES)
	$(Q)STRESS_MINUTES=$(STRESS_MINUTES) $(PYTHON) -m pytest -q tests/stress
	$(Q)$(MAKE) stress-net

stress-net:
	$(Q)AMPHI_STRESS=1 $(PYTHON) -m pytest -q tests/vm/test_net_attacks_full.py

demo: deps
	$(Q)$(MAKE) all $(EXAMPLES)
	$(Q)$(BUILD)/amphi run $(BUILD)/examples/hello amphi

# QEMU's floor for the start-up benchmark: an empty kernel that exits at
# once, booting by multiboot and PVH as amphi's does (bench/startup.py).
$(BUILD)/bench/floor.elf: bench/floor/floor.S bench/floor/floor.ld
	@mkdir -p $(dir $@)
	$(call say,AS,$@)
	$(Q)$(CC) -m32 -c bench/floor/floor.S -o $(BUILD)/bench/floor.o
	$(Q)ld -m elf_i386 -T bench/floor/floor.ld -nostdlib --build-id=none -z max-page-size=0x1000 \
		-o $@ $(BUILD)/bench/floor.o

bench: deps
	$(Q)$(MAKE) all $(EXAMPLES) $(PROG_BIN) $(BUILD)/redis/redis-server $(BUILD)/bench/floor.elf \
		deps/deb/memcached/.unpacked
	$(Q)sh bench/run.sh

clean:
	rm -rf $(BUILD)

-include $(shell find $(BUILD)/k -name '*.d' 2>/dev/null)
