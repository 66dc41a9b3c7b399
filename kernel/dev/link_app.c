/* The app's end of the network-server link (docs/netserver.md): a
 * struct net_port over an ivshmem region shared with the server VM.
 *
 * Transmit puts the frame in the TX ring and rings the server only when
 * the event index says it sleeps.  A "link" thread, woken by the server's
 * doorbell, drains the RX ring into the netif, notices a new server
 * generation, and wakes whoever waits for a verdict on a claim.  The port
 * claims what the netif uses (link_claims.c); in shared mode it also hands
 * the netif the server's addresses. */
#include "dev/link_app.h"

#include "core/errno.h"
#include "core/kmalloc.h"
#include "core/printk.h"
#include "core/random.h"
#include "core/sched.h"
#include "core/timer.h"
#include "core/string.h"
#include "dev/ivshmem.h"
#include "dev/link_app_internal.h"

#define ADDR_WAIT_NS	(30ull * 1000000000)	/* for a server that is restarting */
#define MAX_SEGS	32

static bool header_ok(void *region, uint64_t size)
{
	const struct link_host *h = link_host(region);

	return size >= LINK_REGION_SIZE && h->magic == LINK_MAGIC && h->version == LINK_VERSION &&
	       (h->mode == LINK_MODE_SHARED || h->mode == LINK_MODE_OWN);
}

/* ---- transmit ------------------------------------------------------------ */

static int link_transmit(struct net_port *port, const struct net_seg *segs, int nsegs,
			 const struct net_tx_offload *csum)
{
	struct link_port *l = port->driver;
	struct link_seg ls[MAX_SEGS];
	uint64_t bytes = 0;

	(void)csum;	/* no NET_PORT_TX_CSUM: frames come complete */
	if (nsegs > MAX_SEGS)
		return -E2BIG;	/* the netif sends a copy in one piece */
	for (int i = 0; i < nsegs; i++) {
		ls[i] = (struct link_seg){ segs[i].data, segs[i].len };
		bytes += segs[i].len;
	}
	uint64_t f = spin_lock_irqsave(&l->tx_lock);
	uint32_t before = l->tx.index;
	int err = link_ring_put(&l->tx, ls, nsegs, 0);
	bool ring = !err && link_ring_should_notify(&l->tx, before);
	struct link_counters *c = &link_app(l->region)->tx;
	if (err) {
		c->drops++;
	} else {
		c->frames++;
		c->bytes += bytes;
	}
	spin_unlock_irqrestore(&l->tx_lock, f);
	if (ring)
		ivshmem_ring(l->dev, l->server_peer, LINK_VEC_DATA);
	/* A consumer index out of range is a server in trouble (or being
	 * replaced): a full queue to the netif, so TCP tries again later. */
	return err == -EPROTO ? -ENOBUFS : err;
}

/* ---- receive ------------------------------------------------------------- */

static void drain_rx(struct link_port *l)
{
	struct link_counters *c = &link_app(l->region)->rx;
	uint16_t flags;
	int n;

	do {
		while ((n = link_ring_get(&l->rx, l->rx_buf, &flags)) != 0) {
			if (n < 0) {
				c->drops++;
				if (n == -EPROTO)	/* the server reset the ring */
					link_end_open_consumer(&l->rx, link_rx(l->region));
				continue;
			}
			c->frames++;
			c->bytes += (uint64_t)n;
			net_port_deliver(&l->port, l->rx_buf, (size_t)n,
					 flags & LINK_FRAME_CSUM_VALID ? NET_RX_CSUM_VALID : 0);
		}
	} while (!link_ring_arm(&l->rx));
}

/* A restarted server has taken over the rings and our region: say we saw
 * it, and give it a doorbell in case frames wait in our TX ring. */
static void check_generation(struct link_port *l)
{
	struct link_app *app = link_app(l->region);
	uint32_t gen = __atomic_load_n(&link_srv(l->region)->generation, __ATOMIC_ACQUIRE);

	if (gen == l->gen_seen)
		return;
	if (l->gen_seen)
		printk("link: the network server restarted (generation %u)\n", gen);
	l->gen_seen = gen;
	app->gen_seen = gen;
	ivshmem_ring(l->dev, l->server_peer, LINK_VEC_DATA);
}

