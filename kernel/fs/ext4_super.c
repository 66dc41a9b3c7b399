/* ext2/ext4: the superblock and the group descriptors, read and checked at
 * mount, kept in memory and written back by ext4_fs_sync(). */
#include "fs/ext4_internal.h"

#include "core/errno.h"
#include "core/kmalloc.h"
#include "core/printk.h"
#include "core/string.h"
#include "crc32c.h"
#include "dev/blk.h"
#include "fs/bcache.h"

#define MAX_ERROR_LINES	8
#define CLEAN_BUFFERS	1024

int ext4_corrupt(struct ext4_fs *fs, const char *what, uint64_t where)
{
	if (fs->nerrors < MAX_ERROR_LINES) {
		fs->nerrors++;
		printk("ext4: %s: %s (%llu)\n", fs->dev->name, what, (unsigned long long)where);
	}
	return -EUCLEAN;
}

bool ext4_block_ok(struct ext4_fs *fs, uint64_t blk)
{
	return blk > fs->first_data_block && blk < fs->blocks_count;
}

int ext4_bread(struct ext4_fs *fs, uint64_t blk, struct buf **out)
{
	if (!ext4_block_ok(fs, blk))
		return ext4_corrupt(fs, "block number out of range", blk);
	return bcache_read(fs->bc, blk, out);
}

struct ext4_group_disk *ext4_group(struct ext4_fs *fs, uint32_t g)
{
	return (struct ext4_group_disk *)(fs->gdt + (size_t)g * fs->desc_size);
}

static uint64_t hi_lo(struct ext4_fs *fs, uint32_t hi, uint32_t lo)
{
	return fs->desc_size >= 64 ? (uint64_t)hi << 32 | lo : lo;
}

uint64_t ext4_group_inode_table(struct ext4_fs *fs, uint32_t g)
{
	struct ext4_group_disk *d = ext4_group(fs, g);
	return hi_lo(fs, d->bg_inode_table_hi, d->bg_inode_table_lo);
}

uint64_t ext4_group_block_bitmap(struct ext4_fs *fs, uint32_t g)
{
	struct ext4_group_disk *d = ext4_group(fs, g);
	return hi_lo(fs, d->bg_block_bitmap_hi, d->bg_block_bitmap_lo);
}

uint64_t ext4_group_inode_bitmap(struct ext4_fs *fs, uint32_t g)
{
	struct ext4_group_disk *d = ext4_group(fs, g);
	return hi_lo(fs, d->bg_inode_bitmap_hi, d->bg_inode_bitmap_lo);
}

/* metadata_csum's descriptor checksum: the low 16 bits of crc32c over the
 * group number and the descriptor, its checksum field as zero. */
uint16_t ext4_group_csum(struct ext4_fs *fs, uint32_t g)
{
	const uint8_t *d = (const uint8_t *)ext4_group(fs, g);
	size_t off = __builtin_offsetof(struct ext4_group_disk, bg_checksum);
	uint16_t zero = 0;
	uint32_t le_g = g;

	uint32_t c = crc32c(fs->csum_seed, &le_g, 4);
	c = crc32c(c, d, off);
	c = crc32c(c, &zero, 2);
	c = crc32c(c, d + off + 2, fs->desc_size - off - 2);
	return (uint16_t)c;
}

void ext4_super_csum_set(struct ext4_fs *fs)
{
	if (fs->csum)
		fs->sb.s_checksum = crc32c(~0u, &fs->sb, __builtin_offsetof(struct ext4_super_disk, s_checksum));
}

struct feature {
	uint32_t bit;
	const char *name;
};

/* Features that change what the disk means in ways the code does not
 * follow: the mount is refused. */
static const struct feature refused[] = {
	{ EXT4_INCOMPAT_COMPRESSION, "compression" }, { EXT4_INCOMPAT_JOURNAL_DEV, "journal_dev" },
	{ EXT4_INCOMPAT_META_BG, "meta_bg" }, { EXT4_INCOMPAT_MMP, "mmp" },
	{ EXT4_INCOMPAT_DIRDATA, "dirdata" }, { EXT4_INCOMPAT_INLINE_DATA, "inline_data" },
	{ EXT4_INCOMPAT_ENCRYPT, "encrypt" }, { EXT4_INCOMPAT_CASEFOLD, "casefold" },
};
#define INCOMPAT_KNOWN (EXT4_INCOMPAT_FILETYPE | EXT4_INCOMPAT_RECOVER | EXT4_INCOMPAT_EXTENTS | \
	EXT4_INCOMPAT_64BIT | EXT4_INCOMPAT_FLEX_BG | EXT4_INCOMPAT_EA_INODE | \
	EXT4_INCOMPAT_CSUM_SEED | EXT4_INCOMPAT_LARGEDIR)

