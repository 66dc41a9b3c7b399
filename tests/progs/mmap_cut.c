/* Pages cut from a file leave the mappings of other processes too:
 * truncate, fallocate(PUNCH_HOLE) and MADV_REMOVE in one process, read
 * and written through mappings in another (a child), as Linux's
 * unmap_mapping_range.  Prints a transcript to compare with Linux's.
 *
 * usage: mmap_cut DIR [direct]   (a file DIR/cut is made: pages of A, B, C, D)
 *
 * With "direct", O_DIRECT I/O instead, which drops the cached pages of its
 * range as a cut does (DIR must take O_DIRECT).
 *
 * In each case the child maps the file, touches its pages, says "ready"
 * through a pipe and waits; the parent cuts, says "go", and the child
 * prints what its mappings read now.  "BUS" is a SIGBUS. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#define PG 4096

static char path[512];
static int to_child[2], to_parent[2], to_grandchild[2];
static sigjmp_buf bus_env;

static void on_bus(int sig)
{
	siglongjmp(bus_env, sig);
}

/* The byte at p as a letter ('0' for a zero), or "BUS"; in a buffer the
 * next call reuses. */
static const char *peek(const volatile char *p)
{
	static char out[2];

	if (sigsetjmp(bus_env, 1))
		return "BUS";
	out[0] = *p ? *p : '0';
	return out;
}

static const char *poke(volatile char *p, char c)
{
	if (sigsetjmp(bus_env, 1))
		return "BUS";
	*p = c;
	return "ok";
}

static void die(const char *what)
{
	perror(what);
	exit(1);
}

static void make_file(void)
{
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	char page[PG];

	if (fd < 0)
		die("open");
	for (int i = 0; i < 4; i++) {
		memset(page, 'A' + i, PG);
		if (write(fd, page, PG) != PG)
			die("write");
	}
	close(fd);
}

static char *map(int prot, int flags)
{
	int fd = open(path, O_RDWR);

	if (fd < 0)
		die("open");
	char *m = mmap(NULL, 4 * PG, prot, flags, fd, 0);
	if (m == MAP_FAILED)
		die("mmap");
	close(fd);
	return m;
}

static void say(int fd)
{
	if (write(fd, "x", 1) != 1)
		die("pipe write");
}

static void hear(int fd)
{
	char c;

	if (read(fd, &c, 1) != 1)
		die("pipe read");
}

/* The file's byte at off through read(), as peek shows it. */
static char file_byte(off_t off)
{
	int fd = open(path, O_RDONLY);
	char c = 0;

	if (fd < 0)
		die("open");
	ssize_t n = pread(fd, &c, 1, off);
	close(fd);
	return n == 1 ? (c ? c : '0') : '-';
}

/* The child's mappings: a shared one (every page touched), a private one
 * whose page 1 it wrote (its copy) and whose other pages it read (the
 * file's), and the private one again at a place mremap moved it to. */
struct maps {
	char *shared, *private, *moved;
};

static void child_setup(struct maps *m)
{
	m->shared = map(PROT_READ | PROT_WRITE, MAP_SHARED);
	m->private = map(PROT_READ | PROT_WRITE, MAP_PRIVATE);
	char *other = map(PROT_READ, MAP_PRIVATE);
	volatile char sink = 0;
	for (int i = 0; i < 4; i++) {
		sink += m->shared[i * PG];
		sink += m->private[i * PG];
		sink += other[i * PG];
	}
	(void)sink;
	m->private[PG + 100] = 'x';
	/* A private mapping moved with its pages (mremap): page 2 the file's */
	m->moved = mremap(other, 4 * PG, 4 * PG, MREMAP_MAYMOVE | MREMAP_FIXED, other + 64 * PG);
	if (m->moved == MAP_FAILED)
		die("mremap");
}

static void report(const char *name, struct maps *m)
{
	printf("%s: shared", name);
	for (int i = 0; i < 4; i++)
		printf(" %s", peek(m->shared + i * PG + 100));
	printf("; private");
	for (int i = 0; i < 4; i++)
		printf(" %s", peek(m->private + i * PG + 100));
	printf("; moved %s\n", peek(m->moved + 2 * PG + 100));
}

