/* ext4 extent trees, write side: a new block joins the extent before it
 * when it continues it, else becomes an extent of its own; a full node
 * splits (the root, 4 entries in the inode, moves into a new block and the
 * tree grows a level); truncation frees extents, tree blocks that empty,
 * and pulls a lone small child back into the root; a punched hole takes
 * its range out of the extents it meets, leaf by leaf. */
#include "fs/ext4_internal.h"

#include "core/errno.h"
#include "core/string.h"
#include "fs/bcache.h"
#include "fs/ext4_extents.h"

struct level {
	struct buf *b;			/* NULL for the root */
	struct ext4_extent_header *h;
	unsigned pos;			/* the entry followed down (index levels) */
};

static uint32_t *key(struct ext4_extent_header *h, unsigned k)
{
	return &((struct ext4_extent *)(h + 1) + k)->ee_block;	/* first field of either kind */
}

/* Writes a changed node: a block's checksum and dirty mark (the root is
 * in the inode, which the caller writes). */
static void node_changed(struct ext4_fs *fs, struct ext4_inode *ei, struct level *l)
{
	if (!l->b)
		return;
	ext4_ext_block_csum_set(fs, ei, l->b->data);
	bcache_dirty(l->b);
}

static void put_path(struct level *path, int n)
{
	for (int i = 0; i < n; i++)
		if (path[i].b)
			bcache_put(path[i].b);
}

/* The path from the root to the leaf where lblk belongs: n levels. */
static int find_path(struct ext4_fs *fs, struct ext4_inode *ei, uint64_t lblk, struct level *path, int *n)
{
	struct ext4_extent_header *h = ext4_ext_root(ei);

	if (!ext4_ext_header_ok(fs, h, 4, h->eh_depth) || h->eh_depth > EXT4_EXT_MAX_DEPTH)
		return ext4_corrupt(fs, "bad extent root", ei->ino);
	path[0] = (struct level){ NULL, h, 0 };
	*n = 1;
	for (unsigned depth = h->eh_depth; depth > 0; depth--) {
		struct level *l = &path[*n - 1];
		unsigned k = 0;
		while (k + 1 < l->h->eh_entries && *key(l->h, k + 1) <= lblk)
			k++;
		l->pos = k;
		if (l->h->eh_entries == 0)
			return ext4_corrupt(fs, "empty extent index", ei->ino);
		struct ext4_extent_idx *x = (struct ext4_extent_idx *)(l->h + 1) + k;
		struct buf *b;
		int err = ext4_ext_read_node(fs, ei, ext4_idx_leaf(x), depth - 1, &b);
		if (err)
			return err;
		path[(*n)++] = (struct level){ b, (void *)b->data, 0 };
	}
	return 0;
}

/* Inserts a 12-byte entry in key order into a node with room: its position. */
static unsigned node_insert(struct ext4_extent_header *h, const void *entry)
{
	uint32_t k0;
	unsigned pos = 0;

	memcpy(&k0, entry, 4);
	while (pos < h->eh_entries && *key(h, pos) < k0)
		pos++;
	uint8_t *base = (uint8_t *)(h + 1);
	memmove(base + (pos + 1) * 12, base + pos * 12, (size_t)(h->eh_entries - pos) * 12);
	memcpy(base + pos * 12, entry, 12);
	h->eh_entries++;
	return pos;
}

static int new_node(struct ext4_fs *fs, struct ext4_inode *ei, uint64_t goal, unsigned depth, struct level *l)
{
	uint64_t blk;
	int err = ext4_block_alloc(fs, goal, &blk);

	if (!err)
		err = bcache_new_block(fs->bc, blk, EXT4_AS_EXTENTS, &l->b);
	if (err)
		return err;
	ext4_inode_add_blocks(fs, ei, 1);
	l->h = (void *)l->b->data;
	*l->h = (struct ext4_extent_header){ EXT4_EXT_MAGIC, 0, (uint16_t)ext4_ext_block_room(fs),
					     (uint16_t)depth, 0 };
	return 0;
}

static void set_idx(struct ext4_extent_idx *x, uint32_t lblk, uint64_t blk)
{
	*x = (struct ext4_extent_idx){ lblk, (uint32_t)blk, (uint16_t)(blk >> 32), 0 };
}

