/* Memory system calls: brk, mmap, munmap, mprotect, mremap, madvise,
 * mlock, munlock, mlock2, mlockall, munlockall, msync, mincore.  The work
 * is in core/vm.c; this is argument checking, in Linux's order and with its
 * errnos (tests/progs/mm_ranges.c compares them): every range is checked
 * against the user half with arithmetic that cannot wrap before anything
 * looks at the mappings.  Memory is never paged out, so a lock only
 * brings the pages in and counts against RLIMIT_MEMLOCK (core/vm_lock.c);
 * RLIMIT_DATA and RLIMIT_AS are held by the address space itself
 * (core/vm_limit.c), but brk's own check of RLIMIT_DATA, here. */
#include "arch/x86_64/arch.h"
#include "core/errno.h"
#include "core/mm.h"
#include "core/spinlock.h"
#include "core/uaccess.h"
#include "core/vm.h"
#include "fs/fdtable.h"
#include "fs/file.h"
#include "fs/vfs_file.h"
#include "fs/stat.h"
#include "fs/vfs.h"
#include "fs/vfs_mmap.h"
#include "linux/cred.h"
#include "linux/process.h"
#include "linux/syscall.h"

#define MAP_TYPE		0x0f
#define MAP_SHARED		0x01
#define MAP_PRIVATE		0x02
#define MAP_SHARED_VALIDATE	0x03
#define MAP_FIXED		0x10
#define MAP_ANONYMOUS		0x20
#define MAP_32BIT		0x40
#define MAP_GROWSDOWN		0x100
#define MAP_LOCKED		0x2000
#define MAP_FIXED_NOREPLACE	0x100000
/* What MAP_SHARED_VALIDATE accepts for a file: Linux's LEGACY_MAP_MASK
 * (no MAP_SYNC: there is no DAX). */
#define MAP_LEGACY		0x407f933ull
#define F_SEAL_WRITE		0x0008
#define F_SEAL_FUTURE_WRITE	0x0010
#define PROT_MASK		(MMU_READ | MMU_WRITE | MMU_EXEC)
#define PROT_SEM		0x8
#define PROT_GROWSDOWN		0x01000000
#define PROT_GROWSUP		0x02000000
#define MADV_DONTNEED		4
#define MADV_FREE		8
#define MADV_REMOVE		9
#define MADV_DONTFORK		10
#define MADV_DOFORK		11
#define MADV_WIPEONFORK		18
#define MADV_KEEPONFORK		19
#define MADV_DONTNEED_LOCKED	24
#define MADV_COLLAPSE		25
#define MLOCK_ONFAULT		1
#define MCL_CURRENT		1
#define MCL_FUTURE		2
#define MCL_ONFAULT		4
#define MS_ASYNC		1
#define MS_INVALIDATE		2
#define MS_SYNC			4

static bool page_aligned(uint64_t a) { return !(a & (PAGE_SIZE - 1)); }

static struct spinlock brk_lock = SPINLOCK_INIT;	/* guards every mm's brk */

/* mlock may be asked for at all: a soft RLIMIT_MEMLOCK above 0, or
 * CAP_IPC_LOCK (Linux's can_do_mlock). */
static bool may_lock(void)
{
	return process_soft_limit(process_current(), RLIMIT_MEMLOCK) || cred_capable(CAP_IPC_LOCK);
}

/* The locked pages of a range that grew or became writable come in, as
 * Linux's mm_populate after mmap, brk and mremap: its failures are the
 * program's to meet later, at the access. */
static void populate(uint64_t addr, uint64_t len)
{
	vm_populate(mm_current(), addr, len, true, thread_signalled);
}

/* Linux's check_data_rlimit: the heap and the program's data within
 * RLIMIT_DATA, looked at before any move (a shrink too). */
static bool brk_within_limit(struct mm *mm, uint64_t want)
{
	uint64_t limit = process_soft_limit(process_current(), RLIMIT_DATA);

	return limit == RLIM_INFINITY || (want - mm->brk_base) + (mm->data_end - mm->data_start) <= limit;
}

/* Grows or shrinks the heap; a failure leaves it where it was.  The new
 * end must leave a free page before the next mapping, as on Linux. */
