/* /proc's files about the machine: cpuinfo, meminfo, uptime, loadavg,
 * stat, mounts, version, filesystems, and a few of /proc/sys. */
#include "arch/x86_64/arch.h"
#include "core/errno.h"
#include "core/format.h"
#include "core/page_alloc.h"
#include "core/printk.h"
#include "core/sched.h"
#include "core/string.h"
#include "core/timer.h"
#include "dev/blk.h"
#include "fs/blkdev.h"
#include "fs/mount.h"
#include "fs/pagecache.h"
#include "linux/loadavg.h"
#include "linux/aio.h"
#include "linux/mqueue.h"
#include "linux/procfs_internal.h"
#include "linux/process.h"
#include "linux/syslog.h"
#include "net/socket.h"

#define NS_PER_TICK	10000000ull	/* USER_HZ = 100 */

static uint64_t tsc0, ns0;	/* a clock sample at boot, for the TSC's rate */

/* cpuid, as exec.c reads it: the one CPU instruction /proc needs. */
static void cpuid(uint32_t leaf, uint32_t r[4])
{
	__asm__ volatile("cpuid" : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3]) : "a"(leaf), "c"(0));
}

struct flag {
	uint8_t reg, bit;	/* reg: 0 leaf 1 edx, 1 leaf 1 ecx, 2 ext edx, 3 ext ecx, 4 leaf 7 ebx */
	const char *name;
};

/* Features programs may use as amphi sets the CPU up (no AVX: XSAVE is off). */
static const struct flag flags[] = {
	{ 0, 0, "fpu" }, { 0, 1, "vme" }, { 0, 2, "de" }, { 0, 3, "pse" }, { 0, 4, "tsc" },
	{ 0, 5, "msr" }, { 0, 6, "pae" }, { 0, 7, "mce" }, { 0, 8, "cx8" }, { 0, 9, "apic" },
	{ 0, 11, "sep" }, { 0, 12, "mtrr" }, { 0, 13, "pge" }, { 0, 14, "mca" }, { 0, 15, "cmov" },
	{ 0, 16, "pat" }, { 0, 17, "pse36" }, { 0, 19, "clflush" }, { 0, 23, "mmx" },
	{ 0, 24, "fxsr" }, { 0, 25, "sse" }, { 0, 26, "sse2" }, { 2, 11, "syscall" },
	{ 2, 20, "nx" }, { 2, 27, "rdtscp" }, { 2, 29, "lm" }, { 1, 0, "pni" },
	{ 1, 1, "pclmulqdq" }, { 1, 9, "ssse3" }, { 1, 13, "cx16" }, { 1, 19, "sse4_1" },
	{ 1, 20, "sse4_2" }, { 1, 22, "movbe" }, { 1, 23, "popcnt" }, { 1, 25, "aes" },
	{ 1, 30, "rdrand" }, { 1, 31, "hypervisor" }, { 3, 0, "lahf_lm" }, { 3, 5, "abm" },
	{ 4, 0, "fsgsbase" }, { 4, 3, "bmi1" }, { 4, 8, "bmi2" }, { 4, 9, "erms" },
	{ 4, 18, "rdseed" }, { 4, 19, "adx" }, { 4, 29, "sha_ni" },
};

static void gen_flags(struct seqbuf *s)
{
	uint32_t l1[4], ext[4] = { 0 }, l7[4] = { 0 }, max[4];

	cpuid(1, l1);
	cpuid(0, max);
	if (max[0] >= 7)
		cpuid(7, l7);
	cpuid(0x80000000, ext);
	if (ext[0] >= 0x80000001)
		cpuid(0x80000001, ext);
	else
		ext[2] = ext[3] = 0;
	const uint32_t regs[5] = { l1[3], l1[2], ext[3], ext[2], l7[1] };
	seq_printf(s, "flags\t\t:");
	for (size_t k = 0; k < sizeof flags / sizeof flags[0]; k++)
		if (regs[flags[k].reg] & (1u << flags[k].bit))
			seq_printf(s, " %s", flags[k].name);
	seq_printf(s, "\n");
}

static void model_name(char out[49])
{
	uint32_t r[4];

	cpuid(0x80000000, r);
	memset(out, 0, 49);
	if (r[0] < 0x80000004)
		return;
	for (uint32_t k = 0; k < 3; k++) {
		cpuid(0x80000002 + k, r);
		memcpy(out + 16 * k, r, 16);
	}
}