static int ext_insert(struct ext4_fs *fs, struct ext4_inode *ei, struct level *path, int lvl, const void *entry,
		  uint64_t goal);

/* An index key equals the first key of the node it leads to (e2fsck
 * checks): a new first key in path[lvl] goes up as far as it is first. */
static void fix_keys(struct ext4_fs *fs, struct ext4_inode *ei, struct level *path, int lvl)
{
	for (int up = lvl; up > 0; up--) {
		struct level *p = &path[up - 1];
		uint32_t *pk = key(p->h, p->pos);
		if (*pk == *key(path[up].h, 0))
			break;
		*pk = *key(path[up].h, 0);
		node_changed(fs, ei, p);
		if (p->pos)
			break;
	}
}

/* The root is full: its entries move to a new block below it and the root
 * becomes an index of that one block; then the entry goes into it. */
static int grow(struct ext4_fs *fs, struct ext4_inode *ei, struct level *root, const void *entry, uint64_t goal)
{
	struct level child;
	int err = new_node(fs, ei, goal, root->h->eh_depth, &child);

	if (err)
		return err;
	memcpy(child.h + 1, root->h + 1, (size_t)root->h->eh_entries * 12);
	child.h->eh_entries = root->h->eh_entries;
	node_insert(child.h, entry);
	uint32_t first = *key(child.h, 0);
	root->h->eh_depth++;
	root->h->eh_entries = 1;
	set_idx((struct ext4_extent_idx *)(root->h + 1), first, child.b->blk);
	node_changed(fs, ei, &child);
	bcache_put(child.b);
	return 0;
}

/* A full node below the root splits: the upper half (none when the entry
 * goes after every key, the common append) moves to a new sibling, which
 * the parent then indexes. */
static int split(struct ext4_fs *fs, struct ext4_inode *ei, struct level *path, int lvl, const void *entry,
		 uint64_t goal)
{
	struct level *l = &path[lvl], right;
	uint32_t k0;
	int err = new_node(fs, ei, goal, l->h->eh_depth, &right);

	if (err)
		return err;
	memcpy(&k0, entry, 4);
	unsigned n = l->h->eh_entries, keep = k0 > *key(l->h, n - 1) ? n : n / 2;
	memcpy(right.h + 1, (uint8_t *)(l->h + 1) + keep * 12, (size_t)(n - keep) * 12);
	right.h->eh_entries = (uint16_t)(n - keep);
	l->h->eh_entries = (uint16_t)keep;
	node_insert(keep < n && k0 < *key(right.h, 0) ? l->h : right.h, entry);
	node_changed(fs, ei, l);
	fix_keys(fs, ei, path, lvl);
	node_changed(fs, ei, &right);
	struct ext4_extent_idx x;
	set_idx(&x, *key(right.h, 0), right.b->blk);
	bcache_put(right.b);
	return ext_insert(fs, ei, path, lvl - 1, &x, goal);
}

static int ext_insert(struct ext4_fs *fs, struct ext4_inode *ei, struct level *path, int lvl, const void *entry,
		  uint64_t goal)
{
	struct level *l = &path[lvl];

	if (l->h->eh_entries >= l->h->eh_max)
		return lvl == 0 ? grow(fs, ei, l, entry, goal) : split(fs, ei, path, lvl, entry, goal);
	node_insert(l->h, entry);
	node_changed(fs, ei, l);
	fix_keys(fs, ei, path, lvl);
	return 0;
}

static bool is_unwritten(const struct ext4_extent *e) { return e->ee_len > EXT4_EXT_INIT_MAX_LEN; }

/* The longest extent of each kind: an unwritten one's length is stored
 * plus 32768. */
static unsigned max_len(bool unwritten)
{
	return unwritten ? EXT4_EXT_INIT_MAX_LEN - 1 : EXT4_EXT_INIT_MAX_LEN;
}

static struct ext4_extent make_extent(uint64_t lblk, uint64_t pblk, unsigned len, bool unwritten)
{
	return (struct ext4_extent){ (uint32_t)lblk, (uint16_t)(len + (unwritten ? EXT4_EXT_INIT_MAX_LEN : 0)),
				     (uint16_t)(pblk >> 32), (uint32_t)pblk };
}

