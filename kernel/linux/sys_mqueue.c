/* POSIX message queues: mq_open, mq_unlink, mq_timedsend,
 * mq_timedreceive, mq_notify, mq_getsetattr, and the descriptors they
 * work on (linux/mqueue.h has the queue itself).
 *
 * The names are Linux's mqueue file system's, one directory for the VM
 * (root's, mode 01777): the call gets the name without the C library's
 * leading '/'.  A name holds a reference to its queue and each open file
 * one more, so an unlinked queue lives on while open.  A descriptor is
 * always close-on-exec, as Linux makes it; reading it gives the queue's
 * status line, and poll, select and epoll see it readable while there are
 * messages and writable while there is room. */
#include "core/errno.h"
#include "core/kmalloc.h"
#include "core/mutex.h"
#include "core/string.h"
#include "core/timer.h"
#include "core/uaccess.h"
#include "fs/cred.h"
#include "fs/fdtable.h"
#include "fs/file.h"
#include "fs/pathbuf.h"
#include "fs/stat.h"
#include "fs/vfs.h"
#include "linux/cred.h"
#include "linux/mqueue.h"
#include "linux/process.h"
#include "linux/signal_internal.h"
#include "linux/syscall.h"
#include "linux/time.h"
#include "net/socket.h"

#define NAME_MAX	255
#define PATH_MAX	4096
#define STATUS_SIZE	80	/* Linux's FILENT_SIZE: the line's room, and st_size */
#define MQUEUE_DEV	0x10	/* st_dev of the queues' file system */
#define SIGEV_SIGNAL	0
#define SIGEV_NONE	1
#define SIGEV_THREAD	2

/* Linux's struct mq_attr. */
struct mq_attr {
	int64_t flags, maxmsg, msgsize, curmsgs;
	int64_t reserved[4];
};

struct linux_sigevent {
	uint64_t value;
	int32_t signo, notify;
	int32_t pad[12];
};

struct mq_name {
	struct list link;
	struct mqueue *q;
	uint64_t ino;
	char name[];
};

static struct mutex names_lock = MUTEX_INIT(names_lock);	/* guards names, last_ino */
static struct list names = LIST_INIT(names);
static uint64_t last_ino;

/* ---- names ----------------------------------------------------------------- */

/* The name from user memory into a PATH_MAX buffer (pathbuf_put it), as
 * Linux's getname takes it. */
static long name_from_user(uint64_t uname, char **out)
{
	char *s = pathbuf_get();

	if (!s)
		return -ENOMEM;
	long n = copy_string_from_user(s, uname, PATH_MAX);
	if (n <= 0) {
		pathbuf_put(s);
		return n ? n : -ENOENT;
	}
	*out = s;
	return 0;
}

/* What lookup_one_len, then simple_lookup, say of a name in the queues'
 * directory. */
static long name_check(const char *s)
{
	if (strchr(s, '/') || !strcmp(s, ".") || !strcmp(s, ".."))
		return -EACCES;
	return strlen(s) > NAME_MAX ? -ENAMETOOLONG : 0;
}

/* Caller holds names_lock. */
static bool linked(uint64_t ino)
{
	struct list *l;

	list_for_each(l, &names)
		if (list_entry(l, struct mq_name, link)->ino == ino)
			return true;
	return false;
}

static struct mq_name *find(const char *name)
{
	struct list *l;

	list_for_each(l, &names) {
		struct mq_name *n = list_entry(l, struct mq_name, link);
		if (!strcmp(n->name, name))
			return n;
	}
	return NULL;
}

/* Linux's generic_permission on a regular file (a queue is one). */
static bool may(const struct mq_owner *o, int mask)
{
	struct vfs_cred c;

	vfs_cred_current(&c);
	return !vfs_permission_of(&c, S_IFREG | (o->mode & 07777), o->uid, o->gid, mask);
}

/* ---- the file -------------------------------------------------------------- */

static const struct file_ops mq_ops;

struct mq_file {
	struct mqueue *q;
	uint64_t ino;			/* its name's, which st_nlink looks for */
};

static long mq_read(struct file *f, const struct iobuf *b, int64_t *pos)
{
	struct mq_file *m = f->priv;
	char line[STATUS_SIZE];
	size_t len = mqueue_status(m->q, line, sizeof line);

	if (*pos >= (int64_t)len)
		return 0;
	size_t n = len - (size_t)*pos < b->len ? len - (size_t)*pos : b->len;
	if (iobuf_fill(b, 0, line + *pos, n))
		return -EFAULT;
	*pos += (int64_t)n;
	return (long)n;
}

/* No write op on Linux's queues: EINVAL (after the EBADF of a descriptor
 * not open for writing). */
static long mq_write(struct file *f, const struct iobuf *b, int64_t *pos)
{
	(void)f, (void)b, (void)pos;
	return -EINVAL;
}