static long sys_brk(const struct sysargs *a)
{
	struct mm *mm = mm_current();
	uint64_t want = a->a[0];

	spin_lock(&brk_lock);
	uint64_t cur_end = PAGE_ROUND_UP(mm->brk), new_end = PAGE_ROUND_UP(want);
	bool ok = want >= mm->brk_base && want < VM_MMAP_TOP && brk_within_limit(mm, want);
	bool grew = false;

	if (ok && new_end > cur_end)
		grew = ok = vm_is_free(mm, new_end, PAGE_SIZE) &&
			    vm_map_fixed(mm, cur_end, new_end - cur_end, MMU_READ | MMU_WRITE, false) == 0;
	else if (ok && new_end < cur_end)
		ok = vm_unmap(mm, new_end, cur_end - new_end) == 0;
	if (ok)
		mm->brk = want;
	long ret = (long)mm->brk;
	spin_unlock(&brk_lock);
	if (grew)	/* under mlockall(MCL_FUTURE) */
		populate(cur_end, new_end - cur_end);
	return ret;
}

/* What to map: a file's pages, or zero-filled memory (ops NULL). */
struct what {
	struct file *file;		/* referenced, or NULL */
	const struct vm_file_ops *ops;
	unsigned flags;			/* VM_SHARED, VM_NOWRITE */
};

static bool is_dev_zero(struct file *f)
{
	struct kstat st = { 0 };

	return f->ops->stat && !f->ops->stat(f, &st) && (st.mode & S_IFMT) == S_IFCHR &&
	       st.rdev == ((1 << 8) | 5);
}

/* Linux's checks of a file to map, in its order (do_mmap): write access
 * for a shared writable mapping, read access for any, then whether the
 * file can be mapped at all; /dev/zero is anonymous memory. */
static long file_to_map(struct file *f, unsigned prot, uint64_t flags, struct what *w)
{
	bool shared = (flags & MAP_TYPE) != MAP_PRIVATE;

	if ((flags & MAP_TYPE) == MAP_SHARED_VALIDATE && (flags & ~MAP_LEGACY))
		return -EOPNOTSUPP;
	if (shared && (prot & MMU_WRITE) && !file_writable(f))
		return -EACCES;
	if (!file_readable(f))
		return -EACCES;
	if (is_dev_zero(f))
		return 0;
	if (!(w->ops = vfs_mmap_ops(f)))
		return -ENODEV;
	if (shared && file_writable(f) && vfs_mmap_readonly(f))
		return -EINVAL;
	bool sealed = f->inode->seals & (F_SEAL_WRITE | F_SEAL_FUTURE_WRITE);
	if (shared && (prot & MMU_WRITE) && sealed)
		return -EPERM;
	w->file = f;
	file_get(f);
	/* A sealed file's read-only shared mapping stays so: mprotect may
	 * not make it a way around the seal (Linux clears VM_MAYWRITE). */
	if (shared && (!file_writable(f) || sealed))
		w->flags |= VM_NOWRITE;
	return 0;
}

/* Shared memory without a file gets one nobody else sees (as Linux's
 * shmem), so fork's children share its pages. */
static long shared_anonymous(uint64_t len, struct what *w)
{
	if (!(w->file = vfs_shmem_file(len, "/dev/zero")))
		return -ENOMEM;
	w->ops = vfs_mmap_ops(w->file);
	return 0;
}

static long do_mmap(uint64_t addr, uint64_t len, unsigned prot, uint64_t flags, struct file *f,
		    uint64_t off)
{
	bool shared = (flags & MAP_TYPE) != MAP_PRIVATE;
	struct what w = { .flags = shared ? VM_SHARED : 0 };
	long err = f ? file_to_map(f, prot, flags, &w) : 0;

	if (!err && shared && !w.ops)
		err = shared_anonymous(len, &w);
	if (err)
		return err;
	if (flags & MAP_LOCKED)
		w.flags |= VM_LOCKED;
	if ((flags & MAP_GROWSDOWN) && !shared)
		w.flags |= VM_STACK;	/* not data, as Linux's VM_GROWSDOWN */
	if (flags & MAP_FIXED_NOREPLACE)
		w.flags |= VM_FIXED_NOREPLACE;
	else if (flags & MAP_FIXED)
		w.flags |= VM_FIXED;
	else if (flags & MAP_32BIT)
		w.flags |= VM_32BIT;
	if ((w.flags & (VM_FIXED | VM_FIXED_NOREPLACE)) && addr > VM_USER_END - len)
		err = -ENOMEM;
	else if ((w.flags & (VM_FIXED | VM_FIXED_NOREPLACE)) && !page_aligned(addr))
		err = -EINVAL;
	else
		err = vm_map(mm_current(), addr, len, prot, w.flags, w.ops, w.file,
			     w.file && f ? off / PAGE_SIZE : 0);
	if (w.file)
		file_put(w.file);	/* the mapping holds its own reference */
	if (err >= 0 && ((w.flags & VM_LOCKED) || __atomic_load_n(&mm_current()->def_flags, __ATOMIC_RELAXED)))
		populate((uint64_t)err, len);
	return err;
}

