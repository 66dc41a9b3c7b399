/* A bitmap allocator of runs of units (the kernel's physical pages).
 * A set bit is a unit in use.  No locking: the caller serializes.
 * Freestanding; unit-tested on the host. */
#ifndef AMPHI_LIB_BITALLOC_H
#define AMPHI_LIB_BITALLOC_H

#include <stddef.h>
#include <stdint.h>

struct bitalloc {
	uint64_t *words;	/* nbits bits, rounded up to whole words */
	size_t nbits;
	size_t nfree;
	size_t hint;		/* no free unit below this index */
};

/* Starts with every unit in use; free what is really there afterwards. */
void bitalloc_init(struct bitalloc *b, uint64_t *words, size_t nbits);
size_t bitalloc_words(size_t nbits);

/* Marks [start, start + n) free or used, clipped to the map; counts only
 * units whose state changes, so overlapping calls keep nfree exact, and
 * returns that count (less than n: some units were so already). */
size_t bitalloc_mark_free(struct bitalloc *b, size_t start, size_t n);
size_t bitalloc_mark_used(struct bitalloc *b, size_t start, size_t n);

/* Finds the lowest n consecutive free units whose start is a multiple of
 * align (a power of two, 1 for none), marks them used and returns the first;
 * -1 if no such run exists.  First fit keeps allocations packed low and long
 * free runs above them (next fit scattered single pages over all of RAM
 * until no multi-page run was left). */
long bitalloc_alloc(struct bitalloc *b, size_t n, size_t align);

#endif
