/* Anonymous memory the way allocators and language runtimes use it
 * (musl/glibc malloc, Go's heap, JITs).  Each check prints nothing when it
 * passes; the first failure prints "FAIL: <check>: <detail>" and exits 1.
 * All passing prints "mmap ok".  No check needs a signal handler: where Linux
 * would fault, we instead ask the kernel whether the range is free. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#define PAGE 4096UL
#define MiB (1024UL * 1024)

static const char *check = "start";

__attribute__((format(printf, 1, 2), noreturn))
static void fail(const char *fmt, ...)
{
	va_list ap;

	printf("FAIL: %s: ", check);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	exit(1);
}

static void *map(void *hint, size_t len, int prot, int flags)
{
	void *p = mmap(hint, len, prot, flags | MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		fail("mmap(%#zx) failed, errno %d", len, errno);
	if ((uintptr_t)p % PAGE)
		fail("mmap returned unaligned %#lx", (unsigned long)p);
	return p;
}

/* Every page of a fresh mapping reads as zero; then a per-page pattern. */
static void fill(unsigned char *p, size_t len, unsigned seed)
{
	for (size_t i = 0; i < len; i += PAGE) {
		if (p[i] != 0 || p[i + PAGE - 1] != 0)
			fail("fresh page at offset %#zx not zero", i);
		p[i] = (unsigned char)(seed + i / PAGE);
		p[i + PAGE - 1] = (unsigned char)(seed * 3 + i / PAGE);
	}
}

static void verify(const unsigned char *p, size_t len, unsigned seed, size_t off0)
{
	for (size_t i = 0; i < len; i += PAGE) {
		size_t pg = (off0 + i) / PAGE;
		if (p[i] != (unsigned char)(seed + pg) ||
		    p[i + PAGE - 1] != (unsigned char)(seed * 3 + pg))
			fail("page at offset %#zx lost its contents (base %p)", off0 + i, (void *)p);
	}
}

static void large_region(void)
{
	check = "large region";
	size_t len = 16 * MiB;
	unsigned char *p = map(NULL, len, PROT_READ | PROT_WRITE, 0);
	fill(p, len, 1);
	verify(p, len, 1, 0);
	memset(p, 0x5a, len);
	for (size_t i = 0; i < len; i += 511)
		if (p[i] != 0x5a)
			fail("byte %#zx is %#x after memset", i, p[i]);
	if (munmap(p, len))
		fail("munmap errno %d", errno);
}

/* Unmap one page in the middle: its neighbours keep their contents, and the
 * hole is free again (a hinted mmap gets exactly it, zero-filled). */
