/* ext2/ext4's core, shared by its files and built on the host by
 * tests/unit/test_ext4.c: it knows the block device (through the buffer
 * cache) and nothing of the VFS (ext4_vfs.c is the thin layer between).
 *
 * Everything read from the disk is checked before it is used: a number
 * out of range, a bad checksum or a loop gives -EUCLEAN (or -EIO when the
 * device failed) and one log line, never a crash.
 *
 * Locking: fs->lock guards every metadata block, the group descriptors,
 * the superblock copy and the in-memory inodes' raw copies; the core's
 * exported functions take it unless they say "locked" (caller holds it). */
#ifndef AMPHI_FS_EXT4_INTERNAL_H
#define AMPHI_FS_EXT4_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/mutex.h"
#include "fs/ext4_format.h"

struct blk_dev;
struct bcache;
struct buf;
struct ext4_journal;

struct ext4_fs {
	struct blk_dev *dev;
	struct bcache *bc;
	struct mutex lock;
	struct ext4_super_disk sb;	/* the primary superblock, as it will be written */
	uint8_t *gdt;			/* every group descriptor, desc_size apart */
	uint64_t blocks_count;
	uint32_t block_size, log_block;	/* log_block: log2(block_size) */
	uint32_t ngroups, blocks_per_group, inodes_per_group, first_data_block;
	uint32_t inode_size, desc_size, first_ino, gdt_blocks;
	uint32_t incompat, ro_compat, compat;
	uint32_t csum_seed;		/* metadata_csum's, from the uuid or s_checksum_seed */
	bool csum;			/* metadata_csum */
	bool read_only;
	bool failed;			/* a commit failed: read-only, syncs give -EIO */
	/* Read-only though asked read-write (a disk that needs e2fsck, a
	 * journal that cannot be replayed or written): stays so. */
	bool forced_read_only;
	bool sb_dirty, gdt_dirty;
	/* Per group, bit 0 and 1: the block and the inode bitmap changed and
	 * their checksums (and the descriptor's) are due (ext4_alloc.c). */
	uint8_t *csums_due;
	/* The jbd2 journal being written (ext4_journal.c), NULL on ext2 and
	 * read-only mounts.  With it, blocks freed by the running
	 * transaction are parked (nfreed of them, one bit per block in
	 * parked[group], made on demand) and only become free at its
	 * commit: until then the disk's last committed state uses them. */
	struct ext4_inode *orphans;	/* the orphan list in memory, newest first */
	struct ext4_journal *journal;
	uint8_t **parked;
	size_t nfreed;
	unsigned nerrors;		/* log lines printed: a corrupt disk cannot flood */
	/* Ordered data.  Set by the layer above when it keeps file data in
	 * memory (the kernel's page cache): writes every dirty page whose
	 * block the metadata maps.  A sync calls it before any metadata
	 * reaches the disk, so the disk never holds metadata that points at
	 * blocks whose data was not written.  Called with fs->lock held: it
	 * must not take it.  NULL: data is written through as it comes. */
	int (*write_data)(void *arg);
	void *write_data_arg;
};

/* An inode as the core keeps it: the raw copy (as much of the on-disk
 * inode as struct ext4_inode_disk holds) and what follows from it. */
struct ext4_inode {
	uint64_t ino;
	struct ext4_inode_disk raw;
	uint32_t csum_seed;		/* crc32c of the fs seed, ino and generation */
	uint64_t size;
	bool fresh;			/* new: ext4_inode_write clears its whole slot */
	bool orphan;			/* on the orphan list (ext4_orphan.c) */
	struct ext4_inode *orphan_next;	/* the next older orphan's */
};

/* ext4_super.c */
/* ext2_only: a file system with features ext2 lacks (a journal,
 * extents, ...) is quietly not this one (-EINVAL), so the "ext2" type
 * leaves it to "ext4". */
int ext4_fs_open(struct blk_dev *d, bool read_only, bool ext2_only, struct ext4_fs **out);
/* Makes every change so far durable: a journal commit, or on ext2 the
 * bracketed write-back below.  -EIO once a commit failed. */
