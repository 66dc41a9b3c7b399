/* RLIMIT_AS: the bytes a process's mappings may cover in all.  Limits
 * are set relative to what is mapped at the time (the sum over
 * /proc/self/maps), so the transcript is the same wherever the program's
 * own mappings differ a little.  Prints a transcript to compare with
 * Linux's.  Nothing here allocates behind the program's back: stdout is
 * unbuffered and nothing calls malloc. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#define K 1024ul
#define M (1024 * K)

static char maps[1 << 16];

/* errno by name: musl's and glibc's strerror differ */
static const char *why(void)
{
	return errno == ENOMEM ? "ENOMEM" : errno == EPERM ? "EPERM" : errno == EINVAL ? "EINVAL" : strerror(errno);
}

/* What the maps list covers (the vsyscall page is no mapping of ours). */
static unsigned long mapped_now(void)
{
	int fd = open("/proc/self/maps", O_RDONLY);
	ssize_t n, got = 0;
	unsigned long total = 0;

	while (fd >= 0 && (n = read(fd, maps + got, sizeof maps - 1 - got)) > 0)
		got += n;
	close(fd);
	maps[got] = 0;
	for (char *line = maps, *end; *line; line = end + 1) {
		unsigned long lo, hi;
		if (!(end = strchr(line, '\n')))
			break;
		*end = 0;
		if (sscanf(line, "%lx-%lx", &lo, &hi) == 2 && !strstr(line, "[vsyscall]"))
			total += hi - lo;
	}
	return total;
}

static void limit(const char *what, unsigned long bytes)
{
	struct rlimit r = { bytes, RLIM_INFINITY };

	printf("%s: %s\n", what, setrlimit(RLIMIT_AS, &r) ? why() : "ok");
}

static void *map(const char *what, void *at, unsigned long len, int fixed)
{
	void *p = mmap(at, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | fixed, -1, 0);

	printf("%s: %s\n", what, p == MAP_FAILED ? why() : "ok");
	return p == MAP_FAILED ? NULL : p;
}

static void remap(const char *what, void *p, unsigned long from, unsigned long to)
{
	void *q = mremap(p, from, to, MREMAP_MAYMOVE);

	printf("%s: %s\n", what, q == MAP_FAILED ? why() : "ok");
	if (q != MAP_FAILED)
		munmap(q, to);
}

static void in_child(void)
{
	pid_t pid = fork();

	if (pid == 0) {
		map("  child inherits the limit: map 2M", NULL, 2 * M, 0);
		_exit(0);
	}
	waitpid(pid, NULL, 0);
}

/* Another process's limit set by prlimit takes at once. */
static void by_prlimit(void)
{
	int go[2], done[2];
	char c;

	if (pipe(go) || pipe(done))
		return;
	pid_t pid = fork();
	if (pid == 0) {
		if (read(go[0], &c, 1) == 1)
			map("  after the parent's prlimit: map 2M", NULL, 2 * M, 0);
		_exit(0);
	}
	struct rlimit r = { mapped_now() + M, RLIM_INFINITY };
	printf("prlimit of a child: %s\n", prlimit(pid, RLIMIT_AS, &r, NULL) ? why() : "ok");
	if (write(go[1], "x", 1) != 1)
		return;
	waitpid(pid, NULL, 0);
}

int main(void)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	limit("limit: what is mapped + 1M", mapped_now() + M);
	map("map 2M", NULL, 2 * M, 0);
	char *a = map("map 512K", NULL, 512 * K, 0);
	char *b = map("map 512K more", NULL, 512 * K, 0);
	map("map 4K past it", NULL, 4 * K, 0);
	map("MAP_FIXED over the first 512K", a, 512 * K, MAP_FIXED);
	remap("mremap 512K to 1M", a, 512 * K, M);
	printf("sbrk 1M: %s\n", sbrk(M) == (void *)-1 ? why() : "ok");
	in_child();
	printf("munmap 512K: %s\n", munmap(b, 512 * K) ? why() : "ok");
	remap("mremap 512K to 1M", a, 512 * K, M);
	limit("limit below what is mapped", mapped_now() / 2);
	map("map 4K", NULL, 4 * K, 0);
	limit("no limit", RLIM_INFINITY);
	map("map 2M", NULL, 2 * M, 0);
	by_prlimit();
	return 0;
}
