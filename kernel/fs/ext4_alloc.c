/* ext2/ext4 block and inode allocation: the groups' bitmaps, the free
 * counts in the descriptors and the superblock, and (metadata_csum) the
 * bitmaps' and descriptors' checksums, all kept in step.
 *
 * Groups whose bitmaps were never written (BLOCK_UNINIT, INODE_UNINIT:
 * mke2fs leaves them so) get them the first time they are allocated
 * from: an inode bitmap starts empty, a block bitmap holds the group's
 * own metadata (superblock backup, descriptors, and whichever groups'
 * bitmaps and inode tables flex_bg placed in it), checked against the
 * descriptor's free count.
 *
 * A bitmap's checksum (in its group's descriptor) is not computed at each
 * change, which would hash a whole block for every block allocated: the
 * group is marked, and ext4_bitmap_csums_stage computes it once before
 * the descriptors go to the disk. */
#include "fs/ext4_internal.h"

#include "core/errno.h"
#include "core/kmalloc.h"
#include "core/string.h"
#include "crc32c.h"
#include "fs/bcache.h"

enum bitmap { BLOCKS, INODES };

static uint32_t bits_in(struct ext4_fs *fs, enum bitmap kind, uint32_t g)
{
	if (kind == INODES)
		return fs->inodes_per_group;
	uint64_t first = fs->first_data_block + (uint64_t)g * fs->blocks_per_group;
	uint64_t left = fs->blocks_count - first;
	return left < fs->blocks_per_group ? (uint32_t)left : fs->blocks_per_group;
}

static uint32_t bitmap_csum(struct ext4_fs *fs, enum bitmap kind, const uint8_t *b)
{
	uint32_t bytes = (kind == INODES ? fs->inodes_per_group : fs->blocks_per_group) / 8;
	return crc32c(fs->csum_seed, b, bytes);
}

static bool bitmap_csum_ok(struct ext4_fs *fs, enum bitmap kind, uint32_t g, const uint8_t *b)
{
	struct ext4_group_disk *d = ext4_group(fs, g);
	uint32_t c = bitmap_csum(fs, kind, b);
	uint16_t lo = kind == INODES ? d->bg_inode_bitmap_csum_lo : d->bg_block_bitmap_csum_lo;
	uint16_t hi = kind == INODES ? d->bg_inode_bitmap_csum_hi : d->bg_block_bitmap_csum_hi;

	return (c & 0xffff) == lo && (fs->desc_size < 64 || (c >> 16) == hi);
}

static void bitmap_csum_set(struct ext4_fs *fs, enum bitmap kind, uint32_t g, const uint8_t *b)
{
	struct ext4_group_disk *d = ext4_group(fs, g);
	uint32_t c = bitmap_csum(fs, kind, b);

	if (kind == INODES) {
		d->bg_inode_bitmap_csum_lo = (uint16_t)c;
		if (fs->desc_size >= 64)
			d->bg_inode_bitmap_csum_hi = (uint16_t)(c >> 16);
	} else {
		d->bg_block_bitmap_csum_lo = (uint16_t)c;
		if (fs->desc_size >= 64)
			d->bg_block_bitmap_csum_hi = (uint16_t)(c >> 16);
	}
}

/* The group's bitmap and descriptor changed: their checksums are due. */
static void group_changed(struct ext4_fs *fs, enum bitmap kind, uint32_t g)
{
	if (fs->csum)
		fs->csums_due[g] |= (uint8_t)(1u << kind);
	fs->gdt_dirty = true;
	fs->sb_dirty = true;
}

int ext4_bitmap_csums_stage(struct ext4_fs *fs)
{
	for (uint32_t g = 0; g < fs->ngroups && fs->csum; g++) {
		for (enum bitmap kind = BLOCKS; kind <= INODES && fs->csums_due[g]; kind++) {
			if (!(fs->csums_due[g] & (1u << kind)))
				continue;
			/* Changed, so dirty, so still cached and checked. */
			struct buf *b;
			uint64_t blk = kind == INODES ? ext4_group_inode_bitmap(fs, g) : ext4_group_block_bitmap(fs, g);
			int err = ext4_bread(fs, blk, &b);
			if (err)
				return err;
			bitmap_csum_set(fs, kind, g, b->data);
			bcache_put(b);
		}
		if (fs->csums_due[g])
			ext4_group(fs, g)->bg_checksum = ext4_group_csum(fs, g);
		fs->csums_due[g] = 0;
	}
	return 0;
}