static void gen_cpu(struct seqbuf *s, int n, int id, uint32_t apic)
{
	uint32_t v[4], l1[4];
	char vendor[13], name[49];
	uint64_t ns = clock_ns() - ns0;
	uint64_t khz = ns > 1000000 ? (rdtsc() - tsc0) / (ns / 1000000) : 0;

	cpuid(0, v);
	memcpy(vendor, &v[1], 4);
	memcpy(vendor + 4, &v[3], 4);
	memcpy(vendor + 8, &v[2], 4);
	vendor[12] = 0;
	cpuid(1, l1);
	model_name(name);
	uint32_t family = (l1[0] >> 8) & 0xf, model = (l1[0] >> 4) & 0xf;
	if (family == 0xf)
		family += (l1[0] >> 20) & 0xff;
	if (family >= 6)
		model |= ((l1[0] >> 16) & 0xf) << 4;
	seq_printf(s, "processor\t: %d\nvendor_id\t: %s\ncpu family\t: %u\nmodel\t\t: %u\n", id, vendor, family, model);
	seq_printf(s, "model name\t: %s\nstepping\t: %u\n", name, l1[0] & 0xf);
	seq_printf(s, "cpu MHz\t\t: %lu.%03lu\n", khz / 1000, khz % 1000);
	seq_printf(s, "physical id\t: 0\nsiblings\t: %d\ncore id\t\t: %d\ncpu cores\t: %d\n", n, id, n);
	seq_printf(s, "apicid\t\t: %u\ninitial apicid\t: %u\nfpu\t\t: yes\nfpu_exception\t: yes\n", apic, apic);
	gen_flags(s);
	seq_printf(s, "bogomips\t: %lu.%02lu\nclflush size\t: 64\ncache_alignment\t: 64\n", khz / 500, (khz / 5) % 100);
	seq_printf(s, "address sizes\t: 48 bits physical, 48 bits virtual\npower management:\n\n");
}

static void gen_cpuinfo(struct seqbuf *s)
{
	int n = sched_online_cpus();

	for (int k = 0; k < ncpus; k++)
		if (cpus[k].online)
			gen_cpu(s, n, k, cpus[k].apic_id);
}

static void mem_line(struct seqbuf *s, const char *name, uint64_t kb)
{
	seq_printf(s, "%s:", name);
	seq_pad(s, 16);
	seq_printf(s, "%8lu kB\n", kb);
}

static void gen_meminfo(struct seqbuf *s)
{
	uint64_t total = page_total_count() * 4, free = page_free_count() * 4;
	uint64_t shmem = tmpfs_pages_used() * 4;
	uint64_t cached = pcache_pages() * 4, dirty = pcache_dirty_pages() * 4;

	mem_line(s, "MemTotal", total);
	mem_line(s, "MemFree", free);
	mem_line(s, "MemAvailable", free + (cached > dirty ? cached - dirty : 0));	/* clean pages go on demand */
	mem_line(s, "Buffers", 0);
	mem_line(s, "Cached", shmem + cached);
	mem_line(s, "SwapCached", 0);
	mem_line(s, "Active", total - free);
	mem_line(s, "Inactive", 0);
	mem_line(s, "SwapTotal", 0);
	mem_line(s, "SwapFree", 0);
	mem_line(s, "Dirty", dirty);
	mem_line(s, "Shmem", shmem);
	mem_line(s, "Slab", 0);
	mem_line(s, "CommitLimit", total);
	mem_line(s, "Committed_AS", total - free);
}

/* Time the idle threads ran: idle time as /proc/uptime and /proc/stat
 * count it (up to the last switch). */
static uint64_t idle_ns(int cpu)
{
	struct thread *t = cpus[cpu].idle_thread;

	return t ? t->run_ns : 0;
}

static void gen_uptime(struct seqbuf *s)
{
	uint64_t up = clock_ns() / NS_PER_TICK, idle = 0;

	for (int k = 0; k < ncpus; k++)
		idle += idle_ns(k) / NS_PER_TICK;
	seq_printf(s, "%lu.%02lu %lu.%02lu\n", up / 100, up % 100, idle / 100, idle % 100);
}

