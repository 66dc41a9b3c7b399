/* What lib/ takes from outside: four string functions (from the C library
 * on the host, from the kernel's own lib in the guest) and the few errno
 * numbers it returns (Linux values, named apart from <errno.h> so that
 * either side may include both).  Freestanding. */
#ifndef AMPHI_LIB_LIBC_MIN_H
#define AMPHI_LIB_LIBC_MIN_H

#include <stddef.h>

void *memcpy(void *restrict dst, const void *restrict src, size_t n);
int memcmp(const void *a, const void *b, size_t n);
void *memset(void *dst, int c, size_t n);
size_t strlen(const char *s);

#define LIB_ENOEXEC	8
#define LIB_EINVAL	22
#define LIB_ENOSPC	28
#define LIB_EPROTO	71
#define LIB_EMSGSIZE	90
#define LIB_ENOBUFS	105

#endif
