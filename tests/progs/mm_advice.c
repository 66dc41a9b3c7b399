/* mm_advice: memory calls whose answer changes what a program (or the one
 * it hands memory to) may rely on, compared with Linux's transcript:
 *   seal  - F_SEAL_WRITE is refused (EBUSY) while a shared mapping may
 *           write the memfd; a read-only shared mapping of a sealed memfd
 *           cannot be mprotect'ed writable (F_SEAL_WRITE and
 *           F_SEAL_FUTURE_WRITE), so the seal cannot be got around.
 *   fork  - MADV_WIPEONFORK gives the child zeros, MADV_DONTFORK no mapping
 *           (its access faults); KEEPONFORK and DOFORK undo them; both
 *           refuse what Linux refuses.
 *   free  - MADV_FREE takes only private anonymous memory: on a file's
 *           private copy it is EINVAL and the copy stays.
 *   flags - MAP_SHARED_VALIDATE and MAP_SHARED|MAP_GROWSDOWN without a file
 *           are EINVAL; MAP_32BIT memory lies below 2 GiB.
 *   dup   - mremap with old_len 0 maps a shared mapping's pages a second
 *           time (shared memory and a file), anywhere or MREMAP_FIXED;
 *           EINVAL for private memory and with MREMAP_DONTUNMAP, ENOMEM
 *           without MREMAP_MAYMOVE.
 *   mincore - which pages of anonymous memory are in (touched, dropped,
 *           PROT_NONE since), and its EINVAL, ENOMEM and EFAULT.
 * Each word: one line per check. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#define PAGE		4096ul
#ifndef F_SEAL_FUTURE_WRITE
#define F_SEAL_FUTURE_WRITE 0x0010
#endif

/* errno's name: the C libraries' texts differ (glibc on the host, musl). */
static const char *err_name(int e)
{
	switch (e) {
	case EINVAL: return "EINVAL";
	case ENOMEM: return "ENOMEM";
	case EBUSY: return "EBUSY";
	case EPERM: return "EPERM";
	case EACCES: return "EACCES";
	case EFAULT: return "EFAULT";
	default: return strerror(e);
	}
}

static const char *answer(long ret)
{
	return ret < 0 ? err_name(errno) : "ok";
}

static void *map(size_t len, int prot, int flags, int fd)
{
	void *m = mmap(NULL, len, prot, flags, fd, 0);

	if (m == MAP_FAILED) {
		perror("mmap");
		exit(1);
	}
	return m;
}

static int memfd(void)
{
	int fd = memfd_create("sealed", MFD_ALLOW_SEALING);

	if (fd < 0 || ftruncate(fd, PAGE)) {
		perror("memfd");
		exit(1);
	}
	return fd;
}

static void seal(void)
{
	int fd = memfd();
	char *w = map(PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd);
	printf("seal write, writable map: %s\n", answer(fcntl(fd, F_ADD_SEALS, F_SEAL_WRITE)));
	munmap(w, PAGE);
	char *r = map(PAGE, PROT_READ, MAP_SHARED, fd);
	printf("seal write, read-only map of O_RDWR: %s\n",
	       answer(fcntl(fd, F_ADD_SEALS, F_SEAL_WRITE)));
	munmap(r, PAGE);
	char *p = map(PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd);
	printf("seal write, private map: %s\n", answer(fcntl(fd, F_ADD_SEALS, F_SEAL_WRITE)));
	printf("seals now: %#x\n", fcntl(fd, F_GET_SEALS));
	p[0] = 'p';	/* a private copy: allowed */
	printf("shared writable map after: %s\n",
	       mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0) == MAP_FAILED ?
	       err_name(errno) : "ok");
	r = map(PAGE, PROT_READ, MAP_SHARED, fd);
	printf("mprotect sealed read-only map writable: %s\n",
	       answer(mprotect(r, PAGE, PROT_READ | PROT_WRITE)));
	char b = 0;
	pread(fd, &b, 1, 0);
	printf("file byte: %d\n", b);

	int fd2 = memfd();
	printf("seal future write: %s\n", answer(fcntl(fd2, F_ADD_SEALS, F_SEAL_FUTURE_WRITE)));
	r = map(PAGE, PROT_READ, MAP_SHARED, fd2);
	printf("mprotect future-sealed map writable: %s\n",
	       answer(mprotect(r, PAGE, PROT_READ | PROT_WRITE)));
}

