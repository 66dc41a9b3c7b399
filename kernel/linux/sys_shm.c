/* System V shared memory: shmget, shmat, shmdt, shmctl.
 *
 * A segment is a file in no directory (fs's shared memory file, named
 * /SYSV<key> in /proc/PID/maps as on Linux) mapped shared wherever it is
 * attached.  Its mappings reach the file through shm_vm_ops, which hold
 * the segment itself: the table holds it once, each mapping (and each
 * fault in flight) once more.  A segment removed while attached (IPC_RMID,
 * SHM_DEST in its mode) stays in the table, under the key IPC_PRIVATE,
 * until its last mapping goes, as on Linux; then the last release takes it
 * out and frees it.
 *
 * shm_nattch counts mappings, as Linux's does (a mapping split in two by
 * munmap counts twice there too).  What differs: the attach and detach
 * times and the last pid change at shmat and shmdt, not at a fork's copy
 * or an exit's unmapping; SHM_LOCK only sets the flag (memory here is
 * never swapped). */
#include "core/errno.h"
#include "core/format.h"
#include "core/kmalloc.h"
#include "core/mm.h"
#include "core/page_alloc.h"
#include "core/string.h"
#include "core/uaccess.h"
#include "core/vm.h"
#include "fs/file.h"
#include "fs/stat.h"
#include "fs/vfs.h"
#include "fs/vfs_mmap.h"
#include "linux/cred.h"
#include "linux/ipc.h"
#include "linux/process.h"
#include "linux/syscall.h"

#define SHM_NORESERVE	010000	/* shmget: not counted against memory */
#define SHM_RDONLY	010000
#define SHM_RND		020000
#define SHM_REMAP	040000
#define SHM_EXEC	0100000
#define SHM_DEST	01000	/* in the mode: removed, waiting for its last detach */
#define SHM_LOCKED	02000
#define SHM_LOCK	11
#define SHM_UNLOCK	12
#define SHM_STAT	13
#define SHM_INFO	14
#define SHM_STAT_ANY	15

#define SHMMNI		4096
#define SHMMAX		(UINT64_MAX - (1ull << 24))	/* Linux's defaults */
#define SHMALL		SHMMAX
#define CAP_IPC_LOCK	14

struct shm_segment {
	struct ipc_object ipc;
	struct file *file;
	uint64_t size;			/* as asked: not rounded to pages */
	int refs;			/* the table's, and each mapping's and fault's */
	int cpid, lpid;
	int64_t atime, dtime;
};

struct shmid64_ds {
	struct ipc64_perm perm;
	uint64_t segsz;
	int64_t atime, dtime, ctime;
	int32_t cpid, lpid;
	uint64_t nattch;
	uint64_t unused[2];
};

struct shminfo64 {
	uint64_t shmmax, shmmin, shmmni, shmseg, shmall, unused[4];
};

struct shm_info {
	int32_t used_ids;
	uint64_t shm_tot, shm_rss, shm_swp, swap_attempts, swap_successes;
};

static struct ipc_table segments = IPC_TABLE_INIT(segments, SHMMNI);
static uint64_t pages_total;	/* of every segment in the table, under its lock */

static struct shm_segment *seg_of(struct ipc_object *o) { return (struct shm_segment *)o; }

static uint64_t seg_pages(const struct shm_segment *s) { return (s->size + PAGE_SIZE - 1) / PAGE_SIZE; }

static int nattch(const struct shm_segment *s)
{
	return __atomic_load_n(&s->file->inode->mapped.nmaps, __ATOMIC_RELAXED);
}

/* Out of the table and, with no mapping left, freed.  Caller holds the
 * table's lock. */
static void seg_remove(struct shm_segment *s)
{
	ipc_remove(&segments, &s->ipc);
	pages_total -= seg_pages(s);
	if (__atomic_sub_fetch(&s->refs, 1, __ATOMIC_ACQ_REL) == 0) {
		file_put(s->file);
		kfree(s);
	}
}

/* ---- its mappings -------------------------------------------------------- */

static const struct vm_file_ops *file_ops(const struct shm_segment *s) { return vfs_mmap_ops(s->file); }

static struct vm_object *shm_object(void *obj)
{
	struct shm_segment *s = obj;
	return file_ops(s)->object(s->file);
}

static int shm_get_page(void *obj, uint64_t idx, bool write, uint64_t *pa)
{
	struct shm_segment *s = obj;
	return file_ops(s)->get_page(s->file, idx, write, pa);
}

static void shm_hold(void *obj) { __atomic_add_fetch(&((struct shm_segment *)obj)->refs, 1, __ATOMIC_RELAXED); }

