/* Room in a NIC's transmit ring, waited for rather than a frame dropped.
 *
 * A frame handed to a port is one TCP already counts as sent: dropped on
 * a full ring, it costs the connection a retransmission, and lwIP takes a
 * whole timeout, a second or more, to resend the 40 segments of a frame
 * the device was to segment.  The device frees the ring on its own
 * (QEMU's I/O thread, or the hardware), so the sender waits for it, with
 * the ring's lock let go, for as long as a working device could need. */
#ifndef AMPHI_DEV_TX_ROOM_H
#define AMPHI_DEV_TX_ROOM_H

#include <stdbool.h>
#include <stdint.h>

#include "core/spinlock.h"

enum tx_room { TX_ROOM_NOT_YET, TX_ROOM_FREE, TX_ROOM_NEVER };

/* Caller holds lock, taken with spin_lock_irqsave (*flags).  check(ring)
 * takes back what the device finished and says whether the frame fits
 * now, or never will (a broken device).  True once it fits, the lock
 * held; false if it never will or the device made no room in time. */
bool tx_wait_room(struct spinlock *lock, uint64_t *flags, enum tx_room (*check)(void *ring),
		  void *ring);

#endif
