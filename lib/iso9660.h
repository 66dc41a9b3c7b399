/* ISO 9660 (ECMA-119) with the SUSP and Rock Ridge extensions (IEEE P1281,
 * P1282): the on-disc records, decoded from bytes a disc gave us.  Nothing
 * here reads a device or trusts one: every function is handed a buffer and
 * its length, checks each field against them and answers -1 for anything
 * malformed.  Built into the kernel (fs/iso9660.c) and into host tests. */
#ifndef AMPHI_LIB_ISO9660_H
#define AMPHI_LIB_ISO9660_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ISO_BLOCK		2048u	/* the only logical block size we accept */
#define ISO_FIRST_VD		16u	/* volume descriptors start at this block */
#define ISO_MAX_VDS		64u	/* how far we look for the primary one */
#define ISO_ROOT_RECORD_OFF	156u	/* in the primary volume descriptor */
#define ISO_NAME_MAX		255u
#define ISO_LINK_MAX		1024u

/* Directory record flags (ECMA-119 9.1.6). */
#define ISO_FLAG_HIDDEN		0x01
#define ISO_FLAG_DIR		0x02
#define ISO_FLAG_MULTI_EXTENT	0x80

enum iso_vd_kind { ISO_VD_PRIMARY, ISO_VD_OTHER, ISO_VD_END };

struct iso_volume {
	uint32_t blocks;		/* the volume's size in ISO_BLOCKs */
	char label[33];			/* volume identifier, trailing blanks cut */
};

/* One directory record, pointing into the buffer it was decoded from. */
struct iso_record {
	uint8_t len;			/* bytes the record takes */
	uint32_t extent;		/* first block of the data */
	uint32_t size;			/* bytes of data */
	uint8_t flags;			/* ISO_FLAG_* */
	int64_t mtime;			/* seconds since the epoch */
	const uint8_t *id;		/* file identifier (not NUL-terminated) */
	uint8_t id_len;
	const uint8_t *su;		/* the system use area (SUSP entries) */
	size_t su_len;
};

/* What the SUSP entries of one record say, gathered across continuation
 * areas: call iso_susp_parse on the record's area, then, while has_ce, on
 * the area it names (ce_*), with the same struct. */
struct iso_rr {
	bool has_sp;			/* "SP": SUSP is in use (root's "." only) */
	uint8_t sp_skip;		/* bytes to skip at the start of each area */
	bool has_rr;			/* any Rock Ridge entry seen */
	bool has_px;
	uint32_t mode, nlink, uid, gid;
	bool has_pn;
	uint64_t rdev_high, rdev_low;
	bool has_tf;
	int64_t mtime, atime, ctime;
	size_t name_len;		/* "NM": the name so far */
	char name[ISO_NAME_MAX + 1];
	bool name_continues;
	bool name_dot;			/* NM said "." or ".." (CURRENT, PARENT) */
	bool has_sl;			/* "SL": a symlink target */
	size_t link_len;
	char link[ISO_LINK_MAX + 1];
	bool link_component_open;	/* the last component continues */
	bool link_ends;			/* the last SL had no CONTINUE flag */
	bool relocated;			/* "RE": the directory is shown elsewhere */
	bool has_cl;			/* "CL": the real place of a relocated dir */
	uint32_t cl_block;
	bool has_ce;			/* "CE": one more area to read */
	uint32_t ce_block, ce_off, ce_len;
	unsigned areas;			/* how many areas were read (bounds CE loops) */
};

#define ISO_MAX_CE_AREAS	32u

/* The kind of the volume descriptor in one ISO_BLOCK; -1 if it is none. */
int iso_vd_kind(const uint8_t *block, enum iso_vd_kind *kind);
/* The primary descriptor's volume facts and its root record (which points
 * into block).  0, or -1 if the descriptor is not one we can read. */
int iso_parse_primary(const uint8_t *block, struct iso_volume *v, struct iso_record *root);

/* Decodes the record at p, with avail bytes left in its block.  0; 1 when
 * the block has no more records (a zero length byte, or padding); -1 if
 * the record is malformed. */
int iso_record_parse(const uint8_t *p, size_t avail, struct iso_record *r);
/* "\0" and "\1" are the directory's own and its parent's records. */
static inline bool iso_record_is_dots(const struct iso_record *r)
{
	return r->id_len == 1 && r->id[0] <= 1;
}

/* The name Linux shows for a record without Rock Ridge (its "map=normal"):
 * lower case, ";1" version and a trailing dot cut.  Writes a NUL-terminated
 * name of at most ISO_NAME_MAX bytes into out; its length, or -1 for a name
 * holding '/' or NUL. */
int iso_plain_name(const struct iso_record *r, char *out);

/* Folds one system use area into rr.  0, or -1 when malformed. */
int iso_susp_parse(const uint8_t *area, size_t len, struct iso_rr *rr);

/* Reads ISO block `block` into buf (ISO_BLOCK bytes): 0 or -errno. */
typedef int iso_read_fn(void *ctx, uint32_t block, uint8_t *buf);

/* Everything the SUSP entries of record r say (following CE areas, read
 * into scratch, ISO_BLOCK bytes), skipping `skip` bytes at the start of the
 * record's own area as the root's SP entry asked.  0, -errno from read, or
 * -1 when malformed; rr starts zeroed. */
int iso_record_rr(const struct iso_record *r, unsigned skip, struct iso_rr *rr, iso_read_fn *read,
		  void *ctx, uint8_t *scratch);
/* The entry's name: Rock Ridge's if it gave one, else iso_plain_name's.
 * Its length, or -1. */
int iso_entry_name(const struct iso_record *r, const struct iso_rr *rr, char *out);

/* An ECMA-119 9.1.5 date (7 bytes) or 8.4.26.1 one (17 bytes) as seconds
 * since the epoch. */
int64_t iso_time7(const uint8_t *p);
int64_t iso_time17(const uint8_t *p);

#endif