/* In a child: what each page of a (wiped page 1) and b (page 1 not
 * forked) holds, the access to b's page 1 last (it faults). */
static void fork_child(const char *a, const char *b)
{
	printf("child: a %c %c %c\n", a[0], a[PAGE] ? a[PAGE] : '0', a[2 * PAGE]);
	printf("child: b %c, now b's page not forked:\n", b[0]);
	fflush(stdout);
	printf("child: read %c\n", b[PAGE]);
	_exit(0);
}

static void fork_and_show(const char *a, const char *b)
{
	fflush(stdout);
	pid_t pid = fork();
	if (!pid)
		fork_child(a, b);
	int status;
	waitpid(pid, &status, 0);
	if (WIFSIGNALED(status))
		printf("child killed by %s\n", strsignal(WTERMSIG(status)));
	else
		printf("child exit %d\n", WEXITSTATUS(status));
}

static void fork_advice(void)
{
	char *a = map(3 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1);
	char *b = map(3 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1);
	char *s = map(PAGE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1);
	char path[] = "/tmp/mm_adviceXXXXXX";
	int fd = mkstemp(path);
	unlink(path);
	ftruncate(fd, PAGE);
	char *f = map(PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd);

	memset(a, 'a', 3 * PAGE);
	memset(b, 'b', 3 * PAGE);
	printf("wipeonfork: %s\n", answer(madvise(a + PAGE, PAGE, MADV_WIPEONFORK)));
	printf("dontfork: %s\n", answer(madvise(b + PAGE, PAGE, MADV_DONTFORK)));
	printf("wipeonfork shared: %s\n", answer(madvise(s, PAGE, MADV_WIPEONFORK)));
	printf("wipeonfork private file: %s\n", answer(madvise(f, PAGE, MADV_WIPEONFORK)));
	printf("dontfork shared: %s\n", answer(madvise(s, PAGE, MADV_DONTFORK)));
	printf("dofork shared: %s\n", answer(madvise(s, PAGE, MADV_DOFORK)));
	fork_and_show(a, b);
	printf("parent: a %c, b %c\n", a[PAGE], b[PAGE]);
	printf("keeponfork: %s\n", answer(madvise(a, 3 * PAGE, MADV_KEEPONFORK)));
	printf("dofork: %s\n", answer(madvise(b, 3 * PAGE, MADV_DOFORK)));
	fork_and_show(a, b);
	munmap(a + 2 * PAGE, PAGE);
	printf("wipeonfork over a hole: %s\n", answer(madvise(a, 3 * PAGE, MADV_WIPEONFORK)));
	printf("a[0] still %c\n", a[0]);
}

static void free_advice(void)
{
	char path[] = "/tmp/mm_adviceXXXXXX";
	int fd = mkstemp(path);
	unlink(path);
	pwrite(fd, "file", 4, 0);
	ftruncate(fd, PAGE);
	char *f = map(PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd);
	char *s = map(PAGE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1);
	char *a = map(PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1);

	f[0] = 'X';
	s[0] = 'S';
	a[0] = 'A';
	const char *r = answer(madvise(f, PAGE, MADV_FREE));
	printf("free private file copy: %s, reads %c\n", r, f[0]);
	r = answer(madvise(s, PAGE, MADV_FREE));
	printf("free shared memory: %s, reads %c\n", r, s[0]);
	printf("free private memory: %s\n", answer(madvise(a, PAGE, MADV_FREE)));
	r = answer(madvise(f, PAGE, MADV_DONTNEED));
	printf("dontneed private file copy: %s, reads %c\n", r, f[0]);
}

static const char *mmap_answer(int flags)
{
	void *m = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, flags, -1, 0);

	if (m == MAP_FAILED)
		return err_name(errno);
	munmap(m, PAGE);
	return "ok";
}

static void flags(void)
{
	printf("shared_validate anonymous: %s\n",
	       mmap_answer(MAP_SHARED_VALIDATE | MAP_ANONYMOUS));
	printf("shared growsdown anonymous: %s\n",
	       mmap_answer(MAP_SHARED | MAP_ANONYMOUS | MAP_GROWSDOWN));
	printf("private growsdown anonymous: %s\n",
	       mmap_answer(MAP_PRIVATE | MAP_ANONYMOUS | MAP_GROWSDOWN));
	int below = 1;
	for (int i = 0; i < 64; i++) {
		char *m = map(16 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT, -1);
		below &= (uintptr_t)m + 16 * PAGE <= 0x80000000ul;
		m[0] = 1;
	}
	char *hint = map(PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT,
			 -1);
	below &= (uintptr_t)hint < 0x80000000ul;
	printf("MAP_32BIT below 2 GiB: %s\n", below ? "yes" : "no");
}

