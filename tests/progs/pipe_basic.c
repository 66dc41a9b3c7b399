/* Pipes on one thread, as pipe(7) describes them: data in order, FIONREAD,
 * fstat, pipe2 flags, O_NONBLOCK (EAGAIN both ways, 64 KiB capacity, partial
 * long writes, all-or-nothing PIPE_BUF writes), end of file once the writer
 * is gone, EPIPE once the reader is (SIGPIPE ignored).  One "<what> ok" line
 * per check and "pipe_basic ok"; "FAIL: ..." and status 1 otherwise. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

static int failures;

#define CHECK(cond) do { if (!(cond)) { \
	printf("FAIL: %s:%d: %s (errno %d)\n", __func__, __LINE__, #cond, errno); \
	failures++; return; } } while (0)

static char big[200000];

static void data_in_order(void)
{
	int fd[2], n;
	char buf[64];

	CHECK(pipe(fd) == 0);
	CHECK(write(fd[1], "hello, ", 7) == 7);
	CHECK(write(fd[1], "pipe", 4) == 4);
	CHECK(ioctl(fd[0], FIONREAD, &n) == 0 && n == 11);
	CHECK(read(fd[0], buf, 5) == 5 && memcmp(buf, "hello", 5) == 0);
	CHECK(read(fd[0], buf, sizeof buf) == 6 && memcmp(buf, ", pipe", 6) == 0);
	CHECK(ioctl(fd[0], FIONREAD, &n) == 0 && n == 0);
	CHECK(write(fd[1], "", 0) == 0 && read(fd[0], buf, 0) == 0);
	CHECK(read(fd[1], buf, 1) == -1 && errno == EBADF);
	CHECK(write(fd[0], "x", 1) == -1 && errno == EBADF);
	CHECK(lseek(fd[0], 0, SEEK_SET) == -1 && errno == ESPIPE);
	close(fd[0]);
	close(fd[1]);
	printf("data in order ok\n");
}

static void stat_and_flags(void)
{
	int fd[2];
	struct stat r, w;

	CHECK(pipe2(fd, O_CLOEXEC | O_NONBLOCK) == 0);
	CHECK(fstat(fd[0], &r) == 0 && fstat(fd[1], &w) == 0);
	CHECK(S_ISFIFO(r.st_mode) && S_ISFIFO(w.st_mode) && r.st_ino == w.st_ino);
	CHECK((r.st_mode & 0777) == 0600 && r.st_size == 0);
	char link[64], want[64], name[32];
	ssize_t n;
	snprintf(name, sizeof name, "/proc/self/fd/%d", fd[1]);
	snprintf(want, sizeof want, "pipe:[%lu]", (unsigned long)r.st_ino);
	CHECK((n = readlink(name, link, sizeof link - 1)) > 0);
	link[n] = 0;
	CHECK(strcmp(link, want) == 0);
	CHECK(fcntl(fd[0], F_GETFD) == FD_CLOEXEC && fcntl(fd[1], F_GETFD) == FD_CLOEXEC);
	CHECK((fcntl(fd[0], F_GETFL) & (O_ACCMODE | O_NONBLOCK)) == (O_RDONLY | O_NONBLOCK));
	CHECK((fcntl(fd[1], F_GETFL) & (O_ACCMODE | O_NONBLOCK)) == (O_WRONLY | O_NONBLOCK));
	close(fd[0]);
	close(fd[1]);
	CHECK(pipe2(fd, 0) == 0);
	CHECK(fcntl(fd[0], F_GETFD) == 0 && (fcntl(fd[1], F_GETFL) & O_NONBLOCK) == 0);
	close(fd[0]);
	close(fd[1]);
	CHECK(pipe2(fd, O_APPEND) == -1 && errno == EINVAL);
	int *volatile bad = (int *)8;
	CHECK(pipe(bad) == -1 && errno == EFAULT);
	printf("stat and flags ok\n");
}

static void nonblocking(void)
{
	int fd[2], n;
	long total = 0, w;
	char buf[8192];

	CHECK(pipe2(fd, O_NONBLOCK) == 0);
	CHECK(read(fd[0], buf, 1) == -1 && errno == EAGAIN);
	memset(buf, 'a', sizeof buf);
	while ((w = write(fd[1], buf, 4096)) > 0)
		total += w;
	CHECK(w == -1 && errno == EAGAIN && total == 65536);
	CHECK(ioctl(fd[0], FIONREAD, &n) == 0 && n == 65536);
	CHECK(write(fd[1], buf, 1) == -1 && errno == EAGAIN);
	CHECK(read(fd[0], buf, 8192) == 8192);
	/* A write longer than PIPE_BUF takes what room there is ... */
	CHECK(write(fd[1], big, sizeof big) == 8192);
	CHECK(read(fd[0], buf, 4096) == 4096);
	/* ... one of at most PIPE_BUF bytes goes in whole or not at all. */
	CHECK(write(fd[1], buf, 3000) == 3000);
	CHECK(write(fd[1], buf, 2000) == -1 && errno == EAGAIN);
	CHECK(write(fd[1], buf, 1000) == 1000);
	CHECK(ioctl(fd[0], FIONREAD, &n) == 0 && n == 65536 - 96);
	close(fd[0]);
	close(fd[1]);
	printf("nonblocking ok\n");
}