/* MAP_LOCKED where mlock may not be asked for: EPERM, but after Linux's
 * checks of where a fixed mapping goes (get_unmapped_area, then
 * MAP_FIXED_NOREPLACE's EEXIST), whose errors come first. */
static long lock_refused(uint64_t addr, uint64_t len, uint64_t flags)
{
	bool fixed = flags & (MAP_FIXED | MAP_FIXED_NOREPLACE);

	if (fixed && addr > VM_USER_END - len)
		return -ENOMEM;
	if (fixed && !page_aligned(addr))
		return -EINVAL;
	if ((flags & MAP_FIXED_NOREPLACE) && !vm_is_free(mm_current(), addr, len))
		return -EEXIST;
	return -EPERM;
}

static long sys_mmap(const struct sysargs *a)
{
	uint64_t addr = a->a[0], len = a->a[1], flags = a->a[3], off = a->a[5];
	unsigned prot = a->a[2] & PROT_MASK, type = flags & MAP_TYPE;
	struct file *f = NULL;

	if (!page_aligned(off))
		return -EINVAL;
	if (!(flags & MAP_ANONYMOUS) && !(f = fd_get((int)a->a[4])))
		return -EBADF;
	if (f && file_is_path(f)) {
		file_put(f);
		return -EBADF;	/* an O_PATH handle is no open file to map */
	}
	long err = 0;
	if (type != MAP_SHARED && type != MAP_PRIVATE && type != MAP_SHARED_VALIDATE)
		err = -EINVAL;
	else if (!f && (type == MAP_SHARED_VALIDATE || (type == MAP_SHARED && (flags & MAP_GROWSDOWN))))
		err = -EINVAL;	/* Linux's anonymous memory takes neither */
	else if (!len)
		err = -EINVAL;
	else if (!(len = PAGE_ROUND_UP(len)) || len > VM_USER_END)
		err = -ENOMEM;
	else if (f && off / PAGE_SIZE + len / PAGE_SIZE < off / PAGE_SIZE)
		err = -EOVERFLOW;
	else if ((flags & MAP_LOCKED) && !may_lock())
		err = lock_refused(addr, len, flags);
	else
		err = do_mmap(addr, len, prot, flags, f, off);
	if (f)
		file_put(f);
	return err;
}

static long sys_munmap(const struct sysargs *a)
{
	uint64_t addr = a->a[0], len = a->a[1];

	if (!page_aligned(addr) || addr > VM_USER_END || len > VM_USER_END - addr)
		return -EINVAL;
	len = PAGE_ROUND_UP(len);
	return len ? vm_unmap(mm_current(), addr, len) : -EINVAL;
}

static long sys_mprotect(const struct sysargs *a)
{
	uint64_t addr = a->a[0], len = a->a[1], prot = a->a[2];

	/* A grows-down stack is not a kind of mapping here. */
	if (prot & (PROT_GROWSDOWN | PROT_GROWSUP))
		return -EINVAL;
	if (!page_aligned(addr))
		return -EINVAL;
	if (!len)
		return 0;
	len = PAGE_ROUND_UP(len);
	if (addr + len <= addr)
		return -ENOMEM;
	if (prot & ~(uint64_t)(PROT_MASK | PROT_SEM))
		return -EINVAL;
	long err = vm_protect(mm_current(), addr, len, prot & PROT_MASK);
	if (!err && (prot & MMU_WRITE))
		populate(addr, len);	/* a locked private page becomes the mapping's own */
	return err;
}