int ext4_fs_sync(struct ext4_fs *fs);
void ext4_fs_close(struct ext4_fs *fs);	/* after ext4_fs_sync */
/* The run ends with the file system mounted: the last commit, then the
 * disk left as ext4_fs_close leaves it, and nothing written after. */
void ext4_fs_end(struct ext4_fs *fs);
/* A remount.  Read-only: the last commit and the disk left as
 * ext4_fs_close leaves it (journal empty, needs_recovery cleared).
 * Read-write again: the journal started as at mount.  0, or -EROFS for a
 * file system that cannot be written (and the error of a failing disk). */
int ext4_fs_remount(struct ext4_fs *fs, bool read_only);
/* The superblock and the changed group descriptor blocks into their
 * buffers (dirty), for the next write-back or commit.  Locked. */
int ext4_super_stage(struct ext4_fs *fs);
/* The checksums of the bitmaps that changed, into their descriptors. */
int ext4_bitmap_csums_stage(struct ext4_fs *fs);
/* The superblock alone to the disk now, flushed.  Locked. */
int ext4_super_write(struct ext4_fs *fs);
/* Writes back every staged and dirty block in the old, unjournaled way:
 * the superblock marked not clean around it.  Locked. */
int ext4_fs_writeback(struct ext4_fs *fs);
/* One log line naming what is wrong (the first few per mount) and
 * -EUCLEAN, for a return. */
int ext4_corrupt(struct ext4_fs *fs, const char *what, uint64_t where);
struct ext4_group_disk *ext4_group(struct ext4_fs *fs, uint32_t g);
uint64_t ext4_group_inode_table(struct ext4_fs *fs, uint32_t g);
uint64_t ext4_group_block_bitmap(struct ext4_fs *fs, uint32_t g);
uint64_t ext4_group_inode_bitmap(struct ext4_fs *fs, uint32_t g);
uint16_t ext4_group_csum(struct ext4_fs *fs, uint32_t g);
void ext4_super_csum_set(struct ext4_fs *fs);
/* The block number is inside the file system and not block 0 (the boot
 * block or, for 1 KiB blocks, the superblock: never a file's). */
bool ext4_block_ok(struct ext4_fs *fs, uint64_t blk);
/* A metadata block through the buffer cache (referenced): -EUCLEAN for a
 * number outside the file system, -EIO, -ENOMEM. */
int ext4_bread(struct ext4_fs *fs, uint64_t blk, struct buf **out);
/* What a metadata buffer was last found sound as (struct buf's
 * checked_as).  One flag for every kind would let a corrupt disk that
 * names a bitmap as a directory block skip the directory's checks: each
 * kind checks a buffer another kind checked last. */
enum ext4_block_kind {
	EXT4_UNCHECKED,
	EXT4_AS_DIR,
	EXT4_AS_EXTENTS,
	EXT4_AS_BLOCK_BITMAP,
	EXT4_AS_INODE_BITMAP,
};

/* ext4_journal.c.  open: at mount, after the groups are read: replays
 * a journal that needs it (then -EAGAIN: the caller reads the file system
 * again), and readies it for writing on a read-write mount; a journal it
 * cannot use leaves the mount read-only with one line.  commit (locked):
 * ext4_fs_sync's work with a journal.  room (locked, at the start of an
 * operation): commits first when dirty metadata nears what the log
 * holds.  retry_alloc (locked, between operations: never inside one,
 * nor while a block is mapped whose data is not yet dirty or written):
 * after an operation failed with err, true if it was -ENOSPC and a commit
 * just gave back blocks freed since the last, so the operation may be
 * tried once more.  close: after the last commit, marks the log empty and
 * clears needs_recovery. */
int ext4_journal_open(struct ext4_fs *fs);
int ext4_journal_commit(struct ext4_fs *fs);
int ext4_journal_room(struct ext4_fs *fs);
bool ext4_retry_alloc(struct ext4_fs *fs, int err);
int ext4_journal_close(struct ext4_fs *fs);
void ext4_journal_free(struct ext4_fs *fs);

/* ext4_inode.c; locked. */
int ext4_inode_read(struct ext4_fs *fs, uint64_t ino, struct ext4_inode *ei);
/* ext4_inode_read of an inode the orphan list names: a links count of 0
 * is no corruption there. */
