/* cpio "newc" archives: the initrd format.  Built into the kernel (reader)
 * and the host command (writer); freestanding: uses only memcpy/memcmp/
 * memset/strlen. */
#ifndef AMPHI_LIB_CPIO_H
#define AMPHI_LIB_CPIO_H

#include <stddef.h>
#include <stdint.h>

struct cpio_entry {
	const char *name;	/* not NUL-terminated: use name_len */
	size_t name_len;	/* without the trailing NUL; no leading "./" or "/" stripped */
	uint32_t mode;		/* st_mode bits: S_IFREG | 0755, S_IFDIR, S_IFLNK ... */
	uint32_t mtime;
	const void *data;	/* file contents (or symlink target) inside the archive */
	size_t size;
};

/* Reads the entry at *offset and advances *offset past it.
 * Returns 1 for an entry, 0 at the "TRAILER!!!" record, and -EINVAL (-22)
 * for a malformed archive: bad magic, non-hex field, a name or data that
 * runs past `size`, or no trailer before the end. The padding after the
 * last record may be missing. Never reads outside [archive, archive + size). */
int cpio_next(const void *archive, size_t size, size_t *offset, struct cpio_entry *e);

/* Writer: appends one entry to buf (capacity cap) at *len.  Returns 0,
 * -ENOSPC (-28) when it would not fit, or -EINVAL (-22) for data of 4 GiB or
 * more (the format's sizes are 32 bits); nothing is written on failure.
 * cpio_trailer() appends the end record. */
int cpio_append(void *buf, size_t cap, size_t *len, const char *name,
		uint32_t mode, uint32_t mtime, const void *data, size_t size);
int cpio_trailer(void *buf, size_t cap, size_t *len);

/* Bytes cpio_append needs for an entry (for sizing the buffer). */
size_t cpio_entry_size(size_t name_len, size_t data_size);

/* The data size for an entry with a name pad_len bytes long that, put at
 * offset (a multiple of 4), makes the data of the entry after it (name
 * name_len bytes long) start at a multiple of align (a power of two of 4
 * or more): a reader can then take a file's pages as they lie. */
size_t cpio_padding_for(size_t offset, size_t pad_len, size_t name_len, size_t align);

#endif
