/* ext2/ext4 behind fs_ops: the VFS's inodes carry the core's (inode.priv,
 * a struct ext4_inode), and each hook takes the file system's lock around
 * one call into the core.  File data lives in the page cache
 * (fs/pagecache.h), which asks the core for blocks through pcache_ops and
 * copies user memory without the lock. */
#include "fs/ext4.h"

#include "core/errno.h"
#include "core/kmalloc.h"
#include "core/string.h"
#include "dev/blk.h"
#include "fs/devfs.h"
#include "fs/ext4_internal.h"
#include "fs/file.h"
#include "fs/mount.h"
#include "fs/pagecache.h"
#include "fs/vfs.h"

static struct ext4_fs *fs_of(struct super *sb) { return sb->priv; }
static struct ext4_inode *ei_of(struct inode *i) { return i->priv; }

static int64_t time_of(uint32_t sec, uint32_t extra, bool has_extra)
{
	int64_t s = (int32_t)sec, ns = 0;

	if (has_extra) {
		s += (int64_t)(extra & 3) << 32;
		ns = extra >> 2;
	}
	return s * 1000000000 + ns;
}

static uint64_t rdev_of(const struct ext4_inode *ei)
{
	uint32_t b0 = ei->raw.i_block[0], b1 = ei->raw.i_block[1];

	if (b0)
		return dev_make((b0 >> 8) & 0xff, b0 & 0xff);
	return dev_make((b1 & 0xfff00) >> 8, (b1 & 0xff) | ((b1 >> 12) & 0xfff00));
}

/* The VFS inode's fields from the core's.  Caller holds the fs lock. */
static int fill(struct ext4_fs *fs, struct ext4_inode *ei, struct inode *i)
{
	struct ext4_inode_disk *d = &ei->raw;
	size_t end = EXT4_GOOD_OLD_INODE_SIZE + d->i_extra_isize;

	i->mode = d->i_mode;
	i->uid = d->i_uid | (uint32_t)d->i_uid_high << 16;
	i->gid = d->i_gid | (uint32_t)d->i_gid_high << 16;
	i->nlink = d->i_links_count;
	i->size = (int64_t)ei->size;
	i->blocks = ext4_inode_blocks(fs, ei);
	i->atime_ns = time_of(d->i_atime, d->i_atime_extra, end >= 0x90);
	i->mtime_ns = time_of(d->i_mtime, d->i_mtime_extra, end >= 0x8c);
	i->ctime_ns = time_of(d->i_ctime, d->i_ctime_extra, end >= 0x88);
	if ((i->mode & S_IFMT) == S_IFCHR || (i->mode & S_IFMT) == S_IFBLK)
		i->rdev = rdev_of(ei);
	if (!is_lnk(i) || i->target)
		return 0;
	if (!(i->target = kmalloc(ei->size + 1)))
		return -ENOMEM;
	long n = ext4_readlink(fs, ei, i->target, ei->size + 1);
	return n < 0 ? (int)n : 0;
}

static int ext4_read_inode(struct super *sb, uint64_t ino, struct inode *i)
{
	struct ext4_fs *fs = fs_of(sb);
	struct ext4_inode *ei = i->priv ? i->priv : kmalloc(sizeof *ei);

	if (!ei)
		return -ENOMEM;
	mutex_lock(&fs->lock);
	int err = ext4_inode_read(fs, ino, ei);
	if (!err)
		err = fill(fs, ei, i);
	mutex_unlock(&fs->lock);
	if (err && ei != i->priv)
		kfree(ei);
	else
		i->priv = ei;
	return err;
}

/* load_dir: the entries are gathered under the fs lock, then named in the
 * cache without it (super_add_entry reads each child through
 * read_inode, which takes it).  They gather in small chunks, not one
 * array: a directory of thousands of names needs no long run of free
 * pages, which a VM whose memory the cache churned may not have. */
#define CHUNK_BYTES	2000

struct chunk {
	struct chunk *next;
	size_t used;
	char data[CHUNK_BYTES];	/* records: an 8-byte ino, the name, NUL, padding to 8 */
};

struct gathered {
	struct chunk *first, *last;
};

static size_t record_size(size_t len) { return (8 + len + 1 + 7) & ~(size_t)7; }

