/* Regular file contents: pages in a radix tree of 512-way nodes whose
 * height grows with the file (0: the root is the one data page; each level
 * multiplies by 512; 6 levels cover 2^66 bytes, more than the 2^63 - 1 a
 * file may hold, as on Linux's tmpfs).  Missing pages are holes
 * and read as zeros.  A page fallocate made stays a hole for SEEK_DATA
 * until something writes or maps it (Linux's folio that is not yet
 * uptodate): its slot's low bit says so (UNWRITTEN).
 *
 * Two locks.  The inode's data_lock, a sleeping reader-writer lock, lets
 * reads run together and keeps writes and size changes to themselves, and
 * is held while copying user memory (which may fault).  The tree itself is guarded by pages_lock, a spinlock taken
 * for each look-up or change, so a page fault in a mapping of the file
 * (core/vm.c, through vfs_mmap.c) finds or adds its page without sleeping
 * and whatever locks the faulting code holds, the file's own data_lock
 * included (read() into a mapping of the same file).  Pages are mapped by
 * reference (core/page_alloc.h): a copy holds one, so truncate may drop a
 * page from the tree while it is copied or mapped. */
#include "fs/vfs.h"

#include "arch/x86_64/arch.h"
#include "core/errno.h"
#include "core/page_alloc.h"
#include "core/string.h"
#include "fs/file.h"

#define FANOUT_SHIFT	9
#define FANOUT		(1u << FANOUT_SHIFT)
#define MAX_HEIGHT	6
#define MAX_FILE_SIZE	INT64_MAX

/* Seals (memfd): writes and size changes they forbid. */
#define F_SEAL_SHRINK	0x0002
#define F_SEAL_GROW	0x0004
#define F_SEAL_WRITE	0x0008
#define F_SEAL_FUTURE_WRITE 0x0010

static uint64_t pages_used;	/* data and node pages of every file */

uint64_t tmpfs_pages_used(void) { return pages_used; }

/* A zeroed page for file data, or NULL: tmpfs leaves a reserve of RAM so the
 * program itself can still run (and report ENOSPC) when the files fill up
 * memory. */
static void *page_get(void)
{
	size_t reserve = page_total_count() / 64 + 64;

	if (page_free_count() < reserve)
		return NULL;
	void *p = page_alloc_virt(1);
	if (p)
		__atomic_add_fetch(&pages_used, 1, __ATOMIC_RELAXED);
	return p;
}

/* Mappings of the file may still hold the page (core/vm.c): it goes when
 * the last of them does. */
static void page_put(void *p)
{
	page_ref_put(virt_to_phys(p));
	__atomic_sub_fetch(&pages_used, 1, __ATOMIC_RELAXED);
}

static uint64_t capacity(int height) { return 1ull << (FANOUT_SHIFT * height); }

/* A data page's slot: the page, and UNWRITTEN while only fallocate has
 * touched it (pages are aligned, so the low bit is free; tree nodes are
 * never marked). */
#define UNWRITTEN	1ul

static void *page_in(void *slot) { return (void *)((uintptr_t)slot & ~UNWRITTEN); }
static bool unwritten(void *slot) { return (uintptr_t)slot & UNWRITTEN; }

/* Raises the tree until it covers page index idx.  0 or -ENOSPC.  Caller
 * holds pages_lock (so do slot_of, page_of and free_range's callers). */
static int grow(struct inode *i, uint64_t idx)
{
	while (idx >= capacity(i->height)) {
		if (i->pages) {
			void **node = page_get();
			if (!node)
				return -ENOSPC;
			node[0] = i->pages;
			i->pages = node;
		}
		i->height++;
	}
	return 0;
}

/* The slot holding page idx, making the nodes on the way if create; NULL
 * when absent (or out of memory with create). */
static void **slot_of(struct inode *i, uint64_t idx, bool create)
{
	if (idx >= capacity(i->height) && (!create || grow(i, idx)))
		return NULL;
	void **slot = &i->pages;
	for (int level = i->height; level > 0; level--) {
		if (!*slot && (!create || !(*slot = page_get())))
			return NULL;
		void **node = *slot;
		slot = &node[(idx >> (FANOUT_SHIFT * (level - 1))) & (FANOUT - 1)];
	}
	return slot;
}

/* The page at idx (made if create and missing); written: its contents
 * are being given (a write, a mapping), so it is no longer UNWRITTEN. */
