/* The cap on lwIP's memory (sys_arch_mem.c); lwipopts.h maps lwIP's
 * allocator to net_mem_alloc/net_mem_calloc/net_mem_free. */
#ifndef AMPHI_NET_SYS_ARCH_MEM_H
#define AMPHI_NET_SYS_ARCH_MEM_H

#include <stddef.h>

void *net_mem_alloc(size_t size);
void *net_mem_calloc(size_t n, size_t size);
void net_mem_free(void *p);
/* Bytes lwIP may hold at once (set before tcpip_init). */
void net_mem_set_cap(size_t bytes);
size_t net_mem_used(void);

#endif