static unsigned mq_poll(struct file *f, struct poll_table *pt)
{
	return mqueue_poll(((struct mq_file *)f->priv)->q, pt);
}

static int mq_stat(struct file *f, struct kstat *st)
{
	struct mq_file *m = f->priv;
	const struct mq_owner *o = mqueue_owner(m->q);

	mutex_lock(&names_lock);
	bool named = linked(m->ino);
	mutex_unlock(&names_lock);
	*st = (struct kstat){ .dev = MQUEUE_DEV, .ino = m->ino, .nlink = named, .mode = S_IFREG | o->mode,
			      .uid = o->uid, .gid = o->gid, .size = STATUS_SIZE, .blksize = 4096 };
	return 0;
}

/* ftruncate succeeds on Linux's queues and changes nothing that matters. */
static long mq_truncate(struct file *f, uint64_t size)
{
	(void)f, (void)size;
	return 0;
}

/* Linux's mqueue_flush_file: any close by the registered process takes
 * its registration away. */
static void mq_flush(struct file *f) { mqueue_notify_clear(((struct mq_file *)f->priv)->q); }

static void mq_release(struct file *f)
{
	struct mq_file *m = f->priv;

	mqueue_put(m->q);
	kfree(m);
}

static const struct file_ops mq_ops = {
	.read = mq_read,
	.write = mq_write,
	.poll = mq_poll,
	.stat = mq_stat,
	.truncate = mq_truncate,
	.release = mq_release,
	.flush = mq_flush,
	.seekable = true,
};

/* The queue behind descriptor fd, with the file referenced (file_put). */
static struct mqueue *queue_at(int fd, struct file **fp)
{
	struct file *f = fd_get(fd);

	if (f && f->ops == &mq_ops) {
		*fp = f;
		return ((struct mq_file *)f->priv)->q;
	}
	if (f)
		file_put(f);
	return NULL;
}

/* ---- mq_open, mq_unlink ---------------------------------------------------- */

static char *slash_name(const char *name)
{
	char *p = kmalloc_program(strlen(name) + 2);

	if (p) {
		p[0] = '/';
		memcpy(p + 1, name, strlen(name) + 1);
	}
	return p;
}

/* A descriptor for n's queue, opened with oflag. */
static long open_file(struct mq_name *n, int oflag)
{
	struct mq_file *m = kmalloc_program(sizeof *m);
	unsigned flags = (unsigned)oflag & (O_ACCMODE | O_NONBLOCK | O_APPEND);
	struct file *f = m ? file_new(&mq_ops, flags, m) : NULL;

	if (!f) {
		kfree(m);
		return -ENOMEM;
	}
	m->q = n->q;
	m->ino = n->ino;
	mqueue_get(n->q);
	f->path = slash_name(n->name);
	return fd_install(f, 0, true);
}

static long create(const char *name, int mode, const struct mq_attr *attr, struct mq_name **out)
{
	struct process *me = process_current();
	struct vfs_cred c;
	struct mq_name *n = kmalloc_program(sizeof *n + strlen(name) + 1);

	if (!n)
		return -ENOMEM;
	vfs_cred_current(&c);
	uint64_t flags = spin_lock_irqsave(&sig_lock);
	uint32_t ruid = me->cred.uid[0];
	spin_unlock_irqrestore(&sig_lock, flags);
	struct mq_owner o = { c.fsuid, c.fsgid, (uint32_t)mode & 07777 & ~vfs_umask(0, false) };
	long err = mqueue_new(&n->q, attr ? attr->maxmsg : MQ_MSG_DEFAULT,
			      attr ? attr->msgsize : MQ_MSGSIZE_DEFAULT, &o, ruid,
			      process_soft_limit(me, RLIMIT_MSGQUEUE), cred_capable(CAP_SYS_RESOURCE));
	if (err) {
		kfree(n);
		return err;
	}
	memcpy(n->name, name, strlen(name) + 1);
	n->ino = ++last_ino;
	list_add_tail(&names, &n->link);
	*out = n;
	return 0;
}

/* Linux's prepare_open.  Caller holds names_lock. */
static long open_locked(const char *name, int oflag, int mode, const struct mq_attr *attr)
{
	static const int access[3] = { MAY_READ, MAY_WRITE, MAY_READ | MAY_WRITE };
	struct mq_name *n = find(name);
	long err = 0;

	if (!n && !(oflag & O_CREAT))
		return -ENOENT;
	if (!n)
		err = create(name, mode, attr, &n);
	else if ((oflag & (O_CREAT | O_EXCL)) == (O_CREAT | O_EXCL))
		err = -EEXIST;
	else if ((oflag & O_ACCMODE) == O_ACCMODE)
		err = -EINVAL;
	else if (!may(mqueue_owner(n->q), access[oflag & O_ACCMODE]))
		err = -EACCES;
	return err ? err : open_file(n, oflag);
}

