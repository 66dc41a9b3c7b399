/* lwIP's memory: the kernel heap, with a cap on the bytes lwIP holds, so a
 * flood of connections or packets ends in failed allocations (dropped
 * frames, refused connections, ENOBUFS/ENOMEM in the program) instead of
 * taking all the memory the program needs.  Each block carries its size in
 * a 16-byte header (keeping kmalloc's 16-byte alignment) for the count. */
#include "net/sys_arch_mem.h"

#include "core/kmalloc.h"
#include "core/string.h"

#define HDR 16

static size_t cap = 16u << 20;	/* until net_mem_set_cap */
static size_t used;		/* atomic */

void net_mem_set_cap(size_t bytes) { cap = bytes; }
size_t net_mem_used(void) { return __atomic_load_n(&used, __ATOMIC_RELAXED); }

void *net_mem_alloc(size_t size)
{
	size_t total = size + HDR;

	if (size > cap || __atomic_add_fetch(&used, total, __ATOMIC_RELAXED) > cap) {
		if (size <= cap)
			__atomic_sub_fetch(&used, total, __ATOMIC_RELAXED);
		return NULL;
	}
	/* lwIP clears what it needs cleared (mem_calloc, below); a segment's
	 * buffer is written whole, and zeroing 1.5 KiB per segment cost 4 %
	 * of a bulk sender's CPU. */
	char *p = kmalloc_uninit(total);
	if (!p) {
		__atomic_sub_fetch(&used, total, __ATOMIC_RELAXED);
		return NULL;
	}
	*(size_t *)p = total;
	return p + HDR;
}

void *net_mem_calloc(size_t n, size_t size)
{
	if (size && n > (size_t)-1 / 2 / size)
		return NULL;
	void *p = net_mem_alloc(n * size);
	if (p)
		memset(p, 0, n * size);
	return p;
}

void net_mem_free(void *p)
{
	if (!p)
		return;
	char *base = (char *)p - HDR;
	__atomic_sub_fetch(&used, *(size_t *)base, __ATOMIC_RELAXED);
	kfree(base);
}
