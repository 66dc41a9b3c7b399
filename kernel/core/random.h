/* Random bytes for getrandom and AT_RANDOM. */
#ifndef AMPHI_CORE_RANDOM_H
#define AMPHI_CORE_RANDOM_H

#include <stddef.h>

void random_init(void);
void random_fill(void *buf, size_t n);

#endif