/* Only the table's reference left, of a removed segment: it goes. */
static void shm_release(void *obj)
{
	struct shm_segment *s = obj;

	if (__atomic_sub_fetch(&s->refs, 1, __ATOMIC_ACQ_REL) != 1)
		return;
	mutex_lock(&segments.lock);
	if (__atomic_load_n(&s->refs, __ATOMIC_ACQUIRE) == 1 && (s->ipc.mode & SHM_DEST))
		seg_remove(s);
	mutex_unlock(&segments.lock);
}

static int shm_punch(void *obj, uint64_t idx, uint64_t npages)
{
	struct shm_segment *s = obj;
	return file_ops(s)->punch(s->file, idx, npages);
}

static void shm_describe(void *obj, char *name, size_t size, uint64_t *dev, uint64_t *ino)
{
	struct shm_segment *s = obj;
	file_ops(s)->describe(s->file, name, size, dev, ino);
}

static const struct vm_file_ops shm_vm_ops = {
	.object = shm_object,
	.get_page = shm_get_page,
	.hold = shm_hold,
	.release = shm_release,
	.punch = shm_punch,
	.describe = shm_describe,
};

/* ---- shmget ---------------------------------------------------------------- */

static long new_segment(int32_t key, uint64_t size, int flags)
{
	char name[24];
	struct shm_segment *s;

	if (size < 1 || size > SHMMAX)
		return -EINVAL;
	uint64_t pages = (size + PAGE_SIZE - 1) / PAGE_SIZE;
	if (pages_total + pages > SHMALL / PAGE_SIZE)
		return -ENOSPC;
	if (!(flags & SHM_NORESERVE) && pages > page_total_count())
		return -ENOMEM;	/* Linux's overcommit heuristic: more than there is at all */
	if (!(s = kmalloc_program(sizeof *s)))
		return -ENOMEM;
	snprintf(name, sizeof name, "/SYSV%08x", (uint32_t)key);
	if (!(s->file = vfs_shmem_file(pages * PAGE_SIZE, name))) {
		kfree(s);
		return -ENOMEM;
	}
	long err = ipc_add(&segments, &s->ipc, key, flags);
	if (err) {
		file_put(s->file);
		kfree(s);
		return err;
	}
	s->size = size;
	s->refs = 1;
	s->cpid = process_current()->pid;
	pages_total += pages;
	return s->ipc.id;
}

/* Linux's order for a key in use: IPC_EXCL, the size, the permissions. */
static long existing_segment(struct shm_segment *s, uint64_t size, int flags)
{
	if ((flags & IPC_CREAT) && (flags & IPC_EXCL))
		return -EEXIST;
	if (s->size < size)
		return -EINVAL;
	return ipc_may(&s->ipc, flags) ? s->ipc.id : -EACCES;
}

static long sys_shmget(const struct sysargs *a)
{
	int32_t key = (int32_t)a->a[0];
	uint64_t size = a->a[1];
	int flags = (int)a->a[2];
	struct ipc_object *o;
	long r;

	mutex_lock(&segments.lock);
	if (key != IPC_PRIVATE && (o = ipc_find_key(&segments, key)))
		r = existing_segment(seg_of(o), size, flags);
	else if (key != IPC_PRIVATE && !(flags & IPC_CREAT))
		r = -ENOENT;
	else
		r = new_segment(key, size, flags);
	mutex_unlock(&segments.lock);
	return r;
}

/* ---- shmat and shmdt ------------------------------------------------------- */

/* Where an attach goes and how: Linux's checks of the address (SHMLBA is a
 * page), in its order.  0, or -EINVAL. */
static long attach_place(uint64_t *addr, int flags, unsigned *vm_flags)
{
	if (*addr & (PAGE_SIZE - 1)) {
		if (!(flags & SHM_RND))
			return -EINVAL;
		*addr &= ~(uint64_t)(PAGE_SIZE - 1);
		if (!*addr && (flags & SHM_REMAP))
			return -EINVAL;
	}
	if (!*addr && (flags & SHM_REMAP))
		return -EINVAL;
	*vm_flags = VM_SHARED | (flags & SHM_RDONLY ? VM_NOWRITE : 0);
	if (*addr)
		*vm_flags |= flags & SHM_REMAP ? VM_FIXED : VM_FIXED_NOREPLACE;
	return 0;
}

/* Linux's refusals of an attach at addr, in its order: without
 * SHM_REMAP, an end past the top of the address space or a mapping in
 * the way (EINVAL); then, with or without, beyond user space (ENOMEM). */
