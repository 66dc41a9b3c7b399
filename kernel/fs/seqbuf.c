#include "fs/seqbuf.h"

#include <stdarg.h>

#include "core/format.h"
#include "core/kmalloc.h"
#include "core/string.h"

static bool reserve(struct seqbuf *s, size_t more)
{
	if (s->failed)
		return false;
	if (s->len + more <= s->cap)
		return true;
	size_t cap = s->cap ? s->cap : 512;
	while (cap < s->len + more)
		cap *= 2;
	char *nb = kmalloc(cap);
	if (!nb) {
		s->failed = true;
		return false;
	}
	memcpy(nb, s->buf, s->len);
	kfree(s->buf);
	s->buf = nb;
	s->cap = cap;
	return true;
}

void seq_write(struct seqbuf *s, const void *p, size_t n)
{
	if (reserve(s, n)) {
		memcpy(s->buf + s->len, p, n);
		s->len += n;
	}
}

void seq_printf(struct seqbuf *s, const char *fmt, ...)
{
	char line[256];
	va_list ap;

	va_start(ap, fmt);
	int n = vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	if (n < (int)sizeof line) {
		seq_write(s, line, n > 0 ? (size_t)n : 0);
		return;
	}
	/* Longer than a line: format again straight into the buffer. */
	if (!reserve(s, (size_t)n + 1))
		return;
	va_start(ap, fmt);
	vsnprintf(s->buf + s->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	s->len += n;
}

void seq_pad(struct seqbuf *s, size_t column)
{
	size_t start = s->len;

	while (start && s->buf[start - 1] != '\n')
		start--;
	while (s->len - start < column && reserve(s, 1))
		s->buf[s->len++] = ' ';
}

void seqbuf_free(struct seqbuf *s)
{
	kfree(s->buf);
	*s = (struct seqbuf){ 0 };
}
