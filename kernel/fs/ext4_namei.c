/* ext2/ext4 namespace changes: new inodes, names added and removed, link
 * counts (a directory's ".." counts in its parent's), and inodes freed
 * when their last name and user went.  The VFS has checked each change
 * (names, permissions, EEXIST, ENOTEMPTY, loops) before it comes here. */
#include "fs/ext4_internal.h"

#include "core/errno.h"
#include "core/string.h"
#include "crc32c.h"
#include "fs/stat.h"

#define EXT4_LINK_MAX	65000	/* dir_nlink: a directory with more counts as 1 */

static uint32_t generation;

static bool is_dir_mode(uint32_t mode) { return (mode & S_IFMT) == S_IFDIR; }

/* ext4 times: 32 bits of seconds and, in the large inode, two epoch bits
 * and the nanoseconds. */
static void encode_time(struct ext4_inode *ei, uint32_t *sec, uint32_t *extra, size_t extra_end, int64_t ns)
{
	int64_t s = ns / 1000000000, n = ns % 1000000000;

	if (n < 0) {
		s--;
		n += 1000000000;
	}
	*sec = (uint32_t)s;
	if (EXT4_GOOD_OLD_INODE_SIZE + (size_t)ei->raw.i_extra_isize >= extra_end)
		*extra = (uint32_t)(((s - (int32_t)s) >> 32) & 3) | (uint32_t)n << 2;
}

void ext4_set_times(struct ext4_inode *ei, int64_t atime, int64_t mtime, int64_t ctime)
{
	struct ext4_inode_disk *d = &ei->raw;

	encode_time(ei, &d->i_atime, &d->i_atime_extra, 0x90, atime);
	encode_time(ei, &d->i_mtime, &d->i_mtime_extra, 0x8c, mtime);
	encode_time(ei, &d->i_ctime, &d->i_ctime_extra, 0x88, ctime);
}

static void touch_dir(struct ext4_inode *dir, int64_t now)
{
	encode_time(dir, &dir->raw.i_mtime, &dir->raw.i_mtime_extra, 0x8c, now);
	encode_time(dir, &dir->raw.i_ctime, &dir->raw.i_ctime_extra, 0x88, now);
}

/* A directory's count, as Linux's ext4_inc_count and ext4_dec_count keep
 * it (and e2fsck expects): past EXT4_LINK_MAX it becomes 1 and stays 1,
 * through removals too, since the real count is no longer known; 2 is
 * the least a directory has while it has a name.  Only an indexed
 * directory with dir_nlink gets past the limit (dir_link_full). */
static void nlink_add(struct ext4_inode *ei, int delta)
{
	uint32_t n = ei->raw.i_links_count;

	if (is_dir_mode(ei->raw.i_mode) && (n == 1 || (delta < 0 && n <= 2)))
		return;
	n += (uint32_t)delta;
	if (is_dir_mode(ei->raw.i_mode) && n > EXT4_LINK_MAX)
		n = 1;
	ei->raw.i_links_count = (uint16_t)n;
}

/* A new subdirectory would take dir past the 16-bit count: Linux's
 * EXT4_DIR_LINK_MAX, EMLINK unless dir_nlink lets an indexed one go on. */
static bool dir_link_full(struct ext4_fs *fs, const struct ext4_inode *dir)
{
	bool unbounded = (fs->ro_compat & EXT4_RO_COMPAT_DIR_NLINK) && (dir->raw.i_flags & EXT4_INDEX_FL);
	return dir->raw.i_links_count >= EXT4_LINK_MAX && !unbounded;
}

static void set_owner(struct ext4_inode *ei, uint32_t uid, uint32_t gid)
{
	ei->raw.i_uid = (uint16_t)uid;
	ei->raw.i_uid_high = (uint16_t)(uid >> 16);
	ei->raw.i_gid = (uint16_t)gid;
	ei->raw.i_gid_high = (uint16_t)(gid >> 16);
}

