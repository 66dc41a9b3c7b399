/* ext2/ext4 directories, write side: an entry goes into the first block
 * with room (splitting a record's slack) or a new block at the end; a
 * removed entry's space joins the record before it.
 *
 * An htree-indexed directory keeps its index: a new entry goes to the
 * leaf its name's hash selects (ext4_htree.c); removing or retargeting
 * an entry changes no hash, so the index stays right.  Only when the
 * index cannot take a name (ext4_htree_add says why) does the directory
 * lose it: the index blocks become empty leaf blocks and EXT4_INDEX_FL is
 * cleared, a valid linear directory that e2fsck accepts. */
#include "fs/ext4_internal.h"

#include "core/errno.h"
#include "core/string.h"
#include "fs/bcache.h"
#include "fs/ext4_dir.h"
#include "fs/stat.h"

uint32_t ext4_rec_need(unsigned name_len) { return (EXT4_DIRENT_HEADER + name_len + 3) & ~3u; }

uint32_t ext4_leaf_end(struct ext4_fs *fs)
{
	return fs->block_size - (ext4_dir_has_tail(fs) ? EXT4_DIR_TAIL_SIZE : 0);
}

void ext4_set_rec_len(struct ext4_fs *fs, struct ext4_dirent *d, uint32_t len)
{
	d->rec_len = len == 65536 && fs->block_size == 65536 ? 65535 : (uint16_t)len;
}

/* A leaf block changed: its tail and checksum, its dirty mark. */
void ext4_leaf_changed(struct ext4_fs *fs, struct ext4_inode *dir, struct buf *b)
{
	if (ext4_dir_has_tail(fs)) {
		struct ext4_dir_tail *t = (void *)(b->data + fs->block_size - EXT4_DIR_TAIL_SIZE);
		*t = (struct ext4_dir_tail){ 0, EXT4_DIR_TAIL_SIZE, 0, EXT4_DIR_TAIL_FT, 0 };
		t->det_checksum = ext4_dir_leaf_csum(fs, dir, b->data);
	}
	bcache_dirty(b);
}

unsigned ext4_file_type(uint32_t mode)
{
	switch (mode & S_IFMT) {
	case S_IFREG: return EXT4_FT_REG_FILE;
	case S_IFDIR: return EXT4_FT_DIR;
	case S_IFCHR: return EXT4_FT_CHRDEV;
	case S_IFBLK: return EXT4_FT_BLKDEV;
	case S_IFIFO: return EXT4_FT_FIFO;
	case S_IFSOCK: return EXT4_FT_SOCK;
	case S_IFLNK: return EXT4_FT_SYMLINK;
	}
	return EXT4_FT_UNKNOWN;
}

void ext4_dirent_fill(struct ext4_fs *fs, struct ext4_dirent *d, const char *name, unsigned len, uint64_t ino,
		 uint32_t mode)
{
	d->inode = (uint32_t)ino;
	d->name_len = (uint8_t)len;
	d->file_type = fs->incompat & EXT4_INCOMPAT_FILETYPE ? (uint8_t)ext4_file_type(mode) : 0;
	memcpy(d->name, name, len);
}

struct dir_ctx {
	struct ext4_fs *fs;
	struct ext4_inode *dir;
	const char *name;
	unsigned len;
	uint64_t ino;
	uint32_t mode;
	bool remove;		/* change_in_block: remove rather than retarget */
};

/* An index block becomes an empty leaf (the root keeps "." and ".."). */
static int deindex_block(void *arg, struct buf *b, uint64_t lblk)
{
	struct dir_ctx *c = arg;
	struct ext4_fs *fs = c->fs;
	uint32_t dx = ext4_dx_count_offset(fs, c->dir, b->data, lblk);

	if (dx) {
		/* The root's "..": at 12, its record spanning the rest. */
		uint32_t at = lblk == 0 ? 12 : 0;
		struct ext4_dirent *d = (void *)(b->data + at);
		uint32_t keep = at ? ext4_rec_need(d->name_len) : 0;
		memset(b->data + at + keep, 0, fs->block_size - at - keep);
		ext4_set_rec_len(fs, d, ext4_leaf_end(fs) - at);
		ext4_leaf_changed(fs, c->dir, b);
	}
	return 0;
}

