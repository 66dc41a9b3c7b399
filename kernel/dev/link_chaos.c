/* A hostile app, for the tests (kernel command line amphi.link_chaos): no
 * port, only a thread that writes random bytes all over its own region,
 * most of them where the server looks first (the headers and the ring
 * indices), pushes its TX ring's producer index around, and rings the
 * server's doorbells.  The server must shut this link and go on
 * forwarding for everybody else.  With amphi.link_hostile=MODE too, a
 * thread of link_hostile.c plays one precise trick instead. */
#include "arch/x86_64/bootinfo.h"
#include "core/errno.h"
#include "core/printk.h"
#include "core/random.h"
#include "core/sched.h"
#include "core/string.h"
#include "core/timer.h"
#include "dev/ivshmem.h"
#include "dev/link_app_internal.h"

#define BURST		64
#define PAUSE_NS	200000	/* between bursts: the guest must stay usable */

static uint64_t next_random(uint64_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 7;
	*x ^= *x << 17;
	return *x;
}

static void scribble(uint8_t *region, uint64_t *x)
{
	uint64_t r = next_random(x);
	/* Three in four land in the first 32 KiB and the rings' indices. */
	uint32_t off = (r & 3) == 0 ? (uint32_t)(r >> 8) % (LINK_END - 8)
		     : (r & 3) == 1 ? LINK_OFF_TX + (uint32_t)(r >> 8) % 128
		     : (r & 3) == 2 ? LINK_OFF_RX + (uint32_t)(r >> 8) % 128
				    : (uint32_t)(r >> 8) % LINK_OFF_TX;
	off &= ~7u;
	__atomic_store_n((uint64_t *)(region + off), next_random(x), __ATOMIC_RELAXED);
}

static void chaos_thread(void *arg)
{
	struct ivshmem *dev = arg;
	uint64_t x;

	random_fill(&x, sizeof x);
	x |= 1;
	for (;;) {
		for (int i = 0; i < BURST; i++)
			scribble(dev->region, &x);
		struct link_ring *tx = link_tx(dev->region);
		__atomic_store_n(&tx->prod, tx->prod + (uint32_t)(next_random(&x) % 300),
				 __ATOMIC_RELEASE);
		ivshmem_ring(dev, LINK_SERVER_PEER, (uint16_t)(next_random(&x) & 1));
		sched_sleep_until(clock_ns() + PAUSE_NS);
	}
}

int link_chaos_start(struct ivshmem *dev)
{
	if (strstr(boot_info.cmdline, "amphi.link_hostile="))
		return link_hostile_start(dev);	/* one trick instead of garbage */
	struct thread *t = thread_create("link chaos", chaos_thread, dev);

	if (!t)
		return -ENOMEM;
	printk("link: chaos mode: writing garbage into our region\n");
	thread_start(t);
	return 0;
}
