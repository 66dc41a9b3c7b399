/* Futexes: the one thing user threads block on. */
#ifndef AMPHI_LINUX_FUTEX_H
#define AMPHI_LINUX_FUTEX_H

#include <stdint.h>

/* The hash buckets, set up once at boot (syscall_init), before any thread
 * can use them. */
void futex_init(void);
/* Wakes up to n waiters on uaddr (a shared futex: in a MAP_SHARED mapping,
 * whichever process waits on the same word) whose bitset meets `bitset`
 * (one when n <= 0, as Linux); how many. */
int futex_wake(uint64_t uaddr, int n, uint32_t bitset);

#endif
