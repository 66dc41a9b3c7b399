/* snprintf for the kernel: %d %i %u %o %x %X %p %s %c %%, with l/ll/z sizes,
 * a width, '0' and '-' flags. */
#ifndef AMPHI_CORE_FORMAT_H
#define AMPHI_CORE_FORMAT_H

#include <stdarg.h>
#include <stddef.h>

int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int snprintf(char *buf, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif
