/* jbd2 on disk, ext4's journal: the layout the kernel's Documentation/
 * filesystems/ext4/journal.rst describes.  Unlike ext4's own structures
 * every number here is big-endian, so fields are read and written by
 * offset with jbd2_get32/jbd2_put32 rather than through C structs. */
#ifndef AMPHI_FS_JBD2_FORMAT_H
#define AMPHI_FS_JBD2_FORMAT_H

#include <stdint.h>

#define JBD2_MAGIC		0xc03b3998u

/* Every journal block that is not a copy of a file system block starts
 * with magic, type and transaction id. */
#define JBD2_H_MAGIC		0x0
#define JBD2_H_TYPE		0x4
#define JBD2_H_SEQ		0x8
#define JBD2_HEADER		12

#define JBD2_DESCRIPTOR		1
#define JBD2_COMMIT		2
#define JBD2_SUPER_V1		3
#define JBD2_SUPER_V2		4
#define JBD2_REVOKE		5

/* The journal superblock (block 0 of the journal). */
#define JBD2_S_BLOCKSIZE	0x0c
#define JBD2_S_MAXLEN		0x10	/* blocks in the journal */
#define JBD2_S_FIRST		0x14	/* first block of the log */
#define JBD2_S_SEQUENCE		0x18	/* first transaction id expected in the log */
#define JBD2_S_START		0x1c	/* block of that transaction; 0: the log is empty */
#define JBD2_S_ERRNO		0x20
#define JBD2_S_COMPAT		0x24
#define JBD2_S_INCOMPAT		0x28
#define JBD2_S_RO_COMPAT	0x2c
#define JBD2_S_UUID		0x30
#define JBD2_S_CSUM_TYPE	0x50	/* one byte: 4 is crc32c */
#define JBD2_S_CHECKSUM		0xfc
#define JBD2_SUPER_SIZE		1024	/* what the superblock checksum covers */
#define JBD2_CRC32C		4

#define JBD2_COMPAT_CHECKSUM	0x1	/* v1 checksums (crc32 in the commit block): ignored */
#define JBD2_INCOMPAT_REVOKE	0x1
#define JBD2_INCOMPAT_64BIT	0x2
#define JBD2_INCOMPAT_ASYNC_COMMIT 0x4
#define JBD2_INCOMPAT_CSUM_V2	0x8
#define JBD2_INCOMPAT_CSUM_V3	0x10
#define JBD2_INCOMPAT_FAST_COMMIT 0x20

/* Descriptor block tags.  csum_v3: blocknr, flags (32 bits), blocknr_high,
 * checksum: 16 bytes.  Otherwise blocknr, checksum (16 bits), flags (16
 * bits), then blocknr_high only with 64bit, and csum_v2 adds two bytes:
 * Linux's journal_tag_bytes() arithmetic, kept as it is. */
#define JBD2_FLAG_ESCAPE	0x1	/* the block began with JBD2_MAGIC, zeroed in the log */
#define JBD2_FLAG_SAME_UUID	0x2	/* else 16 bytes of uuid follow the tag */
#define JBD2_FLAG_DELETED	0x4
#define JBD2_FLAG_LAST_TAG	0x8
#define JBD2_TAIL		4	/* descriptor and revoke blocks' checksum, at the end (csum v2/v3) */

/* Commit block. */
#define JBD2_C_CHECKSUM		0x10	/* h_chksum[0]: crc32c of the block, this field zero (v2/v3) */
#define JBD2_C_SEC		0x30
#define JBD2_C_NSEC		0x38

/* Revoke block: the bytes used (from the block's start), then block
 * numbers of 4 bytes, or 8 with 64bit. */
#define JBD2_R_COUNT		0x0c
#define JBD2_R_FIRST		16

static inline uint32_t jbd2_get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static inline uint16_t jbd2_get16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }

static inline void jbd2_put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24), p[1] = (uint8_t)(v >> 16), p[2] = (uint8_t)(v >> 8), p[3] = (uint8_t)v;
}

static inline void jbd2_put16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)(v >> 8), p[1] = (uint8_t)v; }

#endif