static long attach_refusal(const struct shm_segment *s, uint64_t addr, uint64_t len,
			   unsigned vm_flags)
{
	struct vm_area area = { 0 };

	if (vm_flags & VM_FIXED_NOREPLACE) {
		if (addr + s->size < addr)
			return -EINVAL;
		if (vm_area_next(mm_current(), addr, &area, 0) && area.start < addr + s->size)
			return -EINVAL;
	}
	if ((vm_flags & (VM_FIXED | VM_FIXED_NOREPLACE)) && (len > VM_USER_END || addr > VM_USER_END - len))
		return -ENOMEM;
	return 0;
}

static long attach(struct shm_segment *s, uint64_t addr, unsigned prot, unsigned vm_flags)
{
	uint64_t len = seg_pages(s) * PAGE_SIZE;
	long r = attach_refusal(s, addr, len, vm_flags);

	if (r)
		return r;
	r = vm_map(mm_current(), addr, len, prot, vm_flags, &shm_vm_ops, s, 0);
	if (r == -EEXIST)
		return -EINVAL;	/* over a mapping, without SHM_REMAP */
	if (r >= 0) {
		s->atime = ipc_now();
		s->lpid = process_current()->pid;
	}
	return r;
}

static long sys_shmat(const struct sysargs *a)
{
	int id = (int)a->a[0], flags = (int)a->a[2];
	uint64_t addr = a->a[1];
	unsigned vm_flags, prot = MMU_READ | (flags & SHM_RDONLY ? 0 : MMU_WRITE);
	int access = 0444 | (flags & SHM_RDONLY ? 0 : 0222);

	if (id < 0)
		return -EINVAL;
	long r = attach_place(&addr, flags, &vm_flags);
	if (r)
		return r;
	if (flags & SHM_EXEC) {
		prot |= MMU_EXEC;
		access |= 0111;
	}
	mutex_lock(&segments.lock);
	struct ipc_object *o = ipc_find_id(&segments, id);
	r = !o ? -EINVAL : !ipc_may(o, access) ? -EACCES : attach(seg_of(o), addr, prot, vm_flags);
	mutex_unlock(&segments.lock);
	return r;
}

/* Whether s, met in a mapping, is still one of the table's: then it is
 * alive, since only the table's lock frees it.  Caller holds that lock. */
static bool in_table(const void *s)
{
	for (int i = 0; i <= segments.highest; i++)
		if (segments.slots[i] == s)
			return true;
	return false;
}

/* The size of the segment s names, if it is still there. */
static bool segment_size(void *s, uint64_t *size)
{
	mutex_lock(&segments.lock);
	bool found = in_table(s);
	if (found)
		*size = seg_pages(s) * PAGE_SIZE;
	mutex_unlock(&segments.lock);
	return found;
}

/* shmdt's times, if s is still there. */
static void touch_detached(void *s)
{
	mutex_lock(&segments.lock);
	if (in_table(s)) {
		seg_of(s)->dtime = ipc_now();
		seg_of(s)->lpid = process_current()->pid;
	}
	mutex_unlock(&segments.lock);
}

/* Whether area is a piece of the attach of a segment at addr: the
 * segment's page (area's offset) where the attach puts it. */
static bool piece_of_attach(const struct vm_area *area, uint64_t addr)
{
	return area->ops == &shm_vm_ops && area->start >= addr && area->offset == area->start - addr;
}

/* Linux's shmdt: the first segment mapping at or after addr that an
 * attach at addr made, and every later piece of the same attach within
 * the segment's size, leave; -EINVAL if there is none. */
static long sys_shmdt(const struct sysargs *a)
{
	uint64_t addr = a->a[0], end = 0, at = addr, size = 0;
	struct mm *mm = mm_current();
	struct vm_area area = { 0 };
	void *seg = NULL;

	if (addr & (PAGE_SIZE - 1))
		return -EINVAL;
	while (vm_area_next(mm, at, &area, 0) && (!seg || area.start < end)) {
		at = area.end;
		if (!piece_of_attach(&area, addr) || (seg && area.obj != seg))
			continue;
		if (!seg && !segment_size(area.obj, &size))
			continue;
		if (!seg) {
			seg = area.obj;
			end = addr + size;
		}
		vm_unmap(mm, area.start, (area.end < end ? area.end : end) - area.start);
	}
	if (!seg)
		return -EINVAL;
	touch_detached(seg);
	return 0;
}

/* ---- shmctl ---------------------------------------------------------------- */