/* Shared mode: the server's addresses changed (a lease, SLAAC, a static
 * IPv6 address through its duplicate detection): eth0 follows. */
static void check_addresses(struct link_port *l)
{
	uint32_t seq = __atomic_load_n(&link_srv(l->region)->net_seq, __ATOMIC_ACQUIRE);

	if (l->mode != LINK_MODE_SHARED || !l->net_seq_seen || !seq || seq == l->net_seq_seen)
		return;		/* eth0 is not configured yet, or has these already */
	net_port_addresses_changed(&l->port);
}

static void check_refusals(struct link_port *l)
{
	uint32_t refused = __atomic_load_n(&link_host(l->region)->direct_refused, __ATOMIC_RELAXED);

	if (refused != l->refused_seen)
		printk("link: the supervisor has no NIC for us (%u refusals)\n", refused);
	l->refused_seen = refused;
}

static void link_thread(void *arg)
{
	struct link_port *l = arg;

	for (;;) {
		struct waiter w;
		uint64_t f = spin_lock_irqsave(&l->wake_lock);
		while (!l->work) {
			waitq_prepare(&l->wq, &w);
			spin_unlock_irqrestore(&l->wake_lock, f);
			waitq_sleep(&l->wq, &w);
			f = spin_lock_irqsave(&l->wake_lock);
		}
		l->work = false;
		spin_unlock_irqrestore(&l->wake_lock, f);
		check_generation(l);
		check_addresses(l);
		drain_rx(l);
		link_claims_news(l);
		check_refusals(l);
		sched_yield_if_queued();	/* what it woke runs (thread_set_handoff) */
	}
}

/* Interrupt context: either vector; the thread looks at everything. */
static void link_doorbell(void *arg)
{
	struct link_port *l = arg;

	spin_lock(&l->wake_lock);
	l->work = true;
	spin_unlock(&l->wake_lock);
	waitq_wake_all(&l->wq);
}

/* ---- the server's addresses (shared mode) ------------------------------------ */

/* One consistent copy of what the server published: it zeroes net_seq
 * while it rewrites the addresses. */
static bool read_net(struct link_port *l, struct link_net *n)
{
	const struct link_srv *srv = link_srv(l->region);
	uint32_t seq = __atomic_load_n(&srv->net_seq, __ATOMIC_ACQUIRE);

	if (!seq || srv->state != LINK_SRV_READY)
		return false;
	memcpy(n, (const void *)&srv->net, sizeof *n);
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	if (__atomic_load_n(&srv->net_seq, __ATOMIC_RELAXED) != seq)
		return false;
	l->net_seq_seen = seq;
	return true;
}

static void take_addrs(const struct link_net *n, struct net_port_addrs *a)
{
	memset(a, 0, sizeof *a);
	a->have_ip4 = n->have_ip4 && n->prefix4 <= 32;
	a->have_gw4 = n->have_gw4;
	memcpy(a->ip4, n->ip4, 4);
	memcpy(a->gw4, n->gw4, 4);
	a->prefix4 = n->prefix4;
	for (int i = 0; i < LINK_MAX_ADDR6 && a->nip6 < NET_PORT_MAX_IP6; i++) {
		if (!n->ip6[i].valid || n->ip6[i].prefix > 128)
			continue;
		memcpy(a->ip6[a->nip6].addr, n->ip6[i].addr, 16);
		a->ip6[a->nip6++].prefix = n->ip6[i].prefix;
	}
	for (int i = 0; i < n->ndns && i < NET_PORT_MAX_DNS; i++) {
		memcpy(a->dns[i].addr, n->dns[i].addr, 16);
		a->dns[i].v6 = n->dns[i].v6;
		a->ndns++;
	}
	a->port_lo = n->port_lo;
	a->port_hi = n->port_hi >= n->port_lo ? n->port_hi : n->port_lo;
}

