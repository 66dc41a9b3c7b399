/* The receive backlog.  A port's receive thread that finds lwIP's core
 * lock taken leaves its frame here and goes back to its ring instead of
 * waiting; the holder feeds the frames to lwIP before it lets the lock go
 * (net_core_unlock), as Linux's socket backlog does for a socket its owner
 * holds.  Under TCG a waiting vCPU spins or halts for tens of
 * microseconds, and receive threads were the core lock's most frequent
 * waiters (docs/bench.md).
 *
 * A stack pushed without a lock and taken whole: pushes race only with
 * each other and with a take, so a compare-and-swap and an exchange are
 * enough (no ABA: nothing is popped one at a time). */
#include "net/rx_backlog.h"

#include "lwip/pbuf.h"

static struct pbuf *stack;	/* newest first */
static unsigned waiting;	/* frames pushed and not yet taken */

/* Counted before it is pushed: a take between the two would otherwise
 * subtract a frame not yet counted, and the count wrap. */
unsigned rx_backlog_push(struct pbuf *p)
{
	unsigned n = __atomic_add_fetch(&waiting, 1, __ATOMIC_RELAXED);
	struct pbuf *head = __atomic_load_n(&stack, __ATOMIC_RELAXED);

	do
		p->next = head;
	while (!__atomic_compare_exchange_n(&stack, &head, p, true, __ATOMIC_SEQ_CST,
					    __ATOMIC_RELAXED));
	return n;
}

struct pbuf *rx_backlog_take(void)
{
	struct pbuf *p = __atomic_exchange_n(&stack, NULL, __ATOMIC_ACQUIRE), *oldest_first = NULL;
	unsigned taken = 0;

	while (p) {
		struct pbuf *next = p->next;
		p->next = oldest_first;
		oldest_first = p;
		p = next;
		taken++;
	}
	__atomic_sub_fetch(&waiting, taken, __ATOMIC_RELAXED);
	return oldest_first;
}

bool rx_backlog_waiting(void)
{
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	return __atomic_load_n(&stack, __ATOMIC_RELAXED) != NULL;
}
