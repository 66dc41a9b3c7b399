/* /proc/PID (and /proc/self): a process's status, memory map, command line,
 * environment, and links to its executable and directories.  The directory
 * is made when looked up; its entries carry the pid and look the process
 * up again when opened or followed, so they outlive it harmlessly (ENOENT,
 * as on Linux once the process is gone). */
#include "arch/x86_64/arch.h"
#include "core/errno.h"
#include "core/format.h"
#include "core/kmalloc.h"
#include "core/mm.h"
#include "core/sched.h"
#include "core/string.h"
#include "core/vm.h"
#include "fs/vfs.h"
#include "linux/cred.h"
#include "linux/procfs_internal.h"
#include "linux/process.h"
#include "linux/signal_internal.h"

#define PID_INO_BASE	(1ull << 40)

struct mem_totals {
	uint64_t size, rss, stack, data, exe, locked;	/* pages */
};

/* A pid file's inode names its pid and its place in pid_files. */
static uintptr_t pid_priv(int pid, int index) { return ((uintptr_t)pid << 8) | (uintptr_t)index; }
static int priv_pid(const struct inode *i) { return (int)((uintptr_t)i->priv >> 8); }
static int priv_index(const struct inode *i) { return (int)((uintptr_t)i->priv & 0xff); }

uint64_t proc_pid_ino(int pid, int entry) { return PID_INO_BASE | ((uint64_t)pid << 8) | (uint64_t)entry; }

static void comm_of(const struct process_view *v, char out[16])
{
	memcpy(out, v->comm, 15);
	out[15] = 0;
}

static void mem_totals(const struct process_view *v, struct mem_totals *t)
{
	struct vm_area a = { .name = NULL };

	*t = (struct mem_totals){ 0 };
	for (uint64_t at = 0; v->mm && vm_area_next(v->mm, at, &a, 1); at = a.end) {
		uint64_t pages = (a.end - a.start) / PAGE_SIZE;
		t->size += pages;
		t->rss += a.resident;
		if (a.end == VM_STACK_TOP)
			t->stack += pages;
		else if (a.end <= v->mm->brk_base && (a.prot & MMU_EXEC) && !(a.prot & MMU_WRITE))
			t->exe += pages;
	}
	if (v->mm) {	/* as the limits count them (core/vm_limit.c) */
		t->data = vm_data_bytes(v->mm) / PAGE_SIZE;
		t->locked = vm_locked_bytes(v->mm) / PAGE_SIZE;
	}
}

static char state_of(const struct process_view *v)
{
	return v->zombie ? 'Z' : v->stopped ? 'T' : v->sleeping ? 'S' : 'R';
}

static const char *state_name(const struct process_view *v)
{
	return v->zombie ? "zombie" : v->stopped ? "stopped" : v->sleeping ? "sleeping" : "running";
}

/* Uid, Gid (real, effective, saved, fs), FDSize, Groups (each followed by
 * a blank, as Linux writes them). */
static void ids_status(struct seqbuf *s, const struct process_cred *c)
{
	seq_printf(s, "Uid:\t%u\t%u\t%u\t%u\n", c->uid[0], c->uid[1], c->uid[2], c->uid[3]);
	seq_printf(s, "Gid:\t%u\t%u\t%u\t%u\nFDSize:\t64\nGroups:\t", c->gid[0], c->gid[1],
		   c->gid[2], c->gid[3]);
	for (int k = 0; k < c->ngroups; k++)
		seq_printf(s, "%u ", c->groups[k]);
	seq_printf(s, "%s\n", c->ngroups ? "" : " ");
}

static void caps_status(struct seqbuf *s, const struct process_cred *c)
{
	seq_printf(s, "CapInh:\t%016lx\nCapPrm:\t%016lx\nCapEff:\t%016lx\n", c->cap_inheritable,
		   c->cap_permitted, c->cap_effective);
	seq_printf(s, "CapBnd:\t%016lx\nCapAmb:\t%016lx\nNoNewPrivs:\t%d\nSeccomp:\t0\n",
		   c->cap_bounding, c->cap_ambient, c->no_new_privs);
}