static void set_nonblock_later(void)
{
	int fd[2];
	char c;

	CHECK(pipe(fd) == 0);
	CHECK(fcntl(fd[0], F_SETFL, O_NONBLOCK) == 0);
	CHECK(read(fd[0], &c, 1) == -1 && errno == EAGAIN);
	CHECK(fcntl(fd[0], F_SETFL, 0) == 0);
	int on = 1;
	CHECK(ioctl(fd[0], FIONBIO, &on) == 0);
	CHECK(read(fd[0], &c, 1) == -1 && errno == EAGAIN);
	close(fd[0]);
	close(fd[1]);
	printf("nonblock set later ok\n");
}

static void end_of_file(void)
{
	int fd[2], fd2;
	char buf[16];

	CHECK(pipe(fd) == 0);
	CHECK((fd2 = dup(fd[1])) >= 0);
	CHECK(write(fd[1], "last", 4) == 4);
	close(fd[1]);
	CHECK(write(fd2, "!", 1) == 1);
	close(fd2);
	CHECK(read(fd[0], buf, sizeof buf) == 5 && memcmp(buf, "last!", 5) == 0);
	CHECK(read(fd[0], buf, sizeof buf) == 0);
	CHECK(read(fd[0], buf, sizeof buf) == 0);
	close(fd[0]);
	printf("end of file ok\n");
}

static void broken_pipe(void)
{
	int fd[2];

	CHECK(signal(SIGPIPE, SIG_IGN) != SIG_ERR);
	CHECK(pipe(fd) == 0);
	close(fd[0]);
	CHECK(write(fd[1], "x", 1) == -1 && errno == EPIPE);
	CHECK(write(fd[1], big, sizeof big) == -1 && errno == EPIPE);
	close(fd[1]);
	printf("broken pipe ok\n");
}

static void many_pipes(void)
{
	int fds[200][2];
	char c;

	for (int i = 0; i < 200; i++)
		CHECK(pipe(fds[i]) == 0);
	for (int i = 0; i < 200; i++)
		CHECK(write(fds[i][1], &(char){ (char)i }, 1) == 1);
	for (int i = 199; i >= 0; i--) {
		CHECK(read(fds[i][0], &c, 1) == 1 && c == (char)i);
		close(fds[i][0]);
		close(fds[i][1]);
	}
	printf("200 pipes ok\n");
}

int main(void)
{
	data_in_order();
	stat_and_flags();
	nonblocking();
	set_nonblock_later();
	end_of_file();
	broken_pipe();
	many_pipes();
	if (failures)
		return 1;
	printf("pipe_basic ok\n");
	return 0;
}
