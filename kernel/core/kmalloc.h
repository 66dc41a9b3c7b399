/* The kernel heap. */
#ifndef AMPHI_CORE_KMALLOC_H
#define AMPHI_CORE_KMALLOC_H

#include <stddef.h>

/* Zeroed, 16-byte aligned; NULL when memory is exhausted. */
void *kmalloc(size_t size);
void kfree(void *p);

#endif
