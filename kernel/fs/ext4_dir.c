/* ext2/ext4 directories, read side: every block is scanned linearly, an
 * htree (dir_index) directory's index blocks included — they look like
 * blocks holding one empty entry, so the scan finds its names in the leaf
 * blocks without following the index. */
#include "fs/ext4_internal.h"

#include "core/errno.h"
#include "core/sched.h"
#include "core/string.h"
#include "core/watchdog.h"
#include "crc32c.h"
#include "fs/bcache.h"
#include "fs/ext4_dir.h"

uint32_t ext4_rec_len(struct ext4_fs *fs, uint16_t disk)
{
	if (fs->block_size == 65536 && (disk == 65535 || disk == 0))
		return 65536;
	return disk;
}

bool ext4_dir_has_tail(struct ext4_fs *fs)
{
	return fs->csum;
}

uint32_t ext4_dir_leaf_csum(struct ext4_fs *fs, struct ext4_inode *dir, const uint8_t *b)
{
	return crc32c(dir->csum_seed, b, fs->block_size - EXT4_DIR_TAIL_SIZE);
}

static bool is_tail(struct ext4_fs *fs, const uint8_t *b)
{
	const struct ext4_dir_tail *t = (const void *)(b + fs->block_size - EXT4_DIR_TAIL_SIZE);
	return t->det_reserved_zero1 == 0 && t->det_rec_len == EXT4_DIR_TAIL_SIZE &&
	       t->det_reserved_zero2 == 0 && t->det_reserved_ft == EXT4_DIR_TAIL_FT;
}

/* An htree index block: the root (block 0 of an indexed directory) or an
 * interior node (one empty entry spanning the block).  Where its count
 * and limit lie, or 0 if it is a leaf. */
uint32_t ext4_dx_count_offset(struct ext4_fs *fs, struct ext4_inode *dir, const uint8_t *b, uint64_t lblk)
{
	const struct ext4_dirent *d = (const void *)b;

	if (!(dir->raw.i_flags & EXT4_INDEX_FL))
		return 0;
	if (lblk == 0)
		return 32;	/* ".", "..", then the 8-byte dx_root_info */
	if (d->inode == 0 && ext4_rec_len(fs, d->rec_len) == fs->block_size && d->name_len == 0)
		return 8;
	return 0;
}

/* An index block's checksum: over the header and the entries in use, then
 * the tail (reserved word, zero for the checksum itself). */
static int check_dx(struct ext4_fs *fs, struct ext4_inode *dir, const uint8_t *b, uint32_t off)
{
	uint16_t limit, count;
	static const uint8_t zero[4];

	memcpy(&limit, b + off, 2);
	memcpy(&count, b + off + 2, 2);
	if (count > limit || off + (uint64_t)limit * 8 + 8 > fs->block_size)
		return ext4_corrupt(fs, "bad directory index block", dir->ino);
	const uint8_t *tail = b + off + (size_t)limit * 8;
	uint32_t c = crc32c(dir->csum_seed, b, off + (size_t)count * 8);
	c = crc32c(crc32c(c, tail, 4), zero, 4);
	if (memcmp(&c, tail + 4, 4))
		return ext4_corrupt(fs, "directory index checksum mismatch", dir->ino);
	return 0;
}

uint32_t ext4_rec_at(struct ext4_fs *fs, const uint8_t *b, uint32_t off, uint32_t end)
{
	if (off >= end || end - off < EXT4_DIRENT_HEADER)
		return 0;
	const struct ext4_dirent *d = (const void *)(b + off);
	uint32_t len = ext4_rec_len(fs, d->rec_len);
	if (len < EXT4_DIRENT_HEADER || len % 4 || len > end - off ||
	    EXT4_DIRENT_HEADER + (uint32_t)d->name_len > len)
		return 0;
	return len;
}

/* Each record fits the block and holds its name; names are real names. */
static int check_records(struct ext4_fs *fs, struct ext4_inode *dir, const uint8_t *b, uint32_t end)
{
	for (uint32_t off = 0, len; off < end; off += len) {
		const struct ext4_dirent *d = (const void *)(b + off);
		if (!(len = ext4_rec_at(fs, b, off, end)))
			return ext4_corrupt(fs, "bad directory record length", dir->ino);
		if (d->inode && (!ext4_ino_ok(fs, d->inode) || d->name_len == 0 ||
				 memchr(d->name, '/', d->name_len) || memchr(d->name, 0, d->name_len)))
			return ext4_corrupt(fs, "bad directory entry", dir->ino);
	}
	return 0;
}

