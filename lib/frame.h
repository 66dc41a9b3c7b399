/* Framing of the console line between amphi and the kernel
 * (docs/protocol.md).  Freestanding. */
#ifndef AMPHI_LIB_FRAME_H
#define AMPHI_LIB_FRAME_H

#include <stddef.h>
#include <stdint.h>

#define FRAME_SYNC	"\x01" "AMPHI1\n"
#define FRAME_SYNC_LEN	8
#define FRAME_MAX	4096	/* largest payload */
#define FRAME_HDR	3	/* type + 16-bit little-endian length */

enum frame_type {
	FRAME_KMSG   = 'K',	/* guest -> host: kernel message */
	FRAME_STDOUT = 'O',
	FRAME_STDERR = 'E',
	FRAME_EXIT   = 'X',	/* int32 LE status */
	FRAME_PANIC  = 'P',
	FRAME_READY  = 'R',	/* guest -> host, empty: the network server forwards */
	FRAME_TRACE  = 'T',	/* guest -> host: one line of the system call trace */
	FRAME_TERMINAL = 'M',	/* guest -> host: c_iflag, c_lflag (LE) for amphi's terminal */
	FRAME_STDIN  = 'I',	/* host -> guest */
	FRAME_EOF    = 'D',
	FRAME_SIGNAL = 'S',	/* host -> guest: 1 byte, a signal for the program */
};

/* Writes the 3-byte header for a frame of `len` payload bytes. */
void frame_header(uint8_t hdr[FRAME_HDR], int type, size_t len);

/* A decoder fed one byte at a time; with `need_sync` set it first skips input
 * up to and including FRAME_SYNC. */
struct frame_decoder {
	int need_sync;
	int synced;		/* the sync string has been seen (ever) */
	size_t sync_seen;
	int state;		/* internal */
	int type;
	size_t len, got;
	uint8_t payload[FRAME_MAX];
};

void frame_decoder_init(struct frame_decoder *d, int need_sync);

/* Feeds one byte.  Returns 1 when a whole frame is in d->type/d->payload/d->len
 * (valid until the next call), 0 when more input is needed, and -EINVAL (-22)
 * on a length over FRAME_MAX or an unknown type (the decoder then resyncs:
 * with need_sync it waits for FRAME_SYNC again, else it drops that header). */
int frame_feed(struct frame_decoder *d, uint8_t byte);

#endif
