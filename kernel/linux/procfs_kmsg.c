/* /proc/kmsg: the kernel's log for one consuming reader (rsyslog's imklog,
 * sysklogd's klogd), as Linux's: syslog(2)'s READ through a file, the
 * same records it consumes.  Opening it is syslog's OPEN, which needs
 * CAP_SYSLOG (after the file's mode, 0400 root); reading and polling need
 * nothing more.  A read waits for a record unless O_NONBLOCK. */
#include "core/errno.h"
#include "core/klog.h"
#include "fs/file.h"
#include "fs/poll.h"
#include "fs/vfs_file.h"
#include "linux/procfs_internal.h"
#include "linux/syslog.h"

static long kmsg_read(struct file *f, const struct iobuf *b, int64_t *pos)
{
	(void)pos;
	return syslog_read(b, f->flags & O_NONBLOCK);
}

static unsigned kmsg_poll(struct file *f, struct poll_table *pt)
{
	(void)f;
	poll_wait(pt, &klog_wait);
	return syslog_unread() > 0 ? POLLIN | POLLRDNORM : 0;
}

static const struct file_ops kmsg_ops = {
	.read = kmsg_read,
	.poll = kmsg_poll,
	.stat = vfs_file_stat,
};

static int kmsg_open(struct inode *i, unsigned flags, struct file **out)
{
	int err = syslog_may(SYSLOG_OPEN);

	if (err)
		return err;
	*out = vfs_file_new(i, &kmsg_ops, flags & (O_ACCMODE | O_NONBLOCK), NULL);
	return *out ? 0 : -ENOMEM;
}

static const struct inode_ops kmsg_inode_ops = { .open = kmsg_open };

int proc_kmsg_make(struct inode *proc)
{
	return proc_add_inode(proc, "kmsg", proc_inode(S_IFREG | 0400, &kmsg_inode_ops, NULL));
}