static long sys_mremap(const struct sysargs *a)
{
	uint64_t old = a->a[0], old_len = a->a[1], new_len = a->a[2], flags = a->a[3], to = a->a[4];

	if (flags & ~(uint64_t)(VM_REMAP_MAYMOVE | VM_REMAP_FIXED | VM_REMAP_DONTUNMAP))
		return -EINVAL;
	if ((flags & (VM_REMAP_FIXED | VM_REMAP_DONTUNMAP)) && !(flags & VM_REMAP_MAYMOVE))
		return -EINVAL;
	if ((flags & VM_REMAP_DONTUNMAP) && old_len != new_len)
		return -EINVAL;
	if (!page_aligned(old))
		return -EINVAL;
	old_len = PAGE_ROUND_UP(old_len);
	new_len = PAGE_ROUND_UP(new_len);
	if (!new_len || new_len > VM_USER_END)
		return -EINVAL;
	if (flags & VM_REMAP_FIXED) {
		if (!page_aligned(to) || to > VM_USER_END - new_len)
			return -EINVAL;
		/* The two ranges must not overlap (old + old_len may pass 2^64). */
		if (to < old ? to + new_len > old : to - old < old_len)
			return -EINVAL;
	}
	long at = vm_remap(mm_current(), old, old_len, new_len, (unsigned)flags, to);
	if (at >= 0 && new_len > old_len)
		populate((uint64_t)at + old_len, new_len - old_len);	/* a locked mapping grew */
	return at;
}

/* The advice Linux knows (those its configuration may leave out too). */
static bool advice_known(uint64_t advice)
{
	return advice <= 4 || (advice >= MADV_FREE && advice <= MADV_COLLAPSE);
}

static bool advice_discards(uint64_t advice)
{
	return advice == MADV_DONTNEED || advice == MADV_FREE || advice == MADV_DONTNEED_LOCKED;
}

/* The fork advice: what the range gets and loses (VM_DONTFORK,
 * VM_WIPEONFORK), false for other advice. */
static bool fork_advice(uint64_t advice, unsigned *set, unsigned *clear)
{
	*set = advice == MADV_DONTFORK ? VM_DONTFORK : advice == MADV_WIPEONFORK ? VM_WIPEONFORK : 0;
	*clear = advice == MADV_DOFORK ? VM_DONTFORK : advice == MADV_KEEPONFORK ? VM_WIPEONFORK : 0;
	return *set || *clear;
}

static long sys_madvise(const struct sysargs *a)
{
	uint64_t addr = a->a[0], len_in = a->a[1], advice = a->a[2];

	if (!advice_known(advice) || !page_aligned(addr))
		return -EINVAL;
	uint64_t len = PAGE_ROUND_UP(len_in);
	if (len_in && !len)
		return -EINVAL;	/* a length just under 2^64 */
	if (addr + len < addr)
		return -EINVAL;
	if (!len)
		return 0;
	if (advice == MADV_REMOVE)
		return vm_remove(mm_current(), addr, len);	/* frees the file's pages too */
	if (advice_discards(advice))	/* MADV_FREE: only private anonymous memory */
		return vm_discard(mm_current(), addr, len,
				  (advice == MADV_FREE ? VM_DISCARD_ANON : 0) |
				  (advice != MADV_DONTNEED_LOCKED ? VM_DISCARD_UNLOCKED : 0));
	unsigned set, clear;
	if (fork_advice(advice, &set, &clear))
		return vm_fork_advise(mm_current(), addr, len, set, clear);
	return vm_covered(mm_current(), addr, len, false);	/* advice only, but not for holes */
}

/* mlock, mlock2, munlock: the range is widened to whole pages first;
 * then Linux's order (do_mlock): the limit, the range, the marks, and the
 * pages brought in, whose failures are mlock's own (EFAULT: ENOMEM, and
 * ENOMEM: EAGAIN, as POSIX has them). */
static long lock_range(uint64_t addr, uint64_t len, unsigned lock)
{
	struct mm *mm = mm_current();

	len = PAGE_ROUND_UP(len + (addr & (PAGE_SIZE - 1)));
	addr = PAGE_ROUND_DOWN(addr);
	long err = vm_lock(mm, addr, len, lock);
	if (err || !(lock & VM_LOCKED) || (lock & VM_LOCKONFAULT))
		return err;
	err = vm_populate(mm, addr, len, false, thread_signalled);
	return err == -EFAULT ? -ENOMEM : err == -ENOMEM ? -EAGAIN : err;
}

static long sys_mlock(const struct sysargs *a)
{
	return may_lock() ? lock_range(a->a[0], a->a[1], VM_LOCKED) : -EPERM;
}

