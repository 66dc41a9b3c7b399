/* Physical pages. */
#ifndef AMPHI_CORE_PAGE_ALLOC_H
#define AMPHI_CORE_PAGE_ALLOC_H

#include <stddef.h>
#include <stdint.h>

struct mem_region;

/* ram: usable regions; reserved: ranges never to hand out (kernel image,
 * initrd, low memory). */
void page_alloc_init(const struct mem_region *ram, int nram,
		     const struct mem_region *reserved, int nreserved);

/* n physically contiguous, zeroed pages; 0 when memory is exhausted. */
uint64_t page_alloc(size_t n);
void page_free(uint64_t pa, size_t n);

/* The same, through the direct map; NULL when exhausted. */
void *page_alloc_virt(size_t n);
void page_free_virt(void *va, size_t n);

size_t page_free_count(void);
size_t page_total_count(void);

#endif
