/* Boot: from the loader's hand-off to the program's first instruction. */
#include "arch/x86_64/acpi.h"
#include "arch/x86_64/arch.h"
#include "arch/x86_64/bootinfo.h"
#include "arch/x86_64/clock.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/lapic.h"
#include "arch/x86_64/smp.h"
#include "arch/x86_64/x86.h"
#include "core/boottime.h"
#include "core/kmalloc.h"
#include "core/page_alloc.h"
#include "core/printk.h"
#include "core/profile.h"
#include "core/random.h"
#include "core/sched.h"
#include "core/spinlock.h"
#include "core/string.h"
#include "core/timer.h"
#include "core/watchdog.h"
#include "dev/console.h"
#include "dev/devices.h"
#include "dev/link_app.h"
#include "fs/initrd.h"
#include "linux/program.h"
#include "linux/syscall.h"
#include "net/netif.h"
#include "net/tcp_msl.h"
#include "netserver/netserver.h"
#include "config.h"

extern char kernel_phys_start[], kernel_end[];

void kmain(uint32_t boot_kind, uint32_t info_phys);

/* Where the firmware's memory below 1 MiB begins: the EBDA or the base
 * memory the BIOS data area reports, whichever is lower, at most 0x9f000.
 * A memory map may leave the EBDA out; Linux reserves from here to 1 MiB
 * whatever the map says, and so do we.  A value under 128 KiB is taken
 * for garbage (UEFI has no BIOS data area). */
static uint64_t firmware_low_start(void)
{
	uint64_t start = 0x9f000;
	uint64_t base = (uint64_t)*(const uint16_t *)phys_to_virt(0x413) << 10;
	uint64_t ebda = (uint64_t)*(const uint16_t *)phys_to_virt(0x40e) << 4;

	if (base >= 0x20000 && base < start)
		start = base;
	if (ebda >= 0x20000 && ebda < start)
		start = ebda;
	return PAGE_ROUND_DOWN(start);
}

static void init_memory(void)
{
	const struct mem_region reserved[] = {
		/* The first 64 KiB stay the firmware's, as Linux keeps them
		 * (X86_RESERVE_LOW): the BIOS data area, where acpi.c finds
		 * the EBDA; BIOSes known to write there; and the AP
		 * trampoline (smp.c).  The rest below 1 MiB is RAM where the
		 * memory map says so, up to the firmware's own: 570 KiB, a
		 * fifth of the least -m. */
		{ 0, LOW_RESERVED },
		{ firmware_low_start(), 1 << 20 },
		{ (uint64_t)kernel_phys_start, virt_to_phys(kernel_end) },
		{ boot_info.initrd_start, boot_info.initrd_end },
	};

	page_alloc_init(boot_info.ram, boot_info.nram, reserved, 4);
	mmu_init();
}

/* The 8259 PICs are replaced by the I/O APIC.  The firmware left them at
 * vectors 8-15, where an interrupt already latched would land on exception
 * stubs (IRQ 5 on the #GP stub, with no error code pushed): move them to
 * 0xf0-0xff, where nothing else lives, then mask every line. */
static void quiet_legacy_pic(void)
{
	outb(0x20, 0x11);	/* ICW1: initialise, ICW4 follows */
	outb(0xa0, 0x11);
	outb(0x21, 0xf0);	/* ICW2: vector base */
	outb(0xa1, 0xf8);
	outb(0x21, 0x04);	/* ICW3: slave on IRQ 2 */
	outb(0xa1, 0x02);
	outb(0x21, 0x01);	/* ICW4: 8086 mode */
	outb(0xa1, 0x01);
	outb(0x21, 0xff);	/* mask all */
	outb(0xa1, 0xff);
}

/* The clock's second, long measurement, beside the program. */
static void clock_refine_thread(void *unused)
{
	(void)unused;
	while (clock_refine_step())
		sched_sleep_until(clock_ns() + 20 * 1000000ull);
	thread_exit();
}

static void start_clock_refine(void)
{
	struct thread *t = thread_create("clock refine", clock_refine_thread, NULL);

	if (t)
		thread_start(t);	/* without memory for it, the boot rate stays */
}

/* The boot CPU, up to its APIC; the clock's measurement starts. */
static void start_boot_cpu(struct madt_info *madt)
{
	quiet_legacy_pic();
	cpu_init();
	cpu_init_cpu(&cpus[0]);
	kmalloc_cpus_known();
	sched_init_cpu(0);
	acpi_init(madt);
	lapic_init(madt->lapic_phys);
	lapic_init_cpu();
	cpus[0].apic_id = lapic_id();
	clock_calibrate_start();
	boottime_mark("acpi");
}

/* What needs no clock fills the clock's measurement: under TCG it takes
 * about as long (translating code that runs once), so boot does not wait
 * the 1 ms it would otherwise spin. */
static void set_up_tables(void)
{
	random_init();
	console_init_irq(cpus[0].apic_id);
	initrd_init(phys_to_virt(boot_info.initrd_start), boot_info.initrd_end - boot_info.initrd_start);
	syscall_init();
	boottime_mark("tables");
}

static void start_cpus(struct madt_info *madt)
{
	clock_init();
	boottime_mark("clock");
	irq_enable();
	smp_start_aps(madt);
	boottime_mark("cpus");
}

/* Runs deeper until the stack overflows: the volatile frame keeps every
 * level's stack in use, adding after the call keeps it from becoming a
 * loop, and the test on n, never true, keeps the compiler from calling
 * the recursion infinite. */
