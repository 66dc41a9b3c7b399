/* 9p host folders as a mounted file system (fs/super.h): each cached inode
 * holds a fid walked to its file, and a regular file once opened a second
 * fid open for I/O.  Reads and writes go to the host as they come: no file
 * data stays in the guest.  The share is live (super.live): directories
 * reload on each listing and on a look-up that misses, and a file's
 * attributes are read again when a look-up finds it, so what the host
 * changes while the program runs shows.  mmap is private and read-only
 * (Linux's generic_file_readonly_mmap, what its 9p does without a cache):
 * each page is read from the host when a mapping first touches it and is
 * that mapping's own copy, so a shared writable mapping, whose stores the
 * host would never see, is refused.
 *
 * Fids a released inode held are clunked later, from a call that may
 * sleep (an inode may be freed where sleeping is not allowed). */
#include "fs/9p.h"

#include "arch/x86_64/arch.h"
#include "core/errno.h"
#include "core/kmalloc.h"
#include "core/page_alloc.h"
#include "core/spinlock.h"
#include "core/string.h"
#include "dev/virtio_9p.h"
#include "fs/file.h"
#include "fs/mount.h"
#include "fs/super.h"
#include "fs/vfs.h"

#define V9FS_MAGIC	0x01021997
#define DEFER_MAX	256
#define MAX_SESSIONS	16

struct p9_inode {
	uint32_t fid;		/* walked to the file */
	uint32_t iofid;		/* regular files: open for I/O, or P9_NOFID */
	uint32_t uid, gid;	/* the owner the host has */
};

struct fs9p_mount {
	struct p9_client *c;		/* the channel's session, shared by its mounts */
	uint32_t root_fid;
	/* The child load_dir is adding (read_inode gets only its number). */
	uint32_t pending_dir;
	const char *pending_name;
	/* Fids of released inodes, to clunk. */
	struct spinlock defer_lock;
	uint32_t deferred[DEFER_MAX];
	unsigned ndeferred;
};

static void session_put(struct p9_client *c);

static struct fs9p_mount *mount_of(struct super *sb) { return sb->priv; }
static struct p9_client *client_of(struct inode *i) { return mount_of(i->sb)->c; }
static uint32_t fid_of(struct inode *i) { return ((struct p9_inode *)i->priv)->fid; }

/* Clunks what release_inode left.  Sleeps. */
static void reap(struct fs9p_mount *m)
{
	for (;;) {
		uint64_t f = spin_lock_irqsave(&m->defer_lock);
		uint32_t fid = m->ndeferred ? m->deferred[--m->ndeferred] : P9_NOFID;
		spin_unlock_irqrestore(&m->defer_lock, f);
		if (fid == P9_NOFID)
			return;
		p9_clunk(m->c, fid);
	}
}

static void defer_clunk(struct fs9p_mount *m, uint32_t fid)
{
	if (fid == P9_NOFID)
		return;
	uint64_t f = spin_lock_irqsave(&m->defer_lock);
	if (m->ndeferred < DEFER_MAX)
		m->deferred[m->ndeferred++] = fid;	/* past it the host keeps a fid */
	spin_unlock_irqrestore(&m->defer_lock, f);
}

static void fill(struct inode *i, const struct p9_attr *a)
{
	struct p9_inode *p = i->priv;

	p->uid = a->uid;
	p->gid = a->gid;
	i->mode = a->mode;
	i->uid = a->uid;
	i->gid = a->gid;
	i->nlink = (uint32_t)a->nlink;
	i->rdev = a->rdev;
	i->size = (int64_t)a->size;
	i->blocks = a->blocks;
	i->atime_ns = a->atime_ns;
	i->mtime_ns = a->mtime_ns;
	i->ctime_ns = a->ctime_ns;
}

/* A symlink's target, read again. */
static int read_target(struct p9_client *c, struct inode *i)
{
	char *t;
	int err = p9_readlink(c, fid_of(i), &t);

	if (!err) {
		kfree(i->target);
		i->target = t;
	}
	return err;
}

