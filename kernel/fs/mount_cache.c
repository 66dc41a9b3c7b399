/* The cache of each mounted file system (fs/super.h, fs/mount.h): its
 * inodes, and its directories loaded from the store.
 *
 * Cached inodes of every mounted file system are found by (sb, ino) in one
 * hash (hard links: a second name of an inode already read is the same
 * inode).  Inodes leave it when they are freed, which may happen without
 * vfs_lock (vfs.h), so the hash has a spinlock of its own and a look-up
 * only takes an inode whose count has not reached zero yet.
 *
 * Eviction.  Past half as many cached inodes as RAM has pages (tmpfs's own
 * limit), a program's thread taking vfs_lock (mount_evict) gives back the
 * entries of cold directories, down to three quarters of that: a clock
 * over the hash, each directory looked into since the hand last passed it
 * (inode.recent) spared once.  A directory's entries go all together or
 * not at all, and only when nothing but the cache holds the directory
 * (no open file, cwd, watch) or any of them: each one's inode has no
 * reference but its name's (no open file, mapping, lock, watch, cwd, other
 * cached name), mounts nothing, and is no directory with entries of its
 * own.  Dirty pages go to the disk first.  The directory is then as one
 * never looked into (not loaded) and reads its entries from the store
 * again when next looked into.  So a pinned inode keeps its directory's
 * entries, hence every ancestor's (each has an entry that has entries),
 * and getcwd, /proc/self/fd and inotify's names keep working.  Between
 * passes the cache may grow past the mark while memory lasts (one big
 * directory in use, or everything pinned).
 */
#include "fs/mount.h"

#include "core/errno.h"
#include "core/kmalloc.h"
#include "core/page_alloc.h"
#include "core/spinlock.h"
#include "core/string.h"
#include "fs/pagecache.h"
#include "fs/vfs.h"
#include "fs/vfs_hash.h"

#define HASH_SIZE	4096
#define PICKS		16	/* directories taken from a bucket at a time */

static struct spinlock hash_lock = SPINLOCK_INIT;
/* Allocated at the first mount (under vfs_lock): a VM that mounts nothing
 * keeps its 64 KiB for the program (hello's least -m went from 2700K to
 * 2640K). */
static struct list *hash;
static uint64_t cached;		/* inodes of mounted file systems alive (atomic) */

/* What a load_dir call is for (under vfs_lock, which load_dir runs in). */
enum load_mode { LOAD_FIRST, LOAD_NEW, LOAD_ALL };
static enum load_mode loading;

static struct list *bucket(struct super *sb, uint64_t ino)
{
	uint64_t h = ((uintptr_t)sb >> 4) ^ (ino * 0x9e3779b97f4a7c15ull);
	return &hash[(h >> 20) % HASH_SIZE];
}

int mount_cache_init(void)
{
	if (hash)
		return 0;
	struct list *h = kmalloc(HASH_SIZE * sizeof *h);
	if (!h)
		return -ENOMEM;
	for (int k = 0; k < HASH_SIZE; k++)
		list_init(&h[k]);
	hash = h;
	return 0;
}

void mount_cache_add(struct inode *i)
{
	spin_lock(&hash_lock);
	list_add_tail(bucket(i->sb, i->ino), &i->sb_link);
	spin_unlock(&hash_lock);
}

/* The cached inode (sb, ino), referenced, or NULL. */
static struct inode *hash_get(struct super *sb, uint64_t ino)
{
	struct list *head = bucket(sb, ino), *l;
	struct inode *found = NULL;

