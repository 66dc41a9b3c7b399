/* Moving frames between the NIC, the server's own stack and the slots
 * (docs/netserver.md).  Where a frame goes is lib/ns_route.c's decision;
 * this file parses, asks, and copies.
 *
 * Three kinds of thread come through here: the NIC's receive thread
 * (wire to anyone), whoever holds the core lock when the server's own
 * stack sends (local to wire or slots), and the forwarding thread (slots
 * to anyone).  Slot RX rings take producers from all three under each
 * slot's rx_lock; the tables under tables_lock, held only to decide. */
#include "core/errno.h"
#include "core/kmalloc.h"
#include "core/printk.h"
#include "core/random.h"
#include "core/sched.h"
#include "core/timer.h"
#include "core/string.h"
#include "dev/ivshmem.h"
#include "netserver/netserver_internal.h"
#include "ns_frag.h"
#include "pkt.h"

/* Where later fragments go (lib/ns_frag.h): the NIC's receive thread's
 * alone but for the lock's sake. */
static struct spinlock frag_lock = SPINLOCK_INIT;	/* guards frags */
static struct ns_frag_cache frags;

static uint8_t local_buf[LINK_FRAME_MAX];	/* under the core lock */
static uint8_t *slot_buf;			/* the forwarding thread's */

/* The app slot s serves now.  The forwarding thread writes it; a value a
 * moment old only lets through a fragment that was in flight anyway. */
static uint32_t attach_of(int s)
{
	return __atomic_load_n(&ns.slots[s].attach_seq, __ATOMIC_RELAXED);
}

static void frag_note(const struct pkt_info *pi, int slot)
{
	uint32_t attach = attach_of(slot);

	if (!attach)
		return;		/* the app just left */
	spin_lock(&frag_lock);
	ns_frag_note(&frags, pi, slot, attach, clock_ns());
	spin_unlock(&frag_lock);
}

static int frag_find(const struct pkt_info *pi)
{
	spin_lock(&frag_lock);
	int slot = ns_frag_find(&frags, pi, clock_ns(), attach_of);
	spin_unlock(&frag_lock);
	return slot;
}

/* The one slot in d, or -1. */
static int only_slot(const struct ns_dest *d)
{
	int found = -1;

	for (int s = 0; s < ns.nslots; s++) {
		if (!ns_dest_has(d, s))
			continue;
		if (found >= 0)
			return -1;
		found = s;
	}
	return found;
}

/* ---- delivery ---------------------------------------------------------------- */

static void to_slot(struct ns_link *s, const void *frame, size_t len, unsigned flags)
{
	struct link_counters *c = &s->ledger->to_app;
	struct link_seg seg = { frame, len };
	bool ring = false;

	spin_lock(&s->rx_lock);
	if (s->rx_open) {
		uint32_t before = s->rx.index;
		int err = link_ring_put(&s->rx, &seg, 1, flags & NET_RX_CSUM_VALID ? LINK_FRAME_CSUM_VALID : 0);
		if (!err) {
			c->frames++;
			c->bytes += len;
			ring = link_ring_should_notify(&s->rx, before);
		} else {
			c->drops++;	/* a full ring, as a full NIC queue */
		}
	}
	spin_unlock(&s->rx_lock);
	if (ring)
		ivshmem_ring(s->dev, s->app_peer, LINK_VEC_DATA);
}

static void deliver(const struct ns_dest *d, const void *frame, size_t len, unsigned flags)
{
	if (d->wire && ns.nic) {
		struct net_seg seg = { frame, len };
		ns.nic->ops->transmit(ns.nic, &seg, 1, NULL);	/* a full queue drops, as a NIC */
	}
	if (d->local)
		net_port_deliver(&ns.local, frame, len, flags);
	for (int w = 0; w < NS_MAX_SLOTS / 64; w++)
		for (uint64_t m = d->slots[w]; m; m &= m - 1)
			to_slot(&ns.slots[w * 64 + __builtin_ctzll(m)], frame, len, flags);
}

/* ---- the three sources ---------------------------------------------------------- */