static void munmap_middle(void)
{
	check = "munmap middle page";
	size_t len = 8 * PAGE;
	unsigned char *p = map(NULL, len, PROT_READ | PROT_WRITE, 0);
	fill(p, len, 7);
	if (munmap(p + 3 * PAGE, PAGE))
		fail("munmap errno %d", errno);
	verify(p, 3 * PAGE, 7, 0);
	verify(p + 4 * PAGE, 4 * PAGE, 7, 4 * PAGE);
	unsigned char *q = mmap(p + 3 * PAGE, PAGE, PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (q != p + 3 * PAGE)
		fail("hinted mmap into the hole at %p returned %p", (void *)(p + 3 * PAGE), (void *)q);
	if (q[0] != 0 || q[PAGE - 1] != 0)
		fail("refilled hole is not zero");
	munmap(p, len);
}

/* A free address given as a hint is honoured (Go asks for 0xc000000000). */
static void hint(void)
{
	check = "mmap with hint";
	void *want = (void *)0xc000000000UL;
	unsigned char *p = map(want, 4 * MiB, PROT_READ | PROT_WRITE, 0);
	if (p != want)
		fail("hint %p, got %p", want, (void *)p);
	fill(p, 4 * MiB, 11);
	verify(p, 4 * MiB, 11, 0);

	check = "MAP_FIXED over a mapping";
	unsigned char *f = mmap(p + MiB, MiB, PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	if (f != p + MiB)
		fail("MAP_FIXED at %p returned %p", (void *)(p + MiB), (void *)f);
	fill(f, MiB, 13);	/* replaced pages are fresh zeroes */
	verify(p, MiB, 11, 0);
	verify(p + 2 * MiB, 2 * MiB, 11, 2 * MiB);
	munmap(p, 4 * MiB);
}

/* Reserve address space with PROT_NONE, then commit pieces of it with
 * mprotect and with MAP_FIXED (glibc's malloc arenas, Go, V8 and the JVM). */
static void reserve_then_commit(void)
{
	check = "PROT_NONE reservation";
	size_t len = 64 * MiB;
	unsigned char *r = map(NULL, len, PROT_NONE, MAP_NORESERVE);

	check = "mprotect PROT_NONE -> RW";
	if (mprotect(r + 8 * MiB, 2 * MiB, PROT_READ | PROT_WRITE))
		fail("mprotect errno %d", errno);
	fill(r + 8 * MiB, 2 * MiB, 17);
	verify(r + 8 * MiB, 2 * MiB, 17, 0);

	check = "MAP_FIXED inside the reservation";
	unsigned char *f = mmap(r + 32 * MiB, MiB, PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	if (f != r + 32 * MiB)
		fail("got %p, wanted %p", (void *)f, (void *)(r + 32 * MiB));
	fill(f, MiB, 19);
	verify(f, MiB, 19, 0);
	verify(r + 8 * MiB, 2 * MiB, 17, 0);

	check = "mprotect RW -> R -> RW keeps contents";
	if (mprotect(r + 8 * MiB, 2 * MiB, PROT_READ) ||
	    mprotect(r + 8 * MiB, 2 * MiB, PROT_READ | PROT_WRITE))
		fail("mprotect errno %d", errno);
	verify(r + 8 * MiB, 2 * MiB, 17, 0);
	r[8 * MiB + 5] = 1;

	check = "munmap reservation";
	if (munmap(r, len))
		fail("munmap errno %d", errno);
}

/* Grow a mapping with MREMAP_MAYMOVE: contents follow it, new pages are
 * zero; then shrink it in place. */
static void remap(void)
{
	check = "mremap grow";
	unsigned char *p = map(NULL, 3 * PAGE, PROT_READ | PROT_WRITE, 0);
	fill(p, 3 * PAGE, 23);
	unsigned char *q = mremap(p, 3 * PAGE, 300 * PAGE, MREMAP_MAYMOVE);
	if (q == MAP_FAILED)
		fail("mremap errno %d", errno);
	verify(q, 3 * PAGE, 23, 0);
	for (size_t i = 3 * PAGE; i < 300 * PAGE; i += PAGE)
		if (q[i] != 0 || q[i + PAGE - 1] != 0)
			fail("grown page at offset %#zx not zero", i);
	memset(q + 3 * PAGE, 0x77, 297 * PAGE);

	check = "mremap shrink";
	unsigned char *s = mremap(q, 300 * PAGE, 2 * PAGE, 0);
	if (s != q)
		fail("shrink moved %p to %p", (void *)q, (void *)s);
	verify(s, 2 * PAGE, 23, 0);
	munmap(s, 2 * PAGE);
}

/* MADV_DONTNEED on private anonymous memory: the pages read as zero after. */
static void dontneed(void)
{
	check = "madvise(MADV_DONTNEED)";
	unsigned char *p = map(NULL, 4 * PAGE, PROT_READ | PROT_WRITE, 0);
	memset(p, 0xab, 4 * PAGE);
	if (madvise(p + PAGE, 2 * PAGE, MADV_DONTNEED))
		fail("madvise errno %d", errno);
	for (size_t i = PAGE; i < 3 * PAGE; i++)
		if (p[i] != 0)
			fail("byte %#zx is %#x, not zero", i, p[i]);
	if (p[0] != 0xab || p[4 * PAGE - 1] != 0xab)
		fail("pages outside the range changed");
	p[PAGE] = 1;	/* still mapped and writable */
	munmap(p, 4 * PAGE);
}

/* The program break: brk(0) reports it, growing gives zeroed writable
 * memory, shrinking is allowed. */
static void program_break(void)
{
	check = "brk";
	uintptr_t b0 = (uintptr_t)syscall(SYS_brk, 0);
	if (b0 == 0)
		fail("brk(0) = 0");
	uintptr_t want = ((b0 + PAGE - 1) & ~(PAGE - 1)) + 4 * MiB;
	uintptr_t b1 = (uintptr_t)syscall(SYS_brk, want);
	if (b1 != want)
		fail("brk(%#lx) = %#lx", want, b1);
	unsigned char *p = (unsigned char *)((b0 + PAGE - 1) & ~(PAGE - 1));
	fill(p, want - (uintptr_t)p, 29);
	verify(p, want - (uintptr_t)p, 29, 0);
	if ((uintptr_t)syscall(SYS_brk, 0) != want)
		fail("brk(0) after growth = %#lx, want %#lx", (uintptr_t)syscall(SYS_brk, 0), want);
	uintptr_t b2 = (uintptr_t)syscall(SYS_brk, want - 2 * MiB);
	if (b2 != want - 2 * MiB)
		fail("shrinking brk to %#lx gave %#lx", want - 2 * MiB, b2);
}

/* Bad arguments fail with the Linux errno instead of doing something. */
static void errors(void)
{
	check = "mmap length 0";
	errno = 0;
	if (mmap(NULL, 0, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0) != MAP_FAILED ||
	    errno != EINVAL)
		fail("expected EINVAL, errno %d", errno);
	check = "munmap unaligned";
	errno = 0;
	if (munmap((void *)0x10001, PAGE) == 0 || errno != EINVAL)
		fail("expected EINVAL, errno %d", errno);
}

/* Many small mallocs and frees (musl's allocator on top of brk/mmap). */
static void malloc_churn(void)
{
	check = "malloc churn";
	static void *ptr[4096];
	for (int round = 0; round < 4; round++) {
		for (int i = 0; i < 4096; i++) {
			size_t n = 16 + (size_t)(i * 37 + round * 101) % 20000;
			ptr[i] = malloc(n);
			if (!ptr[i])
				fail("malloc(%zu) failed in round %d", n, round);
			memset(ptr[i], i & 0xff, n);
		}
		for (int i = 0; i < 4096; i++) {
			if (((unsigned char *)ptr[i])[0] != (i & 0xff))
				fail("block %d corrupted in round %d", i, round);
			free(ptr[i]);
		}
	}
}

int main(void)
{
	large_region();
	munmap_middle();
	hint();
	reserve_then_commit();
	remap();
	dontneed();
	program_break();
	errors();
	malloc_churn();
	printf("mmap ok\n");
	return 0;
}
