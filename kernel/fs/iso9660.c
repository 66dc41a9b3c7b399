/* ISO 9660 discs with Rock Ridge, read-only, on a block device.
 *
 * lib/iso9660.c decodes the records; this file reads blocks and fills the
 * VFS cache through fs/super.h.  Inode numbers are byte offsets on the
 * disc, as Linux's isofs makes them: a directory's is its own "." record
 * (so a relocated directory, reached through a Rock Ridge CL entry, has one
 * number wherever it is named), a file's is its record in its directory.
 * read_inode decodes the record again from that offset.
 *
 * Discs are sector-addressed in 2 KiB blocks; a device with 4 KiB sectors
 * is read a sector at a time and the block taken from it. */
#include "core/errno.h"
#include "core/kmalloc.h"
#include "core/printk.h"
#include "core/string.h"
#include "dev/blk.h"
#include "fs/file.h"
#include "fs/iso9660_fs.h"
#include "fs/stat.h"
#include "fs/super.h"
#include "fs/vfs.h"
#include "iso9660.h"

#define ISOFS_SUPER_MAGIC	0x9660
#define READ_CHUNK		(64 * 1024)	/* file data moves in pieces of this */

struct iso_sb {
	struct blk_dev *bdev;
	struct iso_volume vol;
	unsigned skip;			/* SUSP bytes to skip (the root's SP) */
	bool logged_multi_extent;
};

/* What a file needs to be read again: its data's place on the disc. */
struct iso_file {
	uint32_t extent;
	uint32_t size;
};

static struct iso_sb *sbi(struct super *sb) { return sb->priv; }

/* Reads len bytes at byte offset off of the disc into buf, through whole
 * device sectors.  0 or -errno. */
static int disc_read(struct iso_sb *s, uint64_t off, void *buf, size_t len)
{
	uint32_t ss = s->bdev->sector_size;
	uint64_t start = off / ss * ss, end = (off + len + ss - 1) / ss * ss;

	if (end > blk_bytes(s->bdev))
		return -EIO;
	if (start == off && end == off + len)
		return blk_read(s->bdev, off, buf, len);
	uint8_t *bounce = kmalloc(end - start);
	if (!bounce)
		return -ENOMEM;
	int err = blk_read(s->bdev, start, bounce, end - start);
	if (!err)
		memcpy(buf, bounce + (off - start), len);
	kfree(bounce);
	return err;
}

static int read_block(void *ctx, uint32_t block, uint8_t *buf)
{
	return disc_read(ctx, (uint64_t)block * ISO_BLOCK, buf, ISO_BLOCK);
}

/* The record at byte offset ino, decoded into r (pointing into block) and
 * rr.  0, or -EIO / -EUCLEAN. */
static int record_at(struct iso_sb *s, uint64_t ino, uint8_t *block, uint8_t *scratch,
		     struct iso_record *r, struct iso_rr *rr)
{
	uint32_t off = ino % ISO_BLOCK;

	if (ino / ISO_BLOCK >= s->vol.blocks)
		return -EUCLEAN;
	int err = read_block(s, (uint32_t)(ino / ISO_BLOCK), block);
	if (err)
		return err;
	if (iso_record_parse(block + off, ISO_BLOCK - off, r))
		return -EUCLEAN;
	err = iso_record_rr(r, s->skip, rr, read_block, s, scratch);
	if (err == -1)
		return -EUCLEAN;	/* malformed, as opposed to unreadable (-errno) */
	return err;
}

/* Mode, owner, links and times from Rock Ridge, or Linux's defaults for a
 * plain disc (everything readable and searchable, owned by root). */
static void fill_attrs(struct inode *i, const struct iso_record *r, const struct iso_rr *rr)
{
	bool dir = r->flags & ISO_FLAG_DIR;

	i->mode = rr->has_px ? rr->mode : dir ? (S_IFDIR | 0555) : (S_IFREG | 0555);
	if (dir != ((i->mode & S_IFMT) == S_IFDIR))
		i->mode = (i->mode & 07777) | (dir ? S_IFDIR : S_IFREG);	/* the record's kind wins */
	i->uid = rr->has_px ? rr->uid : 0;
	i->gid = rr->has_px ? rr->gid : 0;
	i->nlink = rr->has_px && rr->nlink ? rr->nlink : dir ? 2 : 1;
	int64_t m = rr->has_tf && rr->mtime ? rr->mtime : r->mtime;
	i->mtime_ns = m * 1000000000;
	i->atime_ns = (rr->has_tf && rr->atime ? rr->atime : m) * 1000000000;
	i->ctime_ns = (rr->has_tf && rr->ctime ? rr->ctime : m) * 1000000000;
	if (rr->has_pn)
		i->rdev = rr->rdev_high << 32 | rr->rdev_low;
}

static int set_target(struct inode *i, const struct iso_rr *rr)
{
	if (!rr->has_sl || !rr->link_len)
		return -EUCLEAN;
	i->target = kmalloc(rr->link_len + 1);
	if (!i->target)
		return -ENOMEM;
	memcpy(i->target, rr->link, rr->link_len + 1);
	return 0;
}

static int iso_read_inode(struct super *sb, uint64_t ino, struct inode *i)
{
	struct iso_sb *s = sbi(sb);
	uint8_t *block = kmalloc(2 * ISO_BLOCK);
	struct iso_rr *rr = kmalloc(sizeof *rr);
	struct iso_record r;
	int err = block && rr ? record_at(s, ino, block, block + ISO_BLOCK, &r, rr) : -ENOMEM;

	if (!err) {
		fill_attrs(i, &r, rr);
		i->ino = ino;
		i->size = r.size;
		i->blocks = ((uint64_t)r.size + 511) / 512;
		if (is_lnk(i))
			err = set_target(i, rr);
	}
	if (!err && is_reg(i)) {
		struct iso_file *f = kmalloc(sizeof *f);
		if (f) {
			*f = (struct iso_file){ r.extent, r.size };
			i->priv = f;
		}
		err = f ? 0 : -ENOMEM;
		if (r.flags & ISO_FLAG_MULTI_EXTENT && !s->logged_multi_extent) {
			s->logged_multi_extent = true;
			printk("iso9660: %s: files of more than one extent are read only to the first\n",
			       sb->source);
		}
	}
	kfree(rr);
	kfree(block);
	return err;
}

/* The number a child is known by (see the top of the file). */
static uint64_t child_ino(const struct iso_record *r, const struct iso_rr *rr, uint64_t at)
{
	if (rr->has_cl)
		return (uint64_t)rr->cl_block * ISO_BLOCK;
	return r->flags & ISO_FLAG_DIR ? (uint64_t)r->extent * ISO_BLOCK : at;
}

/* Adds the entries of one directory block.  A record that does not decode
 * ends the block (the next may still be good), as Linux does. */
static int load_block(struct inode *dir, struct iso_sb *s, uint32_t blockno, uint8_t *block,
		      uint8_t *scratch, struct iso_rr *rr)
{
	char name[ISO_NAME_MAX + 1];
	int err = read_block(s, blockno, block);

	for (size_t off = 0; !err && off < ISO_BLOCK;) {
		struct iso_record r;
		if (iso_record_parse(block + off, ISO_BLOCK - off, &r))
			break;
		uint64_t at = (uint64_t)blockno * ISO_BLOCK + off;
		off += r.len;
		if (iso_record_is_dots(&r))
			continue;
		if (iso_record_rr(&r, s->skip, rr, read_block, s, scratch) || rr->relocated ||
		    iso_entry_name(&r, rr, name) <= 0)
			continue;
		err = super_add_entry(dir, name, child_ino(&r, rr, at));
		if (err == -EEXIST || err == -EUCLEAN || err == -EIO)
			err = 0;	/* a hostile disc's duplicate or broken entry: skip it */
	}
	return err;
}

static int iso_load_dir(struct inode *dir)
{
	struct iso_sb *s = sbi(dir->sb);
	uint32_t extent = (uint32_t)(dir->ino / ISO_BLOCK);
	uint64_t blocks = ((uint64_t)dir->size + ISO_BLOCK - 1) / ISO_BLOCK;
	uint8_t *block = kmalloc(2 * ISO_BLOCK);
	struct iso_rr *rr = kmalloc(sizeof *rr);
	int err = block && rr ? 0 : -ENOMEM;

	if (!err && extent + blocks > s->vol.blocks)
		err = -EUCLEAN;
	for (uint32_t b = 0; !err && b < blocks; b++)
		err = load_block(dir, s, extent + b, block, block + ISO_BLOCK, rr);
	kfree(rr);
	kfree(block);
	return err;
}

