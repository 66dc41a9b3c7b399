#include "fs/pathbuf.h"

#include "core/page_alloc.h"
#include "core/spinlock.h"

#define POOL_MAX 32	/* more than the threads that are ever in a path call at once */

struct free_buf {
	struct free_buf *next;
};

static struct spinlock lock = SPINLOCK_INIT;	/* guards pool, npool */
static struct free_buf *pool;
static int npool;

/* One page each: PATH_MAX is the page size. */
char *pathbuf_get(void)
{
	spin_lock(&lock);
	struct free_buf *b = pool;
	if (b) {
		pool = b->next;
		npool--;
	}
	spin_unlock(&lock);
	return b ? (char *)b : page_alloc_virt(1);
}

void pathbuf_put(char *buf)
{
	if (!buf)
		return;
	spin_lock(&lock);
	if (npool < POOL_MAX) {
		struct free_buf *b = (struct free_buf *)buf;
		b->next = pool;
		pool = b;
		npool++;
		buf = NULL;
	}
	spin_unlock(&lock);
	if (buf)
		page_free_virt(buf, 1);
}