int ext4_inode_read_orphan(struct ext4_fs *fs, uint64_t ino, struct ext4_inode *ei);
int ext4_inode_write(struct ext4_fs *fs, struct ext4_inode *ei);
uint32_t ext4_inode_csum(struct ext4_fs *fs, uint64_t ino, const uint8_t *raw);
bool ext4_ino_ok(struct ext4_fs *fs, uint64_t ino);
void ext4_inode_set_size(struct ext4_inode *ei, uint64_t size);
uint64_t ext4_inode_blocks(struct ext4_fs *fs, const struct ext4_inode *ei);	/* 512-byte units */
void ext4_inode_add_blocks(struct ext4_fs *fs, struct ext4_inode *ei, int64_t fs_blocks);
bool ext4_inode_has_extents(const struct ext4_inode *ei);
bool ext4_inode_fast_symlink(struct ext4_fs *fs, const struct ext4_inode *ei);

/* ext4_extents.c and ext4_indirect.c: the block of a file's logical
 * block lblk, 0 for a hole (or an unwritten extent, which reads as
 * zeroes); *run is how many following logical blocks map contiguously
 * (at least 1).  Locked. */
int ext4_map(struct ext4_fs *fs, struct ext4_inode *ei, uint64_t lblk, uint64_t *pblk, uint64_t *run);
int ext4_ext_map(struct ext4_fs *fs, struct ext4_inode *ei, uint64_t lblk, uint64_t *pblk, uint64_t *run);
int ext4_ind_map(struct ext4_fs *fs, struct ext4_inode *ei, uint64_t lblk, uint64_t *pblk, uint64_t *run);
/* The largest logical block number a file may have, +1. */
uint64_t ext4_max_blocks(struct ext4_fs *fs, const struct ext4_inode *ei);
/* ext4_write.c: the largest size a file may grow to, Linux's s_maxbytes
 * (s_bitmap_maxbytes for a block map). */
uint64_t ext4_max_size(struct ext4_fs *fs, const struct ext4_inode *ei);

/* ext4_alloc.c; locked.  Blocks near goal (the same group, after it);
 * inodes in the group of near (the parent directory) or the next ones.
 * -ENOSPC, or -EUCLEAN for bitmaps that disagree with the counts. */
int ext4_block_alloc(struct ext4_fs *fs, uint64_t goal, uint64_t *blk);
/* -EUCLEAN (one line) for a block that is free, or was freed since the
 * last commit: a corrupt disk that names one block twice (two files, or
 * one tree's entries) cannot make a truncation free it, or walk the tree
 * below it, again. */
int ext4_block_free(struct ext4_fs *fs, uint64_t blk);
/* The same check alone, for a tree block before its walk. */
int ext4_block_check_taken(struct ext4_fs *fs, uint64_t blk);
/* The blocks freed since the last commit become free (the commit's first
 * step), and the memory that held them goes.  0 or the first error.
 * free: at unmount. */
int ext4_freed_release(struct ext4_fs *fs);
void ext4_freed_free(struct ext4_fs *fs);
/* The superblock's free counts set to the descriptors' sums (at mount). */
void ext4_counts_from_groups(struct ext4_fs *fs);
int ext4_inode_alloc(struct ext4_fs *fs, uint64_t near, bool dir, uint64_t *ino);
int ext4_inode_free(struct ext4_fs *fs, uint64_t ino, bool dir);

/* ext4_extwrite.c and ext4_indwrite.c; locked.  Maps lblk to the new
 * block pblk (lblk was a hole), allocating tree or indirect blocks as
 * needed (counted in i_blocks); and frees every block from lblk on. */
int ext4_ext_set(struct ext4_fs *fs, struct ext4_inode *ei, uint64_t lblk, uint64_t pblk);
/* ext4_ext_set for a preallocated block (fallocate): an unwritten extent,
 * which reads as zeroes. */
int ext4_ext_set_unwritten(struct ext4_fs *fs, struct ext4_inode *ei, uint64_t lblk, uint64_t pblk);
/* The block lblk of an unwritten extent becomes written (the extent is
 * shrunk or split around it): its physical block in *pblk, whose old
 * contents are garbage; *pblk = 0 if lblk is not in an unwritten
 * extent. */
