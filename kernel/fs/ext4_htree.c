/* ext4's directory index (htree), kept up to date as entries are added.
 *
 * Block 0 of an indexed directory is the root: "." and "..", an info
 * record (hash version, depth), then index entries (hash, logical block)
 * sorted by hash, the first one's hash implied 0 and its slot holding the
 * entries' limit and count.  With depth 1 the root's entries lead to node
 * blocks laid out the same way behind one empty record.  The last level's
 * entries lead to ordinary leaf blocks, each holding the names whose hash
 * is at least its entry's and below the next one's.
 *
 * A new name goes to the leaf its hash selects.  A full leaf is split at
 * the median hash into a new block at the directory's end, and the new
 * block's first hash is added to the index; a full root moves its entries
 * into a first node block (depth 0 to 1); a full node is split in two
 * under the root.  What would need a third level (largedir), a leaf whose
 * names all hash alike, or an unknown hash version is left to the caller
 * (ext4_dir_add), which drops the index.  Reading never uses the index:
 * ext4_dir.c scans every block; removing a name looks in the leaf the
 * index names first (ext4_htree_leaf). */
#include "fs/ext4_internal.h"

#include "core/errno.h"
#include "core/kmalloc.h"
#include "core/string.h"
#include "crc32c.h"
#include "fs/bcache.h"
#include "fs/ext4_dir.h"

#define FLAGS_UNSIGNED_HASH	0x2	/* s_flags: names hash as unsigned chars */
#define ROOT_INFO		24	/* after "." (12 bytes) and ".." (12 in the record) */
#define ROOT_ENTRIES		32
#define NODE_ENTRIES		8	/* after one empty record spanning the block */
#define CANNOT			1	/* ext4_htree_add's "drop the index" */

/* One index block on the way down: its buffer, where its entries start
 * and which entry the walk followed. */
struct level {
	struct buf *b;
	uint32_t off;
	unsigned at;
};

static uint32_t get32(const uint8_t *p) { uint32_t v; memcpy(&v, p, 4); return v; }
static void put32(uint8_t *p, uint32_t v) { memcpy(p, &v, 4); }
static uint16_t get16(const uint8_t *p) { uint16_t v; memcpy(&v, p, 2); return v; }
static void put16(uint8_t *p, uint16_t v) { memcpy(p, &v, 2); }

static uint8_t *entry(const struct level *l, unsigned i) { return l->b->data + l->off + 8 * i; }
static unsigned limit_of(const struct level *l) { return get16(entry(l, 0)); }
static unsigned count_of(const struct level *l) { return get16(entry(l, 0) + 2); }
static void set_count(struct level *l, unsigned n) { put16(entry(l, 0) + 2, (uint16_t)n); }
static uint32_t hash_at(const struct level *l, unsigned i) { return i ? get32(entry(l, i)) : 0; }
static uint32_t block_at(const struct level *l, unsigned i) { return get32(entry(l, i) + 4); }

static void set_entry(struct level *l, unsigned i, uint32_t hash, uint32_t block)
{
	if (i)
		put32(entry(l, i), hash);
	put32(entry(l, i) + 4, block);
}

/* How many entries an index block holds (the checksum tail takes one
 * slot's room). */
static unsigned limit_for(struct ext4_fs *fs, uint32_t off)
{
	return (fs->block_size - off - (fs->csum ? 8 : 0)) / 8;
}

/* An index block changed: its checksum tail (as ext4_dir.c checks it)
 * and its dirty mark. */
static void index_changed(struct ext4_fs *fs, struct ext4_inode *dir, struct level *l)
{
	if (fs->csum) {
		static const uint8_t zero[4];
		uint8_t *tail = entry(l, limit_of(l));
		uint32_t c = crc32c(dir->csum_seed, l->b->data, l->off + 8 * count_of(l));
		put32(tail, 0);
		put32(tail + 4, crc32c(crc32c(c, tail, 4), zero, 4));
	}
	bcache_dirty(l->b);
}

static void put_path(struct level *path, int depth)
{
	for (int i = 0; i < depth; i++)
		bcache_put(path[i].b);
}