static uint8_t checked_kind(enum bitmap kind)
{
	return kind == INODES ? EXT4_AS_INODE_BITMAP : EXT4_AS_BLOCK_BITMAP;
}

static int bitmap_read(struct ext4_fs *fs, enum bitmap kind, uint32_t g, struct buf **out)
{
	uint64_t blk = kind == INODES ? ext4_group_inode_bitmap(fs, g) : ext4_group_block_bitmap(fs, g);
	int err = ext4_bread(fs, blk, out);

	if (err || (*out)->checked_as == checked_kind(kind))
		return err;
	if (fs->csum && !bitmap_csum_ok(fs, kind, g, (*out)->data)) {
		bcache_put(*out);
		return ext4_corrupt(fs, kind == INODES ? "inode bitmap checksum mismatch"
						       : "block bitmap checksum mismatch", g);
	}
	(*out)->checked_as = checked_kind(kind);
	return 0;
}

static bool bit_test(const uint8_t *b, uint32_t i) { return b[i / 8] & (1u << (i % 8)); }
static void bit_flip(uint8_t *b, uint32_t i) { b[i / 8] ^= (uint8_t)(1u << (i % 8)); }

static uint32_t group_free(struct ext4_fs *fs, enum bitmap kind, uint32_t g)
{
	struct ext4_group_disk *d = ext4_group(fs, g);
	uint32_t lo = kind == INODES ? d->bg_free_inodes_count_lo : d->bg_free_blocks_count_lo;
	uint32_t hi = kind == INODES ? d->bg_free_inodes_count_hi : d->bg_free_blocks_count_hi;
	return fs->desc_size >= 64 ? hi << 16 | lo : lo;
}

/* Adds delta to the group's and the superblock's free counts. */
static void count(struct ext4_fs *fs, enum bitmap kind, uint32_t g, int delta)
{
	struct ext4_group_disk *d = ext4_group(fs, g);
	uint32_t n = group_free(fs, kind, g) + (uint32_t)delta;

	if (kind == INODES) {
		d->bg_free_inodes_count_lo = (uint16_t)n;
		if (fs->desc_size >= 64)
			d->bg_free_inodes_count_hi = (uint16_t)(n >> 16);
		fs->sb.s_free_inodes_count += (uint32_t)delta;
		return;
	}
	d->bg_free_blocks_count_lo = (uint16_t)n;
	if (fs->desc_size >= 64)
		d->bg_free_blocks_count_hi = (uint16_t)(n >> 16);
	uint64_t f = fs->sb.s_free_blocks_count_lo | (uint64_t)fs->sb.s_free_blocks_count_hi << 32;
	f += (uint64_t)(int64_t)delta;
	fs->sb.s_free_blocks_count_lo = (uint32_t)f;
	if (fs->incompat & EXT4_INCOMPAT_64BIT)
		fs->sb.s_free_blocks_count_hi = (uint32_t)(f >> 32);
}

/* The first clear bit at or after from (wrapping once), or -1. */
static int64_t find_clear(const uint8_t *b, uint32_t nbits, uint32_t from)
{
	for (uint32_t k = 0; k < nbits; k++) {
		uint32_t i = (from + k) % nbits;
		if (!bit_test(b, i))
			return i;
	}
	return -1;
}

static bool power_of(uint32_t n, uint32_t base)
{
	while (n > 1 && n % base == 0)
		n /= base;
	return n == 1;
}

/* sparse_super: backups in groups 0, 1 and powers of 3, 5 and 7. */
static bool has_super(struct ext4_fs *fs, uint32_t g)
{
	if (!(fs->ro_compat & EXT4_RO_COMPAT_SPARSE_SUPER) || g <= 1)
		return true;
	return power_of(g, 3) || power_of(g, 5) || power_of(g, 7);
}

static void mark(uint8_t *b, uint64_t first, uint64_t blk, uint64_t n, uint32_t nbits)
{
	for (uint64_t k = blk; k < blk + n; k++)
		if (k >= first && k - first < nbits)
			b[(k - first) / 8] |= (uint8_t)(1u << ((k - first) % 8));
}