/* The leaf entry that holds lblk, or -1. */
static int holding(struct level *leaf, uint64_t lblk)
{
	struct ext4_extent *e = (struct ext4_extent *)(leaf->h + 1);

	for (unsigned k = 0; k < leaf->h->eh_entries; k++)
		if (e[k].ee_block <= lblk && lblk < e[k].ee_block + (uint64_t)ext4_ext_len(&e[k]))
			return (int)k;
	return -1;
}

/* Maps the hole lblk to pblk in a leaf of path: the extent before it
 * grows when it continues it with the same kind, the one after it grows
 * downwards likewise, else a new extent goes in. */
static int map_into(struct ext4_fs *fs, struct ext4_inode *ei, struct level *path, int n, uint64_t lblk,
		    uint64_t pblk, bool unwritten)
{
	struct level *leaf = &path[n - 1];
	struct ext4_extent *e = (struct ext4_extent *)(leaf->h + 1);

	for (unsigned k = 0; k < leaf->h->eh_entries; k++) {
		unsigned len = ext4_ext_len(&e[k]);
		if (is_unwritten(&e[k]) != unwritten || len >= max_len(unwritten))
			continue;
		bool before = e[k].ee_block + (uint64_t)len == lblk && ext4_ext_start(&e[k]) + len == pblk &&
			      (k + 1 == leaf->h->eh_entries || e[k + 1].ee_block > lblk);
		bool after = e[k].ee_block == lblk + 1 && ext4_ext_start(&e[k]) == pblk + 1 &&
			     (k == 0 || e[k - 1].ee_block + (uint64_t)ext4_ext_len(&e[k - 1]) <= lblk);
		if (before || after) {
			e[k] = make_extent(before ? e[k].ee_block : lblk, before ? ext4_ext_start(&e[k]) : pblk,
					   len + 1, unwritten);
			node_changed(fs, ei, leaf);
			if (after)
				fix_keys(fs, ei, path, n - 1);
			return 0;
		}
	}
	struct ext4_extent ne = make_extent(lblk, pblk, 1, unwritten);
	return ext_insert(fs, ei, path, n - 1, &ne, pblk);
}

static int set_block(struct ext4_fs *fs, struct ext4_inode *ei, uint64_t lblk, uint64_t pblk, bool unwritten)
{
	struct level path[EXT4_EXT_MAX_DEPTH + 1];
	int n = 0, err = find_path(fs, ei, lblk, path, &n);

	if (!err && holding(&path[n - 1], lblk) >= 0)
		err = -EEXIST;	/* the caller's map said hole: the tree changed under it */
	if (!err)
		err = map_into(fs, ei, path, n, lblk, pblk, unwritten);
	put_path(path, n);
	return err;
}

int ext4_ext_set(struct ext4_fs *fs, struct ext4_inode *ei, uint64_t lblk, uint64_t pblk)
{
	return set_block(fs, ei, lblk, pblk, false);
}

int ext4_ext_set_unwritten(struct ext4_fs *fs, struct ext4_inode *ei, uint64_t lblk, uint64_t pblk)
{
	return set_block(fs, ei, lblk, pblk, true);
}

/* Takes block lblk out of the unwritten extent k of the leaf, leaving a
 * hole there: the extent shrinks from an end, or splits around it (the
 * upper part inserted).  Its physical block in *pblk.  1 when the extent
 * was that one block: it is written now, no hole left. */
static int cut_out(struct ext4_fs *fs, struct ext4_inode *ei, struct level *path, int n, int k, uint64_t lblk,
		   uint64_t *pblk)
{
	struct level *leaf = &path[n - 1];
	struct ext4_extent *e = (struct ext4_extent *)(leaf->h + 1) + k;
	uint64_t first = e->ee_block, start = ext4_ext_start(e), off = lblk - first;
	unsigned len = ext4_ext_len(e);

	*pblk = start + off;
	if (!ext4_block_ok(fs, start) || !ext4_block_ok(fs, start + len - 1))
		return ext4_corrupt(fs, "bad extent", ei->ino);
	if (len == 1) {
		*e = make_extent(first, start, 1, false);
		node_changed(fs, ei, leaf);
		return 1;
	}
	if (off == 0) {
		*e = make_extent(first + 1, start + 1, len - 1, true);
	} else {
		*e = make_extent(first, start, (unsigned)off, true);
		if (off + 1 < len) {
			struct ext4_extent upper = make_extent(lblk + 1, *pblk + 1, len - (unsigned)off - 1, true);
			node_changed(fs, ei, leaf);
			return ext_insert(fs, ei, path, n - 1, &upper, *pblk);
		}
	}
	node_changed(fs, ei, leaf);
	if (k == 0)
		fix_keys(fs, ei, path, n - 1);
	return 0;
}

