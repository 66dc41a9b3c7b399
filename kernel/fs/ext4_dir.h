/* ext2/ext4 directory blocks: what reading (ext4_dir.c) shares with
 * changing them (ext4_dirwrite.c).  Locked. */
#ifndef AMPHI_FS_EXT4_DIR_H
#define AMPHI_FS_EXT4_DIR_H

#include "fs/ext4_internal.h"

/* A record length as stored (65536 does not fit 16 bits). */
uint32_t ext4_rec_len(struct ext4_fs *fs, uint16_t disk);
/* The length of the record at off in a block whose records end at end,
 * or 0 if it does not hold together there (shorter than its header or
 * its name, past end, not a multiple of 4).  Every walk over a block's
 * records steps by it and stops at 0: a block checked as a directory's
 * may since have been changed as another kind of block, when a corrupt
 * disk names one block as two. */
uint32_t ext4_rec_at(struct ext4_fs *fs, const uint8_t *b, uint32_t off, uint32_t end);
uint32_t ext4_dir_leaf_csum(struct ext4_fs *fs, struct ext4_inode *dir, const uint8_t *b);
uint32_t ext4_dx_count_offset(struct ext4_fs *fs, struct ext4_inode *dir, const uint8_t *b, uint64_t lblk);
int ext4_dir_read_block(struct ext4_fs *fs, struct ext4_inode *dir, uint64_t lblk, struct buf **out);
/* Calls fn with each block of dir that is not a hole, read, checked and
 * held for the call; a non-zero return stops the walk and is returned. */
typedef int ext4_dir_block_fn(void *arg, struct buf *b, uint64_t lblk);
int ext4_dir_each_block(struct ext4_fs *fs, struct ext4_inode *dir, ext4_dir_block_fn *fn, void *arg);

/* ext4_dirwrite.c, for the index (ext4_htree.c): a record's size for a
 * name; where a leaf's records end (before the checksum tail); a record
 * length stored; a leaf block changed (tail, checksum, dirty); an entry
 * filled in; room for a record of need bytes (the record to fill, split
 * off another's slack if need be) or NULL. */
uint32_t ext4_rec_need(unsigned name_len);
uint32_t ext4_leaf_end(struct ext4_fs *fs);
void ext4_set_rec_len(struct ext4_fs *fs, struct ext4_dirent *d, uint32_t len);
void ext4_leaf_changed(struct ext4_fs *fs, struct ext4_inode *dir, struct buf *b);
void ext4_dirent_fill(struct ext4_fs *fs, struct ext4_dirent *d, const char *name, unsigned len, uint64_t ino,
		      uint32_t mode);
struct ext4_dirent *ext4_dir_room_in(struct ext4_fs *fs, uint8_t *b, uint32_t need);

/* ext4_htree.c: adds an entry to an indexed directory through its index
 * (splitting a full leaf, adding a second index level when the root is
 * full).  0, -errno, or 1 when the index cannot take it (an unknown hash,
 * a third level, a leaf whose names all share one hash): the caller then
 * drops the index and adds the entry linearly. */
int ext4_htree_add(struct ext4_fs *fs, struct ext4_inode *dir, const char *name, unsigned len, uint64_t ino,
		   uint32_t mode);
/* The leaf the index sends name to (where ext4_htree_add would put it):
 * 0 and *leaf, or non-zero when the index cannot say (then every block
 * must be searched). */
int ext4_htree_leaf(struct ext4_fs *fs, struct ext4_inode *dir, const char *name, unsigned len, uint64_t *leaf);
/* A linear directory of one full block gets an index, as Linux gives
 * one when a directory outgrows its first block: the names move to a new
 * leaf and block 0 becomes the root.  0, -errno, or 1 when block 0 is not
 * laid out as an index starts from (the directory stays linear). */
int ext4_htree_make(struct ext4_fs *fs, struct ext4_inode *dir);

#endif
