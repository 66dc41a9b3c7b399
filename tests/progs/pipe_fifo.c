/* A FIFO made with mkfifo is a pipe reached by name (fifo(7)): a reader
 * that opened (O_NONBLOCK) before any writer sees no POLLHUP until a writer
 * has come and gone; a writer without readers gets ENXIO with O_NONBLOCK;
 * data and end of file as in a pipe.  Prints "fifo ok"; "FAIL: ..." and
 * status 1 otherwise. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

static short poll1(int fd)
{
	struct pollfd p = { fd, POLLIN, 0 };

	return poll(&p, 1, 0) == 1 ? p.revents : 0;
}

#define CHECK(cond) do { if (!(cond)) { \
	printf("FAIL: line %d: %s (errno %d)\n", __LINE__, #cond, errno); return 1; } } while (0)

int main(void)
{
	const char *path = "/tmp/amphi_fifo_test";
	int r, w;
	char c;

	unlink(path);
	CHECK(mkfifo(path, 0600) == 0);
	CHECK(open(path, O_WRONLY | O_NONBLOCK) == -1 && errno == ENXIO);
	CHECK((r = open(path, O_RDONLY | O_NONBLOCK)) >= 0);
	CHECK(poll1(r) == 0);
	CHECK(read(r, &c, 1) == 0);	/* no writer: end of file at once */
	CHECK((w = open(path, O_WRONLY | O_NONBLOCK)) >= 0);
	CHECK(poll1(r) == 0);
	CHECK(write(w, "x", 1) == 1);
	CHECK(poll1(r) == POLLIN);
	close(w);
	CHECK(poll1(r) == (POLLIN | POLLHUP));
	CHECK(read(r, &c, 1) == 1 && c == 'x');
	CHECK(read(r, &c, 1) == 0);
	CHECK(poll1(r) == POLLHUP);
	close(r);
	CHECK(unlink(path) == 0);
	printf("fifo ok\n");
	return 0;
}
