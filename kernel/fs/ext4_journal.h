/* The jbd2 journal of an ext4 file system (internal, in inode
 * s_journal_inum), shared by ext4_journal.c (mount, commit, checkpoint,
 * unmount) and ext4_journal_replay.c (recovery).  docs/storage.md, "The
 * journal", gives the design and its ordering argument. */
#ifndef AMPHI_FS_EXT4_JOURNAL_H
#define AMPHI_FS_EXT4_JOURNAL_H

#include <stdbool.h>
#include <stdint.h>

struct ext4_fs;

struct ext4_journal {
	uint64_t *map;		/* journal block -> file system block, maxlen of them */
	uint32_t maxlen;	/* blocks in the journal */
	uint32_t first;		/* the log is blocks first .. maxlen-1, used in a circle */
	uint32_t incompat;	/* JBD2_INCOMPAT_*: as read, then as written */
	uint32_t tag_bytes;
	bool csum;		/* csum_v2 or csum_v3 */
	uint32_t csum_seed;	/* crc32c of the journal's uuid */
	uint32_t tid;		/* the next transaction's id */
	uint32_t head;		/* the log block the next transaction starts at */
	/* What the journal superblock on the disk says: the log holds the
	 * transactions from disk_start (id disk_seq) up to head; 0: empty. */
	uint32_t disk_start, disk_seq;
	uint8_t *sb;		/* the journal superblock's block, as on the disk */
};

/* Log block n (n < maxlen) to or from the disk. */
int ext4_jblock_read(struct ext4_fs *fs, uint32_t n, void *buf);
/* The next log block after n, wrapping from the end to first. */
uint32_t ext4_jnext(struct ext4_journal *j, uint32_t n);
/* Bytes of a descriptor tag with the journal's features. */
uint32_t ext4_jtag_bytes(uint32_t incompat);
/* The checksums of v2/v3: over a whole block whose checksum field (at
 * off, 4 bytes) is taken as zero. */
uint32_t ext4_jblock_csum(struct ext4_journal *j, const uint8_t *b, uint32_t size, uint32_t off);
/* A copied block's checksum in its tag: over the transaction id and the
 * block as it lies in the log. */
uint32_t ext4_jdata_csum(struct ext4_journal *j, uint32_t tid, const uint8_t *b, uint32_t size);

/* Replays the complete transactions of the log into their home blocks
 * and flushes: 0 and *next_tid (the first id to use after them), or
 * -EUCLEAN (a corrupt log: nothing was written) / -EIO. */
int ext4_journal_replay(struct ext4_fs *fs, struct ext4_journal *j, uint32_t *next_tid);

#endif