/* The entry whose range holds hash: the last whose hash is at most it. */
static unsigned find_entry(const struct level *l, uint32_t hash)
{
	unsigned lo = 1, hi = count_of(l);

	while (lo < hi) {
		unsigned mid = (lo + hi) / 2;
		if (hash_at(l, mid) > hash)
			hi = mid;
		else
			lo = mid + 1;
	}
	return lo - 1;
}

/* Reads index block lblk (root or node) into l, checked. */
static int read_index(struct ext4_fs *fs, struct ext4_inode *dir, uint64_t lblk, struct level *l)
{
	int err = ext4_dir_read_block(fs, dir, lblk, &l->b);

	if (err)
		return err;
	if (!l->b)
		return ext4_corrupt(fs, "hole in a directory index", dir->ino);
	l->off = ext4_dx_count_offset(fs, dir, l->b->data, lblk);
	if (!l->off || count_of(l) == 0 || count_of(l) > limit_of(l) || limit_of(l) > limit_for(fs, l->off)) {
		bcache_put(l->b);
		return ext4_corrupt(fs, "bad directory index block", dir->ino);
	}
	return 0;
}

/* The hash version the root names, as ext4_name_hash takes it; -1 for
 * one the code does not know, or a depth beyond one node level. */
static int root_version(struct ext4_fs *fs, const uint8_t *root)
{
	const uint8_t *info = root + ROOT_INFO;
	unsigned version = info[4];

	if (get32(info) != 0 || info[5] != 8 || info[6] > 1 || version >= EXT4_HASH_UNSIGNED)
		return -1;
	return (int)(version + (fs->sb.s_flags & FLAGS_UNSIGNED_HASH ? EXT4_HASH_UNSIGNED : 0));
}

/* Walks from the root to the leaf for hash: path[0..*depth) held. */
static int probe(struct ext4_fs *fs, struct ext4_inode *dir, const char *name, unsigned len, uint32_t *hash,
		 struct level *path, int *depth, uint64_t *leaf)
{
	uint64_t nblocks = dir->size >> fs->log_block;
	int err = read_index(fs, dir, 0, &path[0]);

	*depth = 0;
	if (err)
		return err;
	*depth = 1;
	int version = root_version(fs, path[0].b->data);
	if (version < 0 || ext4_name_hash((unsigned)version, fs->sb.s_hash_seed, name, len, hash))
		return CANNOT;
	int levels = path[0].b->data[ROOT_INFO + 6];
	for (int d = 0;; d++) {
		path[d].at = find_entry(&path[d], *hash);
		uint64_t next = block_at(&path[d], path[d].at);
		if (next == 0 || next >= nblocks)
			return ext4_corrupt(fs, "directory index points outside the directory", dir->ino);
		if (d == levels) {
			*leaf = next;
			return 0;
		}
		if ((err = read_index(fs, dir, next, &path[d + 1])))
			return err;
		if (path[d + 1].off != NODE_ENTRIES) {
			bcache_put(path[d + 1].b);
			return ext4_corrupt(fs, "directory index node is not one", dir->ino);
		}
		*depth = d + 2;
	}
}

int ext4_htree_leaf(struct ext4_fs *fs, struct ext4_inode *dir, const char *name, unsigned len, uint64_t *leaf)
{
	struct level path[2];
	uint32_t hash;
	int depth, err = probe(fs, dir, name, len, &hash, path, &depth, leaf);

	put_path(path, depth);
	return err;
}

/* A new block at the directory's end, zeroed: its logical number. */
static int append_block(struct ext4_fs *fs, struct ext4_inode *dir, struct buf **out, uint32_t *lblk)
{
	uint64_t n = dir->size >> fs->log_block, pblk;

	if (n >= UINT32_MAX)
		return -ENOSPC;
	int err = ext4_get_block(fs, dir, n, true, &pblk, NULL);
	if (!err)
		err = bcache_new_block(fs->bc, pblk, EXT4_AS_DIR, out);
	if (err)
		return err;
	ext4_inode_set_size(dir, dir->size + fs->block_size);
	*lblk = (uint32_t)n;
	return 0;
}

