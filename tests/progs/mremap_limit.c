/* mremap at the limit of mappings (vm.max_map_count, 65530): moving a
 * page out of the middle of a mapping needs room for three more areas (the
 * new one and the old one cut in three), as Linux's move_vma asks.  Without
 * it the call must fail with ENOMEM and leave everything as it was: the
 * data where it was, no new mapping left behind. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE 0x100000
#endif

#define PG	4096ul
#define FILL_TOP 0x200000000ul

static char *fill[70000];
static int nfill;

/* One-page mappings, apart so they do not merge, until mmap refuses. */
static int fill_up(void)
{
	int n = 0;

	for (;;) {
		char *want = (char *)(FILL_TOP - 2 * PG * (unsigned long)nfill);
		char *p = mmap(want, PG, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
		if (p == MAP_FAILED)
			return n;
		fill[nfill++] = p;
		n++;
	}
}

static void unfill(int n)
{
	while (n-- > 0)
		munmap(fill[--nfill], PG);
}

static void show(const char *a)
{
	printf("pages hold: %c%c%c%c\n", a[0], a[PG], a[2 * PG], a[3 * PG]);
}

int main(void)
{
	char *a = mmap((void *)0x300000000ul, 4 * PG, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	if (a == MAP_FAILED)
		return 1;
	for (int i = 0; i < 4; i++)
		memset(a + i * PG, 'A' + i, PG);
	fill_up();
	printf("full: %s\n", strerror(errno));
	unfill(1);	/* room for one more: not enough */
	void *r = mremap(a + PG, PG, 2 * PG, MREMAP_MAYMOVE);
	printf("mremap with room for one: %s\n", r == MAP_FAILED ? strerror(errno) : "moved");
	show(a);
	int room = fill_up();
	printf("room left after it: %d\n", room);	/* a leaked mapping would take it */
	unfill(room + 3);	/* room for four more: the check wants more than three free */
	r = mremap(a + PG, PG, 2 * PG, MREMAP_MAYMOVE);
	printf("mremap with room for four: %s\n", r == MAP_FAILED ? strerror(errno) : "moved");
	if (r != MAP_FAILED)
		printf("moved page holds: %c\n", *(char *)r);
	return 0;
}
