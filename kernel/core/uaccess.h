/* The only way the kernel touches the program's memory: these return
 * -EFAULT for a pointer outside the user half or into unmapped memory,
 * never fault the kernel.  Call with interrupts on (a fault may page in,
 * which may need a TLB shoot-down).
 *
 * A copy that finds no page left for the program fails with -EFAULT too,
 * and marks the thread (thread->uaccess_oom): the OOM killer runs on the
 * way back to user mode, where the thread holds no lock, and a system
 * call that failed with -EFAULT is made again (linux/sigdeliver.c), as
 * Linux's fault waits for memory in the page allocator instead. */
#ifndef AMPHI_CORE_UACCESS_H
#define AMPHI_CORE_UACCESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arch/x86_64/arch.h"
#include "core/errno.h"

long arch_copy_user(void *dst, const void *src, size_t n);
long arch_strnlen_user(const char *s, size_t max);
long arch_cmpxchg_user32(uint32_t *uaddr, uint32_t old, uint32_t new, uint32_t *found);

static inline int user_range_ok(uint64_t uaddr, size_t n)
{
	return uaddr + n >= uaddr && uaddr + n <= USER_TOP;
}

static inline long copy_from_user(void *dst, uint64_t usrc, size_t n)
{
	return user_range_ok(usrc, n) ? arch_copy_user(dst, (const void *)usrc, n) : -EFAULT;
}

static inline long copy_to_user(uint64_t udst, const void *src, size_t n)
{
	return user_range_ok(udst, n) ? arch_copy_user((void *)udst, src, n) : -EFAULT;
}

/* Atomically replaces the word at uaddr (4-byte aligned) with new if it
 * holds old; *found is what it held.  0 or -EFAULT. */
static inline long cmpxchg_user32(uint64_t uaddr, uint32_t old, uint32_t new, uint32_t *found)
{
	if (!user_range_ok(uaddr, 4) || (uaddr & 3))
		return -EFAULT;
	return arch_cmpxchg_user32((uint32_t *)uaddr, old, new, found);
}

/* Copies made holding a spinlock go between these: a fault that would
 * sleep (a file's page not yet mapped: 9p or ext4 may wait for the
 * device or a lock) fails the copy with -EFAULT instead.  The caller
 * then drops its lock, brings the pages in with user_fault_in and tries
 * again, as Linux's pagefault_disable users do.  They nest. */
void uaccess_nosleep_begin(void);
void uaccess_nosleep_end(void);

/* Brings the n bytes at uaddr in as the program's own reads (or writes)
 * would, sleeping if need be, without touching their contents: 0, or
 * -EFAULT (for want of memory as a copy's). */
long user_fault_in(uint64_t uaddr, size_t n, bool write);

/* Copies a NUL-terminated string of at most max-1 bytes into dst[max];
 * -ENAMETOOLONG if longer, -EFAULT. */
long copy_string_from_user(char *dst, uint64_t usrc, size_t max);

/* An extensible struct (clone_args, sched_attr), Linux's way: usize bytes
 * of the program's against ksize of the kernel's.  From the program: the
 * rest of dst zeroed, -E2BIG if its bytes beyond ksize are not all zero.
 * To the program: its bytes beyond ksize zeroed.  -EFAULT. */
long copy_struct_from_user(void *dst, size_t ksize, uint64_t usrc, size_t usize);
long copy_struct_to_user(uint64_t udst, size_t usize, const void *src, size_t ksize);

#endif
