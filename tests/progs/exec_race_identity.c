/* Two threads of a process call execve at once: one wins, the other gets
 * EAGAIN (and ends with the old image).  /proc/PID/cmdline must be the
 * winner's arguments: the loser used to write its own there first.  The
 * new image compares its cmdline with its argv (exit 0, or 1).
 * Prints in how many rounds of 20 they differed. */
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define ROUNDS	20

static char *self, big[100000];
static int go[2];

/* B's arguments are long (a megabyte): it copies them a while, and is
 * still in its execve when the winner reaches its point of no return. */
static void exec_as(char *who)
{
	char *argv[14] = { self, "image", who };

	for (int i = 3; who[0] == 'B' && i < 13; i++)
		argv[i] = big;
	execv("/proc/self/exe", argv);
}

/* Sleeps until told, then execs: woken onto the other CPU. */
static void *other(void *a)
{
	char c;

	(void)a;
	read(go[0], &c, 1);
	exec_as("B");
	for (;;)
		pause();	/* lost: ends with the old image */
	return NULL;
}

/* The new image: whether /proc/self/cmdline holds argv. */
static int cmdline_is_mine(int argc, char **argv)
{
	static char want[256], got[256];
	size_t n = 0;
	int fd = open("/proc/self/cmdline", O_RDONLY);
	ssize_t r = read(fd, got, sizeof got);

	for (int i = 0; i < argc; i++) {
		memcpy(want + n, argv[i], strlen(argv[i]) + 1);
		n += strlen(argv[i]) + 1;
	}
	return r == (ssize_t)n && !memcmp(want, got, n);
}

int main(int argc, char **argv)
{
	int wrong = 0;

	if (argc >= 3 && !strcmp(argv[1], "image"))
		return !cmdline_is_mine(argc, argv);
	self = argv[0];
	memset(big, 'b', sizeof big - 1);
	for (int i = 0; i < ROUNDS; i++) {
		pid_t c = fork();
		if (c == 0) {
			pthread_t t;
			pipe(go);
			pthread_create(&t, NULL, other, NULL);
			usleep(20000);	/* asleep in read */
			write(go[1], "x", 1);
			exec_as("A");
			_exit(2);
		}
		int st;
		waitpid(c, &st, 0);
		wrong += !WIFEXITED(st) || WEXITSTATUS(st) != 0;
	}
	printf("cmdline not the new image's: %d of %d\n", wrong, ROUNDS);
	return 0;
}
