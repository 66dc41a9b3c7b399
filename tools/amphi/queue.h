/* A byte FIFO for the console relay (queue.c). */
#ifndef AMPHI_TOOL_QUEUE_H
#define AMPHI_TOOL_QUEUE_H

#include <stddef.h>
#include <stdint.h>
#include "frame.h"

struct queue {
	uint8_t *buf;
	size_t head, len, cap;
};

static inline const uint8_t *queue_data(const struct queue *q)
{
	return q->buf + q->head;
}

void queue_push(struct queue *q, const void *data, size_t n);
void queue_drop(struct queue *q, size_t n);
void queue_keep_last(struct queue *q, size_t max);
void queue_push_lines(struct queue *q, const char *prefix, const void *data, size_t n,
		      int *bol);
void queue_push_text(struct queue *q, const void *data, size_t n);
void queue_push_frame(struct queue *q, int type, const void *data, size_t n);

#endif