static int gather(void *arg, const char *name, unsigned len, uint64_t ino, unsigned type)
{
	struct gathered *g = arg;
	size_t size = record_size(len);

	(void)type;
	if (!g->last || g->last->used + size > CHUNK_BYTES) {
		struct chunk *c = kmalloc(sizeof *c);
		if (!c)
			return -ENOMEM;
		c->next = NULL;
		c->used = 0;
		*(g->last ? &g->last->next : &g->first) = c;
		g->last = c;
	}
	char *at = g->last->data + g->last->used;
	memcpy(at, &ino, 8);
	memcpy(at + 8, name, len);
	at[8 + len] = 0;
	g->last->used += size;
	return 0;
}

static int ext4_load_dir(struct inode *dir)
{
	struct ext4_fs *fs = fs_of(dir->sb);
	struct gathered g = { 0 };

	mutex_lock(&fs->lock);
	int err = ext4_dir_iterate(fs, ei_of(dir), gather, &g);
	mutex_unlock(&fs->lock);
	for (struct chunk *c = g.first, *next; c; c = next) {
		for (size_t at = 0; at < c->used && !err;) {
			uint64_t ino;
			memcpy(&ino, c->data + at, 8);
			const char *name = c->data + at + 8;
			err = super_add_entry(dir, name, ino);
			at += record_size(strlen(name));
		}
		next = c->next;
		kfree(c);
	}
	return err;
}

/* A name went into dir, which may have grown a block: its size and
 * blocks as stat shows them.  Caller holds the fs lock. */
static void dir_grew(struct ext4_fs *fs, struct inode *dir)
{
	dir->size = (int64_t)ei_of(dir)->size;
	dir->blocks = ext4_inode_blocks(fs, ei_of(dir));
}

static int ext4_vfs_create(struct inode *dir, const char *name, struct inode *i)
{
	struct ext4_fs *fs = fs_of(dir->sb);
	struct ext4_inode *ei = kmalloc(sizeof *ei);
	struct ext4_new n = { i->mode, i->uid, i->gid, i->rdev, i->target ? i->target : "", vfs_now() };

	if (!ei)
		return -ENOMEM;
	mutex_lock(&fs->lock);
	int err = ext4_create(fs, ei_of(dir), name, &n, ei);
	if (ext4_retry_alloc(fs, err))	/* a failed create undid itself */
		err = ext4_create(fs, ei_of(dir), name, &n, ei);
	if (!err) {
		i->blocks = ext4_inode_blocks(fs, ei);
		dir_grew(fs, dir);
	}
	mutex_unlock(&fs->lock);
	if (err) {
		kfree(ei);
		return err;
	}
	i->ino = ei->ino;
	i->priv = ei;
	i->size = (int64_t)ei->size;
	return 0;
}

static int ext4_vfs_create_unnamed(struct inode *dir, struct inode *i)
{
	return ext4_vfs_create(dir, NULL, i);
}

static int ext4_vfs_link(struct inode *dir, const char *name, struct inode *i)
{
	struct ext4_fs *fs = fs_of(dir->sb);

	mutex_lock(&fs->lock);
	int err = ext4_link(fs, ei_of(dir), name, ei_of(i), vfs_now());
	if (ext4_retry_alloc(fs, err))	/* only adding the name allocates: it failed first */
		err = ext4_link(fs, ei_of(dir), name, ei_of(i), vfs_now());
	dir_grew(fs, dir);
	mutex_unlock(&fs->lock);
	return err;
}

static int ext4_vfs_unlink(struct inode *dir, const char *name, struct inode *i)
{
	struct ext4_fs *fs = fs_of(dir->sb);

	mutex_lock(&fs->lock);
	int err = ext4_unlink(fs, ei_of(dir), name, ei_of(i), vfs_now());
	mutex_unlock(&fs->lock);
	return err;
}

/* A rename, tried again if it found the disk full (only adding the new
 * name allocates, and it fails before anything changed).  Caller holds
 * the fs lock. */
static int rename_once_more(struct ext4_fs *fs, struct inode *odir, const char *oname, struct inode *ndir,
			    const char *nname, struct inode *i, struct inode *target)
{
	int err = 0;

	for (int tries = 0; tries < 2; tries++) {
		err = ext4_rename(fs, ei_of(odir), oname, ei_of(ndir), nname, ei_of(i),
				  target ? ei_of(target) : NULL, vfs_now());
		if (!ext4_retry_alloc(fs, err))
			break;
	}
	return err;
}

