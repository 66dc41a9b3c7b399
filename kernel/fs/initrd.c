#include "fs/initrd.h"

#include "core/errno.h"
#include "core/string.h"
#include "cpio.h"

#define S_IFMT	0170000
#define S_IFREG	0100000

static const void *archive;
static size_t archive_size;

void initrd_init(const void *start, size_t size)
{
	archive = start;
	archive_size = size;
}

int initrd_lookup(const char *path, const void **data, size_t *size)
{
	struct cpio_entry e;
	size_t off = 0;
	int r;

	while (*path == '/')
		path++;
	size_t len = strlen(path);
	while ((r = cpio_next(archive, archive_size, &off, &e)) == 1) {
		const char *name = e.name;
		size_t name_len = e.name_len;
		if (name_len >= 2 && name[0] == '.' && name[1] == '/')
			name += 2, name_len -= 2;
		if (name_len == len && !memcmp(name, path, len)) {
			if ((e.mode & S_IFMT) != S_IFREG)
				return -EISDIR;
			*data = e.data;
			*size = e.size;
			return 0;
		}
	}
	return r < 0 ? -EIO : -ENOENT;
}
