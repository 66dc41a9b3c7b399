#include "core/uaccess.h"

#include "core/mm.h"
#include "core/sched.h"
#include "core/string.h"
#include "core/vm.h"

void uaccess_nosleep_begin(void) { current()->uaccess_nosleep++; }
void uaccess_nosleep_end(void) { current()->uaccess_nosleep--; }

long user_fault_in(uint64_t uaddr, size_t n, bool write)
{
	if (!n)
		return 0;
	if (!user_range_ok(uaddr, n))
		return -EFAULT;
	for (uint64_t va = PAGE_ROUND_DOWN(uaddr); va < uaddr + n; va += PAGE_SIZE) {
		int err = vm_fault(mm_current(), va, write ? MMU_WRITE : MMU_READ);
		if (err == -ENOMEM)
			current()->uaccess_oom = true;
		if (err)
			return -EFAULT;
	}
	return 0;
}

long copy_string_from_user(char *dst, uint64_t usrc, size_t max)
{
	if (usrc >= USER_TOP)
		return -EFAULT;
	size_t room = USER_TOP - usrc < max ? USER_TOP - usrc : max;
	long n = arch_strnlen_user((const char *)usrc, room);

	if (n < 0)
		return n;
	if ((size_t)n >= max)
		return -ENAMETOOLONG;
	if ((size_t)n == room)
		return -EFAULT;	/* ran into the end of the user half */
	long err = arch_copy_user(dst, (const void *)usrc, n + 1);
	return err ? err : n;
}

long copy_struct_from_user(void *dst, size_t ksize, uint64_t usrc, size_t usize)
{
	uint8_t tail[64];

	memset(dst, 0, ksize);
	/* the tail first, as Linux's: bytes we do not know are E2BIG even
	 * where what we know cannot be read */
	for (size_t off = ksize; off < usize; off += sizeof tail) {
		size_t n = usize - off < sizeof tail ? usize - off : sizeof tail;
		if (copy_from_user(tail, usrc + off, n))
			return -EFAULT;
		for (size_t i = 0; i < n; i++)
			if (tail[i])
				return -E2BIG;
	}
	return copy_from_user(dst, usrc, usize < ksize ? usize : ksize) ? -EFAULT : 0;
}

long copy_struct_to_user(uint64_t udst, size_t usize, const void *src, size_t ksize)
{
	static const uint8_t zeros[64];

	if (copy_to_user(udst, src, usize < ksize ? usize : ksize))
		return -EFAULT;
	for (size_t off = ksize; off < usize; off += sizeof zeros)
		if (copy_to_user(udst + off, zeros, usize - off < sizeof zeros ? usize - off : sizeof zeros))
			return -EFAULT;
	return 0;
}
