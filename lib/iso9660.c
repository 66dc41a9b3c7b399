/* ISO 9660 records and their Rock Ridge entries, decoded from untrusted
 * bytes.  Every length is compared with what is left before it is used;
 * numbers recorded "both-endian" are read from their little-endian half
 * (the halves of a hostile disc may disagree; one of them has to win). */
#include <stdint.h>
#include "iso9660.h"
#include "libc_min.h"

#define VD_TYPE_PRIMARY		1
#define VD_TYPE_END		255
#define RECORD_MIN		33u	/* fixed part of a directory record */

static uint16_t le16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }
static uint32_t le32(const uint8_t *p) { return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24; }

int iso_vd_kind(const uint8_t *block, enum iso_vd_kind *kind)
{
	if (memcmp(block + 1, "CD001", 5) || block[6] != 1)
		return -1;
	*kind = block[0] == VD_TYPE_PRIMARY ? ISO_VD_PRIMARY
		: block[0] == VD_TYPE_END   ? ISO_VD_END
					    : ISO_VD_OTHER;
	return 0;
}

int iso_parse_primary(const uint8_t *block, struct iso_volume *v, struct iso_record *root)
{
	enum iso_vd_kind kind;

	if (iso_vd_kind(block, &kind) || kind != ISO_VD_PRIMARY || le16(block + 128) != ISO_BLOCK)
		return -1;
	v->blocks = le32(block + 80);
	memcpy(v->label, block + 40, 32);
	int n = 32;
	while (n > 0 && (v->label[n - 1] == ' ' || !v->label[n - 1]))
		n--;
	v->label[n] = 0;
	if (iso_record_parse(block + ISO_ROOT_RECORD_OFF, 34, root) || !(root->flags & ISO_FLAG_DIR))
		return -1;
	return 0;
}

/* Days from 1970-01-01 to y-m-d of the proleptic Gregorian calendar. */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	unsigned yoe = (unsigned)(y - era * 400);
	unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

/* gmtoff: the signed offset from UTC in 15-minute steps that both forms
 * end with; out-of-range fields give the epoch rather than nonsense. */
static int64_t to_epoch(int64_t year, unsigned mon, unsigned day, unsigned h, unsigned min,
			unsigned s, int8_t gmtoff)
{
	if (mon < 1 || mon > 12 || day < 1 || day > 31 || h > 23 || min > 59 || s > 60)
		return 0;
	return days_from_civil(year, mon, day) * 86400 + h * 3600 + min * 60 + s - gmtoff * 900;
}

int64_t iso_time7(const uint8_t *p)
{
	return to_epoch(1900 + p[0], p[1], p[2], p[3], p[4], p[5], (int8_t)p[6]);
}

static unsigned digits(const uint8_t *p, int n)
{
	unsigned v = 0;

	for (int i = 0; i < n; i++)
		v = v * 10 + (p[i] >= '0' && p[i] <= '9' ? p[i] - '0' : 0);
	return v;
}

int64_t iso_time17(const uint8_t *p)
{
	return to_epoch(digits(p, 4), digits(p + 4, 2), digits(p + 6, 2), digits(p + 8, 2),
			digits(p + 10, 2), digits(p + 12, 2), (int8_t)p[16]);
}

int iso_record_parse(const uint8_t *p, size_t avail, struct iso_record *r)
{
	if (!avail || !p[0])
		return 1;
	if (avail < RECORD_MIN || p[0] < RECORD_MIN || p[0] > avail)
		return -1;
	r->len = p[0];
	r->extent = le32(p + 2);
	r->size = le32(p + 10);
	r->mtime = iso_time7(p + 18);
	r->flags = p[25];
	r->id_len = p[32];
	r->id = p + 33;
	size_t su = RECORD_MIN + r->id_len + !(r->id_len & 1);	/* a pad byte after an even id */
	if (!r->id_len || RECORD_MIN + r->id_len > r->len)
		return -1;
	r->su = p + (su < r->len ? su : r->len);
	r->su_len = su < r->len ? r->len - su : 0;
	return 0;
}

