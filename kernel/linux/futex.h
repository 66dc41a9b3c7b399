/* Futexes: the one thing user threads block on. */
#ifndef AMPHI_LINUX_FUTEX_H
#define AMPHI_LINUX_FUTEX_H

#include <stdint.h>

/* Wakes up to n waiters on uaddr (a shared futex: in a MAP_SHARED mapping,
 * whichever process waits on the same word) whose bitset meets `bitset`
 * (one when n <= 0, as Linux); how many. */
int futex_wake(uint64_t uaddr, int n, uint32_t bitset);

#endif