static int gen_status(struct seqbuf *s, const struct process_view *v)
{
	struct mem_totals t;
	char name[16];

	unsigned u = v->fs ? v->fs->umask : 022;

	comm_of(v, name);
	mem_totals(v, &t);
	seq_printf(s, "Name:\t%s\nUmask:\t%u%u%u%u\nState:\t%c (%s)\n", name, (u >> 9) & 7,
		   (u >> 6) & 7, (u >> 3) & 7, u & 7, state_of(v), state_name(v));
	seq_printf(s, "Tgid:\t%d\nNgid:\t0\nPid:\t%d\nPPid:\t%d\nTracerPid:\t0\n", v->pid, v->pid, v->ppid);
	ids_status(s, &v->cred);
	seq_printf(s, "VmPeak:\t%8lu kB\nVmSize:\t%8lu kB\nVmLck:\t%8lu kB\n", t.size * 4, t.size * 4,
		   t.locked * 4);
	seq_printf(s, "VmHWM:\t%8lu kB\nVmRSS:\t%8lu kB\n", t.rss * 4, t.rss * 4);
	seq_printf(s, "RssAnon:\t%8lu kB\nRssFile:\t       0 kB\nRssShmem:\t       0 kB\n", t.rss * 4);
	seq_printf(s, "VmData:\t%8lu kB\nVmStk:\t%8lu kB\nVmExe:\t%8lu kB\n", t.data * 4, t.stack * 4, t.exe * 4);
	seq_printf(s, "VmLib:\t       0 kB\nVmSwap:\t       0 kB\nThreads:\t%d\n", v->nthreads);
	seq_printf(s, "SigQ:\t0/0\nSigPnd:\t0000000000000000\nShdPnd:\t0000000000000000\n");
	caps_status(s, &v->cred);
	seq_printf(s, "Cpus_allowed_list:\t0-%d\n", ncpus - 1);
	seq_printf(s, "voluntary_ctxt_switches:\t0\nnonvoluntary_ctxt_switches:\t0\n");
	return 0;
}

static const char *area_name(const struct process_view *v, const struct vm_area *a)
{
	if (a->file)
		return a->name;
	if (a->end == VM_STACK_TOP)
		return "[stack]";
	if (a->start < PAGE_ROUND_UP(v->mm->brk) && a->end > PAGE_ROUND_UP(v->mm->brk_base))
		return "[heap]";
	return NULL;
}

static int gen_maps(struct seqbuf *s, const struct process_view *v)
{
	char *buf = kmalloc(PATH_MAX);
	struct vm_area a = { .name = buf, .name_size = PATH_MAX };

	if (!buf)
		return -ENOMEM;
	for (uint64_t at = 0; v->mm && vm_area_next(v->mm, at, &a, 0); at = a.end) {
		const char *name = area_name(v, &a);
		seq_printf(s, "%08lx-%08lx %c%c%c%c %08lx %02lx:%02lx %lu", a.start, a.end,
			   a.prot & MMU_READ ? 'r' : '-', a.prot & MMU_WRITE ? 'w' : '-',
			   a.prot & MMU_EXEC ? 'x' : '-', a.flags & VM_SHARED ? 's' : 'p', a.offset,
			   (a.dev >> 8) & 0xfff, a.dev & 0xff, a.ino);
		if (name && *name) {
			seq_pad(s, 73);
			seq_printf(s, "%s", name);
		}
		seq_printf(s, "\n");
	}
	kfree(buf);
	return 0;
}

/* len bytes of the program's memory at addr, as far as they can be read. */
static int copy_memory(struct seqbuf *s, struct mm *mm, uint64_t addr, size_t len)
{
	char *buf = kmalloc_uninit(len ? len : 1);

	if (!buf)
		return -ENOMEM;
	seq_write(s, buf, vm_load(mm, addr, buf, len, false));
	kfree(buf);
	return 0;
}