static int attach_priv(struct inode *i, uint32_t fid)
{
	struct p9_inode *p = kmalloc(sizeof *p);

	if (!p)
		return -ENOMEM;
	p->fid = fid;
	p->iofid = P9_NOFID;
	p->uid = p->gid = 0;	/* the attach's user made what the guest creates */
	i->priv = p;
	return 0;
}

static int fs9p_read_inode(struct super *sb, uint64_t ino, struct inode *i)
{
	struct fs9p_mount *m = mount_of(sb);
	struct p9_attr a;
	int err = 0;

	if (!i->priv) {
		uint32_t fid = p9_fid_new(m->c);
		if (!m->pending_name || (err = p9_walk(m->c, m->pending_dir, m->pending_name, fid, NULL)))
			return m->pending_name ? err : -EIO;
		if ((err = attach_priv(i, fid))) {
			p9_clunk(m->c, fid);
			return err;
		}
	}
	if ((err = p9_getattr(m->c, fid_of(i), &a)))
		return err;
	if (a.qid.path != ino)
		return -ENOENT;	/* another file took the name: this one is gone from it */
	fill(i, &a);
	return is_lnk(i) ? read_target(m->c, i) : 0;
}

/* load_dir's callback: one entry of the directory being read. */
struct loading {
	struct fs9p_mount *m;
	struct inode *dir;
};

static int add_entry(void *arg, const struct p9_dirent *d)
{
	struct loading *l = arg;

	if (!strcmp(d->name, ".") || !strcmp(d->name, ".."))
		return 0;
	l->m->pending_dir = fid_of(l->dir);
	l->m->pending_name = d->name;
	int err = super_add_entry(l->dir, d->name, d->qid.path);
	l->m->pending_name = NULL;
	return err == -ENOENT ? 0 : err;	/* gone, or replaced, since the listing */
}

/* More names than memory could hold (each costs a dentry, far over 64
 * bytes) is a host going round in circles without repeating itself. */
static uint64_t max_names(void) { return page_total_count() * (PAGE_SIZE / 64); }

static int fs9p_load_dir(struct inode *dir)
{
	struct fs9p_mount *m = mount_of(dir->sb);
	struct loading l = { m, dir };
	uint32_t fid = p9_fid_new(m->c);

	reap(m);
	int err = p9_walk(m->c, fid_of(dir), NULL, fid, NULL);
	if (err)
		return err;
	err = p9_lopen(m->c, fid, O_RDONLY | O_DIRECTORY);
	if (!err)
		err = p9_readdir(m->c, fid, max_names(), add_entry, &l);
	p9_clunk(m->c, fid);
	return err;
}

/* Metadata to the host: the owner first, and only when it changed (the
 * host's chown clears set-user-ID, even root's, as Linux's does), then
 * the mode (not a symlink's) and, with times, the times. */
static int push_attrs(struct p9_client *c, struct inode *i, bool times)
{
	struct p9_inode *p = i->priv;
	struct p9_attr a = { .mode = i->mode & 07777, .uid = i->uid, .gid = i->gid,
			     .atime_ns = i->atime_ns, .mtime_ns = i->mtime_ns };
	uint32_t valid = (is_lnk(i) ? 0 : P9_SET_MODE) | P9_SET_CTIME;
	int err = 0;

	if (p->uid != i->uid || p->gid != i->gid) {
		if ((err = p9_setattr(c, p->fid, P9_SET_UID | P9_SET_GID, &a)))
			return err;
		p->uid = i->uid;
		p->gid = i->gid;
	}
	if (times)
		valid |= P9_SET_ATIME | P9_SET_ATIME_SET | P9_SET_MTIME | P9_SET_MTIME_SET;
	return p9_setattr(c, p->fid, valid, &a);
}

/* Ownership and mode as the VFS made them (the host made the file as the
 * attach's user), then the host's own view of the rest. */