int iso_plain_name(const struct iso_record *r, char *out)
{
	size_t n = r->id_len;

	for (size_t i = 0; i < r->id_len; i++)
		if (r->id[i] == ';') {
			n = i;
			break;
		}
	if (n > 1 && r->id[n - 1] == '.')
		n--;
	for (size_t i = 0; i < n; i++) {
		uint8_t c = r->id[i];
		if (c == '/' || !c)
			return -1;
		out[i] = (char)(c >= 'A' && c <= 'Z' ? c + 'a' - 'A' : c);
	}
	out[n] = 0;
	return (int)n;
}

/* NM: pieces of one name, each continuing the last while CONTINUE is set. */
static int parse_nm(const uint8_t *e, size_t len, struct iso_rr *rr)
{
	uint8_t flags = e[4];
	size_t n = len - 5;

	if (flags & 6) {		/* CURRENT or PARENT: not a real name */
		rr->name_dot = true;
		return 0;
	}
	if (!rr->name_continues)
		rr->name_len = 0;
	if (rr->name_len + n > ISO_NAME_MAX)
		return -1;
	for (size_t i = 0; i < n; i++)
		if (e[5 + i] == '/' || !e[5 + i])
			return -1;
	memcpy(rr->name + rr->name_len, e + 5, n);
	rr->name_len += n;
	rr->name[rr->name_len] = 0;
	rr->name_continues = flags & 1;
	return 0;
}

static int link_append(struct iso_rr *rr, const void *s, size_t n)
{
	if (rr->link_len + n > ISO_LINK_MAX)
		return -1;
	memcpy(rr->link + rr->link_len, s, n);
	rr->link_len += n;
	rr->link[rr->link_len] = 0;
	return 0;
}

/* One SL component record: flags, length, content.  ROOT starts the path
 * at "/"; a component after another one is joined with a '/', unless the
 * one before said its content continues in this one. */
static int link_component(struct iso_rr *rr, uint8_t flags, const uint8_t *s, size_t n)
{
	bool first = rr->link_len == 0;

	if (flags & 8)
		return first ? link_append(rr, "/", 1) : -1;
	if (!first && !rr->link_component_open && rr->link[rr->link_len - 1] != '/' &&
	    link_append(rr, "/", 1))
		return -1;
	rr->link_component_open = flags & 1;
	if (flags & 2)
		return link_append(rr, ".", 1);
	if (flags & 4)
		return link_append(rr, "..", 2);
	for (size_t i = 0; i < n; i++)
		if (s[i] == '/' || !s[i])
			return -1;
	return link_append(rr, s, n);
}

static int parse_sl(const uint8_t *e, size_t len, struct iso_rr *rr)
{
	if (rr->has_sl && rr->link_ends)
		return -1;	/* a second link in one record */
	rr->has_sl = true;
	rr->link_ends = !(e[4] & 1);
	for (size_t off = 5; off < len;) {
		if (len - off < 2 || e[off + 1] > len - off - 2)
			return -1;
		if (link_component(rr, e[off], e + off + 2, e[off + 1]))
			return -1;
		off += 2 + e[off + 1];
	}
	return 0;
}

/* TF: the stamps present, in a fixed order, all of one form. */
static int parse_tf(const uint8_t *e, size_t len, struct iso_rr *rr)
{
	uint8_t flags = e[4];
	size_t size = flags & 0x80 ? 17 : 7, off = 5;
	int64_t *slot[4] = { NULL, &rr->mtime, &rr->atime, &rr->ctime };	/* creation is dropped */

	for (int bit = 0; bit < 7; bit++) {
		if (!(flags & (1 << bit)))
			continue;
		if (off + size > len)
			return -1;
		if (bit < 4 && slot[bit])
			*slot[bit] = size == 17 ? iso_time17(e + off) : iso_time7(e + off);
		off += size;
	}
	rr->has_tf = true;
	return 0;
}

