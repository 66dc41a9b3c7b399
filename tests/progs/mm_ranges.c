/* mm_ranges: every memory call that takes an address range, aimed at the
 * kernel half, non-canonical addresses, the page under the top of the user
 * half, ranges that straddle the top or wrap around 2^64, zero, huge and
 * unaligned lengths, and page zero.  One line per call and range: "ok", or
 * the errno's name; a mapping that succeeds is removed again.  None of the
 * ranges touches memory the program uses, so a kernel that accepts one it
 * should refuse shows it here instead of corrupting the program.
 *
 * The transcript is Linux's (tests/vm/test_mm_ranges.py), run natively as
 * root (amphi's programs run as root: mlock has no limit) without
 * CAP_SYS_RAWIO (which would let it map page zero; amphi never does):
 *   setpriv --bounding-set=-sys_rawio --inh-caps=-sys_rawio build/progs/mm_ranges */
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#define PAGE		4096ul
#define TOP		0x00007ffffffff000ul	/* Linux's TASK_SIZE: the end of user space */
#define NOREPLACE	0x100000		/* MAP_FIXED_NOREPLACE */

struct range {
	const char *name;
	uint64_t addr, len;
	/* Only mapping calls: as a range for mprotect, madvise or mlock it
	 * would reach our own mappings above the reservation (Linux applies
	 * those up to the first hole, and past holes for madvise). */
	int mappings_only;
};

static char *arena;	/* a PROT_NONE reservation: the valid start of some ranges */

static long sys(long nr, uint64_t a, uint64_t b, uint64_t c, uint64_t d, uint64_t e)
{
	return syscall(nr, a, b, c, d, e, 0);
}

static const char *err_name(int e)
{
	switch (e) {
	case EINVAL: return "EINVAL";
	case ENOMEM: return "ENOMEM";
	case EFAULT: return "EFAULT";
	case EPERM: return "EPERM";
	case EEXIST: return "EEXIST";
	case EAGAIN: return "EAGAIN";
	case ENOSYS: return "ENOSYS";
	default: return strerror(e);
	}
}

static void show(const struct range *r, const char *call, long ret)
{
	printf("%-26s %-24s %s\n", r->name, call, ret < 0 ? err_name(errno) : "ok");
}

/* A mapping made: where, and then it goes. */
static void show_map(const struct range *r, const char *call, long ret)
{
	if (ret == -1) {
		printf("%-26s %-24s %s\n", r->name, call, err_name(errno));
		return;
	}
	printf("%-26s %-24s %s\n", r->name, call, (uint64_t)ret == r->addr ? "ok, there" : "ok, elsewhere");
	munmap((void *)ret, r->len);
}

static void mmap_calls(const struct range *r)
{
	const int anon = MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE;

	show_map(r, "mmap hint", sys(SYS_mmap, r->addr, r->len, PROT_READ, anon, -1));
	show_map(r, "mmap MAP_FIXED", sys(SYS_mmap, r->addr, r->len, PROT_READ, anon | MAP_FIXED, -1));
	show_map(r, "mmap MAP_FIXED_NOREPLACE",
		 sys(SYS_mmap, r->addr, r->len, PROT_READ, anon | NOREPLACE, -1));
}

static void range_calls(const struct range *r)
{
	show(r, "munmap", sys(SYS_munmap, r->addr, r->len, 0, 0, 0));
	show(r, "mprotect", sys(SYS_mprotect, r->addr, r->len, PROT_NONE, 0, 0));
	show(r, "madvise DONTNEED", sys(SYS_madvise, r->addr, r->len, MADV_DONTNEED, 0, 0));
	show(r, "madvise NORMAL", sys(SYS_madvise, r->addr, r->len, MADV_NORMAL, 0, 0));
	show(r, "mlock", sys(SYS_mlock, r->addr, r->len, 0, 0, 0));
	show(r, "mlock2 ONFAULT", sys(SYS_mlock2, r->addr, r->len, MLOCK_ONFAULT, 0, 0));
	show(r, "munlock", sys(SYS_munlock, r->addr, r->len, 0, 0, 0));
	show(r, "msync ASYNC", sys(SYS_msync, r->addr, r->len, MS_ASYNC, 0, 0));
}

/* The range as mremap's source (nothing is mapped there) and as its
 * MREMAP_FIXED target, from a page of our own. */
static void mremap_calls(const struct range *r)
{
	show(r, "mremap from", sys(SYS_mremap, r->addr, r->len, PAGE, MREMAP_MAYMOVE, 0));
	char *p = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	long ret = sys(SYS_mremap, (uint64_t)p, PAGE, r->len, MREMAP_MAYMOVE | MREMAP_FIXED, r->addr);
	show_map(r, "mremap to", ret);
	if (ret == -1)
		munmap(p, PAGE);
}

static void brk_call(const struct range *r)
{
	uint64_t before = sys(SYS_brk, 0, 0, 0, 0, 0);
	uint64_t after = sys(SYS_brk, r->addr, 0, 0, 0, 0);

	printf("%-26s %-24s %s\n", r->name, "brk", after == before ? "unchanged" : "moved");
	sys(SYS_brk, before, 0, 0, 0, 0);
}

