/* amphi-slirp.so: preloaded into QEMU by `amphi run` when the guest's NIC
 * is on user networking; listen() with a backlog of at least 128.
 *
 * QEMU's user networking (libslirp 4.7) listens on a forwarded port (-p)
 * with a backlog of 1.  When clients open connections at once (wrk -c10,
 * redis-benchmark -c 50), the host kernel can queue only two; it drops the
 * other SYNs, and the clients retry after 1, 2, 4, 8... s -- for 50 clients
 * the connection set-up takes minutes and ends in resets, whatever the
 * guest.  QEMU itself is not changed; its other listen() calls only get a
 * longer queue.  The benchmark preloads it into the Linux VM's QEMU too, so
 * the comparison stays fair. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <sys/socket.h>

enum { MIN_BACKLOG = 128 };

int listen(int fd, int backlog)
{
	static int (*real_listen)(int, int);

	if (!real_listen)
		real_listen = (int (*)(int, int))dlsym(RTLD_NEXT, "listen");
	if (!real_listen) {
		errno = ENOSYS;
		return -1;
	}
	return real_listen(fd, backlog < MIN_BACKLOG ? MIN_BACKLOG : backlog);
}
