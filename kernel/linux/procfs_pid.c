/* /proc/PID (also /proc/self): the program's status, memory map, command
 * line, environment, and links to its executable and directories. */
#include "arch/x86_64/arch.h"
#include "core/errno.h"
#include "core/format.h"
#include "core/sched.h"
#include "core/string.h"
#include "core/vm.h"
#include "linux/exec.h"
#include "linux/procfs_internal.h"
#include "linux/process.h"

struct mem_totals {
	uint64_t size, rss, stack, data, exe;	/* pages */
};

/* The name Linux gives the process: the executable's base name, 15 bytes. */
static void comm(char out[16])
{
	const char *base = proc.exe;

	for (const char *c = proc.exe; *c; c++)
		if (*c == '/')
			base = c + 1;
	size_t n = strnlen(base, 15);
	memcpy(out, base, n);
	out[n] = 0;
}

static void mem_totals(struct mem_totals *t)
{
	struct vm_area a;

	*t = (struct mem_totals){ 0 };
	for (uint64_t at = 0; vm_area_next(at, &a, 1); at = a.end) {
		uint64_t pages = (a.end - a.start) / PAGE_SIZE;
		t->size += pages;
		t->rss += a.resident;
		if (a.end == VM_STACK_TOP)
			t->stack += pages;
		else if (a.end <= proc.brk_base && (a.prot & MMU_EXEC))
			t->exe += pages;
		else if (a.prot & MMU_WRITE)
			t->data += pages;
	}
}

static void gen_status(struct seqbuf *s)
{
	struct mem_totals t;
	char name[16];

	comm(name);
	mem_totals(&t);
	seq_printf(s, "Name:\t%s\nUmask:\t0022\nState:\tR (running)\n", name);
	seq_printf(s, "Tgid:\t%d\nNgid:\t0\nPid:\t%d\nPPid:\t1\nTracerPid:\t0\n", proc.pid, proc.pid);
	seq_printf(s, "Uid:\t0\t0\t0\t0\nGid:\t0\t0\t0\t0\nFDSize:\t64\nGroups:\t0\n");
	seq_printf(s, "VmPeak:\t%8lu kB\nVmSize:\t%8lu kB\nVmLck:\t       0 kB\n", t.size * 4, t.size * 4);
	seq_printf(s, "VmHWM:\t%8lu kB\nVmRSS:\t%8lu kB\n", t.rss * 4, t.rss * 4);
	seq_printf(s, "RssAnon:\t%8lu kB\nRssFile:\t       0 kB\nRssShmem:\t       0 kB\n", t.rss * 4);
	seq_printf(s, "VmData:\t%8lu kB\nVmStk:\t%8lu kB\nVmExe:\t%8lu kB\n", t.data * 4, t.stack * 4, t.exe * 4);
	seq_printf(s, "VmLib:\t       0 kB\nVmSwap:\t       0 kB\nThreads:\t%d\n", proc.nthreads);
	seq_printf(s, "SigQ:\t0/0\nSigPnd:\t0000000000000000\nShdPnd:\t0000000000000000\n");
	seq_printf(s, "CapInh:\t0000000000000000\nCapPrm:\t000001ffffffffff\nCapEff:\t000001ffffffffff\n");
	seq_printf(s, "CapBnd:\t000001ffffffffff\nCapAmb:\t0000000000000000\nNoNewPrivs:\t0\nSeccomp:\t0\n");
	seq_printf(s, "Cpus_allowed_list:\t0-%d\n", ncpus - 1);
	seq_printf(s, "voluntary_ctxt_switches:\t0\nnonvoluntary_ctxt_switches:\t0\n");
}

static const char *area_name(const struct vm_area *a)
{
	if (a->end == VM_STACK_TOP)
		return "[stack]";
	if (a->start < PAGE_ROUND_UP(proc.brk) && a->end > PAGE_ROUND_UP(proc.brk_base))
		return "[heap]";
	if (a->end <= proc.brk_base)
		return proc.exe;
	return NULL;
}

static void gen_maps(struct seqbuf *s)
{
	struct vm_area a;

	for (uint64_t at = 0; vm_area_next(at, &a, 0); at = a.end) {
		const char *name = area_name(&a);
		seq_printf(s, "%08lx-%08lx %c%c%cp 00000000 00:00 0", a.start, a.end,
			   a.prot & MMU_READ ? 'r' : '-', a.prot & MMU_WRITE ? 'w' : '-',
			   a.prot & MMU_EXEC ? 'x' : '-');
		if (name) {
			seq_pad(s, 73);
			seq_printf(s, "%s", name);
		}
		seq_printf(s, "\n");
	}
}