int ext4_ext_convert(struct ext4_fs *fs, struct ext4_inode *ei, uint64_t lblk, uint64_t *pblk);
/* Some extent, written or not, holds lblk (ext4_map reads an unwritten
 * one as a hole). */
bool ext4_ext_mapped(struct ext4_fs *fs, struct ext4_inode *ei, uint64_t lblk);

/* ext4_prealloc.c; locked.  fallocate's default mode and KEEP_SIZE: each
 * hole in [off, off + len) gets a block as an unwritten extent (zeroes
 * without writing them); the size grows to off + len unless keep_size.
 * -EOPNOTSUPP without extents (ext2), as Linux. */
int ext4_allocate(struct ext4_fs *fs, struct ext4_inode *ei, uint64_t off, uint64_t len, bool keep_size);
int ext4_ext_truncate(struct ext4_fs *fs, struct ext4_inode *ei, uint64_t lblk);
/* Frees the blocks [from, to) of an extent-mapped file, which then read
 * zero; holes in the range stay holes.  Under fs->lock. */
int ext4_ext_punch(struct ext4_fs *fs, struct ext4_inode *ei, uint64_t from, uint64_t to);
int ext4_ind_set(struct ext4_fs *fs, struct ext4_inode *ei, uint64_t lblk, uint64_t pblk);
int ext4_ind_truncate(struct ext4_fs *fs, struct ext4_inode *ei, uint64_t lblk);
/* Frees the blocks [from, to) of a file mapped by indirect blocks, and
 * the indirect blocks that map nothing else.  Under fs->lock. */
int ext4_ind_punch(struct ext4_fs *fs, struct ext4_inode *ei, uint64_t from, uint64_t to);

/* ext4_write.c; locked.  The block for lblk, allocated if create and it
 * is a hole (*fresh then true: its old contents are garbage). */
int ext4_get_block(struct ext4_fs *fs, struct ext4_inode *ei, uint64_t lblk, bool create, uint64_t *pblk,
		   bool *fresh);
/* Where a new block for lblk should go: after the block before it, else
 * at the start of the inode's own group.  Locked. */
uint64_t ext4_block_goal(struct ext4_fs *fs, struct ext4_inode *ei, uint64_t lblk);
/* Writes len bytes at off (growing the file): the count or -errno.
 * file_write is an operation of its own (a journal commit may come
 * first); file_put is the same write inside another operation. */
long ext4_file_write(struct ext4_fs *fs, struct ext4_inode *ei, const void *buf, size_t len, uint64_t off);
long ext4_file_put(struct ext4_fs *fs, struct ext4_inode *ei, const void *buf, size_t len, uint64_t off);
int ext4_truncate(struct ext4_fs *fs, struct ext4_inode *ei, uint64_t size);
/* fallocate's PUNCH_HOLE: [off, off + len) reads zero, whole blocks in it
 * freed, the size kept; -EOPNOTSUPP on a file system without extents
 * (ext2, as Linux's ext2 driver), while ext4's files mapped by indirect
 * blocks (made by ext3) are punched, as Linux's ext4 does.  Writes the
 * inode. */
int ext4_punch(struct ext4_fs *fs, struct ext4_inode *ei, uint64_t off, uint64_t len);
bool ext4_inode_has_blocks(struct ext4_fs *fs, const struct ext4_inode *ei);

/* ext4_dirwrite.c; locked.  Entries by name: add (the caller checked it
 * is new), remove, point at another inode; a new directory's first
 * block. */
int ext4_dir_add(struct ext4_fs *fs, struct ext4_inode *dir, const char *name, uint64_t ino, uint32_t mode);
int ext4_dir_remove(struct ext4_fs *fs, struct ext4_inode *dir, const char *name);
int ext4_dir_retarget(struct ext4_fs *fs, struct ext4_inode *dir, const char *name, uint64_t ino, uint32_t mode);
int ext4_dir_init(struct ext4_fs *fs, struct ext4_inode *dir, uint64_t parent);
unsigned ext4_file_type(uint32_t mode);

/* ext4_namei.c; locked.  The namespace changes fs_ops asks for, each
 * storing both inodes it touches (now: ns since the epoch). */