/* A fresh node block: one empty record spanning it, then no entries. */
static int new_node(struct ext4_fs *fs, struct ext4_inode *dir, struct level *l, uint32_t *lblk)
{
	int err = append_block(fs, dir, &l->b, lblk);

	if (err)
		return err;
	ext4_set_rec_len(fs, (struct ext4_dirent *)l->b->data, fs->block_size);
	l->off = NODE_ENTRIES;
	put16(entry(l, 0), (uint16_t)limit_for(fs, NODE_ENTRIES));
	set_count(l, 0);
	return 0;
}

/* Opens a gap at entry i of a block with room and fills it. */
static void insert_at(struct level *l, unsigned i, uint32_t hash, uint32_t block)
{
	unsigned n = count_of(l);

	memmove(entry(l, i + 1), entry(l, i), 8 * (n - i));
	set_count(l, n + 1);
	set_entry(l, i, hash, block);
}

/* Moves entries [from, count) of src to the start of the empty dst
 * (entry from's hash then lives in the level above). */
static void move_entries(struct level *src, unsigned from, struct level *dst)
{
	unsigned n = count_of(src) - from;

	set_entry(dst, 0, 0, block_at(src, from));
	for (unsigned k = 1; k < n; k++)
		set_entry(dst, k, hash_at(src, from + k), block_at(src, from + k));
	set_count(dst, n);
	set_count(src, from);
}

/* The root is full: its entries move into a first node, the root keeps
 * one entry leading there.  path becomes root, node. */
static int grow(struct ext4_fs *fs, struct ext4_inode *dir, struct level *path, int *depth)
{
	uint32_t lblk;
	int err = new_node(fs, dir, &path[1], &lblk);

	if (err)
		return err;
	move_entries(&path[0], 0, &path[1]);
	path[1].at = path[0].at;
	set_count(&path[0], 1);
	set_entry(&path[0], 0, 0, lblk);
	path[0].at = 0;
	path[0].b->data[ROOT_INFO + 6] = 1;
	index_changed(fs, dir, &path[0]);
	*depth = 2;
	return 0;
}

/* The node is full: its upper half moves to a new node named in the
 * root.  path[1] becomes whichever half holds the followed entry. */
static int split_node(struct ext4_fs *fs, struct ext4_inode *dir, struct level *path)
{
	struct level *root = &path[0], *node = &path[1], other;
	unsigned half = count_of(node) / 2;
	uint32_t lblk;

	if (count_of(root) == limit_of(root))
		return CANNOT;
	int err = new_node(fs, dir, &other, &lblk);
	if (err)
		return err;
	uint32_t split = hash_at(node, half);
	move_entries(node, half, &other);
	insert_at(root, root->at + 1, split, lblk);
	index_changed(fs, dir, root);
	if (node->at >= half) {
		index_changed(fs, dir, node);
		bcache_put(node->b);
		other.at = node->at - half;
		*node = other;
	} else {
		index_changed(fs, dir, &other);
		bcache_put(other.b);
	}
	return 0;
}

/* Names the new leaf block lblk, whose names hash from hash on, right
 * after the entry that led to the split leaf. */
static int add_index_entry(struct ext4_fs *fs, struct ext4_inode *dir, struct level *path, int *depth,
			   uint32_t hash, uint32_t lblk)
{
	struct level *l = &path[*depth - 1];
	int err = 0;

	if (count_of(l) == limit_of(l))
		err = *depth == 1 ? grow(fs, dir, path, depth) : split_node(fs, dir, path);
	if (err)
		return err;
	l = &path[*depth - 1];
	insert_at(l, l->at + 1, hash, lblk);
	index_changed(fs, dir, l);
	return 0;
}

/* ---- leaves ---------------------------------------------------------------- */

struct record {
	uint32_t hash;
	uint32_t off;
};

/* The leaf's live records with their names' hashes, sorted by hash;
 * -EINVAL for records that do not chain to the leaf's end.  b is a copy
 * of the leaf taken before any allocation: a corrupt disk may name the
 * leaf as a bitmap too, and pack_leaf must see what was hashed. */
