/* GPT and MBR partition tables (parttable.h).  Every number the disk
 * gives is checked before it is used for anything, with 64-bit arithmetic
 * that cannot overflow on it. */
#include "parttable.h"

#include <stdbool.h>

#include "libc_min.h"

#define MBR_SIG_OFF	510
#define MBR_ENTRIES	446
#define MBR_TYPE_GPT	0xee
#define GPT_HDR_MIN	92
#define GPT_ENTRY_MIN	128

static uint16_t le16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }
static uint32_t le32(const uint8_t *p) { return (uint32_t)le16(p) | (uint32_t)le16(p + 2) << 16; }
static uint64_t le64(const uint8_t *p) { return le32(p) | (uint64_t)le32(p + 4) << 32; }

uint32_t pt_crc32(uint32_t crc, const void *p, uint64_t n)
{
	const uint8_t *b = p;

	crc = ~crc;
	while (n--) {
		crc ^= *b++;
		for (int k = 0; k < 8; k++)
			crc = crc >> 1 ^ (0xedb88320u & -(crc & 1));
	}
	return ~crc;
}

/* Adds [start, start + count) as partition number unless it leaves
 * [first, last] or overlaps one already there.  0, or -1 with *why. */
static int add_part(struct pt_part *parts, int n, unsigned number, uint64_t start, uint64_t count,
		    uint64_t first, uint64_t last, const char **why)
{
	if (count == 0 || start < first || start > last || count - 1 > last - start) {
		*why = "a partition lies outside the disk";
		return -1;
	}
	for (int i = 0; i < n; i++)
		if (start < parts[i].start + parts[i].count && parts[i].start < start + count) {
			*why = "two partitions overlap";
			return -1;
		}
	parts[n] = (struct pt_part){ number, start, count };
	return 0;
}

/* ---- MBR -------------------------------------------------------------------- */

static bool is_extended(uint8_t type) { return type == 0x05 || type == 0x0f || type == 0x85; }
static bool has_signature(const uint8_t *sector)
{
	return sector[MBR_SIG_OFF] == 0x55 && sector[MBR_SIG_OFF + 1] == 0xaa;
}

/* Extended boot records visited at most: a chain that loops ends here. */
#define MBR_MAX_EBRS	PT_MAX_PARTS

/* The logical partitions of the extended partition [ext, ext + size): a
 * chain of extended boot records, each naming its data partitions
 * (relative to the record) and the next record (relative to ext).  They
 * are numbered on from *number (5 for the first, as Linux).  A record
 * without the 0x55aa signature ends the chain, as in Linux.  buf is
 * scratch, overwritten.  The new count, or -1 with *why. */
static int parse_logicals(pt_read_fn *read, void *ctx, uint8_t *buf, uint64_t ext, uint64_t size,
			  struct pt_part *parts, int n, unsigned *number, const char **why)
{
	uint64_t ebr = ext;

	for (int visited = 0; visited < MBR_MAX_EBRS; visited++) {
		if (read(ctx, ebr, buf)) {
			*why = "cannot read an extended boot record";
			return -1;
		}
		if (!has_signature(buf))
			return n;
		uint64_t next = 0;
		for (unsigned i = 0; i < 4; i++) {
			const uint8_t *e = buf + MBR_ENTRIES + 16 * i;
			uint32_t start = le32(e + 8), count = le32(e + 12);
			if (e[4] == 0 || count == 0)
				continue;
			if (is_extended(e[4])) {
				next = next ? next : ext + start;
				continue;
			}
			if (n == PT_MAX_PARTS) {
				*why = "more MBR partitions than are supported";
				return -1;
			}
			if (add_part(parts, n, (*number)++, ebr + start, count, ext, ext + size - 1, why))
				return -1;
			n++;
		}
		if (!next)
			return n;
		if (next <= ext || next >= ext + size) {
			*why = "an extended boot record lies outside its extended partition";
			return -1;
		}
		ebr = next;
	}
	*why = "the extended boot records loop";
	return -1;
}

/* An extended partition shows as a partition of its own two first
 * sectors (one sector if they are larger), as Linux lists it: room for a
 * boot loader, none for a file system.  Added with no length while the
 * logical partitions inside it are checked for overlaps. */
static uint64_t extended_stub(uint32_t ssize, uint64_t count)
{
	uint64_t n = ssize > 512 ? 1 : 2;
	return count < n ? count : n;
}

/* The four primary entries, and the logical partitions of the extended
 * ones.  read and buf are for the extended boot records: buf holds the
 * MBR on entry and is overwritten. */
static int parse_mbr(pt_read_fn *read, void *ctx, uint32_t ssize, uint64_t nsectors, uint8_t *buf,
		     struct pt_part *parts, const char **why)
{
	uint8_t entries[4][16];
	unsigned logical = 5;
	int n = 0, primaries;

	memcpy(entries, buf + MBR_ENTRIES, sizeof entries);
	for (unsigned i = 0; i < 4; i++) {
		const uint8_t *e = entries[i];
		uint32_t start = le32(e + 8), count = le32(e + 12);
		if (e[4] == 0 || count == 0)
			continue;
		if (add_part(parts, n, i + 1, start, count, 1, nsectors - 1, why))
			return -1;
		n++;
	}
	primaries = n;
	for (int k = 0; k < primaries; k++) {
		const uint8_t *e = entries[parts[k].number - 1];
		if (!is_extended(e[4]))
			continue;
		uint64_t count = parts[k].count;
		parts[k].count = 0;
		int m = parse_logicals(read, ctx, buf, parts[k].start, count, parts, n, &logical, why);
		if (m < 0)
			return -1;
		parts[k].count = extended_stub(ssize, count);
		n = m;
	}
	return n;
}

