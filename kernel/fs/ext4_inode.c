/* ext2/ext4 inodes: found in their group's inode table, checked (fields,
 * metadata_csum's checksum) and written back in place. */
#include "fs/ext4_internal.h"

#include "core/errno.h"
#include "core/string.h"
#include "crc32c.h"
#include "fs/bcache.h"
#include "fs/stat.h"

#define CSUM_LO_OFF	0x7c
#define EXTRA_OFF	0x80
#define CSUM_HI_OFF	0x82

bool ext4_ino_ok(struct ext4_fs *fs, uint64_t ino)
{
	return ino >= 1 && ino <= fs->sb.s_inodes_count;
}

/* Where inode ino lies: its inode table block and the byte in it. */
static void locate(struct ext4_fs *fs, uint64_t ino, uint64_t *blk, uint32_t *off)
{
	uint32_t g = (uint32_t)((ino - 1) / fs->inodes_per_group);
	uint64_t byte = ((ino - 1) % fs->inodes_per_group) * fs->inode_size;

	*blk = ext4_group_inode_table(fs, g) + (byte >> fs->log_block);
	*off = (uint32_t)(byte & (fs->block_size - 1));
}

/* The extra fields in use: 0 for a 128-byte inode, else i_extra_isize
 * (checked to fit by the caller). */
static uint32_t extra_isize(struct ext4_fs *fs, const uint8_t *raw)
{
	if (fs->inode_size <= EXT4_GOOD_OLD_INODE_SIZE)
		return 0;
	return raw[EXTRA_OFF] | (uint32_t)raw[EXTRA_OFF + 1] << 8;
}

static bool csum_hi_fits(struct ext4_fs *fs, const uint8_t *raw)
{
	return EXT4_GOOD_OLD_INODE_SIZE + extra_isize(fs, raw) >= CSUM_HI_OFF + 2;
}

static uint32_t seed_of(struct ext4_fs *fs, uint64_t ino, const uint8_t *raw)
{
	uint32_t le_ino = (uint32_t)ino, gen;

	memcpy(&gen, raw + __builtin_offsetof(struct ext4_inode_disk, i_generation), 4);
	return crc32c(crc32c(fs->csum_seed, &le_ino, 4), &gen, 4);
}

/* crc32c over the whole on-disk inode with its checksum fields as zero. */
uint32_t ext4_inode_csum(struct ext4_fs *fs, uint64_t ino, const uint8_t *raw)
{
	static const uint8_t zero[2];
	uint32_t c = seed_of(fs, ino, raw);

	c = crc32c(c, raw, CSUM_LO_OFF);
	c = crc32c(c, zero, 2);
	c = crc32c(c, raw + CSUM_LO_OFF + 2, EXT4_GOOD_OLD_INODE_SIZE - CSUM_LO_OFF - 2);
	if (fs->inode_size <= EXT4_GOOD_OLD_INODE_SIZE)
		return c;
	uint32_t off = CSUM_HI_OFF;
	c = crc32c(c, raw + EXTRA_OFF, CSUM_HI_OFF - EXTRA_OFF);
	if (csum_hi_fits(fs, raw)) {
		c = crc32c(c, zero, 2);
		off += 2;
	}
	return crc32c(c, raw + off, fs->inode_size - off);
}

static bool csum_ok(struct ext4_fs *fs, uint64_t ino, const uint8_t *raw)
{
	const struct ext4_inode_disk *d = (const void *)raw;
	uint32_t c = ext4_inode_csum(fs, ino, raw);

	if ((c & 0xffff) != d->i_checksum_lo)
		return false;
	return !csum_hi_fits(fs, raw) || (c >> 16) == d->i_checksum_hi;
}

static bool mode_ok(uint32_t mode)
{
	switch (mode & S_IFMT) {
	case S_IFREG: case S_IFDIR: case S_IFLNK: case S_IFCHR:
	case S_IFBLK: case S_IFIFO: case S_IFSOCK:
		return true;
	}
	return false;
}

/* Whole blocks, no more than the block map can name, and i_size_high 0
 * unless largedir (Linux reads only i_size_lo of such a directory; e2fsck
 * clears the rest): every directory walk goes through its size, so a
 * corrupt one must not send it through 2^36 blocks. */
static bool dir_size_ok(struct ext4_fs *fs, const struct ext4_inode *ei)
{
	if (ei->raw.i_size_high && !(fs->incompat & EXT4_INCOMPAT_LARGEDIR))
		return false;
	return ei->size % fs->block_size == 0 && ei->size >> fs->log_block <= ext4_max_blocks(fs, ei);
}

/* The fields the rest of the core relies on. */
static int check_fields(struct ext4_fs *fs, struct ext4_inode *ei, bool unlinked)
{
	struct ext4_inode_disk *d = &ei->raw;

	if ((d->i_links_count == 0 && !unlinked) || !mode_ok(d->i_mode))
		return ext4_corrupt(fs, "inode not in use or of no known type", ei->ino);
	if (d->i_flags & EXT4_INLINE_DATA_FL)
		return ext4_corrupt(fs, "inline data in an inode", ei->ino);
	if ((d->i_flags & EXT4_EXTENTS_FL) && !(fs->incompat & EXT4_INCOMPAT_EXTENTS))
		return ext4_corrupt(fs, "extents without the feature", ei->ino);
	ei->size = d->i_size_lo | (uint64_t)d->i_size_high << 32;
	if (ei->size > (uint64_t)1 << 48 || ((d->i_mode & S_IFMT) == S_IFDIR && !dir_size_ok(fs, ei)))
		return ext4_corrupt(fs, "bad inode size", ei->ino);
	return 0;
}