/* Device numbers as Linux stores them: the old 16-bit form when it fits,
 * else the new one in the second word. */
static void set_rdev(struct ext4_inode *ei, uint64_t rdev)
{
	uint32_t major = (uint32_t)((rdev >> 8) & 0xfff) | (uint32_t)(rdev >> 32 & ~0xfffu);
	uint32_t minor = (uint32_t)(rdev & 0xff) | (uint32_t)((rdev >> 12) & ~0xffu);

	if (major < 256 && minor < 256)
		ei->raw.i_block[0] = major << 8 | minor;
	else
		ei->raw.i_block[1] = (minor & 0xff) | major << 8 | (minor & ~0xffu) << 12;
}

static void new_raw(struct ext4_fs *fs, struct ext4_inode *ei, uint64_t ino, const struct ext4_new *n)
{
	memset(ei, 0, sizeof *ei);
	ei->ino = ino;
	ei->fresh = true;
	ei->raw.i_mode = (uint16_t)n->mode;
	set_owner(ei, n->uid, n->gid);
	if (fs->inode_size > EXT4_GOOD_OLD_INODE_SIZE) {
		uint32_t want = fs->sb.s_want_extra_isize ? fs->sb.s_want_extra_isize : 32;
		if (want > 32 || want > fs->inode_size - EXT4_GOOD_OLD_INODE_SIZE)
			want = 32 < fs->inode_size - EXT4_GOOD_OLD_INODE_SIZE ? 32 : fs->inode_size - 128;
		ei->raw.i_extra_isize = (uint16_t)(want & ~3u);
	}
	ext4_set_times(ei, n->now, n->now, n->now);
	encode_time(ei, &ei->raw.i_crtime, &ei->raw.i_crtime_extra, 0x98, n->now);
	ei->raw.i_generation = ++generation;
	uint32_t le_ino = (uint32_t)ino;
	ei->csum_seed = crc32c(crc32c(fs->csum_seed, &le_ino, 4), &ei->raw.i_generation, 4);
	uint32_t type = n->mode & S_IFMT;
	bool fast_link = type == S_IFLNK && strlen(n->target) < sizeof ei->raw.i_block;
	if ((fs->incompat & EXT4_INCOMPAT_EXTENTS) &&
	    (type == S_IFREG || type == S_IFDIR || (type == S_IFLNK && !fast_link))) {
		ei->raw.i_flags |= EXT4_EXTENTS_FL;
		*(struct ext4_extent_header *)ei->raw.i_block =
			(struct ext4_extent_header){ EXT4_EXT_MAGIC, 0, 4, 0, 0 };
	}
	if (type == S_IFCHR || type == S_IFBLK)
		set_rdev(ei, n->rdev);
}

/* The new inode's contents: a directory's first block, a symlink's
 * target. */
static int fill_new(struct ext4_fs *fs, struct ext4_inode *dir, struct ext4_inode *ei, const struct ext4_new *n)
{
	uint32_t type = n->mode & S_IFMT;

	if (type == S_IFDIR) {
		ei->raw.i_links_count = 2;
		return ext4_dir_init(fs, ei, dir->ino);
	}
	ei->raw.i_links_count = 1;
	if (type != S_IFLNK)
		return 0;
	size_t len = strlen(n->target);
	if (len == 0 || len >= fs->block_size)
		return -ENAMETOOLONG;
	if (!(ei->raw.i_flags & EXT4_EXTENTS_FL) && len < sizeof ei->raw.i_block) {
		memcpy(ei->raw.i_block, n->target, len);
		ext4_inode_set_size(ei, len);
		return 0;
	}
	long w = ext4_file_put(fs, ei, n->target, len, 0);
	return w < 0 ? (int)w : 0;
}