static void gen_cmdline(struct seqbuf *s)
{
	size_t len;
	const char *p = exec_cmdline(&len);

	seq_write(s, p, len);
}

static void gen_environ(struct seqbuf *s)
{
	size_t len;
	const char *p = exec_environ(&len);

	seq_write(s, p, len);
}

static void gen_comm(struct seqbuf *s)
{
	char name[16];

	comm(name);
	seq_printf(s, "%s\n", name);
}

/* proc(5)'s 52 fields; times and faults are not kept, so they read 0. */
static void gen_stat(struct seqbuf *s)
{
	struct mem_totals t;
	char name[16];

	comm(name);
	mem_totals(&t);
	seq_printf(s, "%d (%s) R 1 %d %d 0 -1 4194560 0 0 0 0 0 0 0 0 20 0 %d 0 0 %lu %lu ",
		   proc.pid, name, proc.pid, proc.pid, proc.nthreads, t.size * PAGE_SIZE, t.rss);
	seq_printf(s, "18446744073709551615 0 0 0 0 0 0 0 0 0 0 0 0 17 0 0 0 0 0 0 0 0 0 0 0 0 0 0\n");
}

static void gen_statm(struct seqbuf *s)
{
	struct mem_totals t;

	mem_totals(&t);
	seq_printf(s, "%lu %lu 0 %lu 0 %lu 0\n", t.size, t.rss, t.exe, t.data + t.stack);
}

static const struct proc_file pid_files[] = {
	{ "comm", gen_comm }, { "maps", gen_maps }, { "mountinfo", proc_gen_mountinfo },
	{ "mounts", proc_gen_mounts }, { "stat", gen_stat }, { "statm", gen_statm },
	{ "status", gen_status },
};
static const struct proc_file pid_plain_files[] = {
	{ "cmdline", gen_cmdline }, { "environ", gen_environ },
};

static long copy_link(char *buf, size_t size, const char *text)
{
	size_t n = strlen(text);

	if (n > size)
		return -ENAMETOOLONG;
	memcpy(buf, text, n);
	return (long)n;
}

static long exe_readlink(struct inode *link, char *buf, size_t size)
{
	(void)link;
	return copy_link(buf, size, proc.exe);
}

static long root_readlink(struct inode *link, char *buf, size_t size)
{
	(void)link;
	return copy_link(buf, size, "/");
}

static long cwd_readlink(struct inode *link, char *buf, size_t size)
{
	(void)link;
	return dir_path(vfs_cwd(), buf, size + 1);
}

/* The current directory itself, even once removed (a "magic" link). */
static struct inode *cwd_follow(struct inode *link)
{
	(void)link;
	inode_get(vfs_cwd());
	return vfs_cwd();
}

static const struct inode_ops exe_ops = { .readlink = exe_readlink };
static const struct inode_ops root_ops = { .readlink = root_readlink };
static const struct inode_ops cwd_ops = { .readlink = cwd_readlink, .follow = cwd_follow };

static int pid_name(struct inode *dir, char *buf, size_t size)
{
	(void)dir;
	int n = snprintf(buf, size, "%d", proc.pid);
	return n < (int)size ? n : -ENAMETOOLONG;
}

static const struct inode_ops pid_dir_ops = { .name = pid_name };

struct inode *proc_pid_dir_make(struct inode *proc_dir)
{
	struct inode *d = proc_inode(S_IFDIR | 0555, &pid_dir_ops, NULL);

	if (!d)
		return NULL;
	inode_get(proc_dir);
	d->parent = proc_dir;
	d->nlink = 1;	/* kept for good: found by name, not by an entry */
	int err = proc_add_files(d, pid_files, sizeof pid_files / sizeof pid_files[0], false);
	if (!err)
		err = proc_add_files(d, pid_plain_files, 2, true);
	if (!err)
		err = proc_add_link(d, "exe", &exe_ops);
	if (!err)
		err = proc_add_link(d, "cwd", &cwd_ops);
	if (!err)
		err = proc_add_link(d, "root", &root_ops);
	if (!err)
		err = proc_fd_dir_make(d);
	if (err) {
		inode_put(d);
		return NULL;
	}
	return d;
}
