/* What sys_socket.c and sys_socket_msg.c share. */
#ifndef AMPHI_LINUX_SYS_SOCKET_INTERNAL_H
#define AMPHI_LINUX_SYS_SOCKET_INTERNAL_H

#include "core/errno.h"
#include "fs/fdtable.h"
#include "fs/file.h"
#include "net/socket.h"

/* The socket at fd, with its file referenced in *f (file_put it):
 * -EBADF, -ENOTSOCK. */
static inline long sock_fd(int fd, struct file **f, struct socket **s)
{
	if (!(*f = fd_get(fd)))
		return -EBADF;
	if ((*s = socket_of(*f)))
		return 0;
	file_put(*f);
	return -ENOTSOCK;
}

/* A sockaddr from the program: -EINVAL for a length over SOCKADDR_MAX
 * (or negative), -EFAULT. */
long sockaddr_from_user(void *dst, uint64_t uaddr, uint64_t len);
/* Writes klen bytes of addr (cut to the room *ulen says) and klen to *ulen. */
long sockaddr_to_user(const void *addr, uint32_t klen, uint64_t uaddr, uint64_t ulen);

#endif