static long sys_mlock2(const struct sysargs *a)
{
	if (a->a[2] & ~(uint64_t)MLOCK_ONFAULT)
		return -EINVAL;
	if (!may_lock())
		return -EPERM;
	return lock_range(a->a[0], a->a[1], VM_LOCKED | (a->a[2] & MLOCK_ONFAULT ? VM_LOCKONFAULT : 0));
}

static long sys_munlock(const struct sysargs *a) { return lock_range(a->a[0], a->a[1], 0); }

/* MCL_FUTURE alone leaves the mappings there as they are; MCL_CURRENT
 * alone ends an earlier MCL_FUTURE, as on Linux. */
static long sys_mlockall(const struct sysargs *a)
{
	uint64_t flags = a->a[0];
	struct mm *mm = mm_current();

	if (!flags || (flags & ~(uint64_t)(MCL_CURRENT | MCL_FUTURE | MCL_ONFAULT)) ||
	    flags == MCL_ONFAULT)
		return -EINVAL;
	if (!may_lock())
		return -EPERM;
	unsigned lock = VM_LOCKED | (flags & MCL_ONFAULT ? VM_LOCKONFAULT : 0);
	long err = vm_lock_all(mm, flags & MCL_CURRENT ? lock : 0, flags & MCL_FUTURE ? lock : 0,
			       !(flags & MCL_CURRENT));
	if (!err && (flags & MCL_CURRENT))
		vm_populate(mm, 0, VM_USER_END, true, thread_signalled);
	return err;
}

static long sys_munlockall(const struct sysargs *a)
{
	(void)a;
	return vm_lock_all(mm_current(), 0, 0, false);
}

/* MS_SYNC makes what was stored through the shared file mappings of the
 * range durable (a mounted store's file is written back); otherwise only
 * the range is checked: the stores are in the page cache already, where
 * read() sees them and the writeback thread takes them to the disk. */
static long sys_msync(const struct sysargs *a)
{
	uint64_t addr = a->a[0], len = a->a[1], flags = a->a[2];

	if (flags & ~(uint64_t)(MS_ASYNC | MS_INVALIDATE | MS_SYNC) || !page_aligned(addr) ||
	    ((flags & MS_ASYNC) && (flags & MS_SYNC)))
		return -EINVAL;
	len = PAGE_ROUND_UP(len);
	if (addr + len < addr)
		return -ENOMEM;
	if (!len)
		return 0;
	return flags & MS_SYNC ? vm_sync(mm_current(), addr, len)
			       : vm_covered(mm_current(), addr, len, false);
}

#define MINCORE_CHUNK	256	/* pages looked at per turn of the lock */

/* Linux's checks in its order: the start, the range (ENOMEM past the user
 * half), the vector; a hole ends it with ENOMEM, the pages before it
 * told. */
static long sys_mincore(const struct sysargs *a)
{
	uint64_t addr = a->a[0], len = a->a[1], uvec = a->a[2];
	uint8_t vec[MINCORE_CHUNK];

	if (!page_aligned(addr))
		return -EINVAL;
	if (addr > VM_USER_END || len > VM_USER_END - addr)
		return -ENOMEM;
	uint64_t pages = PAGE_ROUND_UP(len) / PAGE_SIZE;
	if (!user_range_ok(uvec, pages))
		return -EFAULT;
	while (pages) {
		size_t n = pages < MINCORE_CHUNK ? pages : MINCORE_CHUNK;
		size_t got = vm_resident(mm_current(), addr, n, vec);
		if (got && copy_to_user(uvec, vec, got))
			return -EFAULT;
		if (got < n)
			return -ENOMEM;
		addr += n * PAGE_SIZE;
		uvec += n;
		pages -= n;
	}
	return 0;
}

static const struct syscall_entry mm_calls[] = {
	{ 12, sys_brk },
	{ 9, sys_mmap },
	{ 11, sys_munmap },
	{ 10, sys_mprotect },
	{ 25, sys_mremap },
	{ 28, sys_madvise },
	{ 149, sys_mlock },
	{ 325, sys_mlock2 },
	{ 150, sys_munlock },
	{ 151, sys_mlockall },
	{ 152, sys_munlockall },
	{ 26, sys_msync },
	{ 27, sys_mincore },
};

SYSCALL_TABLE(mm_calls);
