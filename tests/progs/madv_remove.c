/* madv_remove: madvise(MADV_REMOVE) frees the backing store of a shared
 * mapping: shared anonymous memory and a tmpfs file read zero afterwards,
 * through the mapping and read(), the file keeps its size and loses the
 * pages (st_blocks); only whole pages in the range go.  Errors as Linux:
 * EINVAL for private anonymous memory, EACCES for a private or read-only
 * shared file mapping, ENOMEM for a hole (the mapped part still done).
 * `madv_remove FILE`: only a shared mapping of FILE, on a mounted store
 * (ext4 punches: the page reads 0; one that cannot says EOPNOTSUPP and
 * keeps the data). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define PAGE 4096

static const char *outcome(int r) { return r ? strerror(errno) : "ok"; }

static char *map(int prot, int flags, int fd, size_t len)
{
	char *m = mmap(NULL, len, prot, flags, fd, 0);
	if (m == MAP_FAILED) {
		perror("mmap");
		_exit(1);
	}
	return m;
}

/* Three pages of 'a', 'b', 'c'. */
static void fill(char *m)
{
	memset(m, 'a', PAGE);
	memset(m + PAGE, 'b', PAGE);
	memset(m + 2 * PAGE, 'c', PAGE);
}

/* The middle one of fill's pages removed; with a file (fd >= 0), its
 * blocks before and after, taken before the mapping is read again (a
 * shared mapping's read makes the page of a hole, on Linux too). */
static void middle_page(const char *what, char *m, int fd)
{
	struct stat before, after;
	fstat(fd, &before);
	int r = madvise(m + PAGE, PAGE, MADV_REMOVE);
	fstat(fd, &after);
	printf("%s: madvise %s; pages read %c %d %c\n", what, outcome(r), m[PAGE - 1], m[PAGE], m[2 * PAGE]);
	if (fd >= 0)
		printf("  size %lld; blocks %lld -> %lld\n", (long long)after.st_size, (long long)before.st_blocks,
		       (long long)after.st_blocks);
}

static int new_file(const char *path, size_t len)
{
	int fd = open(path, O_CREAT | O_RDWR | O_TRUNC, 0600);
	if (fd < 0 || ftruncate(fd, (off_t)len)) {
		perror(path);
		_exit(1);
	}
	return fd;
}

static void tmpfs_file(void)
{
	int fd = new_file("/tmp/madv_remove", 3 * PAGE);
	char *m = map(PROT_READ | PROT_WRITE, MAP_SHARED, fd, 3 * PAGE);
	fill(m);
	middle_page("shared tmpfs file", m, fd);
	char c[3] = { 0 };
	pread(fd, &c[0], 1, 0);
	pread(fd, &c[1], 1, PAGE);
	pread(fd, &c[2], 1, 2 * PAGE);
	printf("  read(): %c %d %c\n", c[0], c[1], c[2]);
	/* The page comes back on the next store, as a new one. */
	m[PAGE] = 'x';
	pread(fd, &c[1], 1, PAGE);
	printf("  store after: read() sees %c\n", c[1]);
	close(fd);
}

static void refused(void)
{
	char *p = map(PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, PAGE);
	p[0] = 'p';
	int r = madvise(p, PAGE, MADV_REMOVE);
	printf("private anonymous: madvise %s; reads %c\n", outcome(r), p[0]);
	int fd = new_file("/tmp/madv_remove_private", PAGE);
	p = map(PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, PAGE);
	r = madvise(p, PAGE, MADV_REMOVE);
	printf("private file: madvise %s\n", outcome(r));
	int ro = open("/tmp/madv_remove_private", O_RDONLY);
	p = map(PROT_READ, MAP_SHARED, ro, PAGE);
	r = madvise(p, PAGE, MADV_REMOVE);
	printf("read-only shared file: madvise %s\n", outcome(r));
	close(ro);
	close(fd);
}

/* Two shared pages with a hole between: ENOMEM, both still removed. */
static void with_hole(void)
{
	char *m = map(PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 3 * PAGE);
	m[0] = m[2 * PAGE] = 'h';
	munmap(m + PAGE, PAGE);
	int r = madvise(m, 3 * PAGE, MADV_REMOVE);
	printf("shared anonymous with a hole: madvise %s; pages read %d %d\n", outcome(r), m[0], m[2 * PAGE]);
}

static void store_file(const char *path)
{
	int fd = new_file(path, PAGE);
	char *m = map(PROT_READ | PROT_WRITE, MAP_SHARED, fd, PAGE);
	m[0] = 's';
	int r = madvise(m, PAGE, MADV_REMOVE);
	printf("shared file on a store: madvise %s; reads %c\n", outcome(r), m[0] ? m[0] : '0');
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	if (argc > 1) {
		store_file(argv[1]);
		return 0;
	}
	char *m = map(PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 3 * PAGE);
	fill(m);
	middle_page("shared anonymous", m, -1);
	tmpfs_file();
	refused();
	with_hole();
	return 0;
}
