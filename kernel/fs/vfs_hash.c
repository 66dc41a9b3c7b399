/* Finding a name in a directory: one hash table over every directory entry,
 * keyed by the directory and the name, so lookups cost the same in a
 * directory of ten entries or of a hundred thousand.  Under vfs_lock.
 *
 * The buckets live in pages of their own (256 to a page) under a fixed
 * array of page pointers, so growing never needs more than one page at a
 * time: the page allocator may have no long free runs left.  The table
 * doubles when it holds twice as many entries as buckets; if a page cannot
 * be had it stays as it is, with longer chains, and tries again only once
 * it has doubled again. */
#include "fs/vfs_hash.h"

#include "arch/x86_64/arch.h"
#include "core/page_alloc.h"
#include "core/string.h"

#define PER_PAGE	(PAGE_SIZE / sizeof(struct list))
#define MAX_PAGES	2048	/* 524288 buckets */

static struct list *pages[MAX_PAGES];	/* under vfs_lock */
static size_t nbuckets, nentries, next_try;

static struct list *bucket(size_t h) { return &pages[(h / PER_PAGE) % MAX_PAGES][h % PER_PAGE]; }

static size_t hash(const struct inode *dir, const char *name, size_t len)
{
	uint64_t h = 0xcbf29ce484222325ull ^ (uint64_t)(uintptr_t)dir;	/* FNV-1a */

	for (size_t i = 0; i < len; i++)
		h = (h ^ (uint8_t)name[i]) * 0x100000001b3ull;
	return (size_t)(h ^ (h >> 29));
}

static size_t slot(const struct dentry *d, size_t n) { return hash(d->dir, d->name, d->len) & (n - 1); }

/* Pages for buckets [nbuckets, n): all of them, or none. */
static bool add_pages(size_t n)
{
	size_t have = nbuckets / PER_PAGE, want = n / PER_PAGE;

	for (size_t p = have; p < want; p++) {
		if (!(pages[p] = page_alloc_virt(1))) {
			while (p-- > have)
				page_free_virt(pages[p], 1);
			return false;
		}
		for (size_t i = 0; i < PER_PAGE; i++)
			list_init(&pages[p][i]);
	}
	return true;
}

/* Doubling: an entry in bucket b stays in b or moves to b + old. */
static void grow(void)
{
	size_t old = nbuckets, n = old ? old * 2 : PER_PAGE;

	if (n / PER_PAGE > MAX_PAGES || !add_pages(n)) {
		next_try = 4 * (old ? old : PER_PAGE);
		return;
	}
	nbuckets = n;
	for (size_t b = 0; b < old; b++) {
		struct list *l, *next, *head = bucket(b);
		list_for_each_safe(l, next, head) {
			struct dentry *d = list_entry(l, struct dentry, hlink);
			if (slot(d, n) != b) {
				list_del(&d->hlink);
				list_add_tail(bucket(slot(d, n)), &d->hlink);
			}
		}
	}
	next_try = 2 * n;
}

int vfs_hash_add(struct dentry *d)
{
	if (nentries >= next_try)
		grow();
	if (!nbuckets)
		return -1;
	list_add_tail(bucket(slot(d, nbuckets)), &d->hlink);
	nentries++;
	return 0;
}

void vfs_hash_remove(struct dentry *d)
{
	list_del(&d->hlink);
	nentries--;
}

struct dentry *vfs_hash_find(const struct inode *dir, const char *name, size_t len)
{
	struct list *l, *head;

	if (!nbuckets)
		return NULL;
	head = bucket(hash(dir, name, len) & (nbuckets - 1));
	list_for_each(l, head) {
		struct dentry *d = list_entry(l, struct dentry, hlink);
		if (d->dir == dir && d->len == len && !memcmp(d->name, name, len))
			return d;
	}
	return NULL;
}
