/* File system calls, for now over descriptors 0-2 (the console):
 * read/write and their vector forms, ioctl for terminals, fstat, close,
 * lseek, and readlink of /proc/self/exe. */
#include "linux/stdio.h"

#include "core/errno.h"
#include "core/string.h"
#include "core/uaccess.h"
#include "dev/console.h"
#include "frame.h"
#include "linux/process.h"
#include "linux/syscall.h"

#define AT_FDCWD	-100
#define AT_EMPTY_PATH	0x1000
#define TCGETS		0x5401
#define TIOCGWINSZ	0x5413
#define TIOCGPGRP	0x540f
#define FIONBIO		0x5421
#define S_IFCHR		0020000
#define S_IFIFO		0010000
#define IOV_MAX		1024
#define CHUNK		4096

static bool is_tty[3];
static bool closed[3];

void stdio_set_tty(int fd, bool tty) { is_tty[fd] = tty; }

static bool fd_ok(uint64_t fd) { return fd < 3 && !closed[fd]; }

static long write_console(uint64_t fd, uint64_t ubuf, uint64_t len)
{
	char chunk[CHUNK];
	uint64_t done = 0;

	if (!fd_ok(fd) || (fd == 0 && !is_tty[0]))
		return -EBADF;
	while (done < len) {
		size_t n = len - done < CHUNK ? len - done : CHUNK;
		if (copy_from_user(chunk, ubuf + done, n))
			return done ? (long)done : -EFAULT;
		console_write(fd == 2 ? FRAME_STDERR : FRAME_STDOUT, chunk, n);
		done += n;
	}
	return (long)done;
}

static long read_console(uint64_t fd, uint64_t ubuf, uint64_t len)
{
	char chunk[CHUNK];

	if (!fd_ok(fd) || fd != 0)
		return -EBADF;
	if (!user_range_ok(ubuf, len))
		return -EFAULT;
	long n = console_read(chunk, len < CHUNK ? len : CHUNK, 0);
	if (n > 0 && copy_to_user(ubuf, chunk, n))
		return -EFAULT;	/* the bytes are lost, as on Linux */
	return n;
}

static long sys_write(const struct sysargs *a) { return write_console(a->a[0], a->a[1], a->a[2]); }
static long sys_read(const struct sysargs *a) { return read_console(a->a[0], a->a[1], a->a[2]); }

struct iovec {
	uint64_t base, len;
};

/* readv/writev: one iovec at a time; stops at the first short transfer. */
static long vector_io(const struct sysargs *a, long (*io)(uint64_t, uint64_t, uint64_t))
{
	uint64_t fd = a->a[0], uiov = a->a[1], n = a->a[2];
	long total = 0;

	if (n > IOV_MAX)
		return -EINVAL;
	for (uint64_t i = 0; i < n; i++) {
		struct iovec v;
		if (copy_from_user(&v, uiov + i * sizeof v, sizeof v))
			return total ? total : -EFAULT;
		if (!v.len)
			continue;
		long r = io(fd, v.base, v.len);
		if (r < 0)
			return total ? total : r;
		total += r;
		if ((uint64_t)r < v.len)
			break;
	}
	return total;
}

static long sys_writev(const struct sysargs *a) { return vector_io(a, write_console); }
static long sys_readv(const struct sysargs *a) { return vector_io(a, read_console); }

static long sys_ioctl(const struct sysargs *a)
{
	static const uint16_t winsize[4] = { 24, 80, 0, 0 };	/* rows, columns */
	uint64_t fd = a->a[0];

	if (!fd_ok(fd))
		return -EBADF;
	switch (a->a[1]) {
	case TIOCGWINSZ:
		return is_tty[fd] ? copy_to_user(a->a[2], winsize, sizeof winsize) : -ENOTTY;
	case TCGETS: {
		/* A raw-ish termios: enough for isatty() and stdio buffering. */
		uint8_t termios[60] = { 0 };
		return is_tty[fd] ? copy_to_user(a->a[2], termios, sizeof termios) : -ENOTTY;
	}
	case FIONBIO:
		return 0;
	default:
		return is_tty[fd] ? -EINVAL : -ENOTTY;
	}
}

struct linux_stat {
	uint64_t dev, ino, nlink;
	uint32_t mode, uid, gid, pad0;
	uint64_t rdev;
	int64_t size, blksize, blocks;
	uint64_t atime, atime_ns, mtime, mtime_ns, ctime, ctime_ns;
	int64_t reserved[3];
};

static long stat_console(uint64_t fd, uint64_t ust)
{
	struct linux_stat st = { 0 };

	if (!fd_ok(fd))
		return -EBADF;
	st.dev = 0x16;
	st.ino = 3 + fd;
	st.nlink = 1;
	st.mode = is_tty[fd] ? S_IFCHR | 0620 : S_IFIFO | 0600;
	st.rdev = is_tty[fd] ? (136 << 8) : 0;	/* /dev/pts/0 */
	st.blksize = CHUNK;
	return copy_to_user(ust, &st, sizeof st);
}

static long sys_fstat(const struct sysargs *a) { return stat_console(a->a[0], a->a[1]); }

static long sys_newfstatat(const struct sysargs *a)
{
	char c;

	if (!(a->a[3] & AT_EMPTY_PATH) || copy_from_user(&c, a->a[1], 1) || c)
		return -ENOENT;	/* no files yet */
	return stat_console(a->a[0], a->a[2]);
}

static long sys_close(const struct sysargs *a)
{
	if (!fd_ok(a->a[0]))
		return -EBADF;
	closed[a->a[0]] = true;
	return 0;
}

static long sys_lseek(const struct sysargs *a) { return fd_ok(a->a[0]) ? -ESPIPE : -EBADF; }

static long readlink_path(uint64_t upath, uint64_t ubuf, uint64_t size)
{
	char path[256];
	long n = copy_string_from_user(path, upath, sizeof path);

	if (n < 0)
		return n;
	if (strcmp(path, "/proc/self/exe"))
		return -ENOENT;
	if ((int64_t)size <= 0)
		return -EINVAL;
	size_t len = strlen(proc.exe);
	if (len > size)
		len = size;
	return copy_to_user(ubuf, proc.exe, len) ? -EFAULT : (long)len;
}

static long sys_readlink(const struct sysargs *a) { return readlink_path(a->a[0], a->a[1], a->a[2]); }
static long sys_readlinkat(const struct sysargs *a) { return readlink_path(a->a[1], a->a[2], a->a[3]); }
static long sys_open(const struct sysargs *a) { (void)a; return -ENOENT; }

void sys_fs_register(void)
{
	syscall_register(0, sys_read);
	syscall_register(1, sys_write);
	syscall_register(19, sys_readv);
	syscall_register(20, sys_writev);
	syscall_register(16, sys_ioctl);
	syscall_register(5, sys_fstat);
	syscall_register(262, sys_newfstatat);
	syscall_register(3, sys_close);
	syscall_register(8, sys_lseek);
	syscall_register(89, sys_readlink);
	syscall_register(267, sys_readlinkat);
	syscall_register(2, sys_open);
	syscall_register(257, sys_open);	/* openat */
}