static int ext4_vfs_rename(struct inode *odir, const char *oname, struct inode *ndir, const char *nname,
			   unsigned flags)
{
	struct ext4_fs *fs = fs_of(odir->sb);
	struct dentry *od = dir_find(odir, oname, strlen(oname));
	struct dentry *nd = dir_find(ndir, nname, strlen(nname));

	if (!od || (flags & RENAME_EXCHANGE && !nd))
		return -ENOENT;
	int err;
	mutex_lock(&fs->lock);
	if (flags & RENAME_EXCHANGE)
		err = ext4_exchange(fs, ei_of(odir), oname, ei_of(ndir), nname, ei_of(od->inode),
				    ei_of(nd->inode), vfs_now());
	else
		err = rename_once_more(fs, odir, oname, ndir, nname, od->inode, nd ? nd->inode : NULL);
	dir_grew(fs, ndir);
	mutex_unlock(&fs->lock);
	return err;
}

static int ext4_write_inode(struct inode *i)
{
	struct ext4_fs *fs = fs_of(i->sb);
	struct ext4_inode *ei = ei_of(i);

	mutex_lock(&fs->lock);
	ei->raw.i_mode = (uint16_t)i->mode;
	ei->raw.i_uid = (uint16_t)i->uid;
	ei->raw.i_uid_high = (uint16_t)(i->uid >> 16);
	ei->raw.i_gid = (uint16_t)i->gid;
	ei->raw.i_gid_high = (uint16_t)(i->gid >> 16);
	ext4_set_times(ei, i->atime_ns, i->mtime_ns, i->ctime_ns);
	int err = ext4_inode_write(fs, ei);
	mutex_unlock(&fs->lock);
	return err;
}

/* The page cache's view of a file: its blocks through ext4_get_block
 * under the file system's lock. */
static void pc_lock(struct inode *i)
{
	struct ext4_fs *fs = fs_of(i->sb);

	mutex_lock(&fs->lock);
	/* A journal commit, if the log fills, before this section maps or
	 * allocates anything: between writes, never inside one, so a commit
	 * never holds a block whose page is not dirty yet.  A failure shows
	 * as the file system going read-only. */
	(void)ext4_journal_room(fs);
}
static void pc_unlock(struct inode *i) { mutex_unlock(&fs_of(i->sb)->lock); }

/* The cache calls this with every block it mapped under a dirty page (or
 * written): a commit is allowed here. */
static bool pc_make_room(struct inode *i) { return ext4_retry_alloc(fs_of(i->sb), -ENOSPC); }

/* A block taken for the file changes the inode's own map (the extent
 * root or block pointers, the block count): it goes into its table block
 * at once, since a fault that took the block has no write() after it to
 * store the inode, and a commit would log the bitmap without the map. */
static int pc_map(struct inode *i, uint64_t lblk, bool create, uint64_t *pblk, bool *fresh, uint64_t *run)
{
	struct ext4_fs *fs = fs_of(i->sb);
	bool made = false;

	if (!create && run)
		return ext4_map(fs, ei_of(i), lblk, pblk, run);
	int err = ext4_get_block(fs, ei_of(i), lblk, create, pblk, &made);
	if (fresh)
		*fresh = made;
	return !err && made ? ext4_inode_write(fs, ei_of(i)) : err;
}

static const struct pcache_ops pc_ops = { pc_lock, pc_unlock, pc_map, pc_make_room };

static int cached(struct inode *i)
{
	struct ext4_fs *fs = fs_of(i->sb);
	return pcache_attach(i, fs->dev, fs->log_block, &pc_ops);
}

static long ext4_vfs_read(struct inode *i, const struct iobuf *b, int64_t pos)
{
	int err = cached(i);
	return err ? err : pcache_read(i, b, pos);
}

static int64_t ext4_vfs_seek(struct inode *i, int64_t pos, bool hole)
{
	int err = cached(i);
	return err ? err : pcache_seek(i, pos, hole);
}

/* The file's contents change now: its times, in the VFS and on the store.
 * Caller holds fs->lock. */
static struct ext4_inode *contents_changed(struct inode *i)
{
	struct ext4_inode *ei = ei_of(i);

	i->mtime_ns = i->ctime_ns = vfs_now();
	ext4_set_times(ei, i->atime_ns, i->mtime_ns, i->ctime_ns);
	return ei;
}

/* n bytes were stored at pos (the blocks are the file's already,
 * allocated as the pages were stored): now its size and times. */
static int wrote(struct inode *i, int64_t pos, long n)
{
	struct ext4_fs *fs = fs_of(i->sb);

	mutex_lock(&fs->lock);
	struct ext4_inode *ei = contents_changed(i);
	if ((uint64_t)pos + (uint64_t)n > ei->size)
		ext4_inode_set_size(ei, (uint64_t)pos + (uint64_t)n);
	int err = ext4_inode_write(fs, ei);
	i->size = (int64_t)ei->size;
	i->blocks = ext4_inode_blocks(fs, ei);
	mutex_unlock(&fs->lock);
	return err;
}

