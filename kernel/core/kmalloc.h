/* The kernel heap. */
#ifndef AMPHI_CORE_KMALLOC_H
#define AMPHI_CORE_KMALLOC_H

#include <stddef.h>

/* Zeroed, 16-byte aligned; NULL when memory is exhausted. */
void *kmalloc(size_t size);
void kfree(void *p);
/* kmalloc for what a program asks for: NULL when it would dig into the
 * kernel's reserve (core/page_alloc.h). */
void *kmalloc_program(size_t size);
/* kmalloc without the zeroing, for callers that write all they read:
 * lwIP's packet buffers and pools, a whole frame's worth per segment. */
void *kmalloc_uninit(size_t size);
/* The boot CPU can say which it is (this_cpu()): each CPU's own free
 * blocks are used from now on, every call before was CPU 0's. */
void kmalloc_cpus_known(void);

#endif
