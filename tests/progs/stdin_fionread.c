/* FIONREAD on standard input that is not a terminal (amphi's is a pipe
 * here): once poll says it is readable, the count of bytes waiting, which
 * a read then takes at least. */
#include <poll.h>
#include <stdio.h>
#include <sys/ioctl.h>
#include <unistd.h>

int main(void)
{
	struct pollfd p = { .fd = 0, .events = POLLIN };
	char buf[256];
	int n = -1;

	if (poll(&p, 1, -1) != 1 || ioctl(0, FIONREAD, &n)) {
		perror("poll or FIONREAD");
		return 1;
	}
	ssize_t got = read(0, buf, sizeof buf);
	printf("waiting: %s\n", n > 0 ? "some" : "none");
	printf("read took them: %s\n", got >= n ? "yes" : "no");
	return 0;
}