static int settle_new(struct p9_client *c, struct inode *i)
{
	struct p9_attr a;
	int err = push_attrs(c, i, false);

	if (!err)
		err = p9_getattr(c, fid_of(i), &a);
	if (!err) {
		i->ino = a.qid.path;
		i->size = (int64_t)a.size;
		i->blocks = a.blocks;
		i->atime_ns = a.atime_ns;
		i->mtime_ns = a.mtime_ns;
		i->ctime_ns = a.ctime_ns;
	}
	return err;
}

/* Makes the host's file for i (all but regular files). */
static int make_node(struct p9_client *c, uint32_t dfid, const char *name, struct inode *i)
{
	struct p9_qid q;
	uint32_t perm = i->mode & 07777;

	switch (i->mode & S_IFMT) {
	case S_IFDIR:
		return p9_mkdir(c, dfid, name, perm, i->gid, &q);
	case S_IFLNK:
		return p9_symlink(c, dfid, name, i->target ? i->target : "", i->gid, &q);
	default:
		return p9_mknod(c, dfid, name, i->mode, (uint32_t)((i->rdev >> 8) & 0xfff),
				(uint32_t)((i->rdev & 0xff) | ((i->rdev >> 12) & ~0xffull)), i->gid, &q);
	}
}

static int fs9p_create(struct inode *dir, const char *name, struct inode *i)
{
	struct fs9p_mount *m = mount_of(dir->sb);
	struct p9_client *c = m->c;
	uint32_t iofid = P9_NOFID, fid = p9_fid_new(c);
	int err;

	reap(m);
	if (is_reg(i)) {
		iofid = p9_fid_new(c);
		err = p9_walk(c, fid_of(dir), NULL, iofid, NULL);
		if (!err && (err = p9_lcreate(c, iofid, name, O_RDWR | O_CREAT | O_EXCL, i->mode & 07777,
					      i->gid, NULL)))
			p9_clunk(c, iofid);
	} else {
		err = make_node(c, fid_of(dir), name, i);
	}
	if (!err && (err = p9_walk(c, fid_of(dir), name, fid, NULL)))
		p9_unlinkat(c, fid_of(dir), name, is_dir(i));
	if (!err && (err = attach_priv(i, fid)))
		p9_clunk(c, fid);
	if (err) {
		if (iofid != P9_NOFID)
			p9_clunk(c, iofid);
		return err;
	}
	((struct p9_inode *)i->priv)->iofid = iofid;
	return settle_new(c, i);
}

static int fs9p_link(struct inode *dir, const char *name, struct inode *i)
{
	return p9_link(client_of(dir), fid_of(dir), fid_of(i), name);
}

static int fs9p_unlink(struct inode *dir, const char *name, struct inode *i)
{
	return p9_unlinkat(client_of(dir), fid_of(dir), name, is_dir(i));
}

static int fs9p_rename(struct inode *odir, const char *oname, struct inode *ndir, const char *nname,
		     unsigned flags)
{
	if (flags)
		return -EINVAL;	/* 9P has no exchange */
	return p9_renameat(client_of(odir), fid_of(odir), oname, fid_of(ndir), nname);
}

static int fs9p_write_inode(struct inode *i)
{
	return push_attrs(client_of(i), i, true);
}

/* A regular file's I/O fid, opened the first time: read-write where the
 * host lets us, else read-only (a read-only share; writes are refused
 * before they get here).  Caller holds vfs_lock or the data_lock. */
static int io_fid(struct inode *i, uint32_t *out)
{
	struct p9_inode *p = i->priv;
	struct p9_client *c = client_of(i);

	if (p->iofid == P9_NOFID) {
		uint32_t fid = p9_fid_new(c);
		int err = p9_walk(c, p->fid, NULL, fid, NULL);
		if (err)
			return err;
		if ((err = p9_lopen(c, fid, O_RDWR)) && (err = p9_lopen(c, fid, O_RDONLY))) {
			p9_clunk(c, fid);
			return err;
		}
		if (__atomic_exchange_n(&p->iofid, fid, __ATOMIC_ACQ_REL) != P9_NOFID)
			defer_clunk(mount_of(i->sb), fid);	/* another thread won */
	}
	*out = p->iofid;
	return 0;
}

