/* AF_UNIX receives straight into a mapped file's pages not yet read in:
 * a stream receive, and a datagram peek, copy out of the queue under the
 * socket's spinlock, where a fault that has to wait for 9p (or ext4) must
 * not sleep (core/uaccess.h), as pipe_file_fault checks for pipes.
 *
 *   unix_file_fault FILE MIB
 *
 * receives MIB/2 MiB over a stream socket, then MIB/2 MiB of datagrams,
 * from three senders each (64-byte messages of the sender's own byte
 * value, so they keep taking the receiver's lock), into a fresh private
 * mapping of FILE (on a --share mount, read by nobody before): each half
 * into its own half of the file, every other receive first peeked
 * (MSG_PEEK) into the same place, while a busy process keeps the other
 * CPU full.  Prints, for each, the bytes received and whether their sum
 * is what was sent. */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#define SENDERS 3
#define MSG 64

static void sender(int fd, int k, size_t len)
{
	char buf[MSG];

	memset(buf, k + 1, sizeof buf);
	for (size_t done = 0; done < len; done += MSG)
		if (send(fd, buf, MSG, 0) != MSG)
			_exit(1);
	_exit(0);
}

/* Receives len bytes (rounded to whole messages) into m. */
static int receive(const char *name, int type, char *m, size_t len)
{
	size_t each = len / SENDERS / MSG * MSG, total = each * SENDERS, got = 0;
	unsigned long long sum = 0, want = 0;
	pid_t s[SENDERS];
	int sv[2];

	if (socketpair(AF_UNIX, type, 0, sv))
		return perror("socketpair"), 1;
	for (int k = 0; k < SENDERS; k++)
		if (!(s[k] = fork())) {
			close(sv[1]);
			sender(sv[0], k, each);
		}
	close(sv[0]);
	for (int round = 0; got < total; round++) {
		char *at = m + got;
		size_t room = total - got < 4096 ? total - got : 4096;
		if (round % 2 && recv(sv[1], at, room, MSG_PEEK) < 0)
			return perror("peek"), 1;
		ssize_t n = recv(sv[1], at, room, 0);
		if (n <= 0)
			return perror("recv"), 1;
		for (ssize_t i = 0; i < n; i++)
			sum += (unsigned char)at[i];
		got += (size_t)n;
	}
	for (int k = 0; k < SENDERS; k++) {
		int st;
		waitpid(s[k], &st, 0);
		if (!WIFEXITED(st) || WEXITSTATUS(st))
			printf("sender %d failed\n", k);
		want += (unsigned long long)each * (k + 1);
	}
	close(sv[1]);
	printf("%s: received %zu bytes, sum %s\n", name, got, sum == want ? "matches" : "differs");
	return 0;
}

int main(int argc, char **argv)
{
	if (argc != 3)
		return fprintf(stderr, "usage: unix_file_fault FILE MIB\n"), 2;
	size_t len = (size_t)atoi(argv[2]) << 20;
	pid_t busy;

	if (!(busy = fork()))
		for (volatile int x = 0;; x++)
			;
	int f = open(argv[1], O_RDONLY);
	char *m = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE, f, 0);
	if (m == MAP_FAILED)
		return perror("mmap"), 1;
	int err = receive("stream", SOCK_STREAM, m, len / 2) ||
		  receive("datagram", SOCK_DGRAM, m + len / 2, len / 2);
	kill(busy, SIGKILL);
	waitpid(busy, NULL, 0);
	return err;
}