int ext4_ext_convert(struct ext4_fs *fs, struct ext4_inode *ei, uint64_t lblk, uint64_t *pblk)
{
	struct level path[EXT4_EXT_MAX_DEPTH + 1];
	int n = 0, err = find_path(fs, ei, lblk, path, &n);

	*pblk = 0;
	if (!err) {
		int k = holding(&path[n - 1], lblk);
		struct ext4_extent *e = (struct ext4_extent *)(path[n - 1].h + 1);
		if (k < 0 || !is_unwritten(&e[k])) {
			put_path(path, n);
			return 0;
		}
		err = cut_out(fs, ei, path, n, k, lblk, pblk);
	}
	put_path(path, n);
	/* The tree may have split: find the leaf for lblk again. */
	return err ? (err < 0 ? err : 0) : set_block(fs, ei, lblk, *pblk, false);
}

/* ---- truncation ---------------------------------------------------------- */

static int free_run(struct ext4_fs *fs, struct ext4_inode *ei, uint64_t start, uint64_t len)
{
	for (uint64_t k = 0; k < len; k++) {
		int err = ext4_block_free(fs, start + k);
		if (err)
			return err;
		ext4_inode_add_blocks(fs, ei, -1);
	}
	return 0;
}

static int trunc_leaf(struct ext4_fs *fs, struct ext4_inode *ei, struct ext4_extent_header *h, uint64_t lblk)
{
	struct ext4_extent *e = (struct ext4_extent *)(h + 1);

	while (h->eh_entries) {
		struct ext4_extent *last = &e[h->eh_entries - 1];
		uint64_t len = ext4_ext_len(last), start = ext4_ext_start(last);
		if (last->ee_block + len <= lblk)
			break;
		uint64_t keep = last->ee_block >= lblk ? 0 : lblk - last->ee_block;
		if (len == 0 || !ext4_block_ok(fs, start) || !ext4_block_ok(fs, start + len - 1))
			return ext4_corrupt(fs, "bad extent", ei->ino);
		int err = free_run(fs, ei, start + keep, len - keep);
		if (err)
			return err;
		if (keep == 0)
			h->eh_entries--;
		else
			last->ee_len = (uint16_t)(keep + (last->ee_len > EXT4_EXT_INIT_MAX_LEN ?
							  EXT4_EXT_INIT_MAX_LEN : 0));
	}
	return 0;
}

static int ext_trunc_node(struct ext4_fs *fs, struct ext4_inode *ei, struct ext4_extent_header *h, uint64_t lblk)
{
	if (h->eh_depth == 0)
		return trunc_leaf(fs, ei, h, lblk);
	while (h->eh_entries) {
		struct ext4_extent_idx *x = (struct ext4_extent_idx *)(h + 1) + h->eh_entries - 1;
		struct level c;
		uint32_t first = x->ei_block;
		/* A node two entries name: walked once. */
		int err = ext4_block_check_taken(fs, ext4_idx_leaf(x));
		if (!err)
			err = ext4_ext_read_node(fs, ei, ext4_idx_leaf(x), h->eh_depth - 1u, &c.b);
		if (err)
			return err;
		c.h = (void *)c.b->data;
		err = ext_trunc_node(fs, ei, c.h, lblk);
		bool empty = c.h->eh_entries == 0;
		if (!err && empty) {
			uint64_t blk = c.b->blk;
			bcache_put(c.b);
			err = free_run(fs, ei, blk, 1);
			h->eh_entries--;
		} else {
			node_changed(fs, ei, &c);
			bcache_put(c.b);
		}
		if (err || first <= lblk)
			return err;
	}
	return 0;
}