static char *page_of(struct inode *i, uint64_t idx, bool create, bool written)
{
	void **slot = slot_of(i, idx, create);

	if (!slot)
		return NULL;
	if (!*slot && create && (*slot = page_get()))
		i->npages++;
	if (written)
		*slot = page_in(*slot);
	return page_in(*slot);
}

/* Frees every page at an index in [first, last) of the subtree at *slot,
 * of the given level (0: a data page; indices counted from the subtree's
 * first), and the subtree itself when the range covers all of it. */
static void free_range(struct inode *i, void **slot, int level, uint64_t first, uint64_t last)
{
	bool all = first == 0 && last >= capacity(level);

	if (!*slot || first >= last)
		return;
	if (level > 0) {
		uint64_t span = capacity(level - 1);
		void **node = *slot;
		for (uint64_t k = first / span; k < FANOUT && k * span < last; k++)
			free_range(i, &node[k], level - 1, k == first / span ? first % span : 0, last - k * span);
	} else if (all) {
		i->npages--;
	}
	if (all) {
		page_put(level ? *slot : page_in(*slot));
		*slot = NULL;
	}
}

/* The page at idx with a reference (made if create and missing), or NULL;
 * written as page_of's. */
static char *page_get_ref(struct inode *i, uint64_t idx, bool create, bool written)
{
	spin_lock(&i->pages_lock);
	char *page = page_of(i, idx, create, written);
	if (page)
		page_ref_get(virt_to_phys(page));
	spin_unlock(&i->pages_lock);
	return page;
}

static void page_drop_ref(char *page)
{
	if (page)
		page_ref_put(virt_to_phys(page));
}

/* A mapping's page: mapped, it is data, as Linux's fault makes it. */
int tmpfs_get_page(struct inode *i, uint64_t idx, bool create, uint64_t *pa)
{
	char *page = page_get_ref(i, idx, create, true);

	if (!page)
		return create ? -ENOSPC : -ENOENT;
	*pa = virt_to_phys(page);
	return 0;
}

size_t tmpfs_adopt(struct inode *i, void *data, size_t npages)
{
	size_t k;

	rwmutex_write_lock(&i->data_lock);
	spin_lock(&i->pages_lock);
	for (k = 0; k < npages; k++) {
		void **slot = slot_of(i, k, true);
		if (!slot)
			break;
		*slot = (char *)data + k * PAGE_SIZE;
		page_adopt(virt_to_phys(*slot));
		i->npages++;
		__atomic_add_fetch(&pages_used, 1, __ATOMIC_RELAXED);
	}
	spin_unlock(&i->pages_lock);
	i->size = (int64_t)(k * PAGE_SIZE);
	rwmutex_write_unlock(&i->data_lock);
	return k;
}

long tmpfs_read(struct inode *i, const struct iobuf *b, int64_t pos)
{
	size_t done = 0;

	rwmutex_read_lock(&i->data_lock);
	size_t n = pos >= i->size ? 0 : (uint64_t)(i->size - pos) < b->len ? (size_t)(i->size - pos) : b->len;
	while (done < n) {
		uint64_t at = (uint64_t)pos + done, off = at % PAGE_SIZE;
		size_t chunk = PAGE_SIZE - off < n - done ? PAGE_SIZE - off : n - done;
		char *page = page_get_ref(i, at / PAGE_SIZE, false, false);
		long err = iobuf_fill(b, done, page ? page + off : (const char *)zero_page, chunk);
		page_drop_ref(page);
		if (err)
			break;
		done += chunk;
	}
	rwmutex_read_unlock(&i->data_lock);
	return done || !n ? (long)done : -EFAULT;
}

/* Caller holds data_lock. */
static int check_seals(struct inode *i, int64_t new_size, bool writing)
{
	if (writing && (i->seals & (F_SEAL_WRITE | F_SEAL_FUTURE_WRITE)))
		return -EPERM;
	if (new_size > i->size && (i->seals & F_SEAL_GROW))
		return -EPERM;
	if (new_size < i->size && (i->seals & F_SEAL_SHRINK))
		return -EPERM;
	return 0;
}

/* Caller holds data_lock; [pos, pos + b->len) is within MAX_FILE_SIZE. */
static long write_locked(struct inode *i, const struct iobuf *b, int64_t pos)
{
	size_t done = 0, n = b->len;
	long err = 0;

	while (done < n) {
		uint64_t at = (uint64_t)pos + done, off = at % PAGE_SIZE;
		size_t chunk = PAGE_SIZE - off < n - done ? PAGE_SIZE - off : n - done;
		char *page = page_get_ref(i, at / PAGE_SIZE, true, true);
		if (!page)
			err = -ENOSPC;
		else if (iobuf_drain(b, done, page + off, chunk))
			err = -EFAULT;
		page_drop_ref(page);
		if (err)
			break;
		done += chunk;
	}
	if (done && pos + (int64_t)done > i->size)
		i->size = pos + (int64_t)done;
	if (done)
		i->mtime_ns = i->ctime_ns = vfs_now();
	return done ? (long)done : err;
}

