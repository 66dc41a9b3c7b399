/* Helpers the descriptor-based system calls share. */
#ifndef AMPHI_LINUX_FD_H
#define AMPHI_LINUX_FD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct file;
struct iobuf;
struct kstat;
struct socket;

/* What Linux allows one call: IOV_MAX iovecs, MAX_RW_COUNT bytes. */
#define IOV_MAX		1024
#define MAX_RW_COUNT	0x7ffff000ul

/* One iovec of the program's vectors (readv, sendmsg, vmsplice...). */
struct iovec {
	uint64_t base, len;
};

/* The n iovecs at uiov one after the other through move (bytes moved or
 * -errno), stopping at the first that moves short: the bytes moved in
 * all, or the first iovec's error (-EFAULT for an unreadable vector).
 * sys_fd.c's, for readv/writev and vmsplice. */
long iovec_each(uint64_t uiov, uint64_t n, long (*move)(void *ctx, const struct iobuf *b), void *ctx);

/* One read or write of f (sys_fd.c's read/write and pread/pwrite): pos
 * an explicit offset, or NULL for the file's own.  Bytes moved, -EBADF
 * where f is not open for it, -EINVAL past the largest offset, or the
 * file's error. */
long file_io(struct file *f, const struct iobuf *b, int64_t *pos, bool write);
/* Its transfer without those checks (sendfile and copy_file_range make
 * their own): the offset moves only when bytes do; a write goes as
 * RLIMIT_FSIZE lets it. */
long file_transfer(struct file *f, const struct iobuf *b, int64_t *pos, bool write);

/* Writes st to user memory as struct stat; 0 or -EFAULT. */
long stat_copy_out(const struct kstat *st, uint64_t ustat);

/* What was written to fd synced, when it is a regular file (fsync, or
 * fdatasync with datasync); other files need nothing: sys_fs_io.c's. */
long fd_sync_file(int fd, bool datasync);
/* fsync (fdatasync with datasync) of f: -EINVAL for a file that has
 * nothing to sync through (a pipe, a socket). */
long file_sync(struct file *f, bool datasync);

/* fcntl commands beyond descriptors and status flags (advisory locks):
 * sys_fs.c's, since they concern files in the VFS. */
long fcntl_more(int fd, int cmd, uint64_t arg);

/* F_GETPIPE_SZ, F_SETPIPE_SZ on f: sys_pipe.c's.  -EBADF when f is not
 * a pipe end. */
long pipe_fcntl_size(struct file *f);
long pipe_fcntl_set_size(struct file *f, uint64_t arg);

/* readv/writev of n iovecs at uiov on socket s, as one message:
 * sys_socket_msg.c's. */
long socket_iov_io(struct socket *s, uint64_t uiov, uint64_t n, bool write);

/* RLIMIT_FSIZE (rlimit_fsize.c); only regular files are limited.  A
 * write of *len bytes to f at offset at: cut to end at the limit, or
 * -EFBIG with SIGXFSZ when it would start at or past it. */
long fsize_limit_at(struct file *f, int64_t at, size_t *len);
/* The same for a write of b at *pos (NULL: the file's own offset); an
 * O_APPEND one instead gets the limit as b->max_end, for the file system
 * to cut it where the append lands, and its result must go through
 * fsize_limit_appended with the position the file system left in *pos. */
long fsize_limit_write(struct file *f, const int64_t *pos, struct iobuf *b);
/* A write's result n, the append having found the end at at: -EFBIG
 * there at or past b's bound sends SIGXFSZ (the store's own largest size
 * does not). */
long fsize_limit_appended(const struct iobuf *b, int64_t at, long n);
struct inode;
/* A regular file i growing to size bytes (truncate, fallocate): 0, or
 * -EFBIG with SIGXFSZ past the limit. */
long fsize_limit_grow(struct inode *i, uint64_t size);

#endif