/* A root indexing one child small enough to fit in the inode takes the
 * child's entries (e2fsck would call the tree "could be shallower"). */
static int collapse(struct ext4_fs *fs, struct ext4_inode *ei)
{
	struct ext4_extent_header *root = ext4_ext_root(ei);

	while (root->eh_depth > 0 && root->eh_entries <= 1) {
		if (root->eh_entries == 0) {
			root->eh_depth = 0;
			break;
		}
		struct ext4_extent_idx *x = (struct ext4_extent_idx *)(root + 1);
		struct buf *b;
		int err = ext4_ext_read_node(fs, ei, ext4_idx_leaf(x), root->eh_depth - 1u, &b);
		if (err)
			return err;
		struct ext4_extent_header *c = (void *)b->data;
		uint64_t blk = b->blk;
		bool fits = c->eh_entries <= 4;
		if (fits) {
			memcpy(root + 1, c + 1, (size_t)c->eh_entries * 12);
			root->eh_entries = c->eh_entries;
			root->eh_depth = c->eh_depth;
		}
		bcache_put(b);
		if (!fits)
			break;
		if ((err = free_run(fs, ei, blk, 1)))
			return err;
	}
	return 0;
}

int ext4_ext_truncate(struct ext4_fs *fs, struct ext4_inode *ei, uint64_t lblk)
{
	struct ext4_extent_header *root = ext4_ext_root(ei);

	if (!ext4_ext_header_ok(fs, root, 4, root->eh_depth) || root->eh_depth > EXT4_EXT_MAX_DEPTH)
		return ext4_corrupt(fs, "bad extent root", ei->ino);
	int err = ext_trunc_node(fs, ei, root, lblk);
	return err ? err : collapse(fs, ei);
}

bool ext4_ext_mapped(struct ext4_fs *fs, struct ext4_inode *ei, uint64_t lblk)
{
	struct level path[EXT4_EXT_MAX_DEPTH + 1];
	int n = 0;
	bool mapped = !find_path(fs, ei, lblk, path, &n) && holding(&path[n - 1], lblk) >= 0;

	put_path(path, n);
	return mapped;
}

/* ---- punching a hole -------------------------------------------------------- */

static void node_remove(struct ext4_extent_header *h, unsigned k)
{
	uint8_t *base = (uint8_t *)(h + 1);

	memmove(base + k * 12, base + (k + 1) * 12, (size_t)(h->eh_entries - k - 1) * 12);
	h->eh_entries--;
}

/* The first key of the leaf after path's, or UINT64_MAX after the last. */
static uint64_t next_leaf_key(struct level *path, int n)
{
	for (int lvl = n - 2; lvl >= 0; lvl--)
		if (path[lvl].pos + 1u < path[lvl].h->eh_entries)
			return *key(path[lvl].h, path[lvl].pos + 1);
	return UINT64_MAX;
}

/* path[lvl], below the root, has no entries left: its block is freed and
 * its parent's entry for it removed, up as far as nodes empty.  An empty
 * root becomes an empty leaf. */
static int drop_empty(struct ext4_fs *fs, struct ext4_inode *ei, struct level *path, int lvl)
{
	for (; lvl > 0 && path[lvl].h->eh_entries == 0; lvl--) {
		uint64_t blk = path[lvl].b->blk;
		bcache_put(path[lvl].b);
		path[lvl].b = NULL;	/* put_path must not put it again */
		int err = free_run(fs, ei, blk, 1);
		if (err)
			return err;
		struct level *parent = &path[lvl - 1];
		node_remove(parent->h, parent->pos);
		node_changed(fs, ei, parent);
		if (parent->h->eh_entries && parent->pos == 0)
			fix_keys(fs, ei, path, lvl - 1);
	}
	if (lvl == 0 && path[0].h->eh_entries == 0)
		path[0].h->eh_depth = 0;
	return 0;
}

/* Leaf entry k holds [s, s + len) and the hole [from, to) begins in it
 * and goes past its start or its end (not both inside).  Shrinks it, or
 * removes it, and frees those blocks. */