/* Features the code reads but would break by writing: read-only. */
static const struct feature ro_only[] = {
	{ EXT4_RO_COMPAT_GDT_CSUM, "uninit_bg" }, { EXT4_RO_COMPAT_HAS_SNAPSHOT, "snapshot" },
	{ EXT4_RO_COMPAT_QUOTA, "quota" }, { EXT4_RO_COMPAT_BIGALLOC, "bigalloc" },
	{ EXT4_RO_COMPAT_REPLICA, "replica" }, { EXT4_RO_COMPAT_READONLY, "read-only" },
	{ EXT4_RO_COMPAT_PROJECT, "project" }, { EXT4_RO_COMPAT_SHARED_BLOCKS, "shared_blocks" },
	{ EXT4_RO_COMPAT_VERITY, "verity" }, { EXT4_RO_COMPAT_ORPHAN_PRESENT, "orphan_present" },
};
#define RO_COMPAT_WRITABLE (EXT4_RO_COMPAT_SPARSE_SUPER | EXT4_RO_COMPAT_LARGE_FILE | \
	EXT4_RO_COMPAT_BTREE_DIR | EXT4_RO_COMPAT_HUGE_FILE | EXT4_RO_COMPAT_DIR_NLINK | \
	EXT4_RO_COMPAT_EXTRA_ISIZE | EXT4_RO_COMPAT_METADATA_CSUM)

static int check_features(struct ext4_fs *fs)
{
	const char *name = fs->dev->name;

	for (size_t k = 0; k < sizeof refused / sizeof refused[0]; k++)
		if (fs->incompat & refused[k].bit) {
			printk("ext4: %s: unsupported feature %s: not mounted\n", name, refused[k].name);
			return -EINVAL;
		}
	if (fs->incompat & ~INCOMPAT_KNOWN) {
		printk("ext4: %s: unknown incompatible features 0x%x: not mounted\n", name,
		       fs->incompat & ~INCOMPAT_KNOWN);
		return -EINVAL;
	}
	if (fs->read_only)
		return 0;
	const char *why = NULL;
	for (size_t k = 0; k < sizeof ro_only / sizeof ro_only[0] && !why; k++)
		if (fs->ro_compat & ro_only[k].bit)
			why = ro_only[k].name;
	if (!why && (fs->ro_compat & ~(RO_COMPAT_WRITABLE | 0x1ffff)))
		why = "unknown read-only-compatible features";
	if (!why && (fs->incompat & EXT4_INCOMPAT_EA_INODE))
		why = "ea_inode";
	if (why) {
		printk("ext4: %s: %s: mounted read-only\n", name, why);
		fs->read_only = true;
	}
	return 0;
}

#define EXT2_INCOMPAT	EXT4_INCOMPAT_FILETYPE
#define EXT2_RO_COMPAT	(EXT4_RO_COMPAT_SPARSE_SUPER | EXT4_RO_COMPAT_LARGE_FILE | EXT4_RO_COMPAT_BTREE_DIR)

static bool is_ext2(struct ext4_fs *fs)
{
	return !(fs->incompat & ~EXT2_INCOMPAT) && !(fs->ro_compat & ~EXT2_RO_COMPAT) &&
	       !(fs->compat & EXT4_COMPAT_HAS_JOURNAL);
}

static bool power_of_two(uint32_t x) { return x && !(x & (x - 1)); }

/* The superblock's geometry, every number checked against the others and
 * the device before anything is computed from it. */
