/* Text built in memory for generated files (/proc): printf into a buffer
 * that grows; a failed allocation is remembered, not reported each time. */
#ifndef AMPHI_FS_SEQBUF_H
#define AMPHI_FS_SEQBUF_H

#include <stdbool.h>
#include <stddef.h>

struct seqbuf {
	char *buf;
	size_t len, cap;
	bool failed;		/* out of memory at some point: the text is incomplete */
};

void seq_printf(struct seqbuf *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void seq_write(struct seqbuf *s, const void *p, size_t n);
void seq_pad(struct seqbuf *s, size_t column);	/* spaces up to column of the last line */
void seqbuf_free(struct seqbuf *s);

#endif