/* Read from the program's memory, as Linux's get_mm_cmdline reads it, so
 * a program that rewrites its arguments (setproctitle: redis, nginx)
 * shows its new title: the argument strings; or, when their last NUL was
 * overwritten, the one string from their start, which may run on into
 * the environment's strings, within a page. */
static int gen_cmdline(struct seqbuf *s, const struct process_view *v)
{
	struct mm *mm = v->mm;
	char last;

	if (!mm || mm->arg_start >= mm->arg_end)
		return 0;
	if (vm_load(mm, mm->arg_end - 1, &last, 1, false) != 1 || !last)
		return copy_memory(s, mm, mm->arg_start, mm->arg_end - mm->arg_start);
	char *page = kmalloc_uninit(PAGE_SIZE);
	if (!page)
		return -ENOMEM;
	size_t got = vm_load(mm, mm->arg_start, page, PAGE_SIZE, false);
	size_t len = strnlen(page, got);
	if (len < got)
		len++;	/* its NUL */
	seq_write(s, page, len < mm->env_end - mm->arg_start ? len : mm->env_end - mm->arg_start);
	kfree(page);
	return 0;
}

static int gen_environ(struct seqbuf *s, const struct process_view *v)
{
	struct mm *mm = v->mm;

	return mm ? copy_memory(s, mm, mm->arg_end, mm->env_end - mm->arg_end) : 0;
}

static int gen_comm(struct seqbuf *s, const struct process_view *v)
{
	char name[16];

	comm_of(v, name);
	seq_printf(s, "%s\n", name);
	return 0;
}

/* proc(5)'s 52 fields; times and faults are not kept, so they read 0.
 * Field 18, the priority, is 20 + nice under the policies amphi runs. */
static int gen_stat(struct seqbuf *s, const struct process_view *v)
{
	struct mem_totals t;
	char name[16];

	comm_of(v, name);
	mem_totals(v, &t);
	seq_printf(s, "%d (%s) %c %d %d %d 0 -1 4194560 0 0 0 0 0 0 0 0 %d %d %d 0 0 %lu %lu ",
		   v->pid, name, state_of(v), v->ppid, v->pgid, v->sid, 20 + v->nice, v->nice,
		   v->nthreads,
		   t.size * PAGE_SIZE, t.rss);
	seq_printf(s, "18446744073709551615 0 0 0 0 0 0 0 0 0 0 0 0 17 0 0 0 0 0 0 0 0 0 0 0 0 0 0\n");
	return 0;
}

static int gen_statm(struct seqbuf *s, const struct process_view *v)
{
	struct mem_totals t;

	mem_totals(v, &t);
	seq_printf(s, "%lu %lu 0 %lu 0 %lu 0\n", t.size, t.rss, t.exe, t.data + t.stack);
	return 0;
}

static int gen_mounts(struct seqbuf *s, const struct process_view *v)
{
	(void)v;
	proc_gen_mounts(s);
	return 0;
}

static int gen_mountinfo(struct seqbuf *s, const struct process_view *v)
{
	(void)v;
	proc_gen_mountinfo(s);
	return 0;
}

/* The files of a process's directory; plain ones count SEEK_END from 0
 * (procfs_internal.h).  cmdline and environ are made at the first read,
 * as Linux reads them at each: they are copied from the program's memory,
 * whose faults may read a file's pages from its store or, for a System V
 * segment attached there and removed meanwhile, take the segments' lock,
 * which shmget holds while it takes vfs_lock (open runs under it). */
static const struct {
	const char *name;
	int (*gen)(struct seqbuf *s, const struct process_view *v);
	bool plain;
	bool guarded;	/* only for proc_pid_may_read's callers, as Linux */
	bool late;	/* made at the first read */
} pid_files[] = {
	{ "cmdline", gen_cmdline, true, false, true }, { "comm", gen_comm, false, false, false },
	{ "environ", gen_environ, true, true, true }, { "maps", gen_maps, false, true, false },
	{ "mountinfo", gen_mountinfo, false, false, false }, { "mounts", gen_mounts, false, false, false },
	{ "stat", gen_stat, false, false, false }, { "statm", gen_statm, false, false, false },
	{ "status", gen_status, false, false, false },
};
#define NFILES	(int)(sizeof pid_files / sizeof pid_files[0])

