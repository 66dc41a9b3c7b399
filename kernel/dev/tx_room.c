/* Waiting for room in a transmit ring: tx_room.h. */
#include "core/timer.h"
#include "dev/tx_room.h"

#define TX_WAIT_NS	(100ull * 1000000)	/* a device this slow is stuck */

bool tx_wait_room(struct spinlock *lock, uint64_t *flags, enum tx_room (*check)(void *ring),
		  void *ring)
{
	uint64_t deadline = 0;

	for (;;) {
		enum tx_room r = check(ring);
		if (r != TX_ROOM_NOT_YET)
			return r == TX_ROOM_FREE;
		uint64_t now = clock_ns();
		if (!deadline)
			deadline = now + TX_WAIT_NS;
		else if (now > deadline)
			return false;
		spin_unlock_irqrestore(lock, *flags);
		cpu_relax();
		*flags = spin_lock_irqsave(lock);
	}
}
