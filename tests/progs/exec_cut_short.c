/* execve of a program whose file ends inside its segments: as on Linux,
 * the process dies with SIGSEGV past the point of no return.  It used to
 * die inside the call, before the call's path buffer went back: a page
 * lost each time.  Runs it ROUNDS times and prints how much free memory
 * (MemFree) went meanwhile, in pages. */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define ROUNDS	300

static long mem_free_kib(void)
{
	char buf[4096];
	int fd = open("/proc/meminfo", O_RDONLY);
	ssize_t n = read(fd, buf, sizeof buf - 1);

	close(fd);
	buf[n > 0 ? n : 0] = 0;
	char *at = strstr(buf, "MemFree:");
	return at ? atol(at + 8) : -1;
}

/* The first half of this program's file, executable. */
static void make_cut_copy(const char *path)
{
	static char img[4 << 20];
	int in = open("/proc/self/exe", O_RDONLY), out = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0755);
	ssize_t n = read(in, img, sizeof img);

	write(out, img, (size_t)n / 2);
	close(in);
	close(out);
}

/* Exec's the cut copy ROUNDS times: 1 if any child died otherwise. */
static int run_cut(const char *path, int rounds)
{
	int odd = 0;

	for (int i = 0; i < rounds; i++) {
		pid_t c = fork();
		if (c == 0) {
			execl(path, path, (char *)NULL);
			_exit(99);
		}
		int st;
		waitpid(c, &st, 0);
		odd |= !WIFSIGNALED(st) || WTERMSIG(st) != SIGSEGV;
	}
	return odd;
}

int main(void)
{
	const char *path = "/tmp/cut";

	make_cut_copy(path);
	int odd = run_cut(path, 20);	/* pools and caches settle */
	long before = mem_free_kib();
	odd |= run_cut(path, ROUNDS);
	long gone = (before - mem_free_kib()) / 4;
	printf("each died of SIGSEGV: %s\n", odd ? "no" : "yes");
	printf("pages gone over %d execs: %ld\n", ROUNDS, gone < 0 ? 0 : gone);
	return 0;
}
