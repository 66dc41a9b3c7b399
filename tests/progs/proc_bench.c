/* `make bench`'s process figures (bench/procbench.py), the same static
 * program in amphi and in the Linux VM: how many fork+exit+wait, fork+exec
 * of a static hello, and `sh -c true` complete per second, and how long a
 * shell script running a two-command pipeline 200 times takes.  Each rate
 * is counted over about a second of the guest's own monotonic clock.
 * Usage: proc_bench HELLO BUSYBOX (the static hello and busybox-static). */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define SPAN 1.0	/* seconds per rate */

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* One child running argv (NULL: exiting at once), waited for; its stdout
 * goes to /dev/null.  Exits on any failure: a figure must mean success. */
static void child(char *const argv[])
{
	int st;
	pid_t pid = fork();

	if (pid < 0)
		perror("proc_bench: fork"), exit(1);
	if (!pid) {
		if (argv) {
			int fd = open("/dev/null", O_WRONLY);
			dup2(fd, 1);
			execv(argv[0], argv);
			_exit(127);
		}
		_exit(0);
	}
	if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st))
		fprintf(stderr, "proc_bench: %s failed (status %#x)\n", argv ? argv[0] : "fork", st),
			exit(1);
}

static void rate(const char *what, char *const argv[])
{
	double t0 = now(), t;
	long n = 0;

	do {
		child(argv);
		n++;
	} while ((t = now()) - t0 < SPAN);
	printf("proc_bench %s %.1f\n", what, n / (t - t0));
}

int main(int argc, char **argv)
{
	if (argc != 3)
		return fprintf(stderr, "usage: proc_bench HELLO BUSYBOX\n"), 2;
	char *hello[] = { argv[1], NULL };
	char *sh_true[] = { argv[2], "sh", "-c", "true", NULL };
	char script[512];
	snprintf(script, sizeof script,
		 "i=0; while [ $i -lt 200 ]; do echo hello | %s cat >/dev/null; i=$((i+1)); done",
		 argv[2]);
	char *pipeline[] = { argv[2], "sh", "-c", script, NULL };

	setvbuf(stdout, NULL, _IOLBF, 0);
	child(NULL);	/* warm: the first fork pays for the page tables */
	rate("fork_exit_wait", NULL);
	rate("fork_exec_hello", hello);
	rate("sh_c_true", sh_true);
	double t0 = now();
	child(pipeline);
	printf("proc_bench pipeline_200 %.3f\n", now() - t0);
	printf("proc_bench done\n");
	return 0;
}