static int check_geometry(struct ext4_fs *fs)
{
	struct ext4_super_disk *s = &fs->sb;

	if (s->s_log_block_size > 6)
		return ext4_corrupt(fs, "bad block size", s->s_log_block_size);
	fs->log_block = 10 + s->s_log_block_size;
	fs->block_size = 1u << fs->log_block;
	fs->blocks_count = s->s_blocks_count_lo;
	if (fs->incompat & EXT4_INCOMPAT_64BIT)
		fs->blocks_count |= (uint64_t)s->s_blocks_count_hi << 32;
	fs->blocks_per_group = s->s_blocks_per_group;
	fs->inodes_per_group = s->s_inodes_per_group;
	fs->first_data_block = s->s_first_data_block;
	if (s->s_rev_level == 0) {
		fs->inode_size = EXT4_GOOD_OLD_INODE_SIZE;
		fs->first_ino = EXT4_GOOD_OLD_FIRST_INO;
	} else {
		fs->inode_size = s->s_inode_size;
		fs->first_ino = s->s_first_ino;
	}
	fs->desc_size = 32;
	if (fs->incompat & EXT4_INCOMPAT_64BIT)
		fs->desc_size = s->s_desc_size;
	uint32_t bits = fs->block_size * 8;
	if (fs->block_size < fs->dev->sector_size || fs->block_size > 65536)
		return ext4_corrupt(fs, "block size unusable on this device", fs->block_size);
	if (fs->first_data_block != (fs->block_size == 1024 ? 1u : 0u))
		return ext4_corrupt(fs, "bad first data block", fs->first_data_block);
	if (fs->blocks_per_group < 8 || fs->blocks_per_group > bits || fs->blocks_per_group % 8)
		return ext4_corrupt(fs, "bad blocks per group", fs->blocks_per_group);
	if (!fs->inodes_per_group || fs->inodes_per_group > bits || fs->inodes_per_group % 8)
		return ext4_corrupt(fs, "bad inodes per group", fs->inodes_per_group);
	if (fs->inode_size < EXT4_GOOD_OLD_INODE_SIZE || fs->inode_size > fs->block_size ||
	    !power_of_two(fs->inode_size))
		return ext4_corrupt(fs, "bad inode size", fs->inode_size);
	if (fs->desc_size < 32 || fs->desc_size > 1024 || !power_of_two(fs->desc_size) ||
	    ((fs->incompat & EXT4_INCOMPAT_64BIT) && fs->desc_size < 64))
		return ext4_corrupt(fs, "bad group descriptor size", fs->desc_size);
	if (fs->blocks_count <= fs->first_data_block + 1 ||
	    fs->blocks_count > blk_bytes(fs->dev) >> fs->log_block)
		return ext4_corrupt(fs, "block count beyond the device", fs->blocks_count);
	uint64_t ngroups = (fs->blocks_count - fs->first_data_block + fs->blocks_per_group - 1) /
			   fs->blocks_per_group;
	if (ngroups * fs->inodes_per_group != s->s_inodes_count)
		return ext4_corrupt(fs, "inode count does not match the groups", s->s_inodes_count);
	fs->ngroups = (uint32_t)ngroups;
	if (fs->first_ino < EXT4_GOOD_OLD_FIRST_INO || fs->first_ino >= s->s_inodes_count)
		return ext4_corrupt(fs, "bad first inode", fs->first_ino);
	uint64_t gdt_bytes = ngroups * fs->desc_size;
	fs->gdt_blocks = (uint32_t)((gdt_bytes + fs->block_size - 1) >> fs->log_block);
	if (fs->first_data_block + 1 + fs->gdt_blocks >= fs->blocks_count)
		return ext4_corrupt(fs, "group descriptors beyond the end", fs->gdt_blocks);
	return 0;
}

static int read_super(struct ext4_fs *fs)
{
	struct ext4_super_disk *s = &fs->sb;
	uint32_t ss = fs->dev->sector_size;
	uint8_t *b = kmalloc(ss > 2048 ? ss : 2048);

	if (!b)
		return -ENOMEM;
	if (blk_bytes(fs->dev) < 2048) {
		kfree(b);
		return -EINVAL;
	}
	int err = blk_read(fs->dev, 0, b, ss > 2048 ? ss : 2048);
	if (!err)
		memcpy(s, b + EXT4_SUPER_OFFSET, sizeof *s);
	kfree(b);
	if (err)
		return err;
	if (s->s_magic != EXT4_SUPER_MAGIC)
		return -EINVAL;	/* not ext2/3/4: quietly, another type may take it */
	fs->incompat = s->s_feature_incompat;
	fs->ro_compat = s->s_feature_ro_compat;
	fs->compat = s->s_feature_compat;
	if (s->s_rev_level == 0)
		fs->incompat = fs->ro_compat = fs->compat = 0;
	fs->csum = fs->ro_compat & EXT4_RO_COMPAT_METADATA_CSUM;
	if (fs->csum) {
		uint8_t type = ((uint8_t *)s)[0x175];	/* s_checksum_type: 1 is crc32c */
		if (type != 1)
			return ext4_corrupt(fs, "unknown checksum type", type);
		uint32_t want = crc32c(~0u, s, __builtin_offsetof(struct ext4_super_disk, s_checksum));
		if (want != s->s_checksum)
			return ext4_corrupt(fs, "superblock checksum mismatch", s->s_checksum);
		fs->csum_seed = fs->incompat & EXT4_INCOMPAT_CSUM_SEED ? s->s_checksum_seed
							     : crc32c(~0u, s->s_uuid, 16);
	}
	return 0;
}

