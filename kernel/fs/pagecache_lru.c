/* Giving memory back.  The cache takes free pages while plenty are free
 * and gives back clean ones, least recently used first, when it needs a
 * page itself and memory is low, and whenever the page allocator runs
 * short (core/page_alloc.h's reclaim hook: a program's allocation, or any
 * allocation that found nothing): clean pages never make anyone fail.  A
 * page is taken only if nothing uses it: not dirty, not being read or
 * written, not used by a thread and not mapped (its reference count is the
 * cache's alone). */
#include "fs/pagecache_internal.h"

#include "core/page_alloc.h"

/* Free pages the cache leaves alone when it grows: the program's reserve
 * and a margin of 1/32 of RAM, so most allocations never need the hook. */
static size_t low_water(void) { return page_reserve() + page_total_count() / 32 + 64; }

static bool idle(const struct cpage *p)
{
	return !p->users && !(p->flags & (PG_DIRTY | PG_WRITEBACK | PG_BUSY | PG_SHARED | PG_LISTED)) &&
	       page_ref_count(virt_to_phys(p->data)) == 1;
}

size_t pcache_reclaim(size_t want)
{
	size_t freed = 0, looked = 0;
	struct list *e, *next;

	/* The allocator may call this from anywhere, the cache's own code
	 * (holding pc.lock) and interrupt handlers included: never wait. */
	if (!spin_trylock(&pc.lock))
		return 0;
	list_for_each_safe(e, next, &pc.lru) {
		struct cpage *p = list_entry(e, struct cpage, lru);
		if (freed >= want || looked++ > want * 8 + 256)
			break;
		if (idle(p)) {
			pcache_free_page(p);
			freed++;
		}
	}
	spin_unlock(&pc.lock);
	return freed;
}

static size_t reclaim_hook(size_t want) { return pcache_reclaim(want); }

/* Clean pages first; when dirty ones fill what is left (writers between
 * their limit checks, shared mappings), they are written back so they
 * can go too. */
void *pcache_page_alloc(void)
{
	static volatile int hooked;

	if (!__atomic_exchange_n(&hooked, 1, __ATOMIC_ACQ_REL))
		page_set_reclaim(reclaim_hook);
	for (int round = 0; round < 2; round++) {
		if (page_free_count() < low_water())
			pcache_reclaim(64);
		if (page_free_count() >= page_reserve() + 64)
			return page_alloc_virt_uninit(1);
		if (!pc.ndirty)
			break;
		(void)pcache_writeback(NULL);
	}
	return NULL;
}
