/* LD_PRELOAD for QEMU in the network benchmarks: listen() with a backlog of
 * at least 128.
 *
 * QEMU's user networking (libslirp) listens on a hostfwd port with a backlog
 * of 1.  When a benchmark client opens its connections at once (wrk -c10,
 * redis-benchmark -c 50), the host kernel can queue only two; it drops the
 * other SYNs, and the clients retry after 1, 2, 4, 8... s -- for 50 clients
 * the connection set-up then takes minutes and ends in resets, whatever the
 * guest.  Both VMs (amphi's QEMU and the Linux one) get this library, so the
 * comparison stays fair; docs/bench.md says more. */
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