static void gen_loadavg(struct seqbuf *s)
{
	int threads, procs, last;
	unsigned long avg[3];
	struct sched_totals t;

	process_counts(&threads, &procs, &last);
	loadavg_get(avg);
	sched_totals(&t);
	for (int k = 0; k < 3; k++)	/* Linux's LOAD_INT and LOAD_FRAC */
		seq_printf(s, "%lu.%02lu ", avg[k] >> LOADAVG_SHIFT,
			   ((avg[k] & ((1ul << LOADAVG_SHIFT) - 1)) * 100) >> LOADAVG_SHIFT);
	seq_printf(s, "%u/%d %d\n", t.runnable, threads, last);
}

static void stat_cpu_line(struct seqbuf *s, const char *name, uint64_t busy, uint64_t idle)
{
	seq_printf(s, "%s %lu 0 0 %lu 0 0 0 0 0 0\n", name, busy, idle);
}

static void gen_stat(struct seqbuf *s)
{
	uint64_t up = clock_ns(), all_busy = 0, all_idle = 0;
	char name[16];

	for (int k = 0; k < ncpus; k++) {
		uint64_t idle = idle_ns(k) < up ? idle_ns(k) : up;
		all_busy += (up - idle) / NS_PER_TICK;
		all_idle += idle / NS_PER_TICK;
	}
	stat_cpu_line(s, "cpu ", all_busy, all_idle);
	for (int k = 0; k < ncpus; k++) {
		uint64_t idle = idle_ns(k) < up ? idle_ns(k) : up;
		snprintf(name, sizeof name, "cpu%d", k);
		stat_cpu_line(s, name, (up - idle) / NS_PER_TICK, idle / NS_PER_TICK);
	}
	struct sched_totals t;
	sched_totals(&t);
	seq_printf(s, "intr %lu\nctxt %lu\nbtime %lu\nprocesses %lu\n", t.interrupts, t.switches,
		   arch_boot_epoch_s(), t.threads_made);
	/* amphi does not tell an uninterruptible sleep apart: none is "blocked". */
	seq_printf(s, "procs_running %u\nprocs_blocked 0\nsoftirq 0\n", t.runnable);
}

/* /proc/vmstat: the counts amphi keeps, under Linux's names (vmstat's
 * bi and bo are pgpgin and pgpgout, in KiB).  There is no swap. */
static void gen_vmstat(struct seqbuf *s)
{
	struct sched_totals t;
	uint64_t in, out;

	sched_totals(&t);
	blk_io_totals(&in, &out);
	seq_printf(s, "nr_free_pages %lu\nnr_file_pages %lu\nnr_dirty %lu\nnr_shmem %lu\n",
		   (unsigned long)page_free_count(), (unsigned long)(pcache_pages() + tmpfs_pages_used()),
		   (unsigned long)pcache_dirty_pages(), (unsigned long)tmpfs_pages_used());
	seq_printf(s, "pgpgin %lu\npgpgout %lu\npswpin 0\npswpout 0\npgfault %lu\n", in >> 10, out >> 10,
		   t.faults);
}

static void gen_version(struct seqbuf *s)
{
	seq_printf(s, "Linux version 6.1.0-amphi (amphi) #1 SMP amphi\n");
}

static void gen_filesystems(struct seqbuf *s)
{
	unsigned k = 0;

	seq_printf(s, "nodev\ttmpfs\nnodev\tdevtmpfs\nnodev\tproc\n");
	for (const struct fs_type *t; (t = fs_type_at(k)); k++)
		seq_printf(s, "%s\t%s\n", t->nodev ? "nodev" : "", t->name);
}

