/* /proc: directories of generated entries inside the VFS tree.  A file's
 * text is made when it is opened and read from that snapshot, so one read
 * sequence sees one consistent state; a few make theirs at the first read
 * instead, out of vfs_lock (proc_late_open).  Each process's directory (PID) is
 * made when it is looked up; "self" links to the caller's. */
#include "linux/procfs.h"

#include "core/errno.h"
#include "core/format.h"
#include "core/kmalloc.h"
#include "core/mutex.h"
#include "core/string.h"
#include "fs/mount.h"
#include "fs/pathbuf.h"
#include "fs/vfs_file.h"
#include "linux/procfs_internal.h"
#include "core/sched.h"
#include "linux/process.h"

#define DT_DIR	4

long proc_text_read(const struct seqbuf *s, const struct iobuf *b, int64_t *pos)
{
	if (*pos >= (int64_t)s->len)
		return 0;
	size_t n = s->len - (size_t)*pos < b->len ? s->len - (size_t)*pos : b->len;
	if (iobuf_fill(b, 0, s->buf + *pos, n))
		return -EFAULT;
	*pos += (int64_t)n;
	return (long)n;
}

static long text_read(struct file *f, const struct iobuf *b, int64_t *pos)
{
	return proc_text_read(f->priv, b, pos);
}

static void text_release(struct file *f)
{
	seqbuf_free(f->priv);
	kfree(f->priv);
	vfs_file_release(f);
}

int proc_seq_seek_end(struct file *f, int64_t *end)
{
	(void)f, (void)end;
	return -EINVAL;
}

static const struct file_ops seq_ops = {
	.read = text_read,
	.poll = vfs_file_poll,
	.stat = vfs_file_stat,
	.seek_end = proc_seq_seek_end,
	.release = text_release,
};

static const struct file_ops plain_ops = {
	.read = text_read,
	.poll = vfs_file_poll,
	.stat = vfs_file_stat,
	.release = text_release,
};

int proc_text_open(struct inode *i, unsigned flags, bool plain, proc_gen_fn *gen, void *ctx,
		   struct file **out)
{
	if ((flags & O_ACCMODE) != O_RDONLY || (flags & O_TRUNC))
		return -EACCES;
	struct seqbuf *s = kmalloc(sizeof *s);
	if (!s)
		return -ENOMEM;
	int err = gen(s, ctx);
	*out = err || s->failed ? NULL :
	       vfs_file_new(i, plain ? &plain_ops : &seq_ops,
			    (flags & (O_ACCMODE | O_NONBLOCK)) | O_LARGEFILE, s);
	if (!*out) {
		seqbuf_free(s);
		kfree(s);
		return err ? err : -ENOMEM;
	}
	return 0;
}

/* ---- files whose text is made at the first read ---------------------------- */

struct late_text {
	proc_gen_fn *gen;
	void *ctx;
	struct mutex lock;	/* guards made and err and, until made, s */
	bool made;
	int err;
	struct seqbuf s;	/* fixed once made */
};

static long late_read(struct file *f, const struct iobuf *b, int64_t *pos)
{
	struct late_text *t = f->priv;

	mutex_lock(&t->lock);
	if (!t->made) {
		t->err = t->gen(&t->s, t->ctx);
		t->made = true;
	}
	mutex_unlock(&t->lock);
	return t->err ? t->err : t->s.failed ? -ENOMEM : proc_text_read(&t->s, b, pos);
}

static void late_release(struct file *f)
{
	struct late_text *t = f->priv;

	seqbuf_free(&t->s);
	kfree(t);
	vfs_file_release(f);
}

static const struct file_ops late_seq_ops = {
	.read = late_read,
	.poll = vfs_file_poll,
	.stat = vfs_file_stat,
	.seek_end = proc_seq_seek_end,
	.release = late_release,
};

static const struct file_ops late_plain_ops = {
	.read = late_read,
	.poll = vfs_file_poll,
	.stat = vfs_file_stat,
	.release = late_release,
};