static long sys_mq_open(const struct sysargs *a)
{
	int oflag = (int)a->a[1], mode = (int)a->a[2];
	struct mq_attr attr;
	char *name;

	if (a->a[3] && copy_from_user(&attr, a->a[3], sizeof attr))
		return -EFAULT;
	long err = name_from_user(a->a[0], &name);
	if (err)
		return err;
	err = fd_room();	/* Linux takes the descriptor before the lookup */
	if (!err)
		err = name_check(name);
	if (!err) {
		mutex_lock(&names_lock);
		err = open_locked(name, oflag, mode, a->a[3] ? &attr : NULL);
		mutex_unlock(&names_lock);
	}
	pathbuf_put(name);
	return err;
}

/* The directory is root's and sticky: the queue's owner, root, or
 * CAP_FOWNER may remove a name. */
static bool may_unlink(const struct mq_owner *o)
{
	struct vfs_cred c;

	vfs_cred_current(&c);
	return c.fsuid == o->uid || c.fsuid == 0 || vfs_capable(&c, VFS_CAP_FOWNER);
}

static long sys_mq_unlink(const struct sysargs *a)
{
	char *name;
	long err = name_from_user(a->a[0], &name);
	struct mq_name *n = NULL;

	if (err)
		return err;
	err = name_check(name);
	if (!err) {
		mutex_lock(&names_lock);
		n = find(name);
		err = !n ? -ENOENT : !may_unlink(mqueue_owner(n->q)) ? -EPERM : 0;
		if (!err)
			list_del(&n->link);
		mutex_unlock(&names_lock);
	}
	pathbuf_put(name);
	if (!err) {
		mqueue_put(n->q);
		kfree(n);
	}
	return err;
}

/* ---- sending and receiving ------------------------------------------------- */

/* An absolute CLOCK_REALTIME timeout at uts as a clock_ns() deadline (1
 * for one already past); 0 for none.  -EFAULT, -EINVAL as Linux checks
 * it, before anything else and whether or not the call would wait.  (A
 * change of the wall clock meanwhile does not move the deadline.) */
static long deadline_from_user(uint64_t uts, uint64_t *deadline)
{
	uint64_t ns, offset = time_realtime_offset_ns();

	*deadline = 0;
	if (!uts)
		return 0;
	long err = timespec_read_ns(uts, &ns);
	if (!err)
		*deadline = ns > offset && ns - offset > 1 ? ns - offset : 1;
	return err;
}

/* A queue made with O_ACCMODE as its access mode (Linux allows it on
 * creation) can be neither read nor written, as on Linux. */
static bool can_read(const struct file *f)
{
	return (f->flags & O_ACCMODE) == O_RDONLY || (f->flags & O_ACCMODE) == O_RDWR;
}

static bool can_write(const struct file *f)
{
	return (f->flags & O_ACCMODE) == O_WRONLY || (f->flags & O_ACCMODE) == O_RDWR;
}
static bool nonblock(const struct file *f) { return f->flags & O_NONBLOCK; }

/* The message to send, filled from user memory, in *out. */
static long message_from_user(struct mqueue *q, uint64_t utext, uint64_t len, uint32_t prio,
			      struct mq_msg **out)
{
	if (len > (uint64_t)mqueue_msgsize(q))
		return -EMSGSIZE;
	struct mq_msg *m = mqueue_msg_new(len, prio);
	if (!m)
		return -ENOMEM;
	if (copy_from_user(m->text, utext, len)) {
		kfree(m);
		return -EFAULT;
	}
	*out = m;
	return 0;
}

static long sys_mq_timedsend(const struct sysargs *a)
{
	uint64_t len = a->a[2], deadline;
	uint32_t prio = (uint32_t)a->a[3];
	struct mq_msg *m = NULL;
	struct file *f;

	long err = deadline_from_user(a->a[4], &deadline);
	if (err)
		return err;
	if (prio >= MQ_PRIO_MAX)
		return -EINVAL;
	struct mqueue *q = queue_at((int)a->a[0], &f);
	if (!q)
		return -EBADF;
	err = !can_write(f) ? -EBADF : message_from_user(q, a->a[1], len, prio, &m);
	if (!err)
		err = mqueue_send(q, m, nonblock(f), deadline);
	if (err)
		kfree(m);
	file_put(f);
	return err;
}

