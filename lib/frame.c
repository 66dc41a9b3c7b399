/* Framing of the console line (docs/protocol.md): a sync string once, then
 * frames of type, 16-bit little-endian length, payload.
 *
 * The decoder is a byte-at-a-time state machine so that both sides can feed
 * it straight from whatever they read (a UART interrupt, a pipe) without
 * buffering whole frames elsewhere. */
#include <stdint.h>
#include "frame.h"
#include "libc_min.h"

enum {
	ST_SYNC,	/* skipping input up to the end of FRAME_SYNC */
	ST_TYPE,
	ST_LEN_LO,
	ST_LEN_HI,
	ST_PAYLOAD,
};

void frame_header(uint8_t hdr[FRAME_HDR], int type, size_t len)
{
	hdr[0] = (uint8_t)type;
	hdr[1] = (uint8_t)(len & 0xff);
	hdr[2] = (uint8_t)(len >> 8);
}

void frame_decoder_init(struct frame_decoder *d, int need_sync)
{
	d->need_sync = need_sync;
	d->sync_seen = 0;
	d->synced = !need_sync;
	d->state = need_sync ? ST_SYNC : ST_TYPE;
	d->type = 0;
	d->len = 0;
	d->got = 0;
}

static int type_known(uint8_t t)
{
	switch (t) {
	case FRAME_KMSG: case FRAME_STDOUT: case FRAME_STDERR: case FRAME_EXIT:
	case FRAME_PANIC: case FRAME_READY: case FRAME_STDIN: case FRAME_EOF:
	case FRAME_SIGNAL: case FRAME_TRACE: case FRAME_TERMINAL:
		return 1;
	}
	return 0;
}

/* The sync string's first byte occurs nowhere else in it, so on a mismatch
 * the only partial match left is that byte itself. */
static void sync_step(struct frame_decoder *d, uint8_t byte)
{
	if (byte == (uint8_t)FRAME_SYNC[d->sync_seen])
		d->sync_seen++;
	else
		d->sync_seen = byte == (uint8_t)FRAME_SYNC[0];
	if (d->sync_seen == FRAME_SYNC_LEN) {
		d->sync_seen = 0;
		d->synced = 1;
		d->state = ST_TYPE;
	}
}

/* A bad header: with need_sync, hunt for the sync string again (the bad
 * byte may already start it); without, drop the header and read the next
 * byte as a type. */
static int resync(struct frame_decoder *d, uint8_t byte)
{
	if (d->need_sync) {
		d->state = ST_SYNC;
		d->sync_seen = 0;
		sync_step(d, byte);
	} else {
		d->state = ST_TYPE;
	}
	return -LIB_EINVAL;
}

static int frame_done(struct frame_decoder *d)
{
	d->state = ST_TYPE;
	return 1;
}

int frame_feed(struct frame_decoder *d, uint8_t byte)
{
	switch (d->state) {
	case ST_SYNC:
		sync_step(d, byte);
		return 0;
	case ST_TYPE:
		if (!type_known(byte))
			return resync(d, byte);
		d->type = byte;
		d->state = ST_LEN_LO;
		return 0;
	case ST_LEN_LO:
		d->len = byte;
		d->state = ST_LEN_HI;
		return 0;
	case ST_LEN_HI:
		d->len |= (size_t)byte << 8;
		if (d->len > FRAME_MAX)
			return resync(d, byte);
		d->got = 0;
		if (d->len == 0)
			return frame_done(d);
		d->state = ST_PAYLOAD;
		return 0;
	default:
		d->payload[d->got++] = byte;
		return d->got == d->len ? frame_done(d) : 0;
	}
}