/* Drops the index: every index block becomes an empty leaf, then the
 * flag goes. */
static int deindex(struct ext4_fs *fs, struct ext4_inode *dir)
{
	struct dir_ctx c = { fs, dir, NULL, 0, 0, 0, false };
	int err = ext4_dir_each_block(fs, dir, deindex_block, &c);

	if (err)
		return err;
	dir->raw.i_flags &= ~EXT4_INDEX_FL;
	return ext4_inode_write(fs, dir);
}

/* Room for a record of need bytes in the block: the entry to split or
 * reuse, or NULL. */
struct ext4_dirent *ext4_dir_room_in(struct ext4_fs *fs, uint8_t *b, uint32_t need)
{
	for (uint32_t off = 0, len; (len = ext4_rec_at(fs, b, off, ext4_leaf_end(fs))); off += len) {
		struct ext4_dirent *d = (void *)(b + off);
		uint32_t used = d->inode ? ext4_rec_need(d->name_len) : 0;	/* <= len: ext4_rec_at */
		if (len - used >= need) {
			if (!used)
				return d;
			ext4_set_rec_len(fs, d, used);
			struct ext4_dirent *n = (void *)(b + off + used);
			ext4_set_rec_len(fs, n, len - used);
			return n;
		}
	}
	return NULL;
}

/* A new last block holding one entry. */
static int add_block(struct ext4_fs *fs, struct ext4_inode *dir, const char *name, unsigned len,
		     uint64_t ino, uint32_t mode)
{
	uint64_t lblk = dir->size >> fs->log_block, pblk;
	struct buf *b;
	int err = ext4_get_block(fs, dir, lblk, true, &pblk, NULL);

	if (!err)
		err = bcache_new_block(fs->bc, pblk, EXT4_AS_DIR, &b);
	if (err)
		return err;
	struct ext4_dirent *d = (void *)b->data;
	ext4_set_rec_len(fs, d, ext4_leaf_end(fs));
	ext4_dirent_fill(fs, d, name, len, ino, mode);
	ext4_leaf_changed(fs, dir, b);
	bcache_put(b);
	ext4_inode_set_size(dir, dir->size + fs->block_size);
	return ext4_inode_write(fs, dir);
}

/* The new entry into this block if it has room: 1 when it went in. */
static int add_in_block(void *arg, struct buf *b, uint64_t lblk)
{
	struct dir_ctx *c = arg;
	struct ext4_dirent *d = ext4_dir_room_in(c->fs, b->data, ext4_rec_need(c->len));

	(void)lblk;
	if (!d)
		return 0;
	ext4_dirent_fill(c->fs, d, c->name, c->len, c->ino, c->mode);
	ext4_leaf_changed(c->fs, c->dir, b);
	return 1;
}

/* Into the first block with room, or a new one at the end. */
static int add_linear(struct dir_ctx *c)
{
	int err = ext4_dir_each_block(c->fs, c->dir, add_in_block, c);

	if (err)
		return err < 0 ? err : 0;
	return add_block(c->fs, c->dir, c->name, c->len, c->ino, c->mode);
}

/* A linear directory of one block: when it is full, it gets an index,
 * as Linux's ext4 gives one to a directory outgrowing its first block
 * (not on ext2, whose Linux driver would not keep it up to date). */
static bool may_index(struct ext4_fs *fs, struct ext4_inode *dir)
{
	return dir->size >> fs->log_block == 1 && (fs->compat & EXT4_COMPAT_DIR_INDEX) &&
	       (fs->incompat & EXT4_INCOMPAT_EXTENTS);
}

int ext4_dir_add(struct ext4_fs *fs, struct ext4_inode *dir, const char *name, uint64_t ino, uint32_t mode)
{
	struct dir_ctx c = { fs, dir, name, (unsigned)strlen(name), ino, mode, false };
	int err;

	if (c.len == 0 || c.len > 255)
		return -ENAMETOOLONG;
	if (!(dir->raw.i_flags & EXT4_INDEX_FL)) {
		if (!may_index(fs, dir))
			return add_linear(&c);
		if ((err = ext4_dir_each_block(fs, dir, add_in_block, &c)))
			return err < 0 ? err : 0;
		if ((err = ext4_htree_make(fs, dir)))
			return err < 0 ? err : add_block(fs, dir, name, c.len, ino, mode);
	}
	if ((err = ext4_htree_add(fs, dir, name, c.len, ino, mode)) <= 0)
		return err;
	if ((err = deindex(fs, dir)))
		return err;
	return add_linear(&c);
}

