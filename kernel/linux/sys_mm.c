/* Memory system calls: brk, mmap (anonymous), munmap, mprotect, mremap,
 * madvise.  The work is in core/vm.c; this is argument checking. */
#include "arch/x86_64/arch.h"
#include "core/errno.h"
#include "core/spinlock.h"
#include "core/vm.h"
#include "linux/process.h"
#include "linux/syscall.h"

#define MAP_SHARED		0x01
#define MAP_PRIVATE		0x02
#define MAP_FIXED		0x10
#define MAP_ANONYMOUS		0x20
#define MAP_FIXED_NOREPLACE	0x100000
#define MREMAP_MAYMOVE		1
#define MREMAP_FIXED		2
#define MADV_DONTNEED		4
#define MADV_FREE		8
#define PROT_MASK		(MMU_READ | MMU_WRITE | MMU_EXEC)

static struct spinlock brk_lock = SPINLOCK_INIT;	/* guards proc.brk */

static long sys_brk(const struct sysargs *a)
{
	uint64_t want = a->a[0];

	spin_lock(&brk_lock);
	uint64_t cur_end = PAGE_ROUND_UP(proc.brk), new_end = PAGE_ROUND_UP(want);
	bool ok = want >= proc.brk_base && want < VM_MMAP_TOP;

	if (ok && new_end > cur_end)
		ok = vm_is_free(cur_end, new_end - cur_end) &&
		     vm_map_fixed(cur_end, new_end - cur_end, MMU_READ | MMU_WRITE) == 0;
	else if (ok && new_end < cur_end)
		ok = vm_unmap(new_end, cur_end - new_end) == 0;
	if (ok)
		proc.brk = want;
	long ret = (long)proc.brk;
	spin_unlock(&brk_lock);
	return ret;
}

static long sys_mmap(const struct sysargs *a)
{
	uint64_t addr = a->a[0], len = a->a[1];
	unsigned prot = a->a[2] & PROT_MASK;
	uint64_t flags = a->a[3];

	if (!len || len > USER_TOP || !(flags & (MAP_SHARED | MAP_PRIVATE)))
		return -EINVAL;
	if (!(flags & MAP_ANONYMOUS))
		return -EBADF;	/* no files to map yet */
	if (flags & (MAP_FIXED | MAP_FIXED_NOREPLACE)) {
		if (addr & (PAGE_SIZE - 1))
			return -EINVAL;
		if ((flags & MAP_FIXED_NOREPLACE) && !vm_is_free(addr, PAGE_ROUND_UP(len)))
			return -EEXIST;
		long err = vm_map_fixed(addr, len, prot);
		return err ? err : (long)addr;
	}
	return vm_map_anywhere(addr, len, prot);
}

static long sys_munmap(const struct sysargs *a) { return vm_unmap(a->a[0], a->a[1]); }

static long sys_mprotect(const struct sysargs *a)
{
	return vm_protect(a->a[0], a->a[1], a->a[2] & PROT_MASK);
}

static long sys_mremap(const struct sysargs *a)
{
	uint64_t flags = a->a[3];

	if (flags & ~(uint64_t)(MREMAP_MAYMOVE | MREMAP_FIXED))
		return -EINVAL;
	if ((flags & MREMAP_FIXED) && (!(flags & MREMAP_MAYMOVE) || (a->a[4] & (PAGE_SIZE - 1))))
		return -EINVAL;
	return vm_remap(a->a[0], a->a[1], a->a[2], flags & MREMAP_MAYMOVE,
			flags & MREMAP_FIXED ? a->a[4] : 0);
}

static long sys_madvise(const struct sysargs *a)
{
	if (a->a[0] & (PAGE_SIZE - 1))
		return -EINVAL;
	if (a->a[2] == MADV_DONTNEED || a->a[2] == MADV_FREE)
		return vm_discard(a->a[0], a->a[1]);
	return 0;	/* advice only */
}

void sys_mm_register(void)
{
	syscall_register(12, sys_brk);
	syscall_register(9, sys_mmap);
	syscall_register(11, sys_munmap);
	syscall_register(10, sys_mprotect);
	syscall_register(25, sys_mremap);
	syscall_register(28, sys_madvise);
}
