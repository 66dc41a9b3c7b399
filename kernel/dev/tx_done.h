/* A frame a NIC sent in place (net_port_ops.transmit_in_place): whom to
 * tell once the device has read its pieces.  Each NIC driver keeps one
 * per frame in flight, by the frame's first slot or descriptor. */
#ifndef AMPHI_DEV_TX_DONE_H
#define AMPHI_DEV_TX_DONE_H

#include <stdbool.h>

struct tx_done {
	void (*done)(void *ctx);	/* NULL: nothing sent in place here */
	void *ctx;
};

/* Tells the sender, once; true if there was one to tell.  Caller holds
 * the ring's lock, so done only frees. */
static inline bool tx_done_fire(struct tx_done *d)
{
	struct tx_done was = *d;

	if (!was.done)
		return false;
	d->done = NULL;
	was.done(was.ctx);
	return true;
}

#endif