/* The NIC's receive thread. */
void forward_from_wire(void *owner, const void *frame, size_t len, unsigned flags)
{
	struct pkt_info pi;
	struct ns_dest d;

	(void)owner;
	if (pkt_parse(frame, len, &pi))
		return;
	spin_lock(&ns.tables_lock);
	ns_route_from_wire(ns.tables, &pi, &d);
	spin_unlock(&ns.tables_lock);
	if (pi.later_fragment && d.local) {
		int s = frag_find(&pi);
		if (s >= 0) {
			memset(&d, 0, sizeof d);
			d.slots[s / 64] = 1ull << (s % 64);
		}
	} else if (pi.fragment && !d.local) {
		int s = only_slot(&d);
		if (s >= 0)
			frag_note(&pi, s);
	}
	deliver(&d, frame, len, flags);
}

/* The server's own stack sends (lwIP, under the core lock). */
int forward_from_local(struct net_port *port, const struct net_seg *segs, int nsegs,
		       const struct net_tx_offload *csum)
{
	struct pkt_info pi;
	struct ns_dest d;
	size_t len = 0;

	(void)port;
	(void)csum;	/* no NET_PORT_TX_CSUM: frames come complete */
	for (int i = 0; i < nsegs; i++) {
		if (segs[i].len > sizeof local_buf - len)
			return -EINVAL;
		memcpy(local_buf + len, segs[i].data, segs[i].len);
		len += segs[i].len;
	}
	if (pkt_parse(local_buf, len, &pi))
		return -EINVAL;
	spin_lock(&ns.tables_lock);
	ns_route_from_local(ns.tables, &pi, &d);
	spin_unlock(&ns.tables_lock);
	deliver(&d, local_buf, len, 0);
	return 0;
}

/* One frame of slot s, copied out of its ring already: checked, routed. */
static void from_slot_one(struct ns_link *s, size_t len, unsigned flags)
{
	struct link_counters *c = &s->ledger->from_app;
	struct pkt_info pi;
	struct ns_dest d;

	bool ok = !pkt_parse(slot_buf, len, &pi);
	if (ok) {
		spin_lock(&ns.tables_lock);
		ok = ns_route_from_slot(ns.tables, s->index, &pi, &d);
		spin_unlock(&ns.tables_lock);
	}
	if (!ok) {
		c->drops++;
		return;
	}
	c->frames++;
	c->bytes += len;
	deliver(&d, slot_buf, len, flags & LINK_FRAME_CSUM_VALID ? NET_RX_CSUM_VALID : 0);
}

bool forward_from_slot(struct ns_link *s, int budget)
{
	uint16_t flags;

	if (!s->attach_seq || s->shut)
		return false;
	for (int n = 0; n < budget; n++) {
		int len = link_ring_get(&s->tx, slot_buf, &flags);
		if (len < 0) {
			/* A ring the supervisor zeroed for the slot's next app is
			 * not the last app's fault: slots_look takes the new one. */
			if (slots_still_assigned(s))
				slots_shut(s, len == -EPROTO ? LINK_SHUT_RING : LINK_SHUT_FRAME);
			else
				s->pending = true;
			return false;
		}
		if (len == 0) {
			if (link_ring_arm(&s->tx))
				return false;
			continue;
		}
		from_slot_one(s, (size_t)len, flags);
	}
	return true;
}

/* ---- set-up ------------------------------------------------------------------------ */

static const struct net_port_ops local_ops = { .transmit = forward_from_local };

void forward_init(void)
{
	slot_buf = kmalloc(LINK_FRAME_MAX);
	if (!slot_buf)
		panic("netserver: out of memory");
	ns.nic = net_port_first();
	ns.local = (struct net_port){ .name = "switch", .mtu = 1500, .ops = &local_ops,
				      .link_up = true };
	if (ns.nic) {
		memcpy(ns.local.mac, ns.nic->mac, 6);
		return;
	}
	random_fill(ns.local.mac, 6);
	ns.local.mac[0] = (uint8_t)((ns.local.mac[0] & 0xfe) | 0x02);	/* unicast, local */
	printk("netserver: no NIC: apps reach only each other and the server\n");
}

void forward_start_wire(void)
{
	if (ns.nic)
		net_port_attach(ns.nic, NULL, forward_from_wire, NULL);
}
