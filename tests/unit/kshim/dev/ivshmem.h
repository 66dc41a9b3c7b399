/* Host stand-in for kernel/dev/ivshmem.h: a region in the test's memory,
 * and doorbells the test counts (it defines ivshmem_ring). */
#ifndef AMPHI_DEV_IVSHMEM_H
#define AMPHI_DEV_IVSHMEM_H

#include <stdint.h>

struct ivshmem {
	void *region;
	uint64_t region_size;
};

void ivshmem_ring(const struct ivshmem *d, uint16_t peer, uint16_t vector);

#endif