	spin_lock(&hash_lock);
	list_for_each(l, head) {
		struct inode *i = list_entry(l, struct inode, sb_link);
		int refs = __atomic_load_n(&i->refs, __ATOMIC_RELAXED);
		if (i->sb != sb || i->ino != ino || !refs)
			continue;
		/* not yet zero: inode_free has not begun, and cannot
		 * before our reference is dropped */
		while (refs && !__atomic_compare_exchange_n(&i->refs, &refs, refs + 1, false,
							    __ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
			;
		if (refs) {
			found = i;
			break;
		}
	}
	spin_unlock(&hash_lock);
	return found;
}

void mount_inode_free(struct inode *i)
{
	if (!i->sb)
		return;
	__atomic_sub_fetch(&cached, 1, __ATOMIC_RELAXED);
	if (i->sb->ops->release_inode)
		i->sb->ops->release_inode(i);
	spin_lock(&hash_lock);
	list_del(&i->sb_link);
	spin_unlock(&hash_lock);
}

struct inode *super_inode_new(struct super *sb, uint32_t mode)
{
	struct inode *i = inode_new(mode, FS_MOUNTED);

	if (i) {
		i->sb = sb;
		i->ino = 0;
		__atomic_add_fetch(&cached, 1, __ATOMIC_RELAXED);
	}
	return i;
}

/* Drops dir's cached subtree, deepest entries first, without recursion
 * (a directory lives on while something holds it, e.g. as a cwd; it
 * loads again if looked into). */
void mount_forget_tree(struct inode *top)
{
	struct inode *d = top;

	for (;;) {
		struct dentry *e = list_empty(&d->entries) ? NULL
				   : list_entry(d->entries.next, struct dentry, link);
		if (e && is_dir(e->inode) && !list_empty(&e->inode->entries)) {
			d = e->inode;
			continue;
		}
		if (e) {
			if (is_dir(e->inode))
				e->inode->loaded = false;
			dir_forget(d, e);
			continue;
		}
		if (d == top)
			return;
		d = d->parent;
	}
}

/* The child's times stay the store's: dir_add stamps them as a creation. */
static int add_cached(struct inode *dir, const char *name, struct inode *i)
{
	int64_t t[3] = { i->atime_ns, i->mtime_ns, i->ctime_ns };
	int64_t dt[2] = { dir->mtime_ns, dir->ctime_ns };
	int err = dir_add(dir, name, i);

	if (err)
		return err;
	i->nlink--;	/* read_inode counted this name already */
	if (is_dir(i))
		dir->nlink--;
	i->atime_ns = t[0], i->mtime_ns = t[1], i->ctime_ns = t[2];
	dir->mtime_ns = dt[0], dir->ctime_ns = dt[1];
	return 0;
}

/* A name a reload finds again: the same inode is only marked; another one
 * replaces it. */
static bool known(struct inode *dir, const char *name, uint64_t ino)
{
	struct dentry *d = vfs_hash_find(dir, name, strlen(name));

	if (!d)
		return false;
	if (loading != LOAD_ALL || d->inode->mounted) {
		d->seen = true;
		return true;
	}
	if (d->inode->ino == ino) {
		d->seen = true;	/* its attributes are read again when looked up */
		return true;
	}
	if (is_dir(d->inode)) {
		mount_forget_tree(d->inode);
		d->inode->loaded = false;
	}
	dir_forget(dir, d);
	return false;
}

int super_add_entry(struct inode *dir, const char *name, uint64_t ino)
{
	struct super *sb = dir->sb;

	if (known(dir, name, ino))
		return 0;
	struct inode *i = hash_get(sb, ino);
	if (i && is_dir(i) && i->self) {
		inode_put(i);	/* a directory has one name: a second one is ignored */
		return 0;
	}
	if (!i) {
		if (!(i = super_inode_new(sb, 0)))
			return -ENOMEM;
		i->ino = ino;
		int err = sb->ops->read_inode(sb, ino, i);
		if (err) {
			inode_put(i);
			return err;
		}
		mount_cache_add(i);
	}
	int err = add_cached(dir, name, i);
	if (!err)
		list_entry(dir->entries.prev, struct dentry, link)->seen = true;	/* dir_add appends */
	inode_put(i);
	return err;
}

int mount_refresh(struct inode *i)
{
	if (!i->sb || !i->sb->live)
		return 0;
	uint32_t nlink = i->nlink;
	int err = i->sb->ops->read_inode(i->sb, i->ino, i);
	if (is_dir(i))
		i->nlink = nlink;	/* the cache counts its subdirectories */
	return err;
}

/* After a full reload: the names the store no longer has. */
static void forget_unseen(struct inode *dir)
{
	struct list *l, *n;

	list_for_each_safe(l, n, &dir->entries) {
		struct dentry *d = list_entry(l, struct dentry, link);
		if (d->seen || d->inode->mounted)
			continue;
		if (is_dir(d->inode)) {
			mount_forget_tree(d->inode);
			d->inode->loaded = false;
		}
		dir_forget(dir, d);
	}
}

int mount_load_dir(struct inode *dir, enum mount_load why)
{
	struct super *sb = dir->sb;
	struct list *l;

	if (sb)
		dir->recent = true;
	if (!sb || !dir->nlink || (dir->loaded && (!sb->live || why == MOUNT_LOAD_ONCE)))
		return 0;
	enum load_mode mode = !dir->loaded ? LOAD_FIRST : why == MOUNT_LOAD_LIST ? LOAD_ALL : LOAD_NEW;
	/* open(O_CREAT) looks a missing name up twice: once is enough */
	if (mode == LOAD_NEW && dir->miss_epoch == vfs_lock_epoch())
		return 0;
	if (mode == LOAD_NEW)
		dir->miss_epoch = vfs_lock_epoch();
	list_for_each(l, &dir->entries)
		list_entry(l, struct dentry, link)->seen = false;
	dir->loaded = true;	/* super_add_entry's dir_add must not load it again */
	loading = mode;
	int err = sb->ops->load_dir(dir);
	if (err && mode == LOAD_FIRST) {
		mount_forget_tree(dir);
		dir->loaded = false;
	}
	if (!err && mode == LOAD_ALL)
		forget_unseen(dir);
	return err;
}

/* sb's cached inodes that lost their last name, each referenced, in a
 * new array (*n of them); NULL with *n = 0 if none or no memory. */
static struct inode **unnamed_inodes(struct super *sb, size_t *n)
{
	struct inode **found = NULL;
	size_t count = 0, room = 0;

	for (;;) {
		spin_lock(&hash_lock);
		count = 0;
		for (int k = 0; k < HASH_SIZE; k++) {
			struct list *l;
			list_for_each(l, &hash[k]) {
				struct inode *i = list_entry(l, struct inode, sb_link);
				if (i->sb != sb || i->nlink)
					continue;
				if (count < room) {
					__atomic_add_fetch(&i->refs, 1, __ATOMIC_RELAXED);
					found[count] = i;
				}
				count++;
			}
		}
		spin_unlock(&hash_lock);
		if (count <= room)
			break;
		/* More than the array holds: give the references back and
		 * count again with room for all (the lock cannot be held
		 * across kmalloc). */
		for (size_t k = 0; k < room; k++)
			inode_put(found[k]);
		kfree(found);
		room = count + 16;
		if (!(found = kmalloc(room * sizeof *found))) {
			count = 0;
			break;
		}
	}
	*n = count;
	return found;
}

void mount_release_unnamed(struct super *sb)
{
	size_t n;
	struct inode **found = unnamed_inodes(sb, &n);

	for (size_t k = 0; k < n; k++) {
		if (sb->ops->release_inode)
			sb->ops->release_inode(found[k]);
		inode_put(found[k]);
	}
	kfree(found);
}

bool mount_cache_busy(struct super *sb, int extra)
{
	long refs = 0, expected = 1 + extra;	/* the super's on its root */
	bool mounts = false;

	spin_lock(&hash_lock);
	for (int k = 0; k < HASH_SIZE; k++) {
		struct list *l;
		list_for_each(l, &hash[k]) {
			struct inode *i = list_entry(l, struct inode, sb_link);
			if (i->sb != sb)
				continue;
			refs += __atomic_load_n(&i->refs, __ATOMIC_RELAXED);
			mounts |= i->mounted != NULL;
			if (is_dir(i))
				expected += i->nentries + (i->parent && i->parent != i);
		}
	}
	spin_unlock(&hash_lock);
	return mounts || refs != expected;
}

/* A loaded directory only the cache holds: its name's reference (the
 * super's for a root) and its subdirectories' parent pointers.  With
 * vfs_lock held it cannot be freed: only a change to the tree, under
 * vfs_lock, can drop its name.  Caller holds hash_lock too. */
static bool evictable_dir(struct inode *d)
{
	return is_dir(d) && d->loaded && !list_empty(&d->entries) && !d->mounted &&
	       (d->self || d == d->sb->root) &&
	       __atomic_load_n(&d->refs, __ATOMIC_RELAXED) == 1 + (int)d->nsubdirs;
}

/* An entry's inode that nothing but its one cached name holds. */
static bool cold(struct inode *i)
{
	if (__atomic_load_n(&i->refs, __ATOMIC_RELAXED) != 1 || i->mounted || i->fifo || i->write_count ||
	    i->mapped.nmaps || !list_empty(&i->watches) || !list_empty(&i->locks))
		return false;
	return !is_dir(i) || list_empty(&i->entries);
}

/* Whether every entry of dir is cold; *pages: one has cached pages. */
static bool all_cold(struct inode *dir, bool *pages)
{
	struct list *l;

	*pages = false;
	list_for_each(l, &dir->entries) {
		struct inode *i = list_entry(l, struct dentry, link)->inode;
		if (!cold(i))
			return false;
		*pages |= i->pcache != NULL;
	}
	return true;
}

/* Forgets dir's entries if all are cold, their dirty pages written first
 * (a write-back that fails keeps them: no error is lost unseen). */
static void evict_entries(struct inode *dir)
{
	bool pages;

	if (!all_cold(dir, &pages))
		return;
	if (pages && dir->sb->bdev && (pcache_writeback(dir->sb->bdev) || !all_cold(dir, &pages)))
		return;
	while (!list_empty(&dir->entries))
		dir_forget(dir, list_entry(dir->entries.next, struct dentry, link));
	dir->loaded = false;
}

/* Up to PICKS evictable directories of bucket k not looked into since
 * the last pass (which are marked for the next). */
static int pick(unsigned k, struct inode **out)
{
	struct list *l;
	int n = 0;

	spin_lock(&hash_lock);
	list_for_each(l, &hash[k]) {
		struct inode *i = list_entry(l, struct inode, sb_link);
		if (n == PICKS || !evictable_dir(i))
			continue;
		if (i->recent)
			i->recent = false;
		else
			out[n++] = i;
	}
	spin_unlock(&hash_lock);
	return n;
}

/* One bucket's picks.  Evicting one only frees entries without entries
 * of their own, which no pick is: each pick stays valid. */
static void evict_bucket(unsigned k)
{
	struct inode *picked[PICKS];
	int n = pick(k, picked);

	for (int j = 0; j < n; j++)
		evict_entries(picked[j]);
}

void mount_evict(void)
{
	static unsigned hand;
	static uint64_t next_pass;	/* cached count the next pass waits for */
	uint64_t high = page_total_count() / 2, low = high * 3 / 4;
	uint64_t n = __atomic_load_n(&cached, __ATOMIC_RELAXED);

	if (!hash || n < high || n < next_pass)
		return;
	for (unsigned k = 0; k < HASH_SIZE && __atomic_load_n(&cached, __ATOMIC_RELAXED) > low; k++) {
		evict_bucket(hand);
		hand = (hand + 1) % HASH_SIZE;
	}
	/* Short of the low mark, everything left is in use or recent: the
	 * next pass waits till an eighth more is cached, not the next call. */
	n = __atomic_load_n(&cached, __ATOMIC_RELAXED);
	next_pass = n > low ? n + high / 8 : 0;
}