static int read_inode(struct ext4_fs *fs, uint64_t ino, struct ext4_inode *ei, bool unlinked)
{
	uint64_t blk;
	uint32_t off;
	struct buf *b;

	if (!ext4_ino_ok(fs, ino))
		return ext4_corrupt(fs, "inode number out of range", ino);
	if (!ext4_orphan_listed(fs, ei)) {
		ei->orphan = false;	/* a fresh copy: on no list */
		ei->orphan_next = NULL;
	}
	locate(fs, ino, &blk, &off);
	int err = ext4_bread(fs, blk, &b);
	if (err)
		return err;
	const uint8_t *raw = b->data + off;
	uint32_t extra = extra_isize(fs, raw);
	if (extra > fs->inode_size - EXT4_GOOD_OLD_INODE_SIZE || extra % 4)
		err = ext4_corrupt(fs, "bad inode extra size", ino);
	else if (fs->csum && !csum_ok(fs, ino, raw))
		err = ext4_corrupt(fs, "inode checksum mismatch", ino);
	if (!err) {
		size_t keep = EXT4_GOOD_OLD_INODE_SIZE + extra;
		memset(&ei->raw, 0, sizeof ei->raw);
		memcpy(&ei->raw, raw, keep < sizeof ei->raw ? keep : sizeof ei->raw);
		ei->ino = ino;
		ei->fresh = false;
		ei->csum_seed = seed_of(fs, ino, raw);
		err = check_fields(fs, ei, unlinked);
	}
	bcache_put(b);
	return err;
}

int ext4_inode_read(struct ext4_fs *fs, uint64_t ino, struct ext4_inode *ei)
{
	return read_inode(fs, ino, ei, false);
}

int ext4_inode_read_orphan(struct ext4_fs *fs, uint64_t ino, struct ext4_inode *ei)
{
	return read_inode(fs, ino, ei, true);
}

/* Copies the fields the core keeps back into the inode table (leaving what
 * lies after them, extended attributes, alone) and sets the checksum. */
int ext4_inode_write(struct ext4_fs *fs, struct ext4_inode *ei)
{
	uint64_t blk;
	uint32_t off;
	struct buf *b;

	locate(fs, ei->ino, &blk, &off);
	int err = ext4_bread(fs, blk, &b);
	if (err)
		return err;
	uint8_t *raw = b->data + off;
	if (ei->fresh)
		memset(raw, 0, fs->inode_size);
	ei->fresh = false;
	size_t keep = EXT4_GOOD_OLD_INODE_SIZE;
	if (fs->inode_size > EXT4_GOOD_OLD_INODE_SIZE)
		keep += ei->raw.i_extra_isize;
	memcpy(raw, &ei->raw, keep < sizeof ei->raw ? keep : sizeof ei->raw);
	if (fs->csum) {
		uint32_t c = ext4_inode_csum(fs, ei->ino, raw);
		struct ext4_inode_disk *d = (void *)raw;
		d->i_checksum_lo = (uint16_t)c;
		if (csum_hi_fits(fs, raw))
			d->i_checksum_hi = (uint16_t)(c >> 16);
		ei->raw.i_checksum_lo = d->i_checksum_lo;
		ei->raw.i_checksum_hi = d->i_checksum_hi;
	}
	bcache_dirty(b);
	bcache_put(b);
	return 0;
}

void ext4_inode_set_size(struct ext4_inode *ei, uint64_t size)
{
	ei->size = size;
	ei->raw.i_size_lo = (uint32_t)size;
	ei->raw.i_size_high = (uint32_t)(size >> 32);
}

uint64_t ext4_inode_blocks(struct ext4_fs *fs, const struct ext4_inode *ei)
{
	uint64_t n = ei->raw.i_blocks_lo;

	if (fs->ro_compat & EXT4_RO_COMPAT_HUGE_FILE) {
		n |= (uint64_t)ei->raw.i_blocks_high << 32;
		if (ei->raw.i_flags & EXT4_HUGE_FILE_FL)
			n <<= fs->log_block - 9;
	}
	return n;
}

/* i_blocks counts 512-byte units (the code never sets HUGE_FILE_FL: a
 * file that had it keeps file system block units). */
void ext4_inode_add_blocks(struct ext4_fs *fs, struct ext4_inode *ei, int64_t fs_blocks)
{
	uint64_t n = ei->raw.i_blocks_lo;
	unsigned shift = fs->log_block - 9;

	if (fs->ro_compat & EXT4_RO_COMPAT_HUGE_FILE)
		n |= (uint64_t)ei->raw.i_blocks_high << 32;
	if (ei->raw.i_flags & EXT4_HUGE_FILE_FL)
		shift = 0;
	n += (uint64_t)(fs_blocks * ((int64_t)1 << shift));
	ei->raw.i_blocks_lo = (uint32_t)n;
	if (fs->ro_compat & EXT4_RO_COMPAT_HUGE_FILE)
		ei->raw.i_blocks_high = (uint16_t)(n >> 32);
}

bool ext4_inode_has_extents(const struct ext4_inode *ei)
{
	return ei->raw.i_flags & EXT4_EXTENTS_FL;
}

/* A symlink whose target lives in i_block: no data blocks (an ext2 fast
 * symlink), or a short target without extents.  Extended attribute blocks
 * count in i_blocks, hence the check of the size as Linux does. */
bool ext4_inode_fast_symlink(struct ext4_fs *fs, const struct ext4_inode *ei)
{
	(void)fs;
	return (ei->raw.i_mode & S_IFMT) == S_IFLNK && ei->size < sizeof ei->raw.i_block &&
	       !(ei->raw.i_flags & EXT4_EXTENTS_FL);
}
