/* A hostile app, for the tests (kernel command line `amphi.link_chaos
 * amphi.link_hostile=replay`, link_hostile.c): no port, only a thread that
 * keeps the token of a grant it gave back and shows it to a later server.
 *
 * Under its first server it claims a few ports (so its grant numbers run
 * ahead of a fresh server's), then TCP port LINK_REPLAY_PORT, keeps the
 * verdict and releases the port.  Once a restarted server has taken the
 * slot, it writes that claim and verdict back at another index, with
 * request number 0, which the running server never answers: only the
 * next restarted server reads it, as a grant to rebuild.  By then another
 * app may hold the port under a newer grant, which must keep it
 * (tests/vm/test_netserver_replay.py). */
#include "core/errno.h"
#include "core/printk.h"
#include "core/sched.h"
#include "core/string.h"
#include "core/timer.h"
#include "dev/ivshmem.h"
#include "dev/link_app_internal.h"

#define LINK_REPLAY_PORT	8081
#define WARM_UP_CLAIMS		16	/* grant numbers to run ahead by */
#define PLANT_INDEX		5
#define POLL_NS			(5ull * 1000000)

struct replay {
	struct ivshmem *dev;
	void *region;
	uint32_t req;		/* our last request number at index 0 */
};

static bool served(const struct replay *r, uint32_t min_generation)
{
	const struct link_srv *srv = link_srv(r->region);

	return __atomic_load_n(&srv->state, __ATOMIC_ACQUIRE) == LINK_SRV_READY &&
	       srv->attach_seq == link_host(r->region)->attach_seq &&
	       srv->generation >= min_generation;
}

static void wait_served(const struct replay *r, uint32_t min_generation)
{
	while (!served(r, min_generation))
		sched_sleep_until(clock_ns() + POLL_NS);
}

/* Claims (kind, port) at index 0 and waits for the verdict. */
static struct link_verdict claim(struct replay *r, uint8_t kind, uint16_t port)
{
	struct link_claim *c = &link_app(r->region)->claims[0];
	const struct link_verdict *v = &link_srv(r->region)->verdicts[0];

	c->kind = kind;
	c->port = port;
	memset(c->addr, 0, sizeof c->addr);
	__atomic_store_n(&c->req, ++r->req, __ATOMIC_RELEASE);
	ivshmem_ring(r->dev, LINK_SERVER_PEER, LINK_VEC_CONTROL);
	while (__atomic_load_n(&v->req, __ATOMIC_ACQUIRE) != r->req)
		sched_sleep_until(clock_ns() + POLL_NS);
	return *v;
}

/* The claim and a granted verdict at PLANT_INDEX, request number 0. */
static void plant(struct replay *r, const struct link_verdict *kept)
{
	struct link_claim *c = &link_app(r->region)->claims[PLANT_INDEX];
	struct link_verdict *v = &link_srv(r->region)->verdicts[PLANT_INDEX];

	c->kind = LINK_CLAIM_TCP;
	c->port = LINK_REPLAY_PORT;
	memset(c->addr, 0, sizeof c->addr);
	*v = *kept;
	v->req = 0;
}

static void replay_thread(void *arg)
{
	struct replay r = { arg, ((struct ivshmem *)arg)->region, 0 };

	wait_served(&r, 1);
	uint32_t first = link_srv(r.region)->generation;
	for (int i = 0; i < WARM_UP_CLAIMS; i++)
		claim(&r, LINK_CLAIM_TCP, (uint16_t)(7000 + (i & 1)));
	struct link_verdict kept = claim(&r, LINK_CLAIM_TCP, LINK_REPLAY_PORT);
	claim(&r, LINK_CLAIM_NONE, 0);
	printk("link_replay: kept the token of TCP port %u (result %u, grant %lu) and released it\n",
	       LINK_REPLAY_PORT, kept.result, kept.grant_seq);
	wait_served(&r, first + 1);
	plant(&r, &kept);
	printk("link_replay: planted the old grant under generation %u\n",
	       link_srv(r.region)->generation);
	for (;;)
		sched_sleep_until(clock_ns() + 1000ull * 1000000000);
}

int link_replay_start(struct ivshmem *dev)
{
	struct thread *t = thread_create("link replay", replay_thread, dev);

	if (!t)
		return -ENOMEM;
	printk("link: replay mode: a grant given back will be shown again\n");
	thread_start(t);
	return 0;
}