static uint32_t count_clear(const uint8_t *b, uint32_t nbits)
{
	uint32_t n = 0;
	for (uint32_t i = 0; i < nbits; i++)
		n += !bit_test(b, i);
	return n;
}

/* The never-written bitmap of group g, built as mke2fs would have. */
static int init_bitmap(struct ext4_fs *fs, enum bitmap kind, uint32_t g, uint8_t *b)
{
	uint32_t nbits = bits_in(fs, kind, g);

	memset(b, 0, fs->block_size);
	for (uint32_t i = nbits; i < fs->block_size * 8; i++)	/* past the group: in use */
		b[i / 8] |= (uint8_t)(1u << (i % 8));
	if (kind == INODES)
		return 0;
	uint64_t first = fs->first_data_block + (uint64_t)g * fs->blocks_per_group;
	if (has_super(fs, g))
		mark(b, first, first, 1 + fs->gdt_blocks + fs->sb.s_reserved_gdt_blocks, nbits);
	uint64_t itable = ((uint64_t)fs->inodes_per_group * fs->inode_size) >> fs->log_block;
	for (uint32_t h = 0; h < fs->ngroups; h++) {
		mark(b, first, ext4_group_block_bitmap(fs, h), 1, nbits);
		mark(b, first, ext4_group_inode_bitmap(fs, h), 1, nbits);
		mark(b, first, ext4_group_inode_table(fs, h), itable, nbits);
	}
	if (count_clear(b, nbits) != group_free(fs, BLOCKS, g))
		return ext4_corrupt(fs, "uninitialised group's free count is wrong", g);
	return 0;
}

/* The group's bitmap, made now if it never was. */
static int bitmap_get(struct ext4_fs *fs, enum bitmap kind, uint32_t g, struct buf **out)
{
	struct ext4_group_disk *d = ext4_group(fs, g);
	uint16_t uninit = kind == INODES ? EXT4_BG_INODE_UNINIT : EXT4_BG_BLOCK_UNINIT;

	if (!(d->bg_flags & uninit))
		return bitmap_read(fs, kind, g, out);
	uint64_t blk = kind == INODES ? ext4_group_inode_bitmap(fs, g) : ext4_group_block_bitmap(fs, g);
	int err = ext4_block_ok(fs, blk) ? bcache_new_block(fs->bc, blk, checked_kind(kind), out) : -EUCLEAN;
	if (!err && (err = init_bitmap(fs, kind, g, (*out)->data)))
		bcache_put(*out);
	if (err)
		return err;
	d->bg_flags &= (uint16_t)~uninit;
	group_changed(fs, kind, g);
	return 0;
}

/* Takes one bit in the first group from g0 that has one free (from
 * 'from' in g0): the group and the bit.  -ENOSPC when none has. */
static int take(struct ext4_fs *fs, enum bitmap kind, uint32_t g0, uint32_t from, uint32_t *gout,
		uint32_t *bit)
{
	for (uint32_t k = 0; k < fs->ngroups; k++) {
		uint32_t g = (g0 + k) % fs->ngroups;
		if (!group_free(fs, kind, g))
			continue;
		struct buf *b;
		int err = bitmap_get(fs, kind, g, &b);
		if (err)
			return err;
		int64_t i = find_clear(b->data, bits_in(fs, kind, g), k ? 0 : from);
		if (i >= 0) {
			bit_flip(b->data, (uint32_t)i);
			count(fs, kind, g, -1);
			group_changed(fs, kind, g);
			bcache_dirty(b);
		}
		bcache_put(b);
		if (i >= 0) {
			*gout = g;
			*bit = (uint32_t)i;
			return 0;
		}
		/* The count said free, the bitmap disagrees: corrupt. */
		return ext4_corrupt(fs, "free count does not match the bitmap", g);
	}
	return -ENOSPC;
}

/* Gives one bit back. */
static int give(struct ext4_fs *fs, enum bitmap kind, uint32_t g, uint32_t bit)
{
	struct buf *b;
	int err = bitmap_get(fs, kind, g, &b);

	if (err)
		return err;
	if (!bit_test(b->data, bit)) {
		bcache_put(b);
		return ext4_corrupt(fs, kind == INODES ? "freeing a free inode" : "freeing a free block",
				    bit);
	}
	bit_flip(b->data, bit);
	count(fs, kind, g, 1);
	group_changed(fs, kind, g);
	bcache_dirty(b);
	bcache_put(b);
	return 0;
}

