/* /sys: the part of Linux's sysfs that programs read to learn the machine
 * (util-linux's lscpu and lsblk, glibc's get_nprocs, allocators asking
 * about transparent huge pages):
 *
 *   devices/system/cpu/{possible,present,online,offline,kernel_max}
 *   devices/system/cpu/cpuN/topology/...   each vCPU a core of one package
 *   devices/system/node/{possible,online,has_cpu,has_memory}, node0/
 *   kernel/mm/transparent_hugepage/{enabled,defrag,hpage_pmd_size}: never
 *   block/, dev/block/: sysfs_block.c
 *
 * Built at the first look into /sys (inode_ops.fill), when the CPUs and
 * disks are known (amphi plugs neither in after boot).  Each file's text is made when it is opened, as
 * /proc's (procfs.c's proc_text_open); the inodes are FS_SYSFS's. */
#include "linux/sysfs.h"

#include "core/errno.h"
#include "core/format.h"
#include "core/kmalloc.h"
#include "core/sched.h"
#include "core/string.h"
#include "fs/seqbuf.h"
#include "linux/procfs_internal.h"

struct sys_attr {
	sys_gen_fn *gen;
	const void *arg;
};

static int attr_gen(struct seqbuf *s, void *ctx)
{
	const struct sys_attr *a = ctx;

	a->gen(s, a->arg);
	return 0;
}

static int attr_open(struct inode *i, unsigned flags, struct file **out)
{
	return proc_text_open(i, flags, true, attr_gen, i->priv, out);
}

static void free_priv(struct inode *i) { kfree(i->priv); }

static const struct inode_ops attr_ops = { .open = attr_open, .release = free_priv };

static struct inode *sys_inode(uint32_t mode, const struct inode_ops *ops, void *priv)
{
	struct inode *i = inode_new(mode, FS_SYSFS);

	if (i) {
		i->ops = ops;
		i->priv = priv;
	} else if (ops && ops->release) {
		kfree(priv);
	}
	return i;
}

int sys_add_file(struct inode *dir, const char *name, sys_gen_fn *gen, const void *arg)
{
	struct sys_attr *a = kmalloc(sizeof *a);

	if (!a)
		return -ENOMEM;
	*a = (struct sys_attr){ gen, arg };
	struct inode *i = sys_inode(S_IFREG | 0444, &attr_ops, a);
	if (i)
		i->size = PAGE_SIZE;	/* Linux's sysfs attribute: stat, SEEK_END and SEEK_DATA see it */
	return proc_add_inode(dir, name, i);
}

static long text_readlink(struct inode *link, char *buf, size_t size)
{
	size_t n = strlen(link->priv);

	n = n < size ? n : size;
	memcpy(buf, link->priv, n);
	return (long)n;
}

static const struct inode_ops link_ops = { .readlink = text_readlink, .release = free_priv };

int sys_add_link(struct inode *dir, const char *name, const char *target)
{
	char *text = kmalloc(strlen(target) + 1);

	if (!text)
		return -ENOMEM;
	memcpy(text, target, strlen(target) + 1);
	return proc_add_inode(dir, name, sys_inode(S_IFLNK | 0777, &link_ops, text));
}

struct inode *sys_add_dir(struct inode *dir, const char *name)
{
	struct dentry *d = dir_find(dir, name, strlen(name));

	if (d)	/* the initrd's (--files with a /sys of its own) */
		return is_dir(d->inode) ? d->inode : NULL;
	struct inode *i = sys_inode(S_IFDIR | 0755, NULL, NULL);
	return proc_add_inode(dir, name, i) ? NULL : i;
}

/* ---- CPUs ---------------------------------------------------------------- */

/* A set of CPUs as Linux's "%*pbl": ranges, "0-3,5". */
static void put_cpu_list(struct seqbuf *s, uint64_t set)
{
	bool first = true;

	for (int c = 0; c < ncpus; c++) {
		if (!(set >> c & 1))
			continue;
		int last = c;
		while (last + 1 < ncpus && set >> (last + 1) & 1)
			last++;
		seq_printf(s, first ? "%d" : ",%d", c);
		if (last > c)
			seq_printf(s, "-%d", last);
		first = false;
		c = last;
	}
	seq_printf(s, "\n");
}

/* The same as Linux's "%*pb": hex, in 32-bit groups with commas, as many
 * digits as ncpus bits need. */
static void put_cpu_mask(struct seqbuf *s, uint64_t set)
{
	int groups = (ncpus + 31) / 32, top_bits = ncpus - (groups - 1) * 32;

	for (int g = groups - 1; g >= 0; g--) {
		uint32_t word = (uint32_t)(set >> (32 * g));
		int digits = g == groups - 1 ? (top_bits + 3) / 4 : 8;
		if (g != groups - 1)
			seq_printf(s, ",");
		for (int k = digits - 1; k >= 0; k--)	/* (no "%0*x" in the kernel's printf) */
			seq_printf(s, "%x", (unsigned)(word >> (4 * k)) & 15);
	}
	seq_printf(s, "\n");
}

static uint64_t all_cpus(void) { return ncpus == 64 ? ~0ull : (1ull << ncpus) - 1; }
static uint64_t cpu_of(const void *arg) { return 1ull << (long)arg; }

