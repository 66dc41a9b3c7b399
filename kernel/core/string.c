/* String functions for a freestanding kernel.  gcc also emits calls to
 * memcpy/memset/memmove/memcmp for structure copies, so these must exist.
 *
 * Copies and fills run as loops of 8-byte moves, or as rep movsb/stosb for a
 * KiB and more where those are fast (string_rep_fast, string.h): with ERMS
 * on hardware they are, but QEMU's TCG runs a rep instruction one element
 * per step, and there a 4 KiB rep movsb takes 117 us against 3 us for the
 * loop.  The Makefile builds this file with -fno-tree-loop-distribute-
 * patterns, or gcc would turn the loops back into calls to these very
 * functions. */
#include "core/string.h"

#include <stdint.h>

bool string_rep_fast;

#define REP_FROM	1024	/* below it the loops win even with ERMS */

typedef uint64_t __attribute__((may_alias, aligned(1))) word;

/* 32 bytes, all loaded before any is stored, so either direction of an
 * overlapping move can use it. */
static inline void copy_block(unsigned char *d, const unsigned char *s)
{
	word a = ((const word *)s)[0], b = ((const word *)s)[1];
	word c = ((const word *)s)[2], e = ((const word *)s)[3];

	((word *)d)[0] = a;
	((word *)d)[1] = b;
	((word *)d)[2] = c;
	((word *)d)[3] = e;
}

/* Front to back: right for memmove too when dst is below src. */
static void copy_up(unsigned char *d, const unsigned char *s, size_t n)
{
	for (; n >= 32; n -= 32, d += 32, s += 32)
		copy_block(d, s);
	for (; n >= 8; n -= 8, d += 8, s += 8)
		*(word *)d = *(const word *)s;
	while (n--)
		*d++ = *s++;
}

/* Back to front, for memmove when dst is above src. */
static void copy_down(unsigned char *d, const unsigned char *s, size_t n)
{
	d += n;
	s += n;
	for (; n >= 32; n -= 32) {
		d -= 32;
		s -= 32;
		copy_block(d, s);
	}
	for (; n >= 8; n -= 8) {
		d -= 8;
		s -= 8;
		*(word *)d = *(const word *)s;
	}
	while (n--)
		*--d = *--s;
}

void *memcpy(void *dst, const void *src, size_t n)
{
	void *ret = dst;

	if (string_rep_fast && n >= REP_FROM)
		__asm__ volatile("rep movsb" : "+D"(dst), "+S"(src), "+c"(n) :: "memory");
	else
		copy_up(dst, src, n);
	return ret;
}

void *memmove(void *dst, const void *src, size_t n)
{
	unsigned char *d = dst;
	const unsigned char *s = src;

	if (d <= s || d >= s + n)
		return memcpy(dst, src, n);
	copy_down(d, s, n);
	return dst;
}

void *memset(void *dst, int c, size_t n)
{
	unsigned char *d = dst;
	word w = 0x0101010101010101ull * (unsigned char)c;

	if (string_rep_fast && n >= REP_FROM) {
		__asm__ volatile("rep stosb" : "+D"(d), "+c"(n) : "a"(c) : "memory");
		return dst;
	}
	for (; n >= 32; n -= 32, d += 32) {
		((word *)d)[0] = w;
		((word *)d)[1] = w;
		((word *)d)[2] = w;
		((word *)d)[3] = w;
	}
	for (; n >= 8; n -= 8, d += 8)
		*(word *)d = w;
	while (n--)
		*d++ = (unsigned char)c;
	return dst;
}

int memcmp(const void *a, const void *b, size_t n)
{
	const unsigned char *x = a, *y = b;

	for (; n >= 8 && *(const word *)x == *(const word *)y; n -= 8, x += 8, y += 8)
		;	/* equal words: TCG runs a byte loop eight times slower */
	for (; n; n--, x++, y++)
		if (*x != *y)
			return *x - *y;
	return 0;
}

void *memchr(const void *s, int c, size_t n)
{
	const unsigned char *p = s;

	for (; n; n--, p++)
		if (*p == (unsigned char)c)
			return (void *)p;
	return NULL;
}

size_t strlen(const char *s)
{
	size_t n = 0;

	while (s[n])
		n++;
	return n;
}

size_t strnlen(const char *s, size_t max)
{
	size_t n = 0;

	while (n < max && s[n])
		n++;
	return n;
}

int strcmp(const char *a, const char *b)
{
	while (*a && *a == *b)
		a++, b++;
	return (unsigned char)*a - (unsigned char)*b;
}

int strncmp(const char *a, const char *b, size_t n)
{
	for (; n; n--, a++, b++) {
		if (*a != *b)
			return (unsigned char)*a - (unsigned char)*b;
		if (!*a)
			return 0;
	}
	return 0;
}

char *strchr(const char *s, int c)
{
	for (; *s; s++)
		if (*s == (char)c)
			return (char *)s;
	return c ? NULL : (char *)s;
}

char *strstr(const char *hay, const char *needle)
{
	size_t n = strlen(needle);

	for (; *hay; hay++)
		if (!strncmp(hay, needle, n))
			return (char *)hay;
	return n ? NULL : (char *)hay;
}