static int gen_pid_file(struct seqbuf *s, void *ctx)
{
	const struct inode *i = ctx;
	struct process_view v;
	int err = process_view_get(priv_pid(i), &v);

	if (!err)
		err = pid_files[priv_index(i)].gen(s, &v);
	process_view_put(&v);
	return err;
}

/* At a read: a process gone since the open is ESRCH, as on Linux. */
static int gen_pid_file_late(struct seqbuf *s, void *ctx)
{
	int err = gen_pid_file(s, ctx);

	return err == -ENOENT ? -ESRCH : err;
}

static int pid_file_open(struct inode *i, unsigned flags, struct file **out)
{
	int pid = priv_pid(i), k = priv_index(i);
	int err = pid_files[k].guarded ? proc_pid_may_read(pid) : 0;

	if (err)
		return err;
	if (!pid_files[k].late)
		return proc_text_open(i, flags, pid_files[k].plain, gen_pid_file, i, out);
	return process_exists(pid) ? proc_late_open(i, flags, pid_files[k].plain, gen_pid_file_late, i, out)
				   : -ENOENT;
}

static const struct inode_ops pid_file_ops = { .open = pid_file_open };

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
	struct process_view v = { 0 };
	long n = proc_pid_may_read(priv_pid(link));

	if (!n)
		n = process_view_get(priv_pid(link), &v);
	if (!n)
		n = v.zombie || !v.strings ? -ENOENT : copy_link(buf, size, v.strings->exe);
	process_view_put(&v);
	return n;
}

/* cwd and root: the process's current or root directory, its path as
 * the reader sees it.  Caller holds vfs_lock (inode ops run under it),
 * which guards both. */
static long dir_link_readlink(struct inode *link, char *buf, size_t size, bool root)
{
	struct process_view v = { 0 };
	long n = proc_pid_may_read(priv_pid(link));

	if (!n)
		n = process_view_get(priv_pid(link), &v);
	if (!n)
		n = v.fs ? dir_path(root ? v.fs->root : v.fs->cwd, buf, size + 1) : -ENOENT;
	process_view_put(&v);
	return n;
}

/* The directory itself, even once removed (a "magic" link). */
static struct inode *dir_link_follow(struct inode *link, bool root)
{
	struct process_view v;
	struct inode *dir = NULL;

	if (proc_pid_may_read(priv_pid(link)))
		return NULL;	/* the readlink then says why */
	if (!process_view_get(priv_pid(link), &v) && v.fs) {
		dir = root ? v.fs->root : v.fs->cwd;
		inode_get(dir);
	}
	process_view_put(&v);
	return dir;
}

static long cwd_readlink(struct inode *l, char *buf, size_t size) { return dir_link_readlink(l, buf, size, false); }
static long root_readlink(struct inode *l, char *buf, size_t size) { return dir_link_readlink(l, buf, size, true); }
static struct inode *cwd_follow(struct inode *link) { return dir_link_follow(link, false); }
static struct inode *root_follow(struct inode *link) { return dir_link_follow(link, true); }

/* The program's own file, whatever the reader's root: the path exec saw
 * (inside a chroot, or outside the reader's) may name another file or
 * none.  A "magic" link, as cwd and root. */
static struct inode *exe_follow(struct inode *link)
{
	struct process_view v = { 0 };
	struct inode *exe = NULL;

	if (proc_pid_may_read(priv_pid(link)))
		return NULL;	/* the readlink then says why */
	if (!process_view_get(priv_pid(link), &v) && !v.zombie && v.strings && (exe = v.strings->inode))
		inode_get(exe);
	process_view_put(&v);
	return exe;
}