int proc_late_open(struct inode *i, unsigned flags, bool plain, proc_gen_fn *gen, void *ctx,
		   struct file **out)
{
	if ((flags & O_ACCMODE) != O_RDONLY || (flags & O_TRUNC))
		return -EACCES;
	struct late_text *t = kmalloc(sizeof *t);
	if (!t)
		return -ENOMEM;
	*t = (struct late_text){ .gen = gen, .ctx = ctx };
	mutex_init(&t->lock);
	*out = vfs_file_new(i, plain ? &late_plain_ops : &late_seq_ops,
			    (flags & (O_ACCMODE | O_NONBLOCK)) | O_LARGEFILE, t);
	if (!*out)
		kfree(t);
	return *out ? 0 : -ENOMEM;
}

static int gen_file(struct seqbuf *s, void *ctx)
{
	((const struct proc_file *)ctx)->gen(s);
	return 0;
}

static int seq_open(struct inode *i, unsigned flags, struct file **out)
{
	return proc_text_open(i, flags, false, gen_file, i->priv, out);
}

static int plain_open(struct inode *i, unsigned flags, struct file **out)
{
	return proc_text_open(i, flags, true, gen_file, i->priv, out);
}

static int late_open(struct inode *i, unsigned flags, struct file **out)
{
	return proc_late_open(i, flags, false, gen_file, i->priv, out);
}

static const struct inode_ops seq_inode_ops = { .open = seq_open };
const struct inode_ops proc_late_inode_ops = { .open = late_open };
static const struct inode_ops plain_inode_ops = { .open = plain_open };

struct inode *proc_inode(uint32_t mode, const struct inode_ops *ops, void *priv)
{
	struct inode *i = inode_new(mode, FS_PROC);

	if (i) {
		i->ops = ops;
		i->priv = priv;
	}
	return i;
}

/* A name the initrd already put there (--files with a /proc of its own)
 * stays: two entries must never share a name. */
int proc_add_inode(struct inode *dir, const char *name, struct inode *i)
{
	if (!i)
		return -ENOMEM;
	int err = dir_find(dir, name, strlen(name)) ? 0 : dir_add(dir, name, i);
	inode_put(i);
	return err;
}

int proc_add_files(struct inode *dir, const struct proc_file *files, int n, bool plain)
{
	const struct inode_ops *ops = plain ? &plain_inode_ops : &seq_inode_ops;
	int err = 0;

	for (int k = 0; k < n && !err; k++)
		err = proc_add_inode(dir, files[k].name, proc_inode(S_IFREG | 0444, ops, (void *)&files[k]));
	return err;
}

int proc_add_link(struct inode *dir, const char *name, const struct inode_ops *ops)
{
	return proc_add_inode(dir, name, proc_inode(S_IFLNK | 0777, ops, NULL));
}

struct inode *proc_add_dir(struct inode *dir, const char *name, uint32_t mode, const struct inode_ops *ops)
{
	struct dentry *d = dir_find(dir, name, strlen(name));
	struct inode *i = proc_inode(S_IFDIR | mode, ops, NULL);

	if (d && i)
		inode_put(i);
	if (d)
		return is_dir(d->inode) ? d->inode : NULL;
	return proc_add_inode(dir, name, i) ? NULL : i;
}

/* A mount point as the kernel writes it there: space, tab, newline and
 * backslash as octal escapes. */