struct ext4_new {
	uint32_t mode, uid, gid;
	uint64_t rdev;
	const char *target;		/* symlinks */
	int64_t now;
};
/* name NULL: an O_TMPFILE file, named nowhere (links count 0), freed by
 * ext4_evict unless ext4_link names it first. */
int ext4_create(struct ext4_fs *fs, struct ext4_inode *dir, const char *name, const struct ext4_new *n,
		struct ext4_inode *ei);
int ext4_link(struct ext4_fs *fs, struct ext4_inode *dir, const char *name, struct ext4_inode *ei, int64_t now);
int ext4_unlink(struct ext4_fs *fs, struct ext4_inode *dir, const char *name, struct ext4_inode *ei, int64_t now);
/* Moves oname to nname, replacing target (the inode nname named, or
 * NULL), which the caller then releases. */
int ext4_rename(struct ext4_fs *fs, struct ext4_inode *odir, const char *oname, struct ext4_inode *ndir,
		const char *nname, struct ext4_inode *ei, struct ext4_inode *target, int64_t now);
/* RENAME_EXCHANGE: oname (inode a) and nname (inode b) swap places. */
int ext4_exchange(struct ext4_fs *fs, struct ext4_inode *odir, const char *oname, struct ext4_inode *ndir,
		  const char *nname, struct ext4_inode *a, struct ext4_inode *b, int64_t now);
/* Frees the inode's blocks and number if no name is left. */
int ext4_evict(struct ext4_fs *fs, struct ext4_inode *ei, int64_t now);
void ext4_set_times(struct ext4_inode *ei, int64_t atime, int64_t mtime, int64_t ctime);

/* ext4_dir.c.  Calls fn for each entry of a directory (not "." and
 * ".."); a non-zero return from fn stops the walk and is returned.
 * Locked. */
typedef int ext4_dir_fn(void *arg, const char *name, unsigned len, uint64_t ino, unsigned type);
int ext4_dir_iterate(struct ext4_fs *fs, struct ext4_inode *dir, ext4_dir_fn *fn, void *arg);
/* Checks a directory block's entries (and its checksum tail).  0 or
 * -EUCLEAN. */
int ext4_dir_block_check(struct ext4_fs *fs, struct ext4_inode *dir, const uint8_t *b, uint64_t lblk);
bool ext4_dir_has_tail(struct ext4_fs *fs);

/* ext4_hash.c: the directory index's hash of a name (ext4_htree.c).
 * version is the index's (legacy, half-MD4, TEA) plus EXT4_HASH_UNSIGNED
 * when the superblock says names hash as unsigned chars; seed is
 * s_hash_seed.  0, or -EINVAL for an unknown version. */
enum { EXT4_HASH_LEGACY, EXT4_HASH_HALF_MD4, EXT4_HASH_TEA, EXT4_HASH_UNSIGNED };
int ext4_name_hash(unsigned version, const uint32_t seed[4], const char *name, unsigned len, uint32_t *hash);

/* ext4_orphan.c; locked.  An inode whose links count reached 0 while it
 * is still held joins the orphan list (ext4_evict takes it off before it
 * frees it; link takes it off when it is named again); forget drops it
 * from memory only (a read-only file system).  cleanup, at a read-write
 * mount, frees what a crash left on the list. */
void ext4_orphan_add(struct ext4_fs *fs, struct ext4_inode *ei);
int ext4_orphan_del(struct ext4_fs *fs, struct ext4_inode *ei);
void ext4_orphan_forget(struct ext4_fs *fs, struct ext4_inode *ei);
/* ei is on the in-memory list (ext4_inode_read keeps a listed copy's
 * place and resets any other's). */
bool ext4_orphan_listed(struct ext4_fs *fs, const struct ext4_inode *ei);
int ext4_orphan_cleanup(struct ext4_fs *fs);

/* ext4_file.c.  Reads up to len bytes at off (short at the end of the
 * file): the count or -errno.  Locked. */
long ext4_file_read(struct ext4_fs *fs, struct ext4_inode *ei, void *buf, size_t len, uint64_t off);
/* The symlink's target, NUL-terminated: its length or -errno (-ENAMETOOLONG
 * if it does not fit size - 1).  Locked. */
long ext4_readlink(struct ext4_fs *fs, struct ext4_inode *ei, char *buf, size_t size);

#endif
