/* Frames that came while lwIP's core lock was taken, waiting for its
 * holder (net/rx_backlog.c). */
#ifndef AMPHI_NET_RX_BACKLOG_H
#define AMPHI_NET_RX_BACKLOG_H

#include <stdbool.h>

struct pbuf;

/* Leaves frame p (one pbuf, its next unused) for the core lock's holder.
 * Any thread.  How many frames wait now, p included. */
unsigned rx_backlog_push(struct pbuf *p);
/* Takes every frame left, oldest first, linked through next; NULL when
 * none.  Caller holds the core lock. */
struct pbuf *rx_backlog_take(void);
/* Whether a frame waits.  A full barrier first, so that a holder who has
 * just let the lock go and a pusher who found it taken cannot both miss
 * each other: one sees the frame, the other the lock free. */
bool rx_backlog_waiting(void);

#endif