static void put_escaped(struct seqbuf *s, const char *p)
{
	for (; *p; p++)
		if (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\\')
			seq_printf(s, "\\%03o", (unsigned)(unsigned char)*p);
		else
			seq_write(s, p, 1);
}

/* Mounted file systems after the three of the root, in mount order;
 * caller holds vfs_lock (opening a /proc file does). */
struct mount_gen {
	struct seqbuf *s;
	bool info;
	char *path;
};

/* mountinfo's id of the mount holding dir: a mounted file system's, or
 * the root's (1), /dev's (2), /proc's (3), /sys's (4). */
static unsigned parent_id(struct inode *dir)
{
	static const unsigned ids[] = { [FS_TMPFS] = 1, [FS_DEVTMPFS] = 2, [FS_PROC] = 3, [FS_SYSFS] = 4 };

	return dir->sb ? dir->sb->id : ids[dir->fs];
}

static int gen_mount(struct super *sb, void *arg)
{
	struct mount_gen *g = arg;
	const char *mode = sb->read_only ? "ro" : "rw";

	if (dir_path(sb->covered, g->path, PATH_MAX) < 0)
		return 0;	/* its directory was removed: it is out of reach */
	if (g->info)
		seq_printf(g->s, "%u %u %lu:%lu / ", sb->id, parent_id(sb->covered),
			   (unsigned long)((sb->dev >> 8) & 0xfff), (unsigned long)(sb->dev & 0xff));
	else
		seq_printf(g->s, "%s ", sb->source);
	put_escaped(g->s, g->path);
	if (g->info)
		seq_printf(g->s, " %s,relatime - %s %s %s\n", mode, sb->type, sb->source, mode);
	else
		seq_printf(g->s, " %s %s,relatime 0 0\n", sb->type, mode);
	return 0;
}

static void gen_mounted(struct seqbuf *s, bool info)
{
	struct mount_gen g = { s, info, pathbuf_get() };

	if (!g.path) {
		s->failed = true;
		return;
	}
	mount_each(gen_mount, &g);
	pathbuf_put(g.path);
}

void proc_gen_mounts(struct seqbuf *s)
{
	seq_printf(s, "tmpfs / tmpfs rw,relatime 0 0\n");
	seq_printf(s, "devtmpfs /dev devtmpfs rw,relatime,mode=755 0 0\n");
	seq_printf(s, "proc /proc proc rw,nosuid,nodev,noexec,relatime 0 0\n");
	seq_printf(s, "sysfs /sys sysfs rw,nosuid,nodev,noexec,relatime 0 0\n");
	gen_mounted(s, false);
}

/* mountinfo(5): ids, parent, dev, root, mount point, options, "-", type,
 * source, super options. */
void proc_gen_mountinfo(struct seqbuf *s)
{
	seq_printf(s, "1 1 0:27 / / rw,relatime shared:1 - tmpfs tmpfs rw\n");
	seq_printf(s, "2 1 0:5 / /dev rw,relatime shared:2 - devtmpfs devtmpfs rw,mode=755\n");
	seq_printf(s, "3 1 0:21 / /proc rw,nosuid,nodev,noexec,relatime shared:3 - proc proc rw\n");
	seq_printf(s, "4 1 0:20 / /sys rw,nosuid,nodev,noexec,relatime shared:4 - sysfs sysfs rw\n");
	gen_mounted(s, true);
}

/* "self" -> the caller's PID. */
static long self_readlink(struct inode *link, char *buf, size_t size)
{
	(void)link;
	return snprintf(buf, size + 1, "%d", current()->tgid);
}

static const struct inode_ops self_ops = { .readlink = self_readlink };

/* A decimal pid without sign or leading zero, or -1. */
int proc_parse_number(const char *name)
{
	int n = 0;

	if (!*name || (name[0] == '0' && name[1]))
		return -1;
	for (; *name; name++) {
		if (*name < '0' || *name > '9' || n > 100000000)
			return -1;
		n = n * 10 + (*name - '0');
	}
	return n;
}

static int root_lookup(struct inode *dir, const char *name, struct inode **out)
{
	int pid = proc_parse_number(name);

	if (pid <= 0 || !process_exists(pid))
		return -ENOENT;
	*out = proc_pid_dir_make(dir, pid);
	return *out ? 0 : -ENOMEM;
}

/* The processes by pid, from *index on. */
static int root_iterate(struct inode *dir, uint64_t *index, struct dir_item *it, char *name)
{
	int pid = process_next_pid(*index > 0x7fffffff ? 0x7fffffff : (int)*index);

	(void)dir;
	if (pid <= 0)
		return 0;
	snprintf(name, NAME_MAX + 1, "%d", pid);
	*it = (struct dir_item){ .name = name, .ino = proc_pid_ino(pid, 0), .type = DT_DIR };
	*index = (uint64_t)pid;
	return 1;
}

static const struct inode_ops root_ops = { .lookup = root_lookup, .iterate = root_iterate };

int procfs_init(struct inode *proc)
{
	proc->fs = FS_PROC;
	proc->mode = S_IFDIR | 0555;
	proc->ops = &root_ops;
	int err = proc_add_link(proc, "self", &self_ops);
	if (!err)
		err = proc_sys_make(proc);
	if (!err)
		err = proc_kmsg_make(proc);
	if (!err)
		err = proc_net_make(proc);
	if (!err)
		err = proc_sysvipc_make(proc);
	return err;
}