/* ---- GPT -------------------------------------------------------------------- */

struct gpt {
	uint64_t first_usable, last_usable, entries_lba;
	uint32_t nentries, entry_size, entries_crc;
};

/* Checks the header in buf, read from sector lba. */
static int gpt_header(uint8_t *buf, uint32_t ssize, uint64_t nsectors, uint64_t lba, struct gpt *g,
		      const char **why)
{
	uint32_t hsize = le32(buf + 12), crc = le32(buf + 16);

	if (memcmp(buf, "EFI PART", 8)) {
		*why = "no GPT header signature";
		return -1;
	}
	if (hsize < GPT_HDR_MIN || hsize > ssize) {
		*why = "bad GPT header size";
		return -1;
	}
	memset(buf + 16, 0, 4);
	if (pt_crc32(0, buf, hsize) != crc) {
		*why = "GPT header CRC mismatch";
		return -1;
	}
	*g = (struct gpt){ le64(buf + 40), le64(buf + 48), le64(buf + 72), le32(buf + 80),
			   le32(buf + 84), le32(buf + 88) };
	uint64_t entry_sectors = ((uint64_t)g->nentries * g->entry_size + ssize - 1) / ssize;
	if (le64(buf + 24) != lba) {
		*why = "GPT header at the wrong place";
	} else if (g->entry_size < GPT_ENTRY_MIN || g->entry_size > ssize || ssize % g->entry_size) {
		*why = "bad GPT entry size";
	} else if (g->nentries > 4096) {
		*why = "too many GPT entries";
	} else if (g->first_usable > g->last_usable || g->last_usable >= nsectors) {
		*why = "GPT usable area outside the disk";
	} else if (g->entries_lba < 2 || g->entries_lba >= nsectors ||
		   entry_sectors > nsectors - g->entries_lba) {
		*why = "GPT entries outside the disk";
	} else {
		return 0;
	}
	return -1;
}

static bool zero_guid(const uint8_t *e)
{
	for (int i = 0; i < 16; i++)
		if (e[i])
			return false;
	return true;
}

/* Reads the entry array sector by sector, checking its CRC over the whole
 * array before any entry counts. */
static int gpt_entries(pt_read_fn *read, void *ctx, uint32_t ssize, const struct gpt *g,
		       uint8_t *buf, struct pt_part *parts, const char **why)
{
	uint32_t crc = 0, per = ssize / g->entry_size;
	int n = 0;

	for (uint32_t i = 0; i < g->nentries; i++) {
		if (i % per == 0 && read(ctx, g->entries_lba + i / per, buf)) {
			*why = "cannot read the GPT entries";
			return -1;
		}
		const uint8_t *e = buf + (i % per) * g->entry_size;
		crc = pt_crc32(crc, e, g->entry_size);
		if (zero_guid(e))
			continue;
		uint64_t first = le64(e + 32), last = le64(e + 40);
		if (n == PT_MAX_PARTS) {
			*why = "more GPT partitions than are supported";
			return -1;
		}
		if (last < first) {
			*why = "a GPT partition ends before it starts";
			return -1;
		}
		if (add_part(parts, n, i + 1, first, last - first + 1, g->first_usable, g->last_usable, why))
			return -1;
		n++;
	}
	if (crc != g->entries_crc) {
		*why = "GPT entries CRC mismatch";
		return -1;
	}
	return n;
}

/* The primary header at LBA 1, else the backup in the last sector. */
static int parse_gpt(pt_read_fn *read, void *ctx, uint32_t ssize, uint64_t nsectors, uint8_t *buf,
		     struct pt_part *parts, const char **why)
{
	const uint64_t where[2] = { 1, nsectors - 1 };
	const char *first_why = NULL;
	struct gpt g;

	for (int i = 0; i < 2; i++) {
		if (read(ctx, where[i], buf)) {
			*why = "cannot read the GPT header";
		} else if (!gpt_header(buf, ssize, nsectors, where[i], &g, why)) {
			int n = gpt_entries(read, ctx, ssize, &g, buf, parts, why);
			if (n >= 0)
				return n;
		}
		if (!first_why)
			first_why = *why;
	}
	*why = first_why;	/* the primary's fault says most */
	return -1;
}

int pt_parse(pt_read_fn *read, void *ctx, uint32_t sector_size, uint64_t nsectors,
	     uint8_t *scratch, struct pt_part *parts, const char **kind, const char **why)
{
	*kind = "";
	*why = NULL;
	if (nsectors < 3 || read(ctx, 0, scratch))
		return 0;
	if (!has_signature(scratch))
		return 0;	/* no table: a file system on the whole disk, or nothing */
	bool gpt = false;
	for (int i = 0; i < 4; i++) {
		const uint8_t *e = scratch + MBR_ENTRIES + 16 * i;
		if (e[0] != 0 && e[0] != 0x80)
			return 0;	/* a boot sector (FAT's) rather than a table */
		gpt |= e[4] == MBR_TYPE_GPT;
	}
	*kind = gpt ? "gpt" : "mbr";
	return gpt ? parse_gpt(read, ctx, sector_size, nsectors, scratch, parts, why)
		   : parse_mbr(read, ctx, sector_size, nsectors, scratch, parts, why);
}