static int hash_records(struct ext4_fs *fs, int version, const uint8_t *b, struct record *r, unsigned *n)
{
	uint32_t off = 0, len;

	*n = 0;
	for (; (len = ext4_rec_at(fs, b, off, ext4_leaf_end(fs))); off += len) {
		const struct ext4_dirent *d = (const void *)(b + off);
		if (d->inode) {
			struct record x = { 0, off };
			if (ext4_name_hash((unsigned)version, fs->sb.s_hash_seed, d->name, d->name_len, &x.hash))
				return -EINVAL;
			unsigned k = (*n)++;
			for (; k > 0 && r[k - 1].hash > x.hash; k--)
				r[k] = r[k - 1];
			r[k] = x;
		}
	}
	return off == ext4_leaf_end(fs) ? 0 : -EINVAL;
}

/* Writes records [from, to) of src, packed, as the whole of leaf dst. */
static void pack_leaf(struct ext4_fs *fs, uint8_t *dst, const uint8_t *src, const struct record *r,
		      unsigned from, unsigned to)
{
	uint32_t at = 0;
	struct ext4_dirent *last = NULL;

	memset(dst, 0, fs->block_size);
	for (unsigned k = from; k < to; k++) {
		const struct ext4_dirent *s = (const void *)(src + r[k].off);
		uint32_t need = ext4_rec_need(s->name_len);
		last = (void *)(dst + at);
		memcpy(last, s, EXT4_DIRENT_HEADER + s->name_len);
		ext4_set_rec_len(fs, last, need);
		at += need;
	}
	ext4_set_rec_len(fs, last, ext4_leaf_end(fs) - (at - ext4_rec_need(last->name_len)));
}

/* Where a full leaf splits: about half its bytes below, and never
 * between two names of one hash (a look-up for that hash visits one
 * leaf).  0 if it cannot. */
static unsigned split_point(const uint8_t *b, const struct record *r, unsigned n)
{
	uint32_t total = 0, below = 0;
	unsigned m = 0;

	for (unsigned k = 0; k < n; k++)
		total += ext4_rec_need(((const struct ext4_dirent *)(b + r[k].off))->name_len);
	while (m < n && below < total / 2)
		below += ext4_rec_need(((const struct ext4_dirent *)(b + r[m++].off))->name_len);
	for (unsigned up = m; up < n; up++)
		if (up > 0 && r[up].hash != r[up - 1].hash)
			return up;
	for (unsigned down = m; down > 0; down--)
		if (down < n && r[down].hash != r[down - 1].hash)
			return down;
	return 0;
}

/* Splits the full leaf b in two, the upper hashes into a new block: its
 * first hash and logical number. */
static int split_leaf(struct ext4_fs *fs, struct ext4_inode *dir, int version, struct buf *b,
		      struct buf **nb, uint32_t *split_hash, uint32_t *lblk)
{
	unsigned most = fs->block_size / EXT4_DIRENT_HEADER, n, m;
	struct record *r = kmalloc(most * sizeof *r);
	uint8_t *copy = kmalloc(fs->block_size);
	int err = r && copy ? 0 : -ENOMEM;

	if (!err) {
		memcpy(copy, b->data, fs->block_size);
		err = hash_records(fs, version, copy, r, &n) ? CANNOT : 0;
	}
	if (!err && !(m = split_point(copy, r, n)))
		err = CANNOT;
	if (!err)
		err = append_block(fs, dir, nb, lblk);
	if (!err) {
		pack_leaf(fs, b->data, copy, r, 0, m);
		pack_leaf(fs, (*nb)->data, copy, r, m, n);
		ext4_leaf_changed(fs, dir, b);
		ext4_leaf_changed(fs, dir, *nb);
		*split_hash = r[m].hash;
	}
	kfree(r);
	kfree(copy);
	return err;
}

/* The entry into leaf b if it has room: true if it went in. */
static bool put_in_leaf(struct ext4_fs *fs, struct ext4_inode *dir, struct buf *b, const char *name,
			unsigned len, uint64_t ino, uint32_t mode)
{
	struct ext4_dirent *d = ext4_dir_room_in(fs, b->data, ext4_rec_need(len));

	if (d) {
		ext4_dirent_fill(fs, d, name, len, ino, mode);
		ext4_leaf_changed(fs, dir, b);
	}
	return d != NULL;
}

/* ---- indexing a directory ------------------------------------------------ */

static bool is_name(const uint8_t *b, uint32_t off, const char *name)
{
	const struct ext4_dirent *d = (const void *)(b + off);
	return d->inode && d->name_len == strlen(name) && !memcmp(d->name, name, d->name_len);
}

