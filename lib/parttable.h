/* Partition tables: GPT (UEFI 2.x, 5.3, with its CRC32 checks, behind a
 * protective MBR) and the MBR's four primary entries with the logical
 * partitions chained from its extended ones.  Freestanding: the
 * block layer gives it a function that reads one sector, the host's unit
 * test gives it an image file.
 *
 * A table is trusted only once everything it says was checked: CRCs,
 * sizes, every entry inside the usable area and none overlapping another.
 * A bad table gives no partition at all (and why), never a guess. */
#ifndef AMPHI_LIB_PARTTABLE_H
#define AMPHI_LIB_PARTTABLE_H

#include <stdint.h>

#define PT_MAX_PARTS	128	/* GPT's usual entry count; more are refused */
#define PT_SECTOR_MAX	4096

struct pt_part {
	unsigned number;	/* 1-based: GPT entry index + 1, MBR slot + 1, logicals from 5 */
	uint64_t start;		/* first sector */
	uint64_t count;		/* sectors */
};

/* Reads sector lba (sector_size bytes) into buf: 0, or non-zero on an
 * error. */
typedef int pt_read_fn(void *ctx, uint64_t lba, uint8_t *buf);

/* Finds the partitions of a disk of nsectors sectors of sector_size bytes
 * (512 to PT_SECTOR_MAX, a power of two), in table order; scratch holds
 * one sector (kernel stacks are too small for it).  Returns how
 * many went into parts (at most PT_MAX_PARTS; 0: no table, or an empty
 * one), or -1 when a table is there but bad (*why says what; parts is
 * then empty).  *kind is "gpt", "mbr" or "" (none). */
int pt_parse(pt_read_fn *read, void *ctx, uint32_t sector_size, uint64_t nsectors,
	     uint8_t *scratch, struct pt_part *parts, const char **kind, const char **why);

/* CRC-32 (ISO-HDLC, as zlib and GPT use), continued from crc (0 to start). */
uint32_t pt_crc32(uint32_t crc, const void *p, uint64_t n);

#endif
