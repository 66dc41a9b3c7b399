/* Physical pages. */
#ifndef AMPHI_CORE_PAGE_ALLOC_H
#define AMPHI_CORE_PAGE_ALLOC_H

#include <stdbool.h>
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

/* Single pages that several owners share (a page mapped in several
 * address spaces after fork, a file's page mapped by programs) carry a
 * reference count: page_alloc sets it to 1, page_ref_put frees the page
 * when it drops to 0.  Only for pages taken one at a time. */
void page_ref_get(uint64_t pa);
void page_ref_put(uint64_t pa);
uint32_t page_ref_count(uint64_t pa);

/* A pin is a reference held while a device transfers to or from the page
 * (O_DIRECT).  It keeps the page like any reference (page_ref_count
 * counts it), but it is not a sharer: page_sharers leaves pins out, so
 * copy-on-write does not take a pinned page for a shared one and move its
 * owner to a copy while the device still stores into the original.
 * page_pin fails (false) only when the page has PAGE_PINS_MAX pins. */
#define PAGE_PINS_MAX	1024
bool page_pin(uint64_t pa);
void page_unpin(uint64_t pa);
bool page_pinned(uint64_t pa);
uint32_t page_sharers(uint64_t pa);

/* The same, through the direct map; NULL when exhausted. */
void *page_alloc_virt(size_t n);
void page_free_virt(void *va, size_t n);
/* page_alloc_virt without the zeroing, for callers that overwrite the
 * pages before anyone reads them (or zero only what they use). */
void *page_alloc_virt_uninit(size_t n);

/* A page (PAGE_SIZE bytes, page-aligned) of zeros that nothing writes:
 * the one source for copying or writing zeros.  It lies in the kernel
 * image, so virt_to_phys gives its address for a device. */
extern const uint8_t zero_page[];

/* The initrd's pages, once unpacked: page_adopt makes a page of a
 * reserved range an allocated page like any other (reference 1, freed by
 * page_ref_put), for a file that takes it as its own instead of a copy;
 * page_release_reserved frees n pages from pa that nobody adopted.  Each
 * page of the range at most once, and only by whoever owns the range. */
void page_adopt(uint64_t pa);
void page_release_reserved(uint64_t pa, size_t n);
/* Whether the n pages from pa are RAM the allocator owns.  A loader may
 * put the initrd's end where the firmware then reserves memory (QEMU's
 * PVH loader, below SeaBIOS's tables, when many devices make them big):
 * such pages are never adopted, and page_release_reserved skips them. */
bool page_is_ram(uint64_t pa, size_t n);

size_t page_free_count(void);
size_t page_total_count(void);

/* What a program makes the kernel allocate (its own pages, pipe rings,
 * socket data, registrations, threads, mappings) stops short of a reserve
 * of RAM kept for the kernel: such allocations fail (the program gets an
 * errno, or the out-of-memory end) while fewer than n + page_reserve()
 * pages are free, so no program can starve the kernel itself. */
size_t page_reserve(void);
bool page_room_for_program(size_t n);

/* Memory others hold but give back on demand (the page cache's clean
 * pages): fn frees up to want pages and says how many.  Called when an
 * allocation finds nothing and when a program's allocation finds too
 * little free, from any context: fn must never sleep or wait for a lock. */
void page_set_reclaim(size_t (*fn)(size_t want));

#endif