static int cut_range(struct ext4_fs *fs, struct ext4_inode *ei, struct level *path, int n, unsigned k,
		     uint64_t from, uint64_t to)
{
	struct level *leaf = &path[n - 1];
	struct ext4_extent *e = (struct ext4_extent *)(leaf->h + 1) + k;
	uint64_t s = e->ee_block, p = ext4_ext_start(e);
	uint64_t len = ext4_ext_len(e);
	bool unwritten = is_unwritten(e);

	if (from == s && to == s + len) {
		node_remove(leaf->h, k);
	} else if (from == s) {
		*e = make_extent(to, p + (to - s), (unsigned)(s + len - to), unwritten);
	} else {
		*e = make_extent(s, p, (unsigned)(from - s), unwritten);
	}
	node_changed(fs, ei, leaf);
	if (k == 0 && leaf->h->eh_entries)
		fix_keys(fs, ei, path, n - 1);
	int err = free_run(fs, ei, p + (from - s), to - from);
	if (!err && leaf->h->eh_entries == 0)
		err = drop_empty(fs, ei, path, n - 1);
	return err;
}

/* The hole [from, to) lies strictly inside the extent that starts at s,
 * whose upper part [to, ...) is in the tree already as an extent of its
 * own: the extent, found again (the tree may have split), ends at from. */
static int cut_inside(struct ext4_fs *fs, struct ext4_inode *ei, uint64_t s, uint64_t from, uint64_t to)
{
	struct level path[EXT4_EXT_MAX_DEPTH + 1];
	int n = 0, err = find_path(fs, ei, s, path, &n);
	int k = err ? -1 : holding(&path[n - 1], s);

	if (!err && k < 0)
		err = ext4_corrupt(fs, "extent lost in a split", ei->ino);
	if (!err)
		err = cut_range(fs, ei, path, n, (unsigned)k, from, to);
	put_path(path, n);
	return err;
}

/* One step of the punch from *lblk on: the first extent it meets loses
 * its part of [*lblk, to), or a hole is stepped over; *lblk moves on.  A
 * hole strictly inside one extent splits it: its upper part goes in as an
 * extent of its own first (the tree may split, which fails with nothing
 * changed when no block is free), then the lower part is cut. */
static int punch_step(struct ext4_fs *fs, struct ext4_inode *ei, uint64_t *lblk, uint64_t to)
{
	struct level path[EXT4_EXT_MAX_DEPTH + 1];
	int n = 0, err = find_path(fs, ei, *lblk, path, &n);

	if (err) {	/* n may be 0: no leaf to look at */
		put_path(path, n);
		return err;
	}
	struct level *leaf = &path[n - 1];
	struct ext4_extent *e = (struct ext4_extent *)(leaf->h + 1);
	unsigned k = 0;

	while (k < leaf->h->eh_entries && e[k].ee_block + (uint64_t)ext4_ext_len(&e[k]) <= *lblk)
		k++;
	if (k == leaf->h->eh_entries) {
		*lblk = next_leaf_key(path, n);
		put_path(path, n);
		return 0;
	}
	uint64_t s = e[k].ee_block, len = ext4_ext_len(&e[k]), p = ext4_ext_start(&e[k]);
	if (len == 0 || !ext4_block_ok(fs, p) || !ext4_block_ok(fs, p + len - 1))
		err = ext4_corrupt(fs, "bad extent", ei->ino);
	else if (s >= to || s > *lblk)
		*lblk = s;	/* a hole up to the next extent (maybe past the end) */
	else if (s < *lblk && to < s + len) {
		struct ext4_extent upper = make_extent(to, p + (to - s), (unsigned)(s + len - to), is_unwritten(&e[k]));
		err = ext_insert(fs, ei, path, n - 1, &upper, p);
		put_path(path, n);
		if (!err)
			err = cut_inside(fs, ei, s, *lblk, to);
		*lblk = to;
		return err;
	} else {
		uint64_t end = to < s + len ? to : s + len;
		err = cut_range(fs, ei, path, n, k, *lblk, end);
		*lblk = end;
	}
	put_path(path, n);
	return err;
}

int ext4_ext_punch(struct ext4_fs *fs, struct ext4_inode *ei, uint64_t from, uint64_t to)
{
	uint64_t lblk = from;
	int err = 0;

	while (!err && lblk < to)
		err = punch_step(fs, ei, &lblk, to);
	return err ? err : collapse(fs, ei);
}