static int parse_entry(const uint8_t *e, size_t len, struct iso_rr *rr)
{
	uint16_t sig = (uint16_t)(e[0] << 8 | e[1]);

	switch (sig) {
	case 'S' << 8 | 'P':
		if (len < 7 || e[4] != 0xbe || e[5] != 0xef)
			return -1;
		rr->has_sp = true;
		rr->sp_skip = e[6];
		return 0;
	case 'C' << 8 | 'E':
		if (len < 28)
			return -1;
		rr->has_ce = true;
		rr->ce_block = le32(e + 4), rr->ce_off = le32(e + 12), rr->ce_len = le32(e + 20);
		return 0;
	case 'P' << 8 | 'X':
		if (len < 36)
			return -1;
		rr->has_px = true;
		rr->mode = le32(e + 4), rr->nlink = le32(e + 12);
		rr->uid = le32(e + 20), rr->gid = le32(e + 28);
		return 0;
	case 'P' << 8 | 'N':
		if (len < 20)
			return -1;
		rr->has_pn = true;
		rr->rdev_high = le32(e + 4), rr->rdev_low = le32(e + 12);
		return 0;
	case 'N' << 8 | 'M':
		return len < 5 ? -1 : parse_nm(e, len, rr);
	case 'S' << 8 | 'L':
		return len < 5 ? -1 : parse_sl(e, len, rr);
	case 'T' << 8 | 'F':
		return len < 5 ? -1 : parse_tf(e, len, rr);
	case 'R' << 8 | 'E':
		rr->relocated = true;
		return 0;
	case 'C' << 8 | 'L':
		if (len < 12)
			return -1;
		rr->has_cl = true;
		rr->cl_block = le32(e + 4);
		return 0;
	}
	return 0;	/* entries we do not use (ER, RR, SF, PD, ...) */
}

static bool is_rock_ridge(const uint8_t *e)
{
	static const char sigs[][2] = { "PX", "PN", "NM", "SL", "TF", "RE", "CL", "PL" };

	for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
		if (e[0] == sigs[i][0] && e[1] == sigs[i][1])
			return true;
	return false;
}

int iso_susp_parse(const uint8_t *area, size_t len, struct iso_rr *rr)
{
	if (++rr->areas > ISO_MAX_CE_AREAS)
		return -1;	/* a CE chain that loops */
	rr->has_ce = false;
	for (size_t off = 0; off + 4 <= len;) {
		const uint8_t *e = area + off;
		if (e[0] == 'S' && e[1] == 'T')
			break;	/* terminator */
		if (e[2] < 4 || e[2] > len - off)
			return e[0] == 0 ? 0 : -1;	/* zero padding ends the area */
		if (parse_entry(e, e[2], rr))
			return -1;
		rr->has_rr |= is_rock_ridge(e);
		off += e[2];
	}
	return 0;
}

int iso_record_rr(const struct iso_record *r, unsigned skip, struct iso_rr *rr, iso_read_fn *read,
		  void *ctx, uint8_t *scratch)
{
	memset(rr, 0, sizeof *rr);
	if (skip > r->su_len)
		return -1;
	if (iso_susp_parse(r->su + skip, r->su_len - skip, rr))
		return -1;
	while (rr->has_ce) {
		if (rr->ce_off >= ISO_BLOCK || rr->ce_len > ISO_BLOCK - rr->ce_off)
			return -1;
		int err = read(ctx, rr->ce_block, scratch);
		if (err)
			return err;
		if (iso_susp_parse(scratch + rr->ce_off, rr->ce_len, rr))
			return -1;
	}
	if (rr->name_continues || (rr->has_sl && !rr->link_ends))
		return -1;	/* a piece promised and never given */
	return 0;
}

int iso_entry_name(const struct iso_record *r, const struct iso_rr *rr, char *out)
{
	if (!rr->name_len)
		return iso_plain_name(r, out);
	memcpy(out, rr->name, rr->name_len + 1);
	return (int)rr->name_len;
}
