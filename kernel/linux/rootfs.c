/* The root file system at boot: a tmpfs holding the initrd's files, with
 * /dev and /proc inside it and defaults for what the initrd leaves out. */
#include "linux/rootfs.h"

#include "core/errno.h"
#include "core/kmalloc.h"
#include "core/string.h"
#include "fs/blkdev.h"
#include "fs/devfs.h"
#include "fs/file.h"
#include "fs/initrd.h"
#include "fs/vfs.h"
#include "fs/vfs_kernel.h"
#include "linux/ctty.h"
#include "linux/procfs.h"
#include "linux/stdio.h"
#include "linux/syslog.h"
#include "linux/sysfs.h"

struct node {
	const char *name;
	uint32_t mode;
	uint32_t major, minor;
};

static const struct node dev_nodes[] = {
	{ "null", 0666, 1, 3 }, { "zero", 0666, 1, 5 }, { "full", 0666, 1, 7 },
	{ "random", 0666, 1, 8 }, { "urandom", 0666, 1, 9 }, { "tty", 0666, 5, 0 },
	{ "console", 0600, 5, 1 }, { "kmsg", 0644, 1, 11 },
};

static const char *const dev_links[][2] = {
	{ "stdin", "/proc/self/fd/0" }, { "stdout", "/proc/self/fd/1" },
	{ "stderr", "/proc/self/fd/2" }, { "fd", "/proc/self/fd" },
};

struct text {
	const char *path, *body;
};

static const struct text etc_files[] = {
	{ "/etc/passwd", "root:x:0:0:root:/root:/bin/sh\n"
			 "nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n" },
	{ "/etc/group", "root:x:0:\nnogroup:x:65534:\n" },
	{ "/etc/nsswitch.conf", "passwd:\tfiles\ngroup:\tfiles\nshadow:\tfiles\nhosts:\tfiles dns\n"
				"networks:\tfiles\nprotocols:\tfiles\nservices:\tfiles\n" },
};

/* /dev/tty and /dev/console: the program's terminal is amphi's console;
 * reading takes standard input, writing goes to standard output.  /dev/tty
 * is the caller's controlling terminal, which a process of another
 * session (after setsid) has none of: ENXIO, as on Linux. */
static int open_console(struct inode *i, unsigned flags, struct file **out)
{
	static const char *const names[] = { "/dev/tty", "/dev/console" };
	bool console = i->rdev == dev_make(5, 1);
	const char *name = names[console];

	if (!console && ctty_query(true) < 0)
		return -ENXIO;

	*out = stdio_open(1, flags & (O_ACCMODE | O_NONBLOCK | O_APPEND));
	if (!*out)
		return -ENOMEM;
	(*out)->path = kmalloc(strlen(name) + 1);
	if ((*out)->path)
		memcpy((*out)->path, name, strlen(name) + 1);
	return 0;
}

static int make_dev(void)
{
	struct inode *dev;
	int err = vfs_make_dirs("/dev", 0755, &dev);

	if (err)
		return err;
	dev->fs = FS_DEVTMPFS;
	for (size_t k = 0; k < sizeof dev_nodes / sizeof dev_nodes[0] && !err; k++) {
		const struct node *n = &dev_nodes[k];
		if (!dir_find(dev, n->name, strlen(n->name)))
			err = vfs_create(dev, n->name, S_IFCHR | n->mode, dev_make(n->major, n->minor), NULL);
	}
	for (size_t k = 0; k < sizeof dev_links / sizeof dev_links[0] && !err; k++)
		if (!dir_find(dev, dev_links[k][0], strlen(dev_links[k][0])))
			err = vfs_symlink(dev, dev_links[k][0], dev_links[k][1]);
	if (!err)
		err = blkdev_make_nodes(dev);
	if (!err && !dir_find(dev, "shm", 3))
		err = vfs_create(dev, "shm", S_IFDIR | 01777, 0, NULL);
	inode_put(dev);
	if (!err)
		err = chrdev_register(dev_make(5, 0), open_console);
	if (!err)
		err = chrdev_register(dev_make(5, 1), open_console);
	return err ? err : dev_kmsg_register();
}

/* /proc or /sys: a directory the kernel fills (init). */
static int make_kernel_dir(const char *path, int (*init)(struct inode *dir))
{
	struct inode *dir;
	int err = vfs_make_dirs(path, 0555, &dir);

	if (err)
		return err;
	err = init(dir);
	inode_put(dir);
	return err;
}

static int make_etc(void)
{
	int err = rootfs_net_files_make();

	for (size_t k = 0; k < sizeof etc_files / sizeof etc_files[0] && !err; k++)
		if (!vfs_exists(etc_files[k].path))
			err = vfs_make_file(etc_files[k].path, etc_files[k].body, strlen(etc_files[k].body), 0644);
	if (!err && !vfs_exists("/etc/mtab"))
		err = vfs_make_symlink("/etc/mtab", "../proc/self/mounts");
	return err;
}

/* A directory with this mode, unless the initrd already made it (force:
 * then too, for /tmp: the initrd holds the parents of the program's path
 * with mode 0755, and a program under /tmp must not make /tmp unwritable
 * for others). */
static int make_dir(const char *path, uint32_t mode, bool force)
{
	struct inode *dir;

	if (!force && vfs_exists(path))
		return 0;
	int err = vfs_make_dirs(path, mode, &dir);
	if (!err) {
		dir->mode = S_IFDIR | mode;	/* mkdir's mode had no sticky bit */
		inode_put(dir);
	}
	return err == -ENOTDIR && force ? 0 : err;
}

int rootfs_init(void)
{
	if (vfs_init())
		return -ENOMEM;
	devfs_init();
	vfs_lock();
	int err = initrd_unpack();
	if (!err)
		err = make_dev();
	if (!err)
		err = make_kernel_dir("/proc", procfs_init);
	if (!err)
		err = make_kernel_dir("/sys", sysfs_init);
	if (!err)
		err = make_etc();
	if (!err)
		err = make_dir("/tmp", 01777, true);
	if (!err)
		err = make_dir("/root", 0700, false);
	if (!err)
		err = make_dir("/home", 0755, false);
	vfs_unlock();
	return err;
}