int ext4_block_alloc(struct ext4_fs *fs, uint64_t goal, uint64_t *blk)
{
	uint32_t g, bit;

	if (!ext4_block_ok(fs, goal))
		goal = fs->first_data_block + 1;
	uint64_t rel = goal - fs->first_data_block;
	int err = take(fs, BLOCKS, (uint32_t)(rel / fs->blocks_per_group),
		       (uint32_t)(rel % fs->blocks_per_group), &g, &bit);
	if (err)
		return err;
	*blk = fs->first_data_block + (uint64_t)g * fs->blocks_per_group + bit;
	if (!ext4_block_ok(fs, *blk))
		return ext4_corrupt(fs, "a free bit for a block outside the file system", *blk);
	return 0;
}

static uint32_t group_of(struct ext4_fs *fs, uint64_t blk)
{
	return (uint32_t)((blk - fs->first_data_block) / fs->blocks_per_group);
}

static uint32_t bit_of(struct ext4_fs *fs, uint64_t blk)
{
	return (uint32_t)((blk - fs->first_data_block) % fs->blocks_per_group);
}

static int block_give(struct ext4_fs *fs, uint64_t blk)
{
	return give(fs, BLOCKS, group_of(fs, blk), bit_of(fs, blk));
}

/* Blocks freed since the last commit are parked: one bit per block in a
 * per-group map made when the group first has one, so the memory stays
 * bounded (a bit per block at most) whatever a corrupt disk makes a
 * truncation free, and a block freed twice is caught at its second free
 * instead of at the commit. */
static bool parked(struct ext4_fs *fs, uint64_t blk)
{
	uint8_t *map = fs->parked ? fs->parked[group_of(fs, blk)] : NULL;
	return map && bit_test(map, bit_of(fs, blk));
}

static void *zeroed(size_t size)
{
	void *p = kmalloc(size);
	if (p)
		memset(p, 0, size);
	return p;
}

/* Sets blk's bit in its group's map: false without memory. */
static bool park(struct ext4_fs *fs, uint64_t blk)
{
	uint32_t g = group_of(fs, blk);

	if (!fs->parked)
		fs->parked = zeroed(fs->ngroups * sizeof *fs->parked);
	if (!fs->parked)
		return false;
	if (!fs->parked[g])
		fs->parked[g] = zeroed(fs->blocks_per_group / 8 + 1);
	if (!fs->parked[g])
		return false;
	bit_flip(fs->parked[g], bit_of(fs, blk));
	fs->nfreed++;
	return true;
}

int ext4_block_check_taken(struct ext4_fs *fs, uint64_t blk)
{
	struct buf *b;

	if (!ext4_block_ok(fs, blk))
		return ext4_corrupt(fs, "freeing a block outside the file system", blk);
	int err = bitmap_get(fs, BLOCKS, group_of(fs, blk), &b);
	if (err)
		return err;
	bool taken = bit_test(b->data, bit_of(fs, blk));
	bcache_put(b);
	if (!taken)
		return ext4_corrupt(fs, "freeing a free block", blk);
	if (parked(fs, blk))
		return ext4_corrupt(fs, "freeing a block twice", blk);
	return 0;
}

/* With a journal the bit stays set until the commit: a block the last
 * committed state still uses (as an extent block, say, or a file's data)
 * must not be handed to a new file whose data goes to the disk at once;
 * after a crash the old owner would show the new bytes.  Without memory
 * to remember it the block is freed now, the old exposure for once. */
int ext4_block_free(struct ext4_fs *fs, uint64_t blk)
{
	int err = ext4_block_check_taken(fs, blk);

	if (err)
		return err;
	bcache_forget(fs->bc, blk);
	if (fs->journal && park(fs, blk))
		return 0;
	return block_give(fs, blk);
}

