/* The file system types mount(2) and the boot mounts can name: each file
 * system adds its struct fs_type to this table (/proc/filesystems lists
 * them in this order; boot mounts of a block device try them in it). */
#include "fs/mount.h"

#include "core/string.h"
#include "fs/9p.h"
#include "fs/ext4.h"
#include "fs/iso9660_fs.h"

static const struct fs_type *const types[] = {
	&ext2_fs_type,	/* first: it takes only file systems without ext3/4 features */
	&ext4_fs_type,
	&iso9660_fs_type,
	&p9_fs_type,
};

#define NTYPES	(sizeof types / sizeof types[0])

const struct fs_type *fs_type_at(unsigned index)
{
	for (unsigned k = 0, seen = 0; k < NTYPES; k++)
		if (types[k] && seen++ == index)
			return types[k];
	return NULL;
}

const struct fs_type *fs_type_find(const char *name)
{
	for (unsigned k = 0; k < NTYPES; k++)
		if (types[k] && !strcmp(types[k]->name, name))
			return types[k];
	return NULL;
}