/* Each descriptor's checksum and where its bitmaps and inode table lie. */
static int check_group(struct ext4_fs *fs, uint32_t g)
{
	struct ext4_group_disk *d = ext4_group(fs, g);

	if (fs->csum && ext4_group_csum(fs, g) != d->bg_checksum)
		return ext4_corrupt(fs, "group descriptor checksum mismatch", g);
	uint64_t itable_blocks = ((uint64_t)fs->inodes_per_group * fs->inode_size) >> fs->log_block;
	uint64_t it = ext4_group_inode_table(fs, g);
	if (!ext4_block_ok(fs, ext4_group_block_bitmap(fs, g)) ||
	    !ext4_block_ok(fs, ext4_group_inode_bitmap(fs, g)) || !ext4_block_ok(fs, it) ||
	    it + itable_blocks > fs->blocks_count)
		return ext4_corrupt(fs, "group metadata outside the file system", g);
	return 0;
}

static int read_groups(struct ext4_fs *fs)
{
	size_t bytes = (size_t)fs->gdt_blocks << fs->log_block;

	fs->gdt = kmalloc(bytes);
	fs->csums_due = kmalloc(fs->ngroups);
	if (!fs->gdt || !fs->csums_due)
		return -ENOMEM;
	uint64_t off = (uint64_t)(fs->first_data_block + 1) << fs->log_block;
	int err = blk_read(fs->dev, off, fs->gdt, bytes);
	for (uint32_t g = 0; !err && g < fs->ngroups; g++)
		err = check_group(fs, g);
	return err;
}

static void fs_free(struct ext4_fs *fs)
{
	ext4_journal_free(fs);
	ext4_freed_free(fs);
	if (fs->bc)
		bcache_free(fs->bc);
	kfree(fs->gdt);
	kfree(fs->csums_due);
	kfree(fs);
}

/* The superblock's block, with the superblock copied in (dirty). */
static int stage_super(struct ext4_fs *fs, struct buf **out)
{
	uint64_t blk = EXT4_SUPER_OFFSET >> fs->log_block;
	int err = bcache_read(fs->bc, blk, out);

	if (err)
		return err;
	ext4_super_csum_set(fs);
	memcpy((*out)->data + EXT4_SUPER_OFFSET - (blk << fs->log_block), &fs->sb, sizeof fs->sb);
	bcache_dirty(*out);
	fs->sb_dirty = false;
	return 0;
}

/* Each descriptor block whose copy in memory differs from its buffer. */
static int stage_groups(struct ext4_fs *fs)
{
	uint64_t first = fs->first_data_block + 1;

	for (uint32_t k = 0; k < fs->gdt_blocks && fs->gdt_dirty; k++) {
		struct buf *b;
		int err = bcache_read(fs->bc, first + k, &b);
		if (err)
			return err;
		const uint8_t *mem = fs->gdt + ((size_t)k << fs->log_block);
		if (memcmp(b->data, mem, fs->block_size)) {
			memcpy(b->data, mem, fs->block_size);
			bcache_dirty(b);
		}
		bcache_put(b);
	}
	fs->gdt_dirty = false;
	return 0;
}

int ext4_super_stage(struct ext4_fs *fs)
{
	struct buf *b;
	int err = ext4_bitmap_csums_stage(fs);

	if (!err)
		err = stage_groups(fs);
	if (!err && fs->sb_dirty && !(err = stage_super(fs, &b)))
		bcache_put(b);
	return err;
}

int ext4_super_write(struct ext4_fs *fs)
{
	struct buf *b;
	int err = stage_super(fs, &b);

	if (err)
		return err;
	err = bcache_write(b);
	bcache_put(b);
	return err ? err : blk_flush(fs->dev);
}

/* Without a journal a write-back is bracketed: the superblock says "not
 * clean" on the disk before the first block is written and "clean" again
 * after the last (and the flush).  Between syncs nothing but file data
 * reaches the disk, into blocks the on-disk metadata does not use yet or
 * the file's own, so the disk holds the last sync's consistent state; a
 * crash during a sync leaves it marked for e2fsck. */
