/* A byte FIFO: what is waiting to be written to a file descriptor, or the
 * tail of a log.  Bytes live contiguously in buf[head .. head+len). */
#include <stdio.h>
#include <string.h>
#include "amphi.h"
#include "queue.h"

void queue_push(struct queue *q, const void *data, size_t n)
{
	if (n == 0)
		return;
	if (n > SIZE_MAX / 4 - q->len)
		die_status(EXIT_VMFAIL, "out of memory");
	if (q->head + q->len + n > q->cap) {
		if (q->len + n > q->cap) {
			q->cap = 2 * (q->len + n);
			q->buf = xrealloc(q->buf, q->cap);
		}
		memmove(q->buf, q->buf + q->head, q->len);
		q->head = 0;
	}
	memcpy(q->buf + q->head + q->len, data, n);
	q->len += n;
}

void queue_drop(struct queue *q, size_t n)
{
	if (n > q->len)
		n = q->len;
	q->head += n;
	q->len -= n;
	if (q->len == 0)
		q->head = 0;
}

void queue_keep_last(struct queue *q, size_t max)
{
	if (q->len > max)
		queue_drop(q, q->len - max);
}

/* Pushes data with `prefix` at the start of every line; *bol says whether
 * the previous push ended a line. */
void queue_push_lines(struct queue *q, const char *prefix, const void *data, size_t n,
		      int *bol)
{
	const char *p = data, *end = p + n;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t len = nl ? (size_t)(nl - p) + 1 : (size_t)(end - p);
		if (*bol)
			queue_push(q, prefix, strlen(prefix));
		queue_push(q, p, len);
		*bol = nl != NULL;
		p += len;
	}
}

/* Text from the guest (kernel messages) for a terminal or a log: every
 * control byte but a newline or a tab is shown escaped (\x1b), as amphi's
 * own messages show them, so a guest cannot move the cursor, retitle the
 * window or forge what comes after. */
void queue_push_text(struct queue *q, const void *data, size_t n)
{
	const uint8_t *p = data, *end = p + n;

	while (p < end) {
		const uint8_t *run = p;
		while (p < end && (*p >= 0x20 || *p == '\n' || *p == '\t') && *p != 0x7f)
			p++;
		queue_push(q, run, (size_t)(p - run));
		if (p < end) {
			char esc[5];
			snprintf(esc, sizeof esc, "\\x%02x", *p++);
			queue_push(q, esc, 4);
		}
	}
}

void queue_push_frame(struct queue *q, int type, const void *data, size_t n)
{
	uint8_t hdr[FRAME_HDR];

	frame_header(hdr, type, n);
	queue_push(q, hdr, sizeof hdr);
	queue_push(q, data, n);
}