static long write_as(struct inode *i, const struct iobuf *b, int64_t *pos, bool append, bool direct)
{
	struct ext4_fs *fs = fs_of(i->sb);
	int err = cached(i);

	if (err)
		return err;
	if (append)
		*pos = i->size;
	/* As Linux: a write that reaches past the largest size (or the
	 * caller's bound) stops there; one that starts there fails. */
	struct iobuf part;
	if (!b->len)
		return 0;
	if ((err = vfs_data_fit(b, *pos, ext4_max_size(fs, ei_of(i)), &part)))
		return err;
	long n = direct ? pcache_direct(i, &part, *pos, true) : pcache_write(i, &part, *pos);
	if (n <= 0)
		return n;
	(void)wrote(i, *pos, n);	/* the data is stored; a failing inode write shows at sync */
	*pos += n;
	return n;
}

static long ext4_vfs_write(struct inode *i, const struct iobuf *b, int64_t *pos, bool append)
{
	return write_as(i, b, pos, append, false);
}

static long ext4_direct_io(struct inode *i, const struct iobuf *b, int64_t *pos, bool write, bool append)
{
	if (write)
		return write_as(i, b, pos, append, true);
	int err = cached(i);
	return err ? err : pcache_direct(i, b, *pos, false);
}

static int ext4_vfs_truncate(struct inode *i, int64_t size)
{
	struct ext4_fs *fs = fs_of(i->sb);

	if (size < 0)
		return -EINVAL;
	if ((uint64_t)size > ext4_max_size(fs, ei_of(i)))
		return -EFBIG;
	int err = cached(i);
	if (!err)
		err = pcache_resize(i, size);
	if (err)
		return err;
	mutex_lock(&fs->lock);
	struct ext4_inode *ei = contents_changed(i);
	err = ext4_truncate(fs, ei, (uint64_t)size);
	i->size = (int64_t)ei->size;
	i->blocks = ext4_inode_blocks(fs, ei);
	mutex_unlock(&fs->lock);
	return err;
}

static int ext4_vfs_allocate(struct inode *i, int64_t off, int64_t len, bool keep_size)
{
	struct ext4_fs *fs = fs_of(i->sb);

	mutex_lock(&fs->lock);
	struct ext4_inode *ei = ei_of(i);
	i->ctime_ns = vfs_now();
	ext4_set_times(ei, i->atime_ns, i->mtime_ns, i->ctime_ns);
	int err = ext4_allocate(fs, ei, (uint64_t)off, (uint64_t)len, keep_size);
	if (ext4_retry_alloc(fs, err))	/* the blocks it took stay the file's */
		err = ext4_allocate(fs, ei, (uint64_t)off, (uint64_t)len, keep_size);
	i->size = (int64_t)ei->size;
	i->blocks = ext4_inode_blocks(fs, ei);
	mutex_unlock(&fs->lock);
	return err;
}

/* fallocate's PUNCH_HOLE, clipped to the file's size as Linux does (blocks
 * kept past it by KEEP_SIZE stay).  The cache's pages in the range go to
 * the disk and are dropped first, so that the store's zeroing of partial
 * blocks there and the blocks it frees are what is read next.  Caller
 * holds i's data_lock and fault_lock. */
static int ext4_vfs_punch(struct inode *i, int64_t off, int64_t len)
{
	struct ext4_fs *fs = fs_of(i->sb);

	if ((uint64_t)off + (uint64_t)len > ext4_max_size(fs, ei_of(i)))
		return -EFBIG;	/* as Linux's vfs_fallocate, before anything */
	if (off >= i->size)
		return 0;
	if (len > i->size - off)
		len = i->size - off;
	int err = cached(i);
	if (!err)
		err = pcache_evict_range(i, off, (uint64_t)len);
	if (err)
		return err;
	mutex_lock(&fs->lock);
	struct ext4_inode *ei = contents_changed(i);
	err = ext4_punch(fs, ei, (uint64_t)off, (uint64_t)len);
	i->blocks = ext4_inode_blocks(fs, ei);
	mutex_unlock(&fs->lock);
	return err;
}

/* The file's pages, then everything the file system holds (its sync
 * writes every other dirty page first too: ordered data). */
static int ext4_vfs_fsync(struct inode *i, bool datasync)
{
	(void)datasync;
	int err = pcache_sync_file(i);
	int serr = ext4_fs_sync(fs_of(i->sb));
	return err ? err : serr;
}