static int fs9p_open(struct inode *i, unsigned flags)
{
	uint32_t fid;

	(void)flags;
	return is_reg(i) ? io_fid(i, &fid) : 0;
}

static long fs9p_read(struct inode *i, const struct iobuf *b, int64_t pos)
{
	uint32_t fid;
	int err = io_fid(i, &fid);

	return err ? err : p9_read(client_of(i), fid, b, pos);
}

static long fs9p_write(struct inode *i, const struct iobuf *b, int64_t *pos, bool append)
{
	struct p9_client *c = client_of(i);
	struct p9_attr a;
	struct iobuf part;
	uint32_t fid;
	int err = io_fid(i, &fid);

	if (!err && append && !(err = p9_getattr(c, fid_of(i), &a)))
		*pos = (int64_t)a.size;	/* the host may have written too */
	if (!err)
		err = vfs_data_fit(b, *pos, UINT64_MAX, &part);	/* the host has its own largest size */
	if (err)
		return err;
	long n = p9_write(c, fid, &part, *pos);
	if (n > 0) {
		*pos += n;
		if (*pos > i->size)
			i->size = *pos;
		i->mtime_ns = i->ctime_ns = vfs_now();
	}
	return n;
}

static int fs9p_truncate(struct inode *i, int64_t size)
{
	struct p9_attr a = { .size = (uint64_t)size };
	int err = p9_setattr(client_of(i), fid_of(i), P9_SET_SIZE, &a);

	if (!err)
		i->size = size;
	return err;
}

static int fs9p_fsync_inode(struct inode *i, bool datasync)
{
	uint32_t fid = ((struct p9_inode *)i->priv)->iofid;

	return fid == P9_NOFID ? 0 : p9_fsync(client_of(i), fid, datasync);
}

static void fs9p_release_inode(struct inode *i)
{
	struct p9_inode *p = i->priv;

	if (!p)
		return;	/* its read or create failed */
	if (p->fid != mount_of(i->sb)->root_fid)
		defer_clunk(mount_of(i->sb), p->fid);
	defer_clunk(mount_of(i->sb), p->iofid);
	kfree(p);
	i->priv = NULL;
}

static void fs9p_statfs_sb(struct super *sb, struct fs_statfs *st)
{
	struct p9_statfs s;

	st->magic = V9FS_MAGIC;
	st->namelen = 255;
	if (p9_statfs(mount_of(sb)->c, mount_of(sb)->root_fid, &s))
		return;
	*st = (struct fs_statfs){ V9FS_MAGIC, s.bsize, s.blocks, s.bfree, s.bavail, s.files, s.ffree,
				  s.namelen };
}

static int fs9p_sync(struct super *sb)
{
	reap(mount_of(sb));
	return 0;	/* every write went to the host as it came */
}

static void fs9p_unmount(struct super *sb)
{
	struct fs9p_mount *m = mount_of(sb);

	reap(m);
	p9_clunk(m->c, m->root_fid);
	session_put(m->c);
	kfree(m);
}

/* A copy of page idx for one mapping, read from the host (zeroes past the
 * end).  Takes no data_lock: the client serializes its own requests. */
static int fs9p_get_page(struct inode *i, uint64_t idx, bool write, uint64_t *pa)
{
	uint32_t fid;
	int err = io_fid(i, &fid);

	(void)write;
	if (err)
		return err;
	if (!page_room_for_program(1))
		return -ENOMEM;
	uint64_t page = page_alloc(1);
	if (!page)
		return -ENOMEM;
	struct iobuf b = iobuf_kernel(phys_to_virt(page), PAGE_SIZE);
	long n = p9_read(client_of(i), fid, &b, (int64_t)(idx * PAGE_SIZE));
	if (n < 0) {
		page_ref_put(page);
		return (int)n;
	}
	*pa = page;
	return 0;
}