/* Calls on our own reservation that must fail without harm. */
static void own_range_errors(void)
{
	uint64_t a = (uint64_t)arena;
	struct range r = { "own", a, PAGE, 0 };

	show(&r, "mremap grow by 2^47", sys(SYS_mremap, a, PAGE, 1ul << 47, 0, 0));
	show(&r, "mremap grow past top", sys(SYS_mremap, a, PAGE, TOP - a + PAGE, 0, 0));
	show(&r, "mremap new_len 0", sys(SYS_mremap, a, PAGE, 0, MREMAP_MAYMOVE, 0));
	show(&r, "mremap new_len -1", sys(SYS_mremap, a, PAGE, -1ul, MREMAP_MAYMOVE, 0));
	show(&r, "mremap grow, old_len past end", sys(SYS_mremap, a, 65 * PAGE, 66 * PAGE, 0, 0));
	show(&r, "mremap FIXED overlapping",
	     sys(SYS_mremap, a, 2 * PAGE, 2 * PAGE, MREMAP_MAYMOVE | MREMAP_FIXED, a + PAGE));
	show(&r, "mremap FIXED unaligned",
	     sys(SYS_mremap, a, PAGE, PAGE, MREMAP_MAYMOVE | MREMAP_FIXED, a + 16 * PAGE + 1));
	show(&r, "mremap FIXED no MAYMOVE",
	     sys(SYS_mremap, a, PAGE, PAGE, MREMAP_FIXED, a + 16 * PAGE));
	show(&r, "mremap flags 8", sys(SYS_mremap, a, PAGE, PAGE, 8, 0));
	show(&r, "madvise advice 999", sys(SYS_madvise, a, PAGE, 999, 0, 0));
	show(&r, "madvise unaligned", sys(SYS_madvise, a + 1, PAGE, MADV_NORMAL, 0, 0));
	show(&r, "mprotect PROT 0x10", sys(SYS_mprotect, a, PAGE, 0x10, 0, 0));
	show(&r, "mprotect GROWSUP|DOWN", sys(SYS_mprotect, a, PAGE, 0x03000000, 0, 0));
	show(&r, "msync SYNC|ASYNC", sys(SYS_msync, a, PAGE, MS_SYNC | MS_ASYNC, 0, 0));
	show(&r, "msync flags 8", sys(SYS_msync, a, PAGE, 8, 0, 0));
	show(&r, "mlock2 flags 2", sys(SYS_mlock2, a, PAGE, 2, 0, 0));
	show(&r, "mlockall 0", sys(SYS_mlockall, 0, 0, 0, 0, 0));
	show(&r, "mlockall 8", sys(SYS_mlockall, 8, 0, 0, 0, 0));
	show(&r, "munlockall", sys(SYS_munlockall, 0, 0, 0, 0, 0));
	show(&r, "mmap len 0", sys(SYS_mmap, 0, 0, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1));
	show(&r, "mmap no type", sys(SYS_mmap, 0, PAGE, PROT_READ, MAP_ANONYMOUS, -1));
	show(&r, "mmap offset unaligned",
	     syscall(SYS_mmap, 0, PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 1));
	show(&r, "NOREPLACE on own", sys(SYS_mmap, a, PAGE, PROT_READ,
					 MAP_PRIVATE | MAP_ANONYMOUS | NOREPLACE, -1));
}

int main(void)
{
	arena = mmap(NULL, 64 * PAGE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (arena == MAP_FAILED) {
		printf("FAIL: setup\n");
		return 1;
	}
	uint64_t a = (uint64_t)arena;
	const struct range ranges[] = {
		{ "kernel text", 0xffffffff80000000ul, PAGE },
		{ "kernel, 1 MiB", 0xffffffff80100000ul, 1ul << 20 },
		{ "direct map", 0xffff800000000000ul, PAGE },
		{ "non-canonical", 0x0000800000000000ul, PAGE },
		{ "non-canonical high", 0x8000000000000000ul, PAGE },
		{ "last page of 2^47", TOP, PAGE },
		{ "straddling 2^47", TOP, 2 * PAGE },
		{ "straddling into kernel", 0xffff7ffffffff000ul, 2 * PAGE },
		{ "wrapping", 0xfffffffffffff000ul, 2 * PAGE },
		{ "own, len -1", a, -1ul },
		{ "own, len rounds to 0", a, -PAGE + 1 },
		{ "own, len wraps", a, -a + PAGE },
		{ "own, len 2^47", a, 1ul << 47, 1 },
		{ "own, len 0", a + 32 * PAGE, 0 },
		{ "own, unaligned", a + 1, PAGE },
		{ "page zero", 0, PAGE },
	};

	setvbuf(stdout, NULL, _IOLBF, 0);
	for (size_t i = 0; i < sizeof ranges / sizeof ranges[0]; i++) {
		mmap_calls(&ranges[i]);
		if (ranges[i].mappings_only)
			continue;
		range_calls(&ranges[i]);
		mremap_calls(&ranges[i]);
		brk_call(&ranges[i]);
	}
	own_range_errors();
	printf("mm_ranges done\n");
	return 0;
}