long tmpfs_write(struct inode *i, const struct iobuf *b, int64_t *pos, bool append)
{
	rwmutex_write_lock(&i->data_lock);
	if (append)
		*pos = i->size;
	int64_t p = *pos;
	struct iobuf part;
	long ret = vfs_data_fit(b, p, MAX_FILE_SIZE, &part);
	int64_t end = ret ? p : p + (int64_t)part.len;
	if (!ret)
		ret = check_seals(i, end > i->size ? end : i->size, true);
	if (!ret)
		ret = write_locked(i, &part, p);
	if (ret > 0)
		*pos = p + ret;
	rwmutex_write_unlock(&i->data_lock);
	return ret;
}

/* Zeroes the part of the page holding size that lies beyond it, so growing
 * the file again shows zeros there.  Caller holds data_lock. */
static void zero_tail(struct inode *i, int64_t size)
{
	uint64_t off = (uint64_t)size % PAGE_SIZE;
	char *page = off ? page_of(i, (uint64_t)size / PAGE_SIZE, false, false) : NULL;

	if (page)
		memset(page + off, 0, PAGE_SIZE - off);
}

/* Drops the pages from index first on.  Caller holds data_lock. */
static void cut_from(struct inode *i, uint64_t first)
{
	spin_lock(&i->pages_lock);
	free_range(i, &i->pages, i->height, first, UINT64_MAX);
	if (!i->pages)
		i->height = 0;
	spin_unlock(&i->pages_lock);
}

int tmpfs_truncate(struct inode *i, int64_t size)
{
	if (size < 0)
		return -EINVAL;
	rwmutex_write_lock(&i->data_lock);
	int err = check_seals(i, size, false);
	/* Not growing: pages past the end (fallocate's KEEP_SIZE) go too,
	 * as Linux's shmem_setattr drops them at an unchanged size. */
	if (!err && size <= i->size) {
		spin_lock(&i->pages_lock);
		zero_tail(i, size);
		spin_unlock(&i->pages_lock);
		cut_from(i, pages_for(size));
	}
	if (!err) {
		i->size = size;
		i->mtime_ns = i->ctime_ns = vfs_now();
	}
	rwmutex_write_unlock(&i->data_lock);
	return err;
}

/* Takes a page for every hole in [first, last]; 0 or -ENOSPC.  The pages
 * it took are listed through their first word (each holds the index + 1 of
 * the one taken before it; *taken the last one's), a list that costs no
 * memory: undo_allocation clears it or gives them back.  Caller holds
 * data_lock. */
static int allocate_range(struct inode *i, uint64_t first, uint64_t last, uint64_t *taken)
{
	for (uint64_t idx = first; idx <= last; idx++) {
		void **slot = slot_of(i, idx, true);
		if (!slot)
			return -ENOSPC;
		if (*slot)
			continue;
		uint64_t *page = page_get();
		if (!page)
			return -ENOSPC;
		*slot = (void *)((uintptr_t)page | UNWRITTEN);
		i->npages++;
		page[0] = *taken;
		*taken = idx + 1;
	}
	return 0;
}

/* After allocate_range: zeroes the list's words, or, when it failed, frees
 * the pages it took and the nodes left past the end of the file, as Linux
 * gives back what a failed fallocate took.  Caller holds data_lock. */
static void undo_allocation(struct inode *i, uint64_t taken, bool failed)
{
	while (taken) {
		void **slot = slot_of(i, taken - 1, false);
		uint64_t *page = page_in(*slot);
		taken = page[0];
		page[0] = 0;
		if (failed) {
			page_put(page);
			*slot = NULL;
			i->npages--;
		}
	}
	if (failed) {
		spin_unlock(&i->pages_lock);
		cut_from(i, pages_for(i->size));
		spin_lock(&i->pages_lock);
	}
}