static const struct fs_ops fs9p_ops = {
	.read_inode = fs9p_read_inode,
	.load_dir = fs9p_load_dir,
	.create = fs9p_create,
	.link = fs9p_link,
	.unlink = fs9p_unlink,
	.rename = fs9p_rename,
	.write_inode = fs9p_write_inode,
	.open = fs9p_open,
	.read = fs9p_read,
	.write = fs9p_write,
	.truncate = fs9p_truncate,
	.fsync = fs9p_fsync_inode,
	.get_page = fs9p_get_page,
	.mmap_readonly = true,
	.release_inode = fs9p_release_inode,
	.statfs = fs9p_statfs_sb,
	.sync = fs9p_sync,
	.unmount = fs9p_unmount,
};

/* Linux's 9p options a program may pass: trans=virtio and
 * version=9p2000.L (what this is), and msize, cache and access, which
 * change nothing here.  False for anything else. */
static bool options_ok(const char *data)
{
	static const char *const keys[] = { "trans=virtio", "version=9p2000.L", "msize=", "cache=", "access=" };

	for (const char *p = data; *p;) {
		size_t n = 0;
		bool ok = false;
		while (p[n] && p[n] != ',')
			n++;
		for (size_t k = 0; k < sizeof keys / sizeof keys[0] && !ok; k++) {
			size_t kl = strlen(keys[k]);
			ok = keys[k][kl - 1] == '=' ? n > kl && !strncmp(p, keys[k], kl)
						    : n == kl && !strncmp(p, keys[k], kl);
		}
		if (!ok)
			return false;
		p += n + (p[n] == ',');
	}
	return true;
}

/* One 9P session per channel, made by its first mount (under vfs_lock). */
static struct p9_client *sessions[MAX_SESSIONS];

static struct p9_client *session_get(struct p9_chan *chan, int *err)
{
	struct p9_client **free_slot = NULL;

	for (int k = 0; k < MAX_SESSIONS; k++) {
		if (sessions[k] && sessions[k]->chan == chan) {
			sessions[k]->mounts++;
			return sessions[k];
		}
		if (!sessions[k] && !free_slot)
			free_slot = &sessions[k];
	}
	struct p9_client *c = free_slot ? kmalloc(sizeof *c) : NULL;
	if (!c) {
		*err = -ENOMEM;
		return NULL;
	}
	if ((*err = p9_connect(c, chan))) {
		kfree(c);
		return NULL;
	}
	c->mounts = 1;
	*free_slot = c;
	return c;
}

static void session_put(struct p9_client *c)
{
	if (--c->mounts)
		return;
	for (int k = 0; k < MAX_SESSIONS; k++)
		if (sessions[k] == c)
			sessions[k] = NULL;
	p9_disconnect(c);
	kfree(c);
}

static int attach_root(struct super *sb, struct fs9p_mount *m)
{
	struct p9_qid root;
	struct inode *i = super_inode_new(sb, S_IFDIR | 0755);
	int err = i ? p9_attach(m->c, m->root_fid, &root) : -ENOMEM;

	if (!err && !(err = attach_priv(i, m->root_fid)))
		err = fs9p_read_inode(sb, root.path, i);
	if (!err && !is_dir(i))
		err = -ENOTDIR;
	if (!err) {
		i->ino = root.path;
		sb->root = i;
		return 0;
	}
	if (i)
		inode_put(i);	/* its release leaves the root fid alone */
	p9_clunk(m->c, m->root_fid);
	return err;
}

/* sb->source is the mount tag. */
static int fs9p_mount(struct super *sb, const char *data)
{
	struct p9_chan *chan = p9_chan_find(sb->source);
	int err = 0;

	if (!options_ok(data))
		return -EINVAL;
	if (!chan)
		return -ENOENT;	/* as Linux for a tag no device has */
	struct fs9p_mount *m = kmalloc(sizeof *m);
	if (!m || !(m->c = session_get(chan, &err))) {
		kfree(m);
		return m ? err : -ENOMEM;
	}
	m->root_fid = p9_fid_new(m->c);
	sb->ops = &fs9p_ops;
	sb->priv = m;
	sb->live = true;
	if ((err = attach_root(sb, m))) {
		reap(m);
		session_put(m->c);
		kfree(m);
	}
	return err;
}

const struct fs_type p9_fs_type = { .name = "9p", .nodev = true, .mount = fs9p_mount };