int ext4_freed_release(struct ext4_fs *fs)
{
	int first = 0;

	for (uint32_t g = 0; fs->parked && g < fs->ngroups; g++) {
		uint8_t *map = fs->parked[g];
		for (uint32_t bit = 0; map && bit < fs->blocks_per_group; bit++) {
			if (!map[bit / 8]) {
				bit |= 7;	/* a whole byte clear: on to the next */
				continue;
			}
			int err = bit_test(map, bit) ? give(fs, BLOCKS, g, bit) : 0;
			if (err && !first)
				first = err;
		}
		kfree(map);
		fs->parked[g] = NULL;
	}
	fs->nfreed = 0;
	return first;
}

void ext4_freed_free(struct ext4_fs *fs)
{
	for (uint32_t g = 0; fs->parked && g < fs->ngroups; g++)
		kfree(fs->parked[g]);
	kfree(fs->parked);
	fs->parked = NULL;
	fs->nfreed = 0;
}

/* Inodes never used in a group's table are counted as itable_unused (for
 * e2fsck and mke2fs's lazy init): a new inode past them shrinks it. */
static void table_used(struct ext4_fs *fs, uint32_t g, uint32_t bit)
{
	struct ext4_group_disk *d = ext4_group(fs, g);
	uint32_t unused = d->bg_itable_unused_lo;

	if (fs->desc_size >= 64)
		unused |= (uint32_t)d->bg_itable_unused_hi << 16;
	if (fs->inodes_per_group - unused <= bit) {
		unused = fs->inodes_per_group - bit - 1;
		d->bg_itable_unused_lo = (uint16_t)unused;
		if (fs->desc_size >= 64)
			d->bg_itable_unused_hi = (uint16_t)(unused >> 16);
	}
}

static void dirs_count(struct ext4_fs *fs, uint32_t g, int delta)
{
	struct ext4_group_disk *d = ext4_group(fs, g);
	uint32_t n = d->bg_used_dirs_count_lo;

	if (fs->desc_size >= 64)
		n |= (uint32_t)d->bg_used_dirs_count_hi << 16;
	n += (uint32_t)delta;
	d->bg_used_dirs_count_lo = (uint16_t)n;
	if (fs->desc_size >= 64)
		d->bg_used_dirs_count_hi = (uint16_t)(n >> 16);
}

int ext4_inode_alloc(struct ext4_fs *fs, uint64_t near, bool dir, uint64_t *ino)
{
	uint32_t g0 = (uint32_t)((near - 1) / fs->inodes_per_group), g, bit;
	uint32_t from = g0 == 0 ? fs->first_ino - 1 : 0;

	int err = take(fs, INODES, g0, from, &g, &bit);
	if (err)
		return err;
	*ino = (uint64_t)g * fs->inodes_per_group + bit + 1;
	if (*ino < fs->first_ino)
		return ext4_corrupt(fs, "a reserved inode is free", *ino);
	table_used(fs, g, bit);
	if (dir)
		dirs_count(fs, g, 1);	/* the descriptor's checksum is due since take() */
	return 0;
}

int ext4_inode_free(struct ext4_fs *fs, uint64_t ino, bool dir)
{
	uint32_t g = (uint32_t)((ino - 1) / fs->inodes_per_group);

	if (dir)
		dirs_count(fs, g, -1);
	return give(fs, INODES, g, (uint32_t)((ino - 1) % fs->inodes_per_group));
}

/* Linux does not keep the superblock's free counts exact (it sums the
 * descriptors at mount, and a replayed journal of its own leaves them
 * stale): they are summed here too, as e2fsck would count them. */
void ext4_counts_from_groups(struct ext4_fs *fs)
{
	uint64_t blocks = 0, inodes = 0;

	for (uint32_t g = 0; g < fs->ngroups; g++) {
		blocks += group_free(fs, BLOCKS, g);
		inodes += group_free(fs, INODES, g);
	}
	uint64_t old = fs->sb.s_free_blocks_count_lo | (uint64_t)fs->sb.s_free_blocks_count_hi << 32;
	if (old == blocks && fs->sb.s_free_inodes_count == inodes)
		return;
	fs->sb.s_free_blocks_count_lo = (uint32_t)blocks;
	if (fs->incompat & EXT4_INCOMPAT_64BIT)
		fs->sb.s_free_blocks_count_hi = (uint32_t)(blocks >> 32);
	fs->sb.s_free_inodes_count = (uint32_t)inodes;
	fs->sb_dirty = true;
}
