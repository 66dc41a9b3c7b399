/* cpio "newc" reader and writer.
 *
 * An entry is a 110-byte ASCII header ("070701" and thirteen 8-digit hex
 * fields), the name with its NUL, padding to a multiple of 4, the data,
 * padding to a multiple of 4.  The reader treats the archive as hostile:
 * every length is compared with what is left before it is used, so no sum
 * can overflow and nothing outside [archive, archive + size) is read. */
#include <stdint.h>
#include "cpio.h"
#include "libc_min.h"

#define HDR_LEN		110
#define FIELD_LEN	8
#define TRAILER		"TRAILER!!!"

/* Field order in the header, after the 6-byte magic. */
enum {
	F_INO, F_MODE, F_UID, F_GID, F_NLINK, F_MTIME, F_FILESIZE,
	F_DEVMAJOR, F_DEVMINOR, F_RDEVMAJOR, F_RDEVMINOR, F_NAMESIZE, F_CHECK,
	F_COUNT
};

static size_t pad4(size_t n)
{
	return (4 - (n & 3)) & 3;
}

static int hex_digit(uint8_t c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Parses one 8-digit field; -1 if any digit is not hex. */
static int64_t parse_field(const uint8_t *hdr, int field)
{
	const uint8_t *p = hdr + 6 + field * FIELD_LEN;
	uint32_t v = 0;

	for (int i = 0; i < FIELD_LEN; i++) {
		int d = hex_digit(p[i]);
		if (d < 0)
			return -1;
		v = v << 4 | (uint32_t)d;
	}
	return v;
}

/* "070701" is newc; "070702" is the same layout with a checksum we ignore. */
static int magic_ok(const uint8_t *hdr)
{
	return memcmp(hdr, "070701", 6) == 0 || memcmp(hdr, "070702", 6) == 0;
}

static int parse_header(const uint8_t *hdr, uint32_t f[F_COUNT])
{
	if (!magic_ok(hdr))
		return -LIB_EINVAL;
	for (int i = 0; i < F_COUNT; i++) {
		int64_t v = parse_field(hdr, i);
		if (v < 0)
			return -LIB_EINVAL;
		f[i] = (uint32_t)v;
	}
	return 0;
}

/* The name must hold its NUL at the end and no NUL before it: the kernel
 * uses name_len, a NUL inside would make two views of one name. */
static int name_ok(const uint8_t *name, size_t namesize)
{
	if (namesize == 0 || name[namesize - 1] != 0)
		return 0;
	for (size_t i = 0; i + 1 < namesize; i++)
		if (name[i] == 0)
			return 0;
	return 1;
}

int cpio_next(const void *archive, size_t size, size_t *offset, struct cpio_entry *e)
{
	const uint8_t *a = archive;
	size_t off = *offset;
	uint32_t f[F_COUNT];

	if (off > size || size - off < HDR_LEN)
		return -LIB_EINVAL;
	if (parse_header(a + off, f) < 0)
		return -LIB_EINVAL;
	off += HDR_LEN;

	size_t namesize = f[F_NAMESIZE];
	if (namesize > size - off || !name_ok(a + off, namesize))
		return -LIB_EINVAL;
	e->name = (const char *)(a + off);
	e->name_len = namesize - 1;
	off += namesize;

	/* Padding may be cut off after the last record; never step past size. */
	size_t pad = pad4(HDR_LEN + namesize);
	off = pad > size - off ? size : off + pad;

	size_t filesize = f[F_FILESIZE];
	if (filesize > size - off)
		return -LIB_EINVAL;
	e->data = a + off;
	e->size = filesize;
	e->mode = f[F_MODE];
	e->mtime = f[F_MTIME];
	off += filesize;
	pad = pad4(filesize);
	*offset = pad > size - off ? size : off + pad;

	if (e->name_len == sizeof TRAILER - 1 && memcmp(e->name, TRAILER, e->name_len) == 0)
		return 0;
	return 1;
}

size_t cpio_entry_size(size_t name_len, size_t data_size)
{
	size_t head = HDR_LEN + name_len + 1;

	if (name_len > SIZE_MAX / 4 || data_size > SIZE_MAX / 4)
		return SIZE_MAX;
	return head + pad4(head) + data_size + pad4(data_size);
}

size_t cpio_padding_for(size_t offset, size_t pad_len, size_t name_len, size_t align)
{
	size_t data_at = offset + cpio_entry_size(pad_len, 0) + cpio_entry_size(name_len, 0);

	return (align - data_at % align) % align;
}

static void put_field(uint8_t *p, uint32_t v)
{
	static const char digits[] = "0123456789abcdef";

	for (int i = FIELD_LEN - 1; i >= 0; i--) {
		p[i] = (uint8_t)digits[v & 15];
		v >>= 4;
	}
}

static void put_header(uint8_t *hdr, uint32_t ino, uint32_t mode, uint32_t mtime,
		       uint32_t filesize, uint32_t namesize)
{
	uint32_t f[F_COUNT] = { 0 };

	f[F_INO] = ino;
	f[F_MODE] = mode;
	f[F_NLINK] = (mode & 0170000) == 0040000 ? 2 : 1;
	f[F_MTIME] = mtime;
	f[F_FILESIZE] = filesize;
	f[F_NAMESIZE] = namesize;
	memcpy(hdr, "070701", 6);
	for (int i = 0; i < F_COUNT; i++)
		put_field(hdr + 6 + i * FIELD_LEN, f[i]);
}

/* Inode numbers only need to differ between entries (extractors pair up
 * hard links by them when nlink > 1), so the entry's offset serves. */
static uint32_t ino_for(size_t offset)
{
	return (uint32_t)(offset / 4 + 1);
}

int cpio_append(void *buf, size_t cap, size_t *len, const char *name,
		uint32_t mode, uint32_t mtime, const void *data, size_t size)
{
	size_t name_len = strlen(name);
	size_t need = cpio_entry_size(name_len, size);
	uint8_t *p = buf;
	size_t off = *len;

	/* The header's fields are 32 bits wide. */
	if (size > UINT32_MAX || name_len >= UINT32_MAX)
		return -LIB_EINVAL;
	if (off > cap || need > cap - off)
		return -LIB_ENOSPC;
	put_header(p + off, ino_for(off), mode, mtime, (uint32_t)size, (uint32_t)(name_len + 1));
	off += HDR_LEN;
	memcpy(p + off, name, name_len + 1);
	off += name_len + 1;
	memset(p + off, 0, pad4(HDR_LEN + name_len + 1));
	off += pad4(HDR_LEN + name_len + 1);
	if (size)
		memcpy(p + off, data, size);
	off += size;
	memset(p + off, 0, pad4(size));
	*len = off + pad4(size);
	return 0;
}

int cpio_trailer(void *buf, size_t cap, size_t *len)
{
	size_t off = *len;
	size_t need = cpio_entry_size(sizeof TRAILER - 1, 0);
	uint8_t *p = buf;

	if (off > cap || need > cap - off)
		return -LIB_ENOSPC;
	put_header(p + off, 0, 0, 0, 0, sizeof TRAILER);
	memcpy(p + off + HDR_LEN, TRAILER, sizeof TRAILER);
	memset(p + off + HDR_LEN + sizeof TRAILER, 0, pad4(HDR_LEN + sizeof TRAILER));
	*len = off + need;
	return 0;
}