static uint64_t __attribute__((noinline)) crash_recurse(uint64_t n)
{
	volatile uint64_t frame[32];

	frame[n % 32] = n;
	if (n == ~0ull)
		return 0;
	return crash_recurse(n + 1) + frame[n % 32];
}

/* The kernel's own ways to hang or overflow, for the tests of the lockup
 * detector and the stack guards. */
static struct spinlock crash_lock = SPINLOCK_INIT;

static void crash_thread(void *how)
{
	if (!strcmp(how, "stack"))
		crash_recurse(0);
	if (!strcmp(how, "spin"))
		for (;;)
			cpu_relax();	/* interrupts on, never scheduling */
	spin_lock(&crash_lock);
	spin_lock(&crash_lock);	/* "deadlock": waits for itself */
}

/* For the tests: "amphi.crash=fault", "=panic", "=stack" (a kernel
 * thread's stack overflows) or "=idle-stack" (CPU 0's own) on the kernel
 * command line makes the kernel fail on purpose, so that the report of a
 * kernel failure can be checked end to end; "hang" stops CPU 0 with
 * interrupts off before the program starts (nothing answers the host any
 * more), "spin" and "deadlock" hang a kernel thread while the program runs. */
static void __attribute__((noinline)) crash_if_asked(void)
{
	static char how[16];
	const char *at = strstr(boot_info.cmdline, "amphi.crash=");

	if (!at)
		return;
	at += strlen("amphi.crash=");
	for (size_t i = 0; i < sizeof how - 1 && at[i] > ' '; i++)
		how[i] = at[i];
	if (!strcmp(how, "fault"))
		*(volatile uint64_t *)0xffffc00000001000ull = 1;	/* never mapped */
	if (!strcmp(how, "panic"))
		panic("asked for on the command line");
	if (!strcmp(how, "idle-stack"))
		crash_recurse(0);
	if (!strcmp(how, "hang")) {
		irq_disable();
		for (;;)
			cpu_relax();
	}
	if (!strcmp(how, "spin") || !strcmp(how, "deadlock") || !strcmp(how, "stack")) {
		struct thread *t = thread_create("crash", crash_thread, how);
		if (t)
			thread_start(t);
	}
}

enum role { ROLE_PROGRAM, ROLE_APP_ON_LINK, ROLE_SERVER };

/* What the config makes of this VM: a network server (role=server; its
 * settings go to netserver/), an app whose network is a server's link
 * (net.link), or a program with a NIC or none.  Programs read the rest of
 * their config later, in linux/program.c. */
static enum role configure_role(void)
{
	const void *data;
	size_t size, off = 0;
	const char *key, *value;
	enum role role = ROLE_PROGRAM;

	if (initrd_lookup("/" CONFIG_PATH, &data, &size))
		return ROLE_PROGRAM;
	while (config_next(data, size, &off, &key, &value) == 1) {
		if (!strcmp(key, "role") && !strcmp(value, "server"))
			role = ROLE_SERVER;
		else if (!strcmp(key, "net.link") && role == ROLE_PROGRAM)
			role = ROLE_APP_ON_LINK;
	}
	for (off = 0; role == ROLE_SERVER && config_next(data, size, &off, &key, &value) == 1;)
		if (netserver_config_set(key, value))
			printk("netserver: bad setting %s=%s\n", key, value);
	return role;
}

static void start_role(enum role role)
{
	struct thread *t;

	if (role == ROLE_SERVER) {
		t = thread_create("netserver start", netserver_main, NULL);
	} else {
		if (role == ROLE_APP_ON_LINK &&
		    link_app_init(strstr(boot_info.cmdline, "amphi.link_chaos") != NULL))
			printk("link: no network-server link on this VM's first ivshmem device\n");
		t = thread_create("init", program_start, NULL);
	}
	if (!t && role != ROLE_SERVER)
		program_out_of_memory();	/* 137 and one line, as any other lack of memory at start */
	if (!t)
		panic("out of memory starting the network server");
	thread_start(t);
}

void kmain(uint32_t boot_kind, uint32_t info_phys)
{
	cpu_init_control();
	boottime_mark("entry");
	console_init();
	bootinfo_parse(boot_kind, info_phys);
	init_memory();
	boottime_mark("memory");
	bool verbose = strstr(boot_info.cmdline, "amphi.verbose") != NULL;
	printk_set_verbose(verbose);
	if (strstr(boot_info.cmdline, "amphi.console=text"))
		console_set_text(strstr(boot_info.cmdline, "amphi.vga") != NULL, verbose);
	if (strstr(boot_info.cmdline, "amphi.poweroff=acpi"))
		acpi_poweroff_enable();
	struct madt_info madt;
	start_boot_cpu(&madt);
	set_up_tables();
	start_cpus(&madt);
	printk_info("amphi: %d CPUs, %lu KiB free, %s boot\n", ncpus, page_free_count() << 2,
		    boot_kind == BOOT_PVH ? "PVH" : "multiboot");
	start_clock_refine();
	enum role role = configure_role();
	dev_net_set_large_rx(role != ROLE_SERVER);
	dev_init();
	boottime_mark("devices");
	profile_init(boot_info.cmdline);
	watchdog_init(boot_info.cmdline);
	tlb_shootdown_init(boot_info.cmdline);
	net_loss_init(boot_info.cmdline);
	net_tcp_msl_init(boot_info.cmdline);
	crash_if_asked();
	start_role(role);
	sched_idle_loop();
}