int ext4_create(struct ext4_fs *fs, struct ext4_inode *dir, const char *name, const struct ext4_new *n,
		struct ext4_inode *ei)
{
	uint64_t ino;
	bool isdir = is_dir_mode(n->mode);

	if (fs->read_only)
		return -EROFS;
	int room = ext4_journal_room(fs);	/* a commit between operations, not inside one */
	if (room)
		return room;
	if (isdir && dir_link_full(fs, dir))
		return -EMLINK;
	int err = ext4_inode_alloc(fs, dir->ino, isdir, &ino);
	if (err)
		return err;
	new_raw(fs, ei, ino, n);
	err = fill_new(fs, dir, ei, n);
	if (!err && !name) {
		ei->raw.i_links_count = 0;	/* O_TMPFILE: freed at release unless linked */
		ext4_orphan_add(fs, ei);
		return ext4_inode_write(fs, ei);
	}
	if (!err)
		err = ext4_inode_write(fs, ei);
	if (!err)
		err = ext4_dir_add(fs, dir, name, ino, n->mode);
	if (err) {
		/* Undo what can be: the blocks and the number. */
		ei->raw.i_links_count = 0;
		ext4_evict(fs, ei, n->now);
		return err;
	}
	if (isdir)
		nlink_add(dir, 1);
	touch_dir(dir, n->now);
	return ext4_inode_write(fs, dir);
}

int ext4_link(struct ext4_fs *fs, struct ext4_inode *dir, const char *name, struct ext4_inode *ei, int64_t now)
{
	if (fs->read_only)
		return -EROFS;
	int room = ext4_journal_room(fs);	/* a commit between operations, not inside one */
	if (room)
		return room;
	if (ei->raw.i_links_count >= EXT4_LINK_MAX)
		return -EMLINK;
	int err = ext4_dir_add(fs, dir, name, ei->ino, ei->raw.i_mode);
	if (!err && ei->raw.i_links_count == 0)
		err = ext4_orphan_del(fs, ei);	/* an O_TMPFILE file gets its name */
	if (err)
		return err;
	nlink_add(ei, 1);
	encode_time(ei, &ei->raw.i_ctime, &ei->raw.i_ctime_extra, 0x88, now);
	touch_dir(dir, now);
	err = ext4_inode_write(fs, ei);
	return err ? err : ext4_inode_write(fs, dir);
}

/* ei lost a name in dir: a directory loses its "." and its ".." in dir
 * too. */
static void name_gone(struct ext4_fs *fs, struct ext4_inode *dir, struct ext4_inode *ei, int64_t now)
{
	if (is_dir_mode(ei->raw.i_mode)) {
		ei->raw.i_links_count = 0;
		nlink_add(dir, -1);
	} else {
		nlink_add(ei, -1);
	}
	if (ei->raw.i_links_count == 0)
		ext4_orphan_add(fs, ei);	/* freed at its last close */
	encode_time(ei, &ei->raw.i_ctime, &ei->raw.i_ctime_extra, 0x88, now);
}

int ext4_unlink(struct ext4_fs *fs, struct ext4_inode *dir, const char *name, struct ext4_inode *ei, int64_t now)
{
	if (fs->read_only)
		return -EROFS;
	int room = ext4_journal_room(fs);	/* a commit between operations, not inside one */
	if (room)
		return room;
	int err = ext4_dir_remove(fs, dir, name);
	if (err)
		return err;
	name_gone(fs, dir, ei, now);
	touch_dir(dir, now);
	err = ext4_inode_write(fs, ei);
	return err ? err : ext4_inode_write(fs, dir);
}

/* A directory moved from one parent to another: its ".." and both
 * parents' link counts follow. */
static int reparent(struct ext4_fs *fs, struct ext4_inode *child, struct ext4_inode *from, struct ext4_inode *to)
{
	if (!is_dir_mode(child->raw.i_mode) || from->ino == to->ino)
		return 0;
	int err = ext4_dir_retarget(fs, child, "..", to->ino, S_IFDIR);
	if (!err) {
		nlink_add(from, -1);
		nlink_add(to, 1);
	}
	return err;
}