static void gen_osrelease(struct seqbuf *s) { seq_printf(s, "6.1.0-amphi\n"); }
static void gen_ostype(struct seqbuf *s) { seq_printf(s, "Linux\n"); }
static void gen_pid_max(struct seqbuf *s) { seq_printf(s, "4194304\n"); }
static void gen_zero(struct seqbuf *s) { seq_printf(s, "0\n"); }
/* syslog(2)'s console level, then Linux's defaults for the rest. */
static void gen_printk(struct seqbuf *s) { seq_printf(s, "%d\t4\t1\t7\n", printk_console_level()); }
static void gen_dmesg_restrict(struct seqbuf *s) { seq_printf(s, "%d\n", DMESG_RESTRICT); }
static void gen_somaxconn(struct seqbuf *s) { seq_printf(s, "%d\n", SOMAXCONN); }
static void gen_msg_max(struct seqbuf *s) { seq_printf(s, "%d\n", MQ_MSG_MAX); }
static void gen_msgsize_max(struct seqbuf *s) { seq_printf(s, "%d\n", MQ_MSGSIZE_MAX); }
static void gen_msg_default(struct seqbuf *s) { seq_printf(s, "%d\n", MQ_MSG_DEFAULT); }
static void gen_msgsize_default(struct seqbuf *s) { seq_printf(s, "%d\n", MQ_MSGSIZE_DEFAULT); }
static void gen_queues_max(struct seqbuf *s) { seq_printf(s, "%d\n", MQ_QUEUES_MAX); }
static void gen_aio_nr(struct seqbuf *s) { seq_printf(s, "%lu\n", aio_nr()); }
static void gen_aio_max_nr(struct seqbuf *s) { seq_printf(s, "%d\n", AIO_MAX_NR); }

static const struct proc_file files[] = {
	{ "cpuinfo", gen_cpuinfo }, { "filesystems", gen_filesystems }, { "loadavg", gen_loadavg },
	{ "meminfo", gen_meminfo }, { "mounts", proc_gen_mounts }, { "partitions", blkdev_gen_partitions },
	{ "stat", gen_stat }, { "vmstat", gen_vmstat },
	{ "uptime", gen_uptime }, { "version", gen_version },
};
static const struct proc_file kernel_files[] = {
	{ "dmesg_restrict", gen_dmesg_restrict }, { "osrelease", gen_osrelease },
	{ "ostype", gen_ostype }, { "pid_max", gen_pid_max }, { "printk", gen_printk },
};
/* Linux native AIO's count of events and its limit (linux/aio.h). */
static const struct proc_file fs_files[] = { { "aio-max-nr", gen_aio_max_nr }, { "aio-nr", gen_aio_nr } };
static const struct proc_file vm_files[] = { { "overcommit_memory", gen_zero } };
static const struct proc_file net_core_files[] = { { "somaxconn", gen_somaxconn } };
/* POSIX message queues' limits (linux/mqueue.h), fixed: read-only here. */
static const struct proc_file mqueue_files[] = {
	{ "msg_default", gen_msg_default }, { "msg_max", gen_msg_max },
	{ "msgsize_default", gen_msgsize_default }, { "msgsize_max", gen_msgsize_max },
	{ "queues_max", gen_queues_max },
};

int proc_sys_make(struct inode *proc)
{
	tsc0 = rdtsc();
	ns0 = clock_ns();
	loadavg_start();	/* /proc/loadavg's samples */
	int err = proc_add_files(proc, files, sizeof files / sizeof files[0], false);
	struct inode *sys = err ? NULL : proc_add_dir(proc, "sys", 0555, NULL);
	struct inode *kernel = sys ? proc_add_dir(sys, "kernel", 0555, NULL) : NULL;
	struct inode *vm = sys ? proc_add_dir(sys, "vm", 0555, NULL) : NULL;
	struct inode *net = sys ? proc_add_dir(sys, "net", 0555, NULL) : NULL;
	struct inode *core = net ? proc_add_dir(net, "core", 0555, NULL) : NULL;
	struct inode *fs = sys ? proc_add_dir(sys, "fs", 0555, NULL) : NULL;
	struct inode *mqueue = fs ? proc_add_dir(fs, "mqueue", 0555, NULL) : NULL;
	if (!kernel || !vm || !core || !mqueue)
		return -ENOMEM;
	/* /proc/sys files are not seq_files on Linux. */
	err = proc_add_files(kernel, kernel_files, sizeof kernel_files / sizeof kernel_files[0], true);
	if (!err)
		err = proc_add_files(vm, vm_files, 1, true);
	if (!err)
		err = proc_add_files(fs, fs_files, sizeof fs_files / sizeof fs_files[0], true);
	if (!err)
		err = proc_add_files(mqueue, mqueue_files, sizeof mqueue_files / sizeof mqueue_files[0], true);
	return err ? err : proc_add_files(core, net_core_files, 1, true);
}