/* net: the network's files.  Linux keeps a set per network namespace,
 * under each process, with /proc/net a link to self/net; there is one
 * namespace here, and its files live in /proc/net.  A "magic" link to it,
 * so /proc/self/net/tcp and /proc/PID/net/dev read them. */
static long net_readlink(struct inode *link, char *buf, size_t size)
{
	(void)link;
	return copy_link(buf, size, "/proc/net");
}

static struct inode *net_follow(struct inode *link)
{
	struct inode *net = proc_net_dir();

	(void)link;
	if (net)
		inode_get(net);
	return net;
}

static const struct inode_ops net_ops = { .readlink = net_readlink, .follow = net_follow };
static const struct inode_ops exe_ops = { .readlink = exe_readlink, .follow = exe_follow };
static const struct inode_ops root_ops = { .readlink = root_readlink, .follow = root_follow };
static const struct inode_ops cwd_ops = { .readlink = cwd_readlink, .follow = cwd_follow };

static int pid_name(struct inode *dir, char *buf, size_t size)
{
	int n = snprintf(buf, size, "%d", priv_pid(dir));
	return n < (int)size ? n : -ENAMETOOLONG;
}

static const struct inode_ops pid_dir_ops = { .name = pid_name };

void proc_pid_owner(int pid, bool fd, uint32_t *uid, uint32_t *gid)
{
	uint64_t flags = spin_lock_irqsave(&sig_lock);
	struct process *p = process_find(pid);
	bool shown = p && (fd || !p->undumpable);

	*uid = shown ? p->cred.uid[1] : 0;
	*gid = shown ? p->cred.gid[1] : 0;
	spin_unlock_irqrestore(&sig_lock, flags);
}

int proc_pid_may_read(int pid)
{
	int err = process_access(pid, false, NULL);

	return err == -ESRCH ? -ENOENT : err;
}

/* Adds i (one reference, handed over) to d under name, owned as d is, or
 * (the fd directory) by the process.  Caller holds vfs_lock. */
static int add(struct inode *d, const char *name, struct inode *i, int pid, int entry)
{
	if (!i)
		return -ENOMEM;
	i->uid = d->uid;
	i->gid = d->gid;
	if (is_dir(i))
		proc_pid_owner(pid, true, &i->uid, &i->gid);
	i->ino = proc_pid_ino(pid, entry);
	int err = dir_add(d, name, i);
	inode_put(i);
	return err;
}

static int add_entries(struct inode *d, int pid)
{
	static const struct { const char *name; const struct inode_ops *ops; } links[] = {
		{ "cwd", &cwd_ops }, { "exe", &exe_ops }, { "root", &root_ops },
	};
	int err = 0, entry = 1;
	void *priv = (void *)pid_priv(pid, 0);

	for (int k = 0; k < NFILES && !err; k++)
		err = add(d, pid_files[k].name, proc_inode(S_IFREG | 0444, &pid_file_ops,
							    (void *)pid_priv(pid, k)), pid, entry++);
	for (int k = 0; k < 3 && !err; k++)
		err = add(d, links[k].name, proc_inode(S_IFLNK | 0777, links[k].ops, priv), pid, entry++);
	if (!err)
		err = add(d, "fd", proc_fd_dir_make(pid), pid, entry++);
	if (!err)
		err = add(d, "mem", proc_mem_make(pid), pid, entry++);
	if (!err)
		err = add(d, "net", proc_inode(S_IFLNK | 0777, &net_ops, priv), pid, entry++);
	return err;
}

struct inode *proc_pid_dir_make(struct inode *proc_dir, int pid)
{
	struct inode *d = proc_inode(S_IFDIR | 0555, &pid_dir_ops, (void *)pid_priv(pid, 0));

	if (!d)
		return NULL;
	inode_get(proc_dir);
	d->parent = proc_dir;
	d->nlink = 1;	/* found by name, not by an entry */
	d->ino = proc_pid_ino(pid, 0);
	proc_pid_owner(pid, false, &d->uid, &d->gid);
	if (add_entries(d, pid)) {
		inode_put(d);
		return NULL;
	}
	return d;
}
