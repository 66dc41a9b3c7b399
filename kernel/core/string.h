/* The few C library string functions the kernel (and lib/) use. */
#ifndef AMPHI_CORE_STRING_H
#define AMPHI_CORE_STRING_H

#include <stdbool.h>
#include <stddef.h>

/* Whether rep movsb and rep stosb are the fast way to copy and fill a KiB
 * or more: true with ERMS on hardware, false under QEMU's TCG, which runs
 * them one byte per step (string.c).  cpu_init sets it at boot; until then
 * the loops, right everywhere, do all. */
extern bool string_rep_fast;

void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
void *memchr(const void *s, int c, size_t n);
size_t strlen(const char *s);
size_t strnlen(const char *s, size_t max);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
char *strchr(const char *s, int c);
char *strstr(const char *hay, const char *needle);

#endif