static const char *remap_answer(void *m)
{
	return m == MAP_FAILED ? err_name(errno) : "ok";
}

static void remap_dup(void)
{
	char *s = map(4 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1);
	s[PAGE] = 'x';
	char *d = mremap(s + PAGE, 0, 2 * PAGE, MREMAP_MAYMOVE);
	printf("shared memory: %s\n", remap_answer(d));
	if (d != MAP_FAILED) {
		d[1] = 'y';
		printf("  reads %c, its write seen at the original: %c\n", d[0], s[PAGE + 1]);
	}
	printf("without MREMAP_MAYMOVE: %s\n", remap_answer(mremap(s, 0, PAGE, 0)));
	char *t = map(2 * PAGE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1);
	d = mremap(s + PAGE, 0, PAGE, MREMAP_MAYMOVE | MREMAP_FIXED, t + PAGE);
	printf("MREMAP_FIXED: %s%s\n", remap_answer(d), d == t + PAGE ? ", at the target" : "");
	if (d != MAP_FAILED)
		printf("  reads %c\n", d[0]);
	printf("MREMAP_DONTUNMAP: %s\n",
	       remap_answer(mremap(s, 0, PAGE, MREMAP_MAYMOVE | MREMAP_DONTUNMAP)));
	char *p = map(PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1);
	printf("private memory: %s\n", remap_answer(mremap(p, 0, PAGE, MREMAP_MAYMOVE)));

	char path[] = "/tmp/mm_adviceXXXXXX";
	int fd = mkstemp(path);
	unlink(path);
	pwrite(fd, "file", 4, PAGE);
	ftruncate(fd, 2 * PAGE);
	char *f = map(2 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd);
	d = mremap(f + PAGE, 0, PAGE, MREMAP_MAYMOVE);
	printf("shared file: %s\n", remap_answer(d));
	if (d != MAP_FAILED) {
		d[0] = 'F';
		char b[4] = "";
		pread(fd, b, 4, PAGE);
		printf("  reads %.3s, the file then %.4s\n", d + 1, b);
	}
	printf("shared mapping still %c%c\n", s[PAGE], s[PAGE + 1]);
}

static void show_core(const char *what, void *addr, size_t len, void *vec_at)
{
	unsigned char vec[8];
	void *v = vec_at ? vec_at : vec;

	memset(vec, 7, sizeof vec);
	if (mincore(addr, len, v)) {
		printf("%s: %s\n", what, err_name(errno));
		return;
	}
	printf("%s:", what);
	for (size_t i = 0; vec_at == NULL && i < (len + PAGE - 1) / PAGE; i++)
		printf(" %d", vec[i]);
	printf("\n");
}

static void core(void)
{
	char *a = map(4 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1);
	a[0] = a[2 * PAGE] = 1;
	show_core("touched 0 and 2", a, 4 * PAGE, NULL);
	madvise(a, PAGE, MADV_DONTNEED);
	mprotect(a + 2 * PAGE, PAGE, PROT_NONE);
	show_core("0 dropped, 2 PROT_NONE", a, 4 * PAGE, NULL);
	show_core("a length not whole pages", a + 2 * PAGE, PAGE + 1, NULL);
	show_core("length 0", a, 0, NULL);
	show_core("unaligned", a + 1, PAGE, NULL);
	munmap(a + 3 * PAGE, PAGE);
	show_core("past a hole", a + 2 * PAGE, 2 * PAGE, NULL);
	show_core("kernel address", (void *)0xffff800000000000ul, PAGE, NULL);
	show_core("bad vector", a, PAGE, (void *)0xffff800000000000ul);
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	const char *what = argc > 1 ? argv[1] : "";

	if (!strcmp(what, "seal"))
		seal();
	else if (!strcmp(what, "fork"))
		fork_advice();
	else if (!strcmp(what, "free"))
		free_advice();
	else if (!strcmp(what, "flags"))
		flags();
	else if (!strcmp(what, "dup"))
		remap_dup();
	else if (!strcmp(what, "mincore"))
		core();
	else {
		fprintf(stderr, "usage: mm_advice seal|fork|free|flags|dup|mincore\n");
		return 2;
	}
	return 0;
}