/* Changes the entry named c->name (dots included) if it is in this
 * block: removed (its space joins the record before it, or its inode
 * goes to 0 when it is the block's first), or pointed at c->ino.  1 when
 * found. */
static int change_in_block(void *arg, struct buf *b, uint64_t lblk)
{
	struct dir_ctx *c = arg;
	struct ext4_fs *fs = c->fs;
	struct ext4_dirent *prev = NULL;

	(void)lblk;
	/* To the block's end: an index block's records span it all. */
	for (uint32_t off = 0, len; (len = ext4_rec_at(fs, b->data, off, fs->block_size)); off += len) {
		struct ext4_dirent *d = (void *)(b->data + off);
		if (d->inode && d->name_len == c->len && !memcmp(d->name, c->name, c->len)) {
			if (!c->remove)
				ext4_dirent_fill(fs, d, d->name, d->name_len, c->ino, c->mode);
			else if (prev)
				ext4_set_rec_len(fs, prev, ext4_rec_len(fs, prev->rec_len) + ext4_rec_len(fs, d->rec_len));
			else
				d->inode = 0;
			ext4_leaf_changed(fs, c->dir, b);
			return 1;
		}
		prev = d;
	}
	return 0;
}

/* In the leaf an indexed directory's index names: 1 when found there.
 * A name may lie elsewhere (a hash shared across a split, an index
 * another system kept otherwise): 0 sends the caller to every block. */
static int change_in_leaf(struct dir_ctx *c)
{
	struct buf *b = NULL;
	uint64_t leaf;
	bool dots = c->name[0] == '.' && (c->len == 1 || (c->len == 2 && c->name[1] == '.'));

	if (!(c->dir->raw.i_flags & EXT4_INDEX_FL) || dots || ext4_htree_leaf(c->fs, c->dir, c->name, c->len, &leaf))
		return 0;
	int err = ext4_dir_read_block(c->fs, c->dir, leaf, &b);
	if (err || !b)
		return err;
	int found = change_in_block(c, b, leaf);
	bcache_put(b);
	return found;
}

/* Without the index a removal from a directory of n blocks reads them
 * all: removing every name of a large directory took quadratic time. */
static int change_entry(struct dir_ctx *c)
{
	int err = change_in_leaf(c);

	if (err)
		return err < 0 ? err : 0;
	err = ext4_dir_each_block(c->fs, c->dir, change_in_block, c);

	return err < 0 ? err : err ? 0 : -ENOENT;
}

int ext4_dir_remove(struct ext4_fs *fs, struct ext4_inode *dir, const char *name)
{
	struct dir_ctx c = { fs, dir, name, (unsigned)strlen(name), 0, 0, true };

	return change_entry(&c);
}

int ext4_dir_retarget(struct ext4_fs *fs, struct ext4_inode *dir, const char *name, uint64_t ino, uint32_t mode)
{
	struct dir_ctx c = { fs, dir, name, (unsigned)strlen(name), ino, mode, false };

	return change_entry(&c);
}

/* The first block of a new directory: "." and "..". */
int ext4_dir_init(struct ext4_fs *fs, struct ext4_inode *dir, uint64_t parent)
{
	uint64_t pblk;
	struct buf *b;
	int err = ext4_get_block(fs, dir, 0, true, &pblk, NULL);

	if (!err)
		err = bcache_new_block(fs->bc, pblk, EXT4_AS_DIR, &b);
	if (err)
		return err;
	struct ext4_dirent *dot = (void *)b->data, *dotdot = (void *)(b->data + 12);
	ext4_set_rec_len(fs, dot, 12);
	ext4_dirent_fill(fs, dot, ".", 1, dir->ino, S_IFDIR);
	ext4_set_rec_len(fs, dotdot, ext4_leaf_end(fs) - 12);
	ext4_dirent_fill(fs, dotdot, "..", 2, parent, S_IFDIR);
	ext4_leaf_changed(fs, dir, b);
	bcache_put(b);
	ext4_inode_set_size(dir, fs->block_size);
	return 0;
}