/* The child, in one case: maps, touches, waits for the cut, reports; a
 * grandchild forked after the touch reports what it inherited too. */
static void child(const char *name, int write_after)
{
	struct maps m;

	child_setup(&m);
	pid_t g = fork();
	if (g < 0)
		die("fork");
	say(to_parent[1]);
	hear(to_child[0]);
	if (g == 0) {
		hear(to_grandchild[0]);	/* after the child's report */
		/* One peek a printf: it answers in a buffer of its own */
		printf("  forked: shared %s", peek(m.shared + 2 * PG + 100));
		printf("; private %s", peek(m.private + PG + 100));
		printf(" %s\n", peek(m.private + 2 * PG + 100));
		fflush(stdout);
		_exit(0);
	}
	report(name, &m);
	if (write_after) {
		printf("  store through shared page 1: %s\n", poke(m.shared + PG + 7, 'Q'));
		msync(m.shared, 4 * PG, MS_SYNC);
	}
	fflush(stdout);
	say(to_parent[1]);
	hear(to_child[0]);
	say(to_grandchild[1]);
	waitpid(g, NULL, 0);
	_exit(0);
}

static void run_case(const char *name, void (*cut)(void), int write_after)
{
	make_file();
	if (pipe(to_child) || pipe(to_parent) || pipe(to_grandchild))
		die("pipe");
	fflush(stdout);
	pid_t pid = fork();
	if (pid < 0)
		die("fork");
	if (pid == 0)
		child(name, write_after);
	hear(to_parent[0]);
	hear(to_parent[0]);	/* the grandchild is forked too */
	cut();
	say(to_child[1]);
	say(to_child[1]);
	hear(to_parent[0]);	/* reported */
	if (write_after)
		printf("  read() of page 1 after: %c\n", file_byte(PG + 7));
	fflush(stdout);
	say(to_child[1]);
	int st;
	waitpid(pid, &st, 0);
	if (!WIFEXITED(st) || WEXITSTATUS(st))
		printf("  child ended with status %#x\n", st);
	for (int i = 0; i < 2; i++) {
		close(to_child[i]);
		close(to_parent[i]);
		close(to_grandchild[i]);
	}
}

static void cut_truncate(void)
{
	if (truncate(path, PG + PG / 2))
		die("truncate");
}

static void cut_punch(void)
{
	int fd = open(path, O_RDWR);

	if (fd < 0 || fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, PG, 2 * PG))
		die("fallocate");
	close(fd);
}

static void cut_madv_remove(void)
{
	char *m = map(PROT_READ | PROT_WRITE, MAP_SHARED);

	if (madvise(m + 2 * PG, PG, MADV_REMOVE))
		die("madvise");
	munmap(m, 4 * PG);
}

/* An O_DIRECT read of page 1 and write of page 2 (of W). */
static void cut_direct(void)
{
	int fd = open(path, O_RDWR | O_DIRECT);
	char *buf = aligned_alloc(PG, PG);

	if (fd < 0 || !buf)
		die("open O_DIRECT");
	if (pread(fd, buf, PG, PG) != PG)
		die("O_DIRECT read");
	memset(buf, 'W', PG);
	if (pwrite(fd, buf, PG, 2 * PG) != PG)
		die("O_DIRECT write");
	free(buf);
	close(fd);
}

int main(int argc, char **argv)
{
	if (argc < 2 || argc > 3 || (argc == 3 && strcmp(argv[2], "direct"))) {
		fprintf(stderr, "usage: mmap_cut DIR [direct]\n");
		return 2;
	}
	snprintf(path, sizeof path, "%s/cut", argv[1]);
	signal(SIGBUS, on_bus);
	if (argc == 3) {
		run_case("O_DIRECT read page 1, write page 2", cut_direct, 1);
	} else {
		run_case("truncate to 1.5 pages", cut_truncate, 0);
		run_case("punch pages 1-2", cut_punch, 1);
		run_case("MADV_REMOVE page 2", cut_madv_remove, 0);
	}
	unlink(path);
	return 0;
}