int tmpfs_allocate(struct inode *i, int64_t off, int64_t len, bool keep_size)
{
	uint64_t taken = 0;

	if (off < 0 || len <= 0)
		return -EINVAL;
	if (off > MAX_FILE_SIZE - len)
		return -EFBIG;
	rwmutex_write_lock(&i->data_lock);
	bool grows = !keep_size && off + len > i->size;
	int err = check_seals(i, grows ? off + len : i->size, false);
	spin_lock(&i->pages_lock);
	if (!err)
		err = allocate_range(i, (uint64_t)off / PAGE_SIZE, (uint64_t)(off + len - 1) / PAGE_SIZE, &taken);
	undo_allocation(i, taken, err);
	spin_unlock(&i->pages_lock);
	if (!err && grows) {
		i->size = off + len;
		i->ctime_ns = vfs_now();
	}
	rwmutex_write_unlock(&i->data_lock);
	return err;
}

/* Zeroes bytes [from, to) of the file, which lie in one page, if it has
 * that page.  Caller holds pages_lock. */
static void zero_in_page(struct inode *i, uint64_t from, uint64_t to)
{
	char *page = from < to ? page_of(i, from / PAGE_SIZE, false, false) : NULL;

	if (page)
		memset(page + from % PAGE_SIZE, 0, to - from);
}

int tmpfs_punch(struct inode *i, int64_t off, int64_t len)
{
	if (off < 0 || len <= 0)
		return -EINVAL;
	if (off > MAX_FILE_SIZE - len)
		return -EFBIG;
	uint64_t start = (uint64_t)off, end = start + (uint64_t)len;
	uint64_t first = pages_for(off), last = end / PAGE_SIZE;	/* the whole pages */
	rwmutex_write_lock(&i->data_lock);
	int err = check_seals(i, i->size, true);
	if (!err) {
		spin_lock(&i->pages_lock);
		zero_in_page(i, start, end < first * PAGE_SIZE ? end : first * PAGE_SIZE);
		zero_in_page(i, (last > first ? last : first) * PAGE_SIZE, end);
		/* A mapping still holding a page keeps it until it lets go;
		 * emptied tree nodes stay until truncate or the file's end. */
		free_range(i, &i->pages, i->height, first, last);
		if (!i->pages)
			i->height = 0;
		spin_unlock(&i->pages_lock);
		i->mtime_ns = i->ctime_ns = vfs_now();
	}
	rwmutex_write_unlock(&i->data_lock);
	return err;
}

/* The inode is unreachable: no lock needed. */
void tmpfs_free(struct inode *i)
{
	free_range(i, &i->pages, i->height, 0, UINT64_MAX);
	i->height = 0;
}

/* ---- SEEK_DATA and SEEK_HOLE ---------------------------------------------- */

/* How many pages from idx on surely hold no data: 0 if page idx is there
 * and written, else the rest of the largest empty subtree holding it (1
 * for an UNWRITTEN page; UINT64_MAX past the tree).  Caller holds
 * pages_lock. */
static uint64_t missing_from(struct inode *i, uint64_t idx)
{
	if (idx >= capacity(i->height))
		return UINT64_MAX;
	void **slot = &i->pages;
	for (int level = i->height; level > 0; level--) {
		if (!*slot)
			return capacity(level) - idx % capacity(level);
		void **node = *slot;
		slot = &node[(idx >> (FANOUT_SHIFT * (level - 1))) & (FANOUT - 1)];
	}
	return *slot && !unwritten(*slot) ? 0 : 1;
}

/* Pages the file has are data, missing ones holes, and so are those only
 * fallocate made, as Linux's shmem_file_llseek; empty subtrees are
 * skipped whole, so a huge sparse file costs its pages, not its size. */
int64_t tmpfs_seek(struct inode *i, int64_t pos, bool hole)
{
	rwmutex_read_lock(&i->data_lock);
	int64_t size = i->size, found = hole ? size : -ENXIO;
	uint64_t idx = (uint64_t)pos / PAGE_SIZE, last = (uint64_t)(size - 1) / PAGE_SIZE;

	while (pos >= 0 && pos < size && idx <= last) {
		spin_lock(&i->pages_lock);
		uint64_t missing = missing_from(i, idx);
		spin_unlock(&i->pages_lock);
		if ((missing != 0) == hole) {
			int64_t at = (int64_t)(idx * PAGE_SIZE);
			found = at > pos ? at : pos;
			break;
		}
		idx = missing > last - idx ? last + 1 : idx + (missing ? missing : 1);
	}
	if (pos < 0 || pos >= size)
		found = -ENXIO;
	rwmutex_read_unlock(&i->data_lock);
	return found > size ? size : found;
}
