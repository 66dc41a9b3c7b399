/* /proc/kmsg as a klogd reads it: everything unread, then EAGAIN when
 * non-blocking, poll readiness when a record comes, that record and
 * nothing twice.  As a user: refused. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "call_result.h"

static char buf[1 << 16];

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	int fd = open("/proc/kmsg", O_RDONLY | O_NONBLOCK);
	if (fd < 0) {
		printf("open: %s\n", res(-1));
		return 0;
	}
	long n, total = 0;
	while ((n = read(fd, buf, sizeof buf)) > 0)
		total += n;
	printf("boot's records read: %d, then %s\n", total > 0 && buf[0] == '<', res(n));
	struct pollfd p = { fd, POLLIN, 0 };
	int ready = poll(&p, 1, 0);
	printf("poll with nothing unread: %d\n", ready);
	int k = open("/dev/kmsg", O_WRONLY);
	write(k, "<3>proc-kmsg marker", 19);
	ready = poll(&p, 1, 1000);
	printf("poll after a record: %d revents 0x%x\n", ready, p.revents);
	n = read(fd, buf, sizeof buf);
	buf[n > 0 ? n : 0] = 0;
	printf("read: %s", n > 0 && strstr(buf, "<11>[") && strstr(buf, "] proc-kmsg marker\n") ? "the record\n" : buf);
	printf("again: %s\n", res(read(fd, buf, sizeof buf)));
	printf("write: %s\n", res(write(fd, "x", 1)));
	close(fd);
	return 0;
}