/* The times and inodes a rename changed: the moved ones' ctime, the
 * directories' mtime and ctime. */
static int rename_done(struct ext4_fs *fs, struct ext4_inode *odir, struct ext4_inode *ndir,
		       struct ext4_inode *a, struct ext4_inode *b, int64_t now)
{
	int err = 0;

	encode_time(a, &a->raw.i_ctime, &a->raw.i_ctime_extra, 0x88, now);
	if (b)
		encode_time(b, &b->raw.i_ctime, &b->raw.i_ctime_extra, 0x88, now);
	touch_dir(odir, now);
	touch_dir(ndir, now);
	if ((err = ext4_inode_write(fs, a)) || (b && (err = ext4_inode_write(fs, b))) ||
	    (err = ext4_inode_write(fs, odir)))
		return err;
	return odir->ino != ndir->ino ? ext4_inode_write(fs, ndir) : 0;
}

int ext4_rename(struct ext4_fs *fs, struct ext4_inode *odir, const char *oname, struct ext4_inode *ndir,
		const char *nname, struct ext4_inode *ei, struct ext4_inode *target, int64_t now)
{
	int err;

	if (fs->read_only)
		return -EROFS;
	int room = ext4_journal_room(fs);	/* a commit between operations, not inside one */
	if (room)
		return room;
	if (!target && is_dir_mode(ei->raw.i_mode) && odir->ino != ndir->ino && dir_link_full(fs, ndir))
		return -EMLINK;	/* its ".." would be one link too many */
	if (target) {
		err = ext4_dir_retarget(fs, ndir, nname, ei->ino, ei->raw.i_mode);
		if (!err) {
			name_gone(fs, ndir, target, now);
			err = ext4_inode_write(fs, target);
		}
	} else {
		err = ext4_dir_add(fs, ndir, nname, ei->ino, ei->raw.i_mode);
	}
	if (!err)
		err = ext4_dir_remove(fs, odir, oname);
	if (!err)
		err = reparent(fs, ei, odir, ndir);
	return err ? err : rename_done(fs, odir, ndir, ei, NULL, now);
}

int ext4_exchange(struct ext4_fs *fs, struct ext4_inode *odir, const char *oname, struct ext4_inode *ndir,
		  const char *nname, struct ext4_inode *a, struct ext4_inode *b, int64_t now)
{
	if (fs->read_only)
		return -EROFS;
	int room = ext4_journal_room(fs);	/* a commit between operations, not inside one */
	if (room)
		return room;
	int err = ext4_dir_retarget(fs, odir, oname, b->ino, b->raw.i_mode);
	if (!err)
		err = ext4_dir_retarget(fs, ndir, nname, a->ino, a->raw.i_mode);
	if (!err)
		err = reparent(fs, a, odir, ndir);
	if (!err)
		err = reparent(fs, b, ndir, odir);
	return err ? err : rename_done(fs, odir, ndir, a, b, now);
}

int ext4_evict(struct ext4_fs *fs, struct ext4_inode *ei, int64_t now)
{
	if (ei->raw.i_links_count)
		return 0;
	if (fs->read_only) {
		ext4_orphan_forget(fs, ei);	/* the next read-write mount frees it */
		return 0;
	}
	int err = ext4_orphan_del(fs, ei);
	if (!err && ext4_inode_has_blocks(fs, ei))
		err = ext4_truncate(fs, ei, 0);
	uint32_t sec = (uint32_t)(now / 1000000000);
	ei->raw.i_dtime = sec ? sec : 1;
	if (!err)
		err = ext4_inode_write(fs, ei);
	int ferr = ext4_inode_free(fs, ei->ino, is_dir_mode(ei->raw.i_mode));
	return err ? err : ferr;
}