/* Block 0 becomes the root: "." and "..", the info record, one index
 * entry leading to leaf. */
static void make_root(struct ext4_fs *fs, struct ext4_inode *dir, struct buf *b, uint32_t leaf)
{
	struct ext4_dirent *dotdot = (void *)(b->data + 12);
	struct level root = { b, ROOT_ENTRIES, 0 };

	memset(b->data + 24, 0, fs->block_size - 24);
	ext4_set_rec_len(fs, dotdot, fs->block_size - 12);
	uint8_t *info = b->data + ROOT_INFO;
	info[4] = fs->sb.s_def_hash_version;
	info[5] = 8;
	put16(entry(&root, 0), (uint16_t)limit_for(fs, ROOT_ENTRIES));
	set_count(&root, 1);
	set_entry(&root, 0, 0, leaf);
	index_changed(fs, dir, &root);
}

int ext4_htree_make(struct ext4_fs *fs, struct ext4_inode *dir)
{
	unsigned most = fs->block_size / EXT4_DIRENT_HEADER, n, kept = 0;
	struct record *r = kmalloc(most * sizeof *r);
	uint8_t *copy = kmalloc(fs->block_size);	/* see hash_records */
	struct buf *b = NULL, *nb = NULL;
	uint32_t lblk;
	int version = fs->sb.s_def_hash_version + (fs->sb.s_flags & FLAGS_UNSIGNED_HASH ? EXT4_HASH_UNSIGNED : 0);
	int err = r && copy ? ext4_dir_read_block(fs, dir, 0, &b) : -ENOMEM;

	if (!err && b)
		memcpy(copy, b->data, fs->block_size);
	if (!err && (!b || !is_name(copy, 0, ".") || !is_name(copy, 12, "..") ||
		     fs->sb.s_def_hash_version >= EXT4_HASH_UNSIGNED ||
		     hash_records(fs, version, copy, r, &n)))
		err = CANNOT;	/* not the layout an index starts from: stay linear */
	for (unsigned k = 0; !err && k < n; k++)
		if (r[k].off >= 24)	/* every name but "." and ".." */
			r[kept++] = r[k];
	if (!err && !(err = append_block(fs, dir, &nb, &lblk))) {
		pack_leaf(fs, nb->data, copy, r, 0, kept);
		ext4_leaf_changed(fs, dir, nb);
		make_root(fs, dir, b, lblk);
		dir->raw.i_flags |= EXT4_INDEX_FL;
		err = ext4_inode_write(fs, dir);
	}
	if (b)
		bcache_put(b);
	if (nb)
		bcache_put(nb);
	kfree(r);
	kfree(copy);
	return err;
}

int ext4_htree_add(struct ext4_fs *fs, struct ext4_inode *dir, const char *name, unsigned len, uint64_t ino,
		   uint32_t mode)
{
	struct level path[2];
	struct buf *b = NULL, *nb = NULL;
	uint64_t leaf = 0;
	uint32_t hash, split_hash, lblk;
	int depth, err = probe(fs, dir, name, len, &hash, path, &depth, &leaf);

	if (!err && !(err = ext4_dir_read_block(fs, dir, leaf, &b)) &&
	    (!b || ext4_dx_count_offset(fs, dir, b->data, leaf)))
		err = ext4_corrupt(fs, "directory index leads to no leaf", dir->ino);
	if (!err && !put_in_leaf(fs, dir, b, name, len, ino, mode)) {
		int version = root_version(fs, path[0].b->data);
		err = split_leaf(fs, dir, version, b, &nb, &split_hash, &lblk);
		/* The new leaf must be indexed or the index dropped: a failure
		 * here (no block for a node, a root too full for a third
		 * level) hands the directory to the caller to make linear. */
		if (!err && add_index_entry(fs, dir, path, &depth, split_hash, lblk))
			err = CANNOT;
		if (!err && !put_in_leaf(fs, dir, hash >= split_hash ? nb : b, name, len, ino, mode))
			err = CANNOT;
	}
	if (b)
		bcache_put(b);
	if (nb)
		bcache_put(nb);
	put_path(path, depth);
	int werr = ext4_inode_write(fs, dir);
	return err ? err : werr;
}
