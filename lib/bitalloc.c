/* First-fit search over a bitmap, a word at a time where words are full,
 * starting at the lowest unit that may be free. */
#include "bitalloc.h"

static int bit_test(const struct bitalloc *b, size_t i)
{
	return (b->words[i / 64] >> (i % 64)) & 1;
}

size_t bitalloc_words(size_t nbits)
{
	return (nbits + 63) / 64;
}

void bitalloc_init(struct bitalloc *b, uint64_t *words, size_t nbits)
{
	b->words = words;
	b->nbits = nbits;
	b->nfree = 0;
	b->hint = 0;
	for (size_t i = 0; i < bitalloc_words(nbits); i++)
		words[i] = ~0ull;
}

static size_t mark(struct bitalloc *b, size_t start, size_t n, int used)
{
	size_t changed = 0;

	if (start >= b->nbits)
		return 0;
	if (n > b->nbits - start)
		n = b->nbits - start;
	for (size_t i = start; i < start + n; i++) {
		if (bit_test(b, i) == used)
			continue;
		b->words[i / 64] ^= 1ull << (i % 64);
		changed++;
	}
	if (used)
		b->nfree -= changed;
	else
		b->nfree += changed;
	if (!used && start < b->hint)
		b->hint = start;
	return changed;
}

size_t bitalloc_mark_free(struct bitalloc *b, size_t start, size_t n) { return mark(b, start, n, 0); }
size_t bitalloc_mark_used(struct bitalloc *b, size_t start, size_t n) { return mark(b, start, n, 1); }

/* Length of the free run at i, up to want. */
static size_t free_run(const struct bitalloc *b, size_t i, size_t want)
{
	size_t n = 0;

	while (n < want && i + n < b->nbits && !bit_test(b, i + n))
		n++;
	return n;
}

static long search(struct bitalloc *b, size_t from, size_t to, size_t n, size_t align)
{
	size_t i = (from + align - 1) & ~(align - 1);

	while (i + n <= to) {
		if (align == 1 && i % 64 == 0 && b->words[i / 64] == ~0ull) {
			i += 64;	/* a full word: skip it whole */
			continue;
		}
		size_t run = free_run(b, i, n);
		if (run == n)
			return (long)i;
		i = (i + run + 1 + align - 1) & ~(align - 1);
	}
	return -1;
}

long bitalloc_alloc(struct bitalloc *b, size_t n, size_t align)
{
	if (!n || n > b->nfree || !align || (align & (align - 1)))
		return -1;
	long at = search(b, b->hint, b->nbits, n, align);

	if (at < 0)
		return -1;
	mark(b, (size_t)at, n, 1);
	while (b->hint < b->nbits && bit_test(b, b->hint))
		b->hint++;	/* the first free unit may have moved up */
	return at;
}