int ext4_fs_writeback(struct ext4_fs *fs)
{
	int err = ext4_super_stage(fs);

	if (err || !bcache_dirty_count(fs->bc))
		return err;
	fs->sb.s_state &= (uint16_t)~EXT4_STATE_CLEAN;
	err = ext4_super_write(fs);
	if (!err)
		err = bcache_sync(fs->bc);
	if (!err) {
		fs->sb.s_state |= EXT4_STATE_CLEAN;
		err = ext4_super_write(fs);
	}
	return err;
}

int ext4_fs_sync(struct ext4_fs *fs)
{
	if (fs->failed)
		return -EIO;
	if (fs->read_only)
		return 0;
	mutex_lock(&fs->lock);
	int err;
	if (fs->journal)
		err = ext4_journal_commit(fs);
	else if (!(err = fs->write_data ? fs->write_data(fs->write_data_arg) : 0))
		err = ext4_fs_writeback(fs);
	mutex_unlock(&fs->lock);
	return err;
}

static int open_once(struct blk_dev *d, bool read_only, bool ext2_only, struct ext4_fs **out)
{
	struct ext4_fs *fs = kmalloc(sizeof *fs);

	if (!fs)
		return -ENOMEM;
	fs->dev = d;
	fs->read_only = read_only || d->read_only;
	mutex_init(&fs->lock);
	int err = read_super(fs);
	if (!err && ext2_only && !is_ext2(fs))
		err = -EINVAL;
	if (!err)
		err = check_features(fs);
	if (!err)
		err = check_geometry(fs);
	if (!err && !(fs->bc = bcache_new(d, fs->block_size, CLEAN_BUFFERS)))
		err = -ENOMEM;
	if (!err)
		err = read_groups(fs);
	/* (A journal to replay first: the second open looks again.) */
	if (!err && !fs->read_only && !(fs->sb.s_state & EXT4_STATE_CLEAN) &&
	    !(fs->incompat & EXT4_INCOMPAT_RECOVER)) {
		printk("ext4: %s: not cleanly unmounted (run e2fsck): mounted read-only\n", d->name);
		fs->read_only = true;
	}
	if (!err && (fs->compat & EXT4_COMPAT_HAS_JOURNAL))
		err = ext4_journal_open(fs);
	else if (!err && !fs->read_only && (fs->incompat & EXT4_INCOMPAT_RECOVER)) {
		printk("ext4: %s: needs_recovery without a journal: mounted read-only\n", d->name);
		fs->read_only = true;
	}
	if (!err && !fs->read_only)
		ext4_counts_from_groups(fs);
	if (!err && !fs->read_only && fs->sb.s_last_orphan) {
		mutex_lock(&fs->lock);
		err = ext4_orphan_cleanup(fs);
		mutex_unlock(&fs->lock);
	}
	if (err) {
		fs_free(fs);
		return err;
	}
	fs->forced_read_only = fs->read_only && !read_only;
	*out = fs;
	return 0;
}

/* A journal replayed at the first try changed the disk under what was
 * read: the second reads it afresh (its journal is empty then). */
int ext4_fs_open(struct blk_dev *d, bool read_only, bool ext2_only, struct ext4_fs **out)
{
	int err = open_once(d, read_only, ext2_only, out);

	return err == -EAGAIN ? open_once(d, read_only, ext2_only, out) : err;
}

/* The last commit, the journal marked empty and needs_recovery cleared;
 * read-only after it (the journal is gone). */
static int finish(struct ext4_fs *fs)
{
	int err = ext4_fs_sync(fs);

	mutex_lock(&fs->lock);
	if (!err && fs->journal && !fs->read_only)
		err = ext4_journal_close(fs);
	ext4_journal_free(fs);
	fs->read_only = true;
	mutex_unlock(&fs->lock);
	if (err)
		printk("ext4: %s: the last sync failed\n", fs->dev->name);
	return err;
}

void ext4_fs_end(struct ext4_fs *fs) { finish(fs); }

int ext4_fs_remount(struct ext4_fs *fs, bool read_only)
{
	if (read_only)
		return finish(fs);
	if (fs->failed || fs->forced_read_only || fs->dev->read_only)
		return -EROFS;
	if (!fs->read_only)
		return 0;
	mutex_lock(&fs->lock);
	fs->read_only = false;
	int err = fs->compat & EXT4_COMPAT_HAS_JOURNAL ? ext4_journal_open(fs) : 0;
	if (!err && fs->read_only)
		err = -EROFS;	/* the journal refused (its one line said why) */
	if (err)
		fs->read_only = true;
	mutex_unlock(&fs->lock);
	return err;
}

void ext4_fs_close(struct ext4_fs *fs)
{
	finish(fs);
	fs_free(fs);
}