static long stat_out(struct ipc_object *o, uint64_t ubuf)
{
	struct shm_segment *s = seg_of(o);
	struct shmid64_ds ds = {
		.segsz = s->size, .atime = s->atime, .dtime = s->dtime, .ctime = s->ipc.ctime,
		.cpid = s->cpid, .lpid = s->lpid, .nattch = (uint64_t)nattch(s),
	};

	ipc_perm_of(&s->ipc, &ds.perm);
	return copy_to_user(ubuf, &ds, sizeof ds) ? -EFAULT : 0;
}

static long shm_info(int cmd, uint64_t ubuf)
{
	struct shminfo64 limits = { SHMMAX, 1, SHMMNI, SHMMNI, SHMALL, { 0 } };
	struct shm_info usage = { 0 };
	long r;

	mutex_lock(&segments.lock);
	usage.used_ids = segments.used;
	usage.shm_tot = pages_total;
	for (int i = 0; i <= segments.highest; i++) {
		struct kstat st;
		if (!segments.slots[i])
			continue;
		inode_stat(seg_of(segments.slots[i])->file->inode, &st);
		usage.shm_rss += (uint64_t)st.blocks * 512 / PAGE_SIZE;
	}
	r = segments.highest < 0 ? 0 : segments.highest;
	mutex_unlock(&segments.lock);
	if (cmd == IPC_INFO ? copy_to_user(ubuf, &limits, sizeof limits)
			    : copy_to_user(ubuf, &usage, sizeof usage))
		return -EFAULT;
	return r;
}

/* IPC_SET, IPC_RMID, SHM_LOCK and SHM_UNLOCK: the owner's or creator's
 * (the locks: also CAP_IPC_LOCK's). */
static long shm_change(struct shm_segment *s, int cmd, const struct ipc64_perm *perm)
{
	bool may = ipc_may_change(&s->ipc);

	if (cmd == SHM_LOCK || cmd == SHM_UNLOCK) {
		if (!may && !cred_capable(CAP_IPC_LOCK))
			return -EPERM;
		s->ipc.mode = cmd == SHM_LOCK ? s->ipc.mode | SHM_LOCKED : s->ipc.mode & ~SHM_LOCKED;
		return 0;
	}
	if (!may)
		return -EPERM;
	if (cmd == IPC_SET)
		return ipc_set_perm(&s->ipc, perm);
	s->ipc.mode |= SHM_DEST;
	s->ipc.key = IPC_PRIVATE;
	if (__atomic_load_n(&s->refs, __ATOMIC_ACQUIRE) == 1)
		seg_remove(s);	/* else its last release does */
	return 0;
}

static long sys_shmctl(const struct sysargs *a)
{
	int id = (int)a->a[0], cmd = (int)a->a[1];
	uint64_t ubuf = a->a[2];
	struct shmid64_ds ds;

	if (id < 0 || cmd < 0)
		return -EINVAL;
	if (cmd == IPC_INFO || cmd == SHM_INFO)
		return shm_info(cmd, ubuf);
	if (cmd == IPC_STAT || cmd == SHM_STAT || cmd == SHM_STAT_ANY)
		return ipc_stat(&segments, id, cmd != IPC_STAT, cmd == SHM_STAT_ANY, stat_out, ubuf);
	if (cmd != IPC_SET && cmd != IPC_RMID && cmd != SHM_LOCK && cmd != SHM_UNLOCK)
		return -EINVAL;
	if (cmd == IPC_SET && copy_from_user(&ds, ubuf, sizeof ds))
		return -EFAULT;
	mutex_lock(&segments.lock);
	struct ipc_object *o = ipc_find_id(&segments, id);
	long r = o ? shm_change(seg_of(o), cmd, &ds.perm) : -EINVAL;
	mutex_unlock(&segments.lock);
	return r;
}

static const struct syscall_entry shm_calls[] = {
	{ 29, sys_shmget },
	{ 30, sys_shmat },
	{ 31, sys_shmctl },
	{ 67, sys_shmdt },
};

/* ---- /proc/sysvipc/shm ------------------------------------------------------ */

/* rss: the pages the segment holds (all in memory: swap is none). */
static void info_of(struct ipc_object *o, struct ipc_info *i)
{
	struct shm_segment *s = seg_of(o);
	struct kstat st;

	inode_stat(s->file->inode, &st);
	i->shm.size = s->size;
	i->shm.nattch = (uint64_t)nattch(s);
	i->shm.rss = (uint64_t)st.blocks * 512;
	i->shm.cpid = s->cpid;
	i->shm.lpid = s->lpid;
	i->shm.atime = s->atime;
	i->shm.dtime = s->dtime;
}

int shm_list(struct ipc_info *out, int max) { return ipc_list(&segments, out, max, info_of); }

SYSCALL_TABLE(shm_calls);