/* Taken before the copy, as on Linux: a bad buffer loses the message. */
static long sys_mq_timedreceive(const struct sysargs *a)
{
	uint64_t utext = a->a[1], len = a->a[2], uprio = a->a[3], deadline;
	struct mq_msg *m = NULL;
	struct file *f;

	long err = deadline_from_user(a->a[4], &deadline);
	if (err)
		return err;
	struct mqueue *q = queue_at((int)a->a[0], &f);
	if (!q)
		return -EBADF;
	err = !can_read(f) ? -EBADF : len < (uint64_t)mqueue_msgsize(q) ? -EMSGSIZE : 0;
	if (!err)
		err = mqueue_receive(q, &m, nonblock(f), deadline);
	file_put(f);
	if (err)
		return err;
	err = (uprio && copy_to_user(uprio, &m->prio, sizeof m->prio)) ||
	      copy_to_user(utext, m->text, m->len) ? -EFAULT : (long)m->len;
	kfree(m);
	return err;
}

/* ---- mq_notify, mq_getsetattr ---------------------------------------------- */

/* SIGEV_THREAD: the cookie and a hold on the netlink socket it goes to,
 * checked as Linux's netlink_getsockbyfd: EBADF for no descriptor,
 * ENOTSOCK for a file, EINVAL for another family's socket.  Then, as
 * Linux's netlink_attachskb, a wait while that socket's receive buffer is
 * full: a program registering and removing in a loop, never reading,
 * otherwise queues cookies without end. */
static long thread_target(const struct linux_sigevent *ev, struct mq_notify *n)
{
	if (copy_from_user(n->cookie, ev->value, sizeof n->cookie))
		return -EFAULT;
	for (;;) {
		struct file *f = fd_get(ev->signo);
		if (!f)
			return -EBADF;
		struct socket *s = socket_of(f);
		n->sock = s ? netlink_hold(s) : NULL;
		file_put(f);
		if (!n->sock)
			return s ? -EINVAL : -ENOTSOCK;
		long err = netlink_wait_room(n->sock);
		if (!err)
			return 0;
		netlink_send_put(n->sock, NULL, 0);
		n->sock = NULL;
		if (err < 0)
			return err;
	}
}

static long sys_mq_notify(const struct sysargs *a)
{
	struct linux_sigevent ev = { 0 };
	struct file *f;

	if (a->a[1] && copy_from_user(&ev, a->a[1], sizeof ev))
		return -EFAULT;
	if (a->a[1]) {
		if (ev.notify != SIGEV_NONE && ev.notify != SIGEV_SIGNAL && ev.notify != SIGEV_THREAD)
			return -EINVAL;
		if (ev.notify == SIGEV_SIGNAL && (uint32_t)ev.signo > NSIG)
			return -EINVAL;
	}
	struct mq_notify n = { ev.notify == SIGEV_NONE ? MQ_NOTIFY_NONE
			       : ev.notify == SIGEV_THREAD ? MQ_NOTIFY_THREAD : MQ_NOTIFY_SIGNAL,
			       ev.signo, ev.value, NULL, { 0 } };
	long err = a->a[1] && ev.notify == SIGEV_THREAD ? thread_target(&ev, &n) : 0;
	if (err)
		return err;
	struct mqueue *q = queue_at((int)a->a[0], &f);
	if (!q) {
		if (n.sock)
			netlink_send_put(n.sock, NULL, 0);
		return -EBADF;
	}
	if (!a->a[1])
		mqueue_notify_clear(q);
	else
		err = mqueue_notify_set(q, &n);
	file_put(f);
	return err;
}

static long sys_mq_getsetattr(const struct sysargs *a)
{
	struct mq_attr new, old = { 0 };
	struct file *f;

	if (a->a[1] && copy_from_user(&new, a->a[1], sizeof new))
		return -EFAULT;
	if (a->a[1] && (new.flags & ~(int64_t)O_NONBLOCK))
		return -EINVAL;
	struct mqueue *q = queue_at((int)a->a[0], &f);
	if (!q)
		return -EBADF;
	old.flags = f->flags & O_NONBLOCK;
	old.maxmsg = mqueue_maxmsg(q);
	old.msgsize = mqueue_msgsize(q);
	old.curmsgs = mqueue_curmsgs(q);
	if (a->a[1] && (new.flags & O_NONBLOCK))
		__atomic_fetch_or(&f->flags, O_NONBLOCK, __ATOMIC_RELAXED);
	else if (a->a[1])
		__atomic_fetch_and(&f->flags, ~(unsigned)O_NONBLOCK, __ATOMIC_RELAXED);
	file_put(f);
	return a->a[2] && copy_to_user(a->a[2], &old, sizeof old) ? -EFAULT : 0;
}

static const struct syscall_entry mqueue_calls[] = {
	{ 240, sys_mq_open },
	{ 241, sys_mq_unlink },
	{ 242, sys_mq_timedsend },
	{ 243, sys_mq_timedreceive },
	{ 244, sys_mq_notify },
	{ 245, sys_mq_getsetattr },
};

SYSCALL_TABLE(mqueue_calls);