static int link_addresses(struct net_port *port, struct net_port_addrs *a)
{
	struct link_port *l = port->driver;
	uint64_t end = clock_ns() + ADDR_WAIT_NS;

	struct link_net n;

	if (l->mode != LINK_MODE_SHARED) {
		/* Our own addresses, found by the netif: the server must know
		 * our MAC before the first frame (DHCP's) goes out, or drops it. */
		struct net_claim mac = { .kind = NET_CLAIM_MAC };
		memcpy(mac.addr, port->mac, 6);
		int err = link_claim(port, &mac, true);
		if (err)
			printk("link: the network server refused our MAC (%d)\n", err);
		return -ENOENT;
	}
	while (!read_net(l, &n)) {
		if (clock_ns() >= end)
			return -ETIMEDOUT;
		sched_sleep_until(clock_ns() + 10000000);
	}
	take_addrs(&n, a);
	memcpy(port->mac, n.mac, 6);
	return 0;
}

/* ---- direct mode ------------------------------------------------------------- */

/* eth0 moved onto a NIC of its own (or back): the server stops (or starts
 * again) delivering our frames.  Only an app with its own address may go:
 * the shared address is the server's. */
static int link_set_direct(struct net_port *port, bool direct)
{
	struct link_port *l = port->driver;
	struct link_app *app = link_app(l->region);

	if (l->mode != LINK_MODE_OWN)
		return -EPERM;
	app->direct = direct;
	app->switches++;
	ivshmem_ring(l->dev, l->server_peer, LINK_VEC_CONTROL);
	return 0;
}

/* The policy's request goes to the supervisor through the region, which
 * it watches; it answers by hot-plugging a NIC, taking it away, or
 * counting a refusal (link_host.direct_refused). */
static void link_request_direct(struct net_port *port, bool direct)
{
	struct link_port *l = port->driver;
	struct link_app *app = link_app(l->region);

	app->want_direct = direct;
	__atomic_store_n(&app->want_seq, app->want_seq + 1, __ATOMIC_RELEASE);
}

/* ---- start-up --------------------------------------------------------------- */

static const struct net_port_ops link_ops = {
	.transmit = link_transmit,
	.addresses = link_addresses,
	.claim = link_claim,
	.release = link_release,
	.set_direct = link_set_direct,
	.request_direct = link_request_direct,
};

static struct link_port *link_new(struct ivshmem *dev)
{
	struct link_port *l = kmalloc(sizeof *l);
	const struct link_host *h = link_host(dev->region);

	if (!l)
		return NULL;
	memset(l, 0, sizeof *l);
	l->rx_buf = kmalloc(LINK_FRAME_MAX);
	if (!l->rx_buf) {
		kfree(l);
		return NULL;
	}
	l->dev = dev;
	l->region = dev->region;
	l->mode = (uint8_t)h->mode;
	l->server_peer = h->server_peer;
	waitq_init(&l->wq);
	link_claims_init(l);
	link_end_open_producer(&l->tx, link_tx(l->region));
	link_end_open_consumer(&l->rx, link_rx(l->region));
	random_fill(l->port.mac, 6);
	l->port.mac[0] = (uint8_t)((l->port.mac[0] & 0xfe) | 0x02);	/* unicast, local */
	l->port.name = "link0";
	l->port.mtu = 1500;
	l->port.ops = &link_ops;
	l->port.driver = l;
	l->port.link_up = true;	/* frames wait in the ring while a server restarts */
	return l;
}

int link_app_init(bool chaos)
{
	struct ivshmem *dev = ivshmem_get(0);

	if (!dev || !header_ok(dev->region, dev->region_size))
		return -ENODEV;
	if (chaos)
		return link_chaos_start(dev);
	struct link_port *l = link_new(dev);
	if (!l)
		return -ENOMEM;
	if (ivshmem_listen(dev, link_doorbell, l)) {
		printk("link: the ivshmem device has no MSI-X doorbells\n");
		return -ENODEV;	/* l stays: the vector may point at it */
	}
	struct thread *t = thread_create("link", link_thread, l);
	if (!t)
		return -ENOMEM;
	thread_set_handoff(t);
	check_generation(l);
	link_app(l->region)->state = LINK_APP_UP;
	printk_info("link: slot %u of the network server, %s address\n", link_host(l->region)->slot,
		    l->mode == LINK_MODE_SHARED ? "shared" : "own");
	net_port_register(&l->port);
	thread_start(t);
	ivshmem_ring(dev, l->server_peer, LINK_VEC_CONTROL);
	return 0;
}
