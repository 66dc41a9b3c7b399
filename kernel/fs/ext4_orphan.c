/* ext4's orphan list: inodes that lost their last name while a program
 * still holds them (an unlinked open file, a removed current directory,
 * an O_TMPFILE file).  Their blocks may only go at the last close, so
 * until then the superblock's s_last_orphan names the newest and each
 * one's i_dtime the next, as Linux keeps it: a crash in between leaves a
 * list that the next mount (or e2fsck) frees, instead of an inode
 * nothing names.
 *
 * The chain on the disk is kept in the same order as an in-memory list
 * of the orphans' in-memory inodes (each open orphan has exactly one,
 * the VFS inode's), so removing one rewrites its predecessor through the
 * copy everyone else writes too. */
#include "fs/ext4_internal.h"

#include "core/printk.h"
#include "dev/blk.h"

void ext4_orphan_add(struct ext4_fs *fs, struct ext4_inode *ei)
{
	if (ei->orphan)
		return;
	ei->raw.i_dtime = fs->sb.s_last_orphan;
	fs->sb.s_last_orphan = (uint32_t)ei->ino;
	fs->sb_dirty = true;
	ei->orphan = true;
	ei->orphan_next = fs->orphans;
	fs->orphans = ei;
}

/* Unlinks ei from the in-memory list: its predecessor, or NULL if it was
 * the newest. */
static struct ext4_inode *unlink_orphan(struct ext4_fs *fs, struct ext4_inode *ei)
{
	struct ext4_inode *prev = NULL;

	for (struct ext4_inode *o = fs->orphans; o && o != ei; o = o->orphan_next)
		prev = o;
	if (prev)
		prev->orphan_next = ei->orphan_next;
	else
		fs->orphans = ei->orphan_next;
	ei->orphan = false;
	ei->orphan_next = NULL;
	return prev;
}

int ext4_orphan_del(struct ext4_fs *fs, struct ext4_inode *ei)
{
	if (!ei->orphan)
		return 0;
	uint32_t next = ei->raw.i_dtime;
	struct ext4_inode *prev = unlink_orphan(fs, ei);
	ei->raw.i_dtime = 0;
	if (!prev) {
		fs->sb.s_last_orphan = next;
		fs->sb_dirty = true;
		return 0;
	}
	prev->raw.i_dtime = next;
	return ext4_inode_write(fs, prev);
}

bool ext4_orphan_listed(struct ext4_fs *fs, const struct ext4_inode *ei)
{
	for (struct ext4_inode *o = fs->orphans; o; o = o->orphan_next)
		if (o == ei)
			return true;
	return false;
}

void ext4_orphan_forget(struct ext4_fs *fs, struct ext4_inode *ei)
{
	if (ei->orphan)
		unlink_orphan(fs, ei);
}

/* The core keeps no clock: the superblock's last write stands in for the
 * time of these deletions.  It must not look like an inode number, which
 * is what a deleted inode's i_dtime holds on the orphan list. */
static int64_t deletion_time(struct ext4_fs *fs)
{
	uint64_t t = fs->sb.s_wtime > fs->sb.s_inodes_count ? fs->sb.s_wtime : fs->sb.s_inodes_count;
	return (int64_t)t * 1000000000;
}

int ext4_orphan_cleanup(struct ext4_fs *fs)
{
	uint64_t ino = fs->sb.s_last_orphan, freed = 0, seen = 0;
	struct ext4_inode ei;
	int err = 0;

	while (ino && !err) {
		if (!ext4_ino_ok(fs, ino) || ++seen > fs->sb.s_inodes_count)
			return ext4_corrupt(fs, "bad orphan list", ino);
		if ((err = ext4_inode_read_orphan(fs, ino, &ei)))
			break;
		ino = ei.raw.i_dtime;
		ei.raw.i_dtime = 0;	/* a fresh copy: on no in-memory list (ext4_inode_read) */
		if (ei.raw.i_links_count) {
			err = ext4_inode_write(fs, &ei);	/* named again before the crash */
		} else {
			err = ext4_evict(fs, &ei, deletion_time(fs));
			freed++;
		}
	}
	if (err)
		return err;
	fs->sb.s_last_orphan = 0;
	fs->sb_dirty = true;
	printk("ext4: %s: %lu orphan inode%s freed\n", fs->dev->name, freed, freed == 1 ? "" : "s");
	return 0;
}
