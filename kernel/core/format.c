/* A small vsnprintf: enough for kernel messages and /proc text. */
#include "core/format.h"

#include <stdbool.h>
#include <stdint.h>

#include "core/string.h"

struct out {
	char *buf;
	size_t size, len;
};

static void put(struct out *o, char c)
{
	if (o->len + 1 < o->size)
		o->buf[o->len] = c;
	o->len++;
}

static void put_padded(struct out *o, const char *s, size_t n, int width, bool left, char pad)
{
	int fill = width > (int)n ? width - (int)n : 0;

	if (!left)
		while (fill-- > 0)
			put(o, pad);
	while (n--)
		put(o, *s++);
	if (left)
		while (fill-- > 0)
			put(o, ' ');
}

static void put_number(struct out *o, uint64_t v, bool negative, int base, bool upper,
		       int width, bool left, char pad)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char tmp[24];
	int n = 0;

	do {
		tmp[sizeof tmp - 1 - n++] = digits[v % base];
		v /= base;
	} while (v);
	if (negative) {
		if (pad == '0') {
			put(o, '-');
			width--;
		} else {
			tmp[sizeof tmp - 1 - n++] = '-';
		}
	}
	put_padded(o, tmp + sizeof tmp - n, n, width, left, pad);
}

int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct out o = { buf, size, 0 };

	for (; *fmt; fmt++) {
		if (*fmt != '%') {
			put(&o, *fmt);
			continue;
		}
		bool left = false;
		char pad = ' ';
		int width = 0, longs = 0;

		for (fmt++; *fmt == '-' || *fmt == '0'; fmt++) {
			if (*fmt == '-')
				left = true;
			else
				pad = '0';
		}
		for (; *fmt >= '0' && *fmt <= '9'; fmt++)
			width = width * 10 + (*fmt - '0');
		for (; *fmt == 'l' || *fmt == 'z'; fmt++)
			longs++;

		int64_t sv;
		uint64_t uv;
		const char *s;
		char c;

		switch (*fmt) {
		case 'd':
		case 'i':
			sv = longs ? va_arg(ap, int64_t) : va_arg(ap, int);
			put_number(&o, sv < 0 ? -(uint64_t)sv : (uint64_t)sv, sv < 0, 10, false, width, left, pad);
			break;
		case 'u':
		case 'o':
		case 'x':
		case 'X':
			uv = longs ? va_arg(ap, uint64_t) : va_arg(ap, unsigned int);
			put_number(&o, uv, false, *fmt == 'u' ? 10 : *fmt == 'o' ? 8 : 16, *fmt == 'X',
				   width, left, pad);
			break;
		case 'p':
			put(&o, '0');
			put(&o, 'x');
			put_number(&o, (uint64_t)va_arg(ap, void *), false, 16, false, 16, false, '0');
			break;
		case 's':
			s = va_arg(ap, const char *);
			if (!s)
				s = "(null)";
			put_padded(&o, s, strlen(s), width, left, ' ');
			break;
		case 'c':
			c = (char)va_arg(ap, int);
			put_padded(&o, &c, 1, width, left, ' ');
			break;
		case '%':
			put(&o, '%');
			break;
		default:
			put(&o, '%');
			if (!*fmt)
				goto done;
			put(&o, *fmt);
		}
	}
done:
	if (size)
		buf[o.len < size ? o.len : size - 1] = 0;
	return (int)o.len;
}

int snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}