static long iso_read(struct inode *i, const struct iobuf *b, int64_t pos)
{
	struct iso_sb *s = sbi(i->sb);
	struct iso_file *f = i->priv;

	if (pos >= f->size)
		return 0;
	size_t left = (size_t)(f->size - pos);
	size_t len = b->len < left ? b->len : left;
	size_t chunk = len < READ_CHUNK ? len : READ_CHUNK;
	uint8_t *buf = kmalloc(chunk);
	if (!buf)
		return -ENOMEM;
	size_t done = 0;
	long err = 0;
	while (done < len && !err) {
		size_t n = len - done < chunk ? len - done : chunk;
		err = disc_read(s, (uint64_t)f->extent * ISO_BLOCK + pos + done, buf, n);
		if (!err)
			err = iobuf_fill(b, done, buf, n);
		if (!err)
			done += n;
	}
	kfree(buf);
	return done ? (long)done : err;
}

static void iso_release_inode(struct inode *i)
{
	if (is_reg(i))
		kfree(i->priv);
	i->priv = NULL;
}

static void iso_statfs(struct super *sb, struct fs_statfs *st)
{
	*st = (struct fs_statfs){ .magic = ISOFS_SUPER_MAGIC, .bsize = ISO_BLOCK,
				  .blocks = sbi(sb)->vol.blocks, .namelen = ISO_NAME_MAX };
}

static int iso_sync(struct super *sb)
{
	(void)sb;
	return 0;
}

static void iso_unmount(struct super *sb)
{
	kfree(sb->priv);
	sb->priv = NULL;
}

static const struct fs_ops iso_ops = {
	.read_inode = iso_read_inode,
	.load_dir = iso_load_dir,
	.read = iso_read,
	.release_inode = iso_release_inode,
	.statfs = iso_statfs,
	.sync = iso_sync,
	.unmount = iso_unmount,
};

/* Finds the primary volume descriptor; fills s->vol and the root record. */
static int find_primary(struct iso_sb *s, uint8_t *block, struct iso_record *root)
{
	for (uint32_t b = ISO_FIRST_VD; b < ISO_FIRST_VD + ISO_MAX_VDS; b++) {
		enum iso_vd_kind kind;
		if (read_block(s, b, block) || iso_vd_kind(block, &kind) || kind == ISO_VD_END)
			return -EINVAL;
		if (kind == ISO_VD_PRIMARY)
			return iso_parse_primary(block, &s->vol, root) ? -EINVAL : 0;
	}
	return -EINVAL;
}

/* The root's "." record says whether SUSP is in use and what to skip. */
static int read_sp(struct iso_sb *s, uint32_t root_extent, uint8_t *block)
{
	struct iso_record dot;
	struct iso_rr *rr = kmalloc(sizeof *rr);

	if (!rr)
		return -ENOMEM;
	int err = read_block(s, root_extent, block);
	if (!err && iso_record_parse(block, ISO_BLOCK, &dot))
		err = -EINVAL;
	if (!err && !iso_record_rr(&dot, 0, rr, read_block, s, block + ISO_BLOCK) && rr->has_sp)
		s->skip = rr->sp_skip;
	kfree(rr);
	return err;
}

static int iso_mount(struct super *sb, const char *data)
{
	(void)data;
	struct iso_sb *s = kmalloc(sizeof *s);
	uint8_t *block = kmalloc(2 * ISO_BLOCK);
	struct iso_record root;
	int err = s && block ? 0 : -ENOMEM;

	if (!err) {
		*s = (struct iso_sb){ .bdev = sb->bdev };
		err = find_primary(s, block, &root);
	}
	if (!err && root.extent >= s->vol.blocks)
		err = -EINVAL;
	if (!err)
		err = read_sp(s, root.extent, block);
	kfree(block);
	if (err) {
		kfree(s);
		return err;
	}
	sb->priv = s;
	sb->ops = &iso_ops;
	sb->read_only = true;
	sb->root = super_inode_new(sb, S_IFDIR);
	if (!sb->root)
		err = -ENOMEM;
	if (!err)
		err = iso_read_inode(sb, (uint64_t)root.extent * ISO_BLOCK, sb->root);
	if (err) {
		if (sb->root)
			inode_put(sb->root);
		sb->root = NULL;
		iso_unmount(sb);
	}
	return err;
}

const struct fs_type iso9660_fs_type = { .name = "iso9660", .mount = iso_mount };
