/* A 9P2000.L client over a virtio-9p channel (dev/virtio_9p.h): each call
 * is one request and its reply, checked field by field (a reply that is
 * short, long, of the wrong type or tag, or whose counts do not fit is
 * -EIO); Rlerror's errno comes back as -errno.  Calls on one client are
 * serialised by its lock (one message buffer each way). */
#ifndef AMPHI_FS_9P_H
#define AMPHI_FS_9P_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/mutex.h"

struct iobuf;
struct p9_chan;

#define P9_MSIZE	(64 * 1024)
#define P9_NOFID	0xffffffffu
#define P9_IOHDR	24		/* Twrite's header: what a piece leaves for data */

struct p9_qid {
	uint8_t type;
	uint32_t version;
	uint64_t path;
};

/* Rgetattr's fields amphi uses. */
struct p9_attr {
	struct p9_qid qid;
	uint32_t mode, uid, gid;
	uint64_t nlink, rdev, size, blocks;
	int64_t atime_ns, mtime_ns, ctime_ns;
};

struct p9_statfs {
	uint32_t type, bsize, namelen;
	uint64_t blocks, bfree, bavail, files, ffree;
};

/* Tsetattr's valid bits. */
#define P9_SET_MODE	0x1
#define P9_SET_UID	0x2
#define P9_SET_GID	0x4
#define P9_SET_SIZE	0x8
#define P9_SET_ATIME	0x10
#define P9_SET_MTIME	0x20
#define P9_SET_CTIME	0x40
#define P9_SET_ATIME_SET 0x80
#define P9_SET_MTIME_SET 0x100

struct p9_client {
	struct p9_chan *chan;
	struct mutex lock;		/* the buffers and the fid counter */
	uint8_t *tx, *rx;		/* msize bytes each */
	uint32_t msize;			/* what Rversion agreed */
	uint32_t next_fid;
	int mounts;			/* under vfs_lock: mounts sharing the session */
};

/* One directory entry of Rreaddir: the name is in the reply buffer. */
struct p9_dirent {
	struct p9_qid qid;
	uint64_t offset;
	uint8_t type;
	char name[256];
};

/* Tversion, once per channel (another would clunk every fid of the
 * session); then a Tattach per mount gives its root.  0 or -errno. */
int p9_connect(struct p9_client *c, struct p9_chan *chan);
void p9_disconnect(struct p9_client *c);
int p9_attach(struct p9_client *c, uint32_t fid, struct p9_qid *root);

uint32_t p9_fid_new(struct p9_client *c);
/* newfid names name in dir (name NULL: a copy of dir's fid). */
int p9_walk(struct p9_client *c, uint32_t dir, const char *name, uint32_t newfid, struct p9_qid *q);
int p9_getattr(struct p9_client *c, uint32_t fid, struct p9_attr *a);
int p9_setattr(struct p9_client *c, uint32_t fid, uint32_t valid, const struct p9_attr *a);
int p9_lopen(struct p9_client *c, uint32_t fid, uint32_t flags);
/* Makes name in the directory fid names and leaves fid open on it. */
int p9_lcreate(struct p9_client *c, uint32_t fid, const char *name, uint32_t flags, uint32_t mode,
	       uint32_t gid, struct p9_qid *q);
int p9_mkdir(struct p9_client *c, uint32_t dfid, const char *name, uint32_t mode, uint32_t gid,
	     struct p9_qid *q);
int p9_mknod(struct p9_client *c, uint32_t dfid, const char *name, uint32_t mode, uint32_t major,
	     uint32_t minor, uint32_t gid, struct p9_qid *q);
int p9_symlink(struct p9_client *c, uint32_t dfid, const char *name, const char *target, uint32_t gid,
	       struct p9_qid *q);
/* The target in a new kmalloc'd string. */
int p9_readlink(struct p9_client *c, uint32_t fid, char **target);
int p9_link(struct p9_client *c, uint32_t dfid, uint32_t fid, const char *name);
int p9_unlinkat(struct p9_client *c, uint32_t dfid, const char *name, bool dir);
int p9_renameat(struct p9_client *c, uint32_t odfid, const char *oname, uint32_t ndfid,
		const char *nname);
int p9_statfs(struct p9_client *c, uint32_t fid, struct p9_statfs *st);
int p9_fsync(struct p9_client *c, uint32_t fid, bool datasync);
int p9_clunk(struct p9_client *c, uint32_t fid);

/* Data, in pieces of at most msize: bytes moved (short at the end of the
 * file) or -errno; a fault copying to or from b is -EFAULT. */
long p9_read(struct p9_client *c, uint32_t fid, const struct iobuf *b, int64_t pos);
long p9_write(struct p9_client *c, uint32_t fid, const struct iobuf *b, int64_t pos);

/* Calls fn for each entry of the open directory fid, "." and ".." too;
 * fn's non-zero return stops it and is returned.  A server going round
 * in circles (a chunk starting where one started before, or more than
 * max_entries entries) is -EIO. */
int p9_readdir(struct p9_client *c, uint32_t fid, uint64_t max_entries,
	       int (*fn)(void *arg, const struct p9_dirent *d), void *arg);

/* 9p_fs.c: the file system type "9p" (fs_types.c). */
struct fs_type;
extern const struct fs_type p9_fs_type;

#endif