static void gen_all_list(struct seqbuf *s, const void *arg) { (void)arg, put_cpu_list(s, all_cpus()); }
static void gen_all_mask(struct seqbuf *s, const void *arg) { (void)arg, put_cpu_mask(s, all_cpus()); }
static void gen_one_list(struct seqbuf *s, const void *arg) { put_cpu_list(s, cpu_of(arg)); }
static void gen_one_mask(struct seqbuf *s, const void *arg) { put_cpu_mask(s, cpu_of(arg)); }
static void gen_number(struct seqbuf *s, const void *arg) { seq_printf(s, "%ld\n", (long)arg); }
static void gen_text(struct seqbuf *s, const void *arg) { seq_printf(s, "%s\n", (const char *)arg); }

/* Each vCPU is a core of its own in package 0, die 0. */
static int make_topology(struct inode *cpu, long n)
{
	struct inode *t = sys_add_dir(cpu, "topology");
	const void *me = (const void *)n;

	if (!t)
		return -ENOMEM;
	int err = sys_add_file(t, "core_id", gen_number, me);
	err = err ? err : sys_add_file(t, "cluster_id", gen_number, me);
	err = err ? err : sys_add_file(t, "physical_package_id", gen_number, 0);
	err = err ? err : sys_add_file(t, "die_id", gen_number, 0);
	err = err ? err : sys_add_file(t, "core_cpus", gen_one_mask, me);
	err = err ? err : sys_add_file(t, "core_cpus_list", gen_one_list, me);
	err = err ? err : sys_add_file(t, "thread_siblings", gen_one_mask, me);
	err = err ? err : sys_add_file(t, "thread_siblings_list", gen_one_list, me);
	err = err ? err : sys_add_file(t, "cluster_cpus", gen_one_mask, me);
	err = err ? err : sys_add_file(t, "cluster_cpus_list", gen_one_list, me);
	err = err ? err : sys_add_file(t, "core_siblings", gen_all_mask, NULL);
	err = err ? err : sys_add_file(t, "core_siblings_list", gen_all_list, NULL);
	err = err ? err : sys_add_file(t, "die_cpus", gen_all_mask, NULL);
	err = err ? err : sys_add_file(t, "die_cpus_list", gen_all_list, NULL);
	err = err ? err : sys_add_file(t, "package_cpus", gen_all_mask, NULL);
	return err ? err : sys_add_file(t, "package_cpus_list", gen_all_list, NULL);
}

static int make_cpus(struct inode *system)
{
	struct inode *cpu = sys_add_dir(system, "cpu");

	if (!cpu)
		return -ENOMEM;
	int err = sys_add_file(cpu, "possible", gen_all_list, NULL);
	err = err ? err : sys_add_file(cpu, "present", gen_all_list, NULL);
	err = err ? err : sys_add_file(cpu, "online", gen_all_list, NULL);
	err = err ? err : sys_add_file(cpu, "offline", gen_text, "");
	err = err ? err : sys_add_file(cpu, "kernel_max", gen_number, (const void *)(MAX_CPUS - 1l));
	for (long n = 0; n < ncpus && !err; n++) {
		char name[16];
		snprintf(name, sizeof name, "cpu%ld", n);
		struct inode *one = sys_add_dir(cpu, name);
		err = one ? make_topology(one, n) : -ENOMEM;
	}
	return err;
}

/* One NUMA node holding every CPU and all memory. */
static int make_nodes(struct inode *system)
{
	struct inode *node = sys_add_dir(system, "node");
	struct inode *node0 = node ? sys_add_dir(node, "node0") : NULL;

	if (!node0)
		return -ENOMEM;
	int err = sys_add_file(node, "possible", gen_text, "0");
	err = err ? err : sys_add_file(node, "online", gen_text, "0");
	err = err ? err : sys_add_file(node, "has_cpu", gen_text, "0");
	err = err ? err : sys_add_file(node, "has_memory", gen_text, "0");
	err = err ? err : sys_add_file(node0, "cpumap", gen_all_mask, NULL);
	return err ? err : sys_add_file(node0, "cpulist", gen_all_list, NULL);
}

/* amphi maps 4 KiB pages only. */
static int make_thp(struct inode *sys)
{
	struct inode *kernel = sys_add_dir(sys, "kernel");
	struct inode *mm = kernel ? sys_add_dir(kernel, "mm") : NULL;
	struct inode *thp = mm ? sys_add_dir(mm, "transparent_hugepage") : NULL;

	if (!thp)
		return -ENOMEM;
	int err = sys_add_file(thp, "enabled", gen_text, "always madvise [never]");
	err = err ? err : sys_add_file(thp, "defrag", gen_text, "always defer defer+madvise madvise [never]");
	return err ? err : sys_add_file(thp, "hpage_pmd_size", gen_number, (const void *)2097152l);
}

static int make_all(struct inode *sys)
{
	struct inode *devices = sys_add_dir(sys, "devices");
	struct inode *system = devices ? sys_add_dir(devices, "system") : NULL;

	if (!system)
		return -ENOMEM;
	int err = make_cpus(system);
	err = err ? err : make_nodes(system);
	err = err ? err : make_thp(sys);
	return err ? err : sysfs_block_make(sys);
}

static int fill_sys(struct inode *sys);
static const struct inode_ops sys_root_ops = { .fill = fill_sys };

/* At the first look into /sys: a program that never looks costs nothing
 * (boot time, and the least -m).  What a failure left made stays; the
 * next look adds the rest (names already there are kept). */
static int fill_sys(struct inode *sys)
{
	sys->ops = NULL;
	int err = make_all(sys);
	if (err)
		sys->ops = &sys_root_ops;
	return err;
}

int sysfs_init(struct inode *sys)
{
	sys->fs = FS_SYSFS;
	sys->mode = S_IFDIR | 0555;
	sys->ops = &sys_root_ops;
	return 0;
}
