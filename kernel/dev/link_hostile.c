/* Hostile apps with one aim each, for the tests (`amphi.link_chaos
 * amphi.link_hostile=MODE` on the app's kernel command line).  No port:
 * a thread plays one trick on the server through the app's own region and
 * says what came of it in kernel messages starting "hostile:".
 *
 *   rewrite  (a shared-address app) writes link_host as if it were the
 *            supervisor: a new attach_seq with own mode, then claims a
 *            MAC; flips its attach_seq 300 times; breaks its TX ring to be
 *            shut, then writes attach_seq 0 and a new one to get out.
 *   mac      (an own-address app) claims slirp's gateway's MAC and a MAC
 *            nobody has: it may have only the one the supervisor gave it.
 *   replay   keeps a grant it gave back for a later server
 *            (link_replay.c, where its messages start "link_replay:").
 *
 * The server must believe none of it (docs/netserver.md, "Who sees what"). */
#include "arch/x86_64/bootinfo.h"
#include "core/errno.h"
#include "core/printk.h"
#include "core/sched.h"
#include "core/string.h"
#include "core/timer.h"
#include "dev/ivshmem.h"
#include "dev/link_app_internal.h"

#define MS	1000000ull

static const uint8_t gateway_mac[6] = { 0x52, 0x55, 0x0a, 0x00, 0x02, 0x02 };	/* slirp's */
static const uint8_t nobodys_mac[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x99 };

struct hostile {
	struct ivshmem *dev;
	void *region;
	uint32_t want_seq;	/* the attach_seq we wait to see in link_srv */
	uint32_t req;		/* our last claim's request number */
	int index;		/* of the claims table it went to */
};

static bool ready(struct hostile *h)
{
	struct link_srv *srv = link_srv(h->region);

	return __atomic_load_n(&srv->state, __ATOMIC_ACQUIRE) == LINK_SRV_READY &&
	       srv->attach_seq == h->want_seq;
}

static bool shut(struct hostile *h)
{
	return __atomic_load_n(&link_srv(h->region)->state, __ATOMIC_ACQUIRE) == LINK_SRV_SHUT;
}

static bool answered(struct hostile *h)
{
	return __atomic_load_n(&link_srv(h->region)->verdicts[h->index].req, __ATOMIC_ACQUIRE) == h->req;
}

static bool wait_until(struct hostile *h, bool (*cond)(struct hostile *), uint64_t ms)
{
	uint64_t end = clock_ns() + ms * MS;

	while (clock_ns() < end) {
		if (cond(h))
			return true;
		sched_sleep_until(clock_ns() + 5 * MS);
	}
	return cond(h);
}

/* Writes attach_seq (and mode, if not 0) into our link_host, as the
 * supervisor does, and rings the server. */
static void fake_attach(struct hostile *h, uint32_t seq, uint32_t mode)
{
	struct link_host *lh = link_host(h->region);

	if (mode)
		lh->mode = mode;
	__atomic_store_n(&lh->attach_seq, seq, __ATOMIC_RELEASE);
	ivshmem_ring(h->dev, LINK_SERVER_PEER, LINK_VEC_CONTROL);
}

/* Claims a MAC at index i (a claim at an index releases what the index
 * held); the server's verdict (LINK_PENDING if none). */
static uint32_t claim_mac(struct hostile *h, int i, const uint8_t *mac)
{
	struct link_claim *c = &link_app(h->region)->claims[i];

	c->kind = LINK_CLAIM_MAC;
	c->port = 0;
	memset(c->addr, 0, sizeof c->addr);
	memcpy(c->addr, mac, 6);
	h->index = i;
	__atomic_store_n(&c->req, ++h->req, __ATOMIC_RELEASE);
	ivshmem_ring(h->dev, LINK_SERVER_PEER, LINK_VEC_CONTROL);
	if (!wait_until(h, answered, 30000))
		return LINK_PENDING;
	return link_srv(h->region)->verdicts[i].result;
}

static void rewrite(struct hostile *h)
{
	uint32_t real = h->want_seq;

	h->want_seq = real ^ 0x20000000u;
	fake_attach(h, h->want_seq, LINK_MODE_OWN);
	printk("hostile: re-taken as own: %d\n", wait_until(h, ready, 3000));
	printk("hostile: claim of the gateway's MAC: result %u\n", claim_mac(h, 0, gateway_mac));

	for (int i = 0; i < 300; i++) {
		fake_attach(h, i & 1 ? real : real ^ 0x10000000u, 0);
		sched_sleep_until(clock_ns() + 2 * MS);
	}
	printk("hostile: flipped attach_seq 300 times\n");

	struct link_ring *tx = link_tx(h->region);
	__atomic_store_n(&tx->prod, __atomic_load_n(&tx->cons, __ATOMIC_ACQUIRE) + 1000,
			 __ATOMIC_RELEASE);
	ivshmem_ring(h->dev, LINK_SERVER_PEER, LINK_VEC_DATA);
	printk("hostile: shut: %d\n", wait_until(h, shut, 30000));
	fake_attach(h, 0, 0);
	sched_sleep_until(clock_ns() + 200 * MS);
	h->want_seq = real ^ 0x40000000u;
	fake_attach(h, h->want_seq, 0);
	printk("hostile: out of shut: %d\n", wait_until(h, ready, 3000));
}

static void steal_mac(struct hostile *h)
{
	/* The gateway's last: the server's table holds one MAC per slot. */
	printk("hostile: claim of nobody's MAC: result %u\n", claim_mac(h, 1, nobodys_mac));
	printk("hostile: claim of the gateway's MAC: result %u\n", claim_mac(h, 0, gateway_mac));
}

static void hostile_thread(void *arg)
{
	struct hostile *h = arg;

	h->want_seq = __atomic_load_n(&link_host(h->region)->attach_seq, __ATOMIC_ACQUIRE);
	if (!wait_until(h, ready, 60000))
		printk("hostile: the server never served us\n");
	if (strstr(boot_info.cmdline, "amphi.link_hostile=rewrite"))
		rewrite(h);
	else
		steal_mac(h);
	printk("hostile: done\n");
	thread_exit();
}

int link_hostile_start(struct ivshmem *dev)
{
	static struct hostile h;

	if (strstr(boot_info.cmdline, "amphi.link_hostile=replay"))
		return link_replay_start(dev);
	struct thread *t = thread_create("link hostile", hostile_thread, &h);

	if (!t)
		return -ENOMEM;
	h.dev = dev;
	h.region = dev->region;
	thread_start(t);
	return 0;
}