static int ext4_get_page(struct inode *i, uint64_t idx, bool write, uint64_t *pa)
{
	int err = cached(i);
	return err ? err : pcache_get_page(i, idx, write, pa);
}

/* ext4_fs.write_data: every dirty page of the file system to its block. */
static int write_data(void *arg)
{
	return pcache_writeback(((struct ext4_fs *)arg)->dev);
}

static void ext4_release_inode(struct inode *i)
{
	struct ext4_fs *fs = fs_of(i->sb);
	struct ext4_inode *ei = ei_of(i);

	if (!ei)
		return;
	pcache_forget(i, !i->nlink);
	if (!i->nlink) {	/* read-only: ext4_evict only forgets an orphan */
		mutex_lock(&fs->lock);
		ext4_evict(fs, ei, vfs_now());
		mutex_unlock(&fs->lock);
	}
	kfree(ei);
	i->priv = NULL;
}

static void ext4_statfs(struct super *sb, struct fs_statfs *st)
{
	struct ext4_fs *fs = fs_of(sb);
	struct ext4_super_disk *s = &fs->sb;

	mutex_lock(&fs->lock);
	uint64_t bfree = s->s_free_blocks_count_lo | (uint64_t)s->s_free_blocks_count_hi << 32;
	uint64_t resv = s->s_r_blocks_count_lo | (uint64_t)s->s_r_blocks_count_hi << 32;
	*st = (struct fs_statfs){ EXT4_SUPER_MAGIC, fs->block_size, fs->blocks_count, bfree,
				  bfree > resv ? bfree - resv : 0, s->s_inodes_count, s->s_free_inodes_count,
				  255 };
	mutex_unlock(&fs->lock);
}

static int ext4_sync(struct super *sb) { return ext4_fs_sync(fs_of(sb)); }

static void ext4_end(struct super *sb) { ext4_fs_end(fs_of(sb)); }

static int ext4_remount(struct super *sb, bool read_only) { return ext4_fs_remount(fs_of(sb), read_only); }

static void ext4_unmount(struct super *sb)
{
	ext4_fs_close(fs_of(sb));
	sb->priv = NULL;
}

static const struct fs_ops ext4_ops = {
	.read_inode = ext4_read_inode,
	.load_dir = ext4_load_dir,
	.create = ext4_vfs_create,
	.create_unnamed = ext4_vfs_create_unnamed,
	.link = ext4_vfs_link,
	.unlink = ext4_vfs_unlink,
	.rename = ext4_vfs_rename,
	.write_inode = ext4_write_inode,
	.read = ext4_vfs_read,
	.write = ext4_vfs_write,
	.truncate = ext4_vfs_truncate,
	.allocate = ext4_vfs_allocate,
	.punch = ext4_vfs_punch,
	.fsync = ext4_vfs_fsync,
	.seek_data = ext4_vfs_seek,
	.get_page = ext4_get_page,
	.direct_io = ext4_direct_io,
	.release_inode = ext4_release_inode,
	.statfs = ext4_statfs,
	.sync = ext4_sync,
	.end = ext4_end,
	.remount = ext4_remount,
	.unmount = ext4_unmount,
};

static int mount_as(struct super *sb, bool ext2_only)
{
	struct ext4_fs *fs;

	if (!sb->bdev)
		return -ENOTBLK;
	int err = ext4_fs_open(sb->bdev, sb->read_only, ext2_only, &fs);
	if (err)
		return err;
	sb->priv = fs;
	sb->ops = &ext4_ops;
	fs->write_data = write_data;
	fs->write_data_arg = fs;
	sb->read_only = fs->read_only;
	sb->root = super_inode_new(sb, 0);
	if (sb->root) {
		sb->root->ino = EXT4_ROOT_INO;
		err = ext4_read_inode(sb, EXT4_ROOT_INO, sb->root);
	}
	if (!sb->root || err || !is_dir(sb->root)) {
		if (sb->root)
			inode_put(sb->root);
		ext4_fs_close(fs);
		return err ? err : sb->root ? -EUCLEAN : -ENOMEM;
	}
	return 0;
}

static int ext4_mount(struct super *sb, const char *data)
{
	(void)data;
	return mount_as(sb, false);
}

static int ext2_mount(struct super *sb, const char *data)
{
	(void)data;
	return mount_as(sb, true);
}

const struct fs_type ext4_fs_type = { .name = "ext4", .mount = ext4_mount };
const struct fs_type ext2_fs_type = { .name = "ext2", .mount = ext2_mount };