int ext4_dir_block_check(struct ext4_fs *fs, struct ext4_inode *dir, const uint8_t *b, uint64_t lblk)
{
	uint32_t dx = ext4_dx_count_offset(fs, dir, b, lblk);
	uint32_t end = fs->block_size;

	if (fs->csum && dx)
		return check_records(fs, dir, b, end) ?: check_dx(fs, dir, b, dx);
	if (fs->csum) {
		if (!is_tail(fs, b))
			return ext4_corrupt(fs, "directory block without a checksum", dir->ino);
		end -= EXT4_DIR_TAIL_SIZE;
		uint32_t want = ext4_dir_leaf_csum(fs, dir, b);
		if (memcmp(&want, b + end + 8, 4))
			return ext4_corrupt(fs, "directory block checksum mismatch", dir->ino);
	}
	return check_records(fs, dir, b, end);
}

/* ext4_dir_read_block, and in *run how many blocks from lblk on map as
 * lblk does: a hole's length, so a walk steps over it at once. */
static int read_block_run(struct ext4_fs *fs, struct ext4_inode *dir, uint64_t lblk, struct buf **out,
			  uint64_t *run)
{
	uint64_t pblk;

	*out = NULL;
	int err = ext4_map(fs, dir, lblk, &pblk, run);
	if (err || !pblk)
		return err;
	err = ext4_bread(fs, pblk, out);
	if (err || (*out)->checked_as == EXT4_AS_DIR)
		return err;
	if ((err = ext4_dir_block_check(fs, dir, (*out)->data, lblk))) {
		bcache_put(*out);
		*out = NULL;
		return err;
	}
	(*out)->checked_as = EXT4_AS_DIR;
	return 0;
}

/* Block lblk of a directory, read and checked: 0 and a referenced buffer,
 * 0 and NULL for a hole, or -errno. */
int ext4_dir_read_block(struct ext4_fs *fs, struct ext4_inode *dir, uint64_t lblk, struct buf **out)
{
	uint64_t run;

	return read_block_run(fs, dir, lblk, out, &run);
}

static bool is_dot(const struct ext4_dirent *d)
{
	return (d->name_len == 1 && d->name[0] == '.') ||
	       (d->name_len == 2 && d->name[0] == '.' && d->name[1] == '.');
}

/* Every record of a checked block, its checksum tail included, chains to
 * the block's end; the walk still stops at one that does not (see
 * ext4_rec_at). */
static int walk_block(struct ext4_fs *fs, const uint8_t *b, ext4_dir_fn *fn, void *arg)
{
	for (uint32_t off = 0, len; (len = ext4_rec_at(fs, b, off, fs->block_size)); off += len) {
		const struct ext4_dirent *d = (const void *)(b + off);
		if (d->inode && !is_dot(d)) {
			unsigned type = fs->incompat & EXT4_INCOMPAT_FILETYPE ? d->file_type : 0;
			int r = fn(arg, d->name, d->name_len, d->inode, type);
			if (r)
				return r;
		}
	}
	return 0;
}

/* A directory of many blocks is long work under fs->lock (up to 2^32
 * with largedir, all of them real blocks on a corrupt disk whose extents
 * share them): let what waits on this CPU run, and tell the lockup
 * detector the CPU is busy, not stuck.  Sleeping holding fs->lock is
 * allowed: it is a mutex. */
static void walk_pause(uint64_t steps)
{
	if (steps % 256 == 0) {
		sched_yield_if_queued();
		watchdog_progress();
	}
}

int ext4_dir_each_block(struct ext4_fs *fs, struct ext4_inode *dir, ext4_dir_block_fn *fn, void *arg)
{
	uint64_t nblocks = dir->size >> fs->log_block, run, steps = 0;

	for (uint64_t lblk = 0; lblk < nblocks; lblk += run) {
		struct buf *b;
		walk_pause(++steps);
		int err = read_block_run(fs, dir, lblk, &b, &run);
		if (err)
			return err;
		if (!b)
			continue;	/* a hole of run blocks */
		run = 1;
		err = fn(arg, b, lblk);
		bcache_put(b);
		if (err)
			return err;
	}
	return 0;
}

struct entry_walk {
	struct ext4_fs *fs;
	ext4_dir_fn *fn;
	void *arg;
};

static int walk_entries(void *arg, struct buf *b, uint64_t lblk)
{
	struct entry_walk *w = arg;

	(void)lblk;
	return walk_block(w->fs, b->data, w->fn, w->arg);
}

int ext4_dir_iterate(struct ext4_fs *fs, struct ext4_inode *dir, ext4_dir_fn *fn, void *arg)
{
	struct entry_walk w = { fs, fn, arg };

	return ext4_dir_each_block(fs, dir, walk_entries, &w);
}
