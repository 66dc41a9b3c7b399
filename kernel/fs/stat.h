/* File metadata as the VFS keeps it; sys_fs.c turns it into struct stat
 * and struct statx. */
#ifndef AMPHI_FS_STAT_H
#define AMPHI_FS_STAT_H

#include <stdint.h>

#define S_IFMT		0170000
#define S_IFSOCK	0140000
#define S_IFLNK		0120000
#define S_IFREG		0100000
#define S_IFBLK		0060000
#define S_IFDIR		0040000
#define S_IFCHR		0020000
#define S_IFIFO		0010000
#define S_ISUID		04000
#define S_ISGID		02000
#define S_ISVTX		01000

struct kstat {
	uint64_t dev, ino, nlink;
	uint32_t mode, uid, gid;
	uint64_t rdev;
	int64_t size, blksize, blocks;	/* blocks of 512 bytes */
	int64_t atime_ns, mtime_ns, ctime_ns;	/* since the epoch */
};

#endif
