/* Each app's region, from the server's side (docs/netserver.md).
 *
 * The supervisor assigns a slot by writing its record in the ledger
 * (struct link_assign: no app maps it) and the region's host part, then a
 * new attach_seq in each; we notice on its doorbell (or on the periodic
 * look) and take the slot: open the rings, publish our addresses, answer
 * claims.  Who holds the slot, in which mode and with which MAC we take
 * from the record alone: the app may rewrite its region's copy.  A slot
 * whose app broke the rules is shut until the supervisor assigns it again.
 * When we are a restarted server, a slot our predecessor's ledger says it
 * served for the same attach_seq is resumed at our first look: rings from
 * where they stood, grants from their tokens. */
#include "core/errno.h"
#include "core/kmalloc.h"
#include "core/page_alloc.h"
#include "core/printk.h"
#include "core/string.h"
#include "core/timer.h"
#include "dev/ivshmem.h"
#include "net/netif.h"
#include "netserver/netserver_internal.h"

#define LOG_WINDOW_NS	(10ull * 1000000000)
#define LOG_LINES	8	/* per slot and window: nobody floods server.log */
#define ASSIGN_TRIES	4

static uint32_t net_seq;	/* what slots_publish_net last wrote; never 0 */

static const char *const shut_text[] = {
	[LINK_SHUT_HEADER] = "bad header",
	[LINK_SHUT_RING] = "ring index out of range",
	[LINK_SHUT_FRAME] = "frame length out of range",
};

/* Interrupt context. */
static void doorbell(void *arg)
{
	struct ns_link *s = arg;

	s->pending = true;
	netserver_kick();
}

/* May slot s log one more line now?  At most LOG_LINES a window, and a
 * count of those left out with the first line of a later window. */
static bool slot_log(struct ns_link *s)
{
	uint64_t now = clock_ns();

	if (now - s->log_window >= LOG_WINDOW_NS) {
		if (s->log_dropped)
			printk("netserver: slot %d: %u lines left out\n", s->index, s->log_dropped);
		s->log_window = now;
		s->log_lines = s->log_dropped = 0;
	}
	if (s->log_lines >= LOG_LINES) {
		s->log_dropped++;
		return false;
	}
	s->log_lines++;
	return true;
}

/* A copy of the supervisor's record of slot s, whole: the supervisor
 * writes the rest only while attach_seq is 0 and each new attach_seq is
 * unique, so the same attach_seq before and after the copy means no write
 * came between.  false if it kept changing under us. */
static bool assign_read(const struct ns_link *s, struct link_assign *a)
{
	for (int i = 0; i < ASSIGN_TRIES; i++) {
		uint32_t seq = __atomic_load_n(&s->assign->attach_seq, __ATOMIC_ACQUIRE);
		memcpy(a, s->assign, sizeof *a);
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
		if (__atomic_load_n(&s->assign->attach_seq, __ATOMIC_RELAXED) == seq) {
			a->attach_seq = seq;
			a->app_name[LINK_NAME_MAX - 1] = 0;
			return true;
		}
	}
	return false;
}

bool slots_still_assigned(const struct ns_link *s)
{
	return __atomic_load_n(&s->assign->attach_seq, __ATOMIC_ACQUIRE) == s->attach_seq;
}

static bool assign_ok(const struct link_assign *a)
{
	return a->app_peer != LINK_SERVER_PEER &&
	       (a->mode == LINK_MODE_SHARED || a->mode == LINK_MODE_OWN);
}

/* The region's header still as the supervisor wrote it?  Each field read
 * once; nothing here is believed, only checked. */
static bool region_ok(const struct ns_link *s)
{
	const struct link_host *h = link_host(s->region);

	return h->magic == LINK_MAGIC && h->version == LINK_VERSION &&
	       h->region_size == LINK_REGION_SIZE && h->slot == (uint32_t)s->index &&
	       h->nslots == (uint32_t)ns.nslots;
}

/* What the tables know of slot s: the app the supervisor assigned, or
 * (a NULL) none we forward for. */
static void set_tables(struct ns_link *s, const struct link_assign *a)
{
	struct ns_slot *t = &ns.tables->slots[s->index];

	spin_lock(&ns.tables_lock);
	t->active = a != NULL;
	t->mode = a ? (uint8_t)a->mode : 0;
	memset(t->assigned_mac, 0, 6);
	if (a && a->mode == LINK_MODE_OWN)
		memcpy(t->assigned_mac, a->mac, 6);
	spin_unlock(&ns.tables_lock);
}

static void close_rx(struct ns_link *s)
{
	spin_lock(&s->rx_lock);
	s->rx_open = false;
	spin_unlock(&s->rx_lock);
}

/* Forgets the app: its grants, its rings. */
static void detach(struct ns_link *s)
{
	claims_drop_all(s);
	set_tables(s, NULL);
	close_rx(s);
	s->attach_seq = 0;
	s->shut = false;
	s->ledger->state = LINK_SRV_NONE;
	s->ledger->attach_seq = 0;
}

/* The ledger starts afresh for a new app; a resumed one keeps counting. */
static void ledger_taken(struct ns_link *s, bool keep_counters)
{
	struct link_ledger_slot *r = s->ledger;

	if (!keep_counters) {
		spin_lock(&s->rx_lock);
		memset(&r->to_app, 0, sizeof r->to_app);
		spin_unlock(&s->rx_lock);
		memset(&r->from_app, 0, sizeof r->from_app);
	}
	r->attach_seq = s->attach_seq;
	r->shut_reason = LINK_SHUT_NONE;
	r->state = LINK_SRV_READY;
}

void slots_shut(struct ns_link *s, enum link_shut_reason why)
{
	struct link_srv *srv = link_srv(s->region);

	claims_drop_all(s);
	set_tables(s, NULL);
	close_rx(s);
	s->shut = true;
	srv->shut_reason = why;
	__atomic_store_n(&srv->state, LINK_SRV_SHUT, __ATOMIC_RELEASE);
	s->ledger->attach_seq = s->attach_seq;
	s->ledger->state = LINK_SRV_SHUT;
	s->ledger->shut_reason = why;
	s->ledger->shuts++;
	if (slot_log(s))
		printk("netserver: slot %d shut: %s\n", s->index, shut_text[why]);
}

static void write_net(struct ns_link *s, const struct link_net *n)
{
	struct link_srv *srv = link_srv(s->region);

	/* A seqlock of sorts: 0 while the addresses change under the app. */
	__atomic_store_n(&srv->net_seq, 0, __ATOMIC_RELEASE);
	srv->net = *n;
	srv->net.port_lo = ns.tables->slots[s->index].port_lo;
	srv->net.port_hi = ns.tables->slots[s->index].port_hi;
	__atomic_store_n(&srv->net_seq, net_seq, __ATOMIC_RELEASE);
}

static struct link_net current_net;	/* what write_net copies; the forwarding thread's */

static void open_rings(struct ns_link *s, bool resume)
{
	if (!link_end_open_consumer(&s->tx, link_tx(s->region)) && slot_log(s))
		printk("netserver: slot %d: its TX ring was out of range, emptied\n", s->index);
	spin_lock(&s->rx_lock);
	if (resume)
		link_end_open_producer(&s->rx, link_rx(s->region));
	else	/* a frame for the last app may have landed after the region was zeroed */
		link_end_reset_producer(&s->rx, link_rx(s->region));
	s->rx_open = true;
	spin_unlock(&s->rx_lock);
}

/* A new app on s, or (resume, at our first look only) the one our
 * predecessor served: its ledger, where no app writes, names the same
 * attach_seq.  Later, a new attach_seq is always a new app. */
static void take(struct ns_link *s, const struct link_assign *a, bool first_look)
{
	struct link_srv *srv = link_srv(s->region);
	bool resume = first_look && s->ledger->attach_seq == a->attach_seq;
	bool was_shut = resume && s->ledger->state == LINK_SRV_SHUT;

	detach(s);
	s->attach_seq = a->attach_seq;
	s->app_peer = a->app_peer;
	if (was_shut) {
		s->shut = true;		/* it stays shut under a new server too */
		s->ledger->attach_seq = a->attach_seq;
		s->ledger->state = LINK_SRV_SHUT;
		return;
	}
	if (!assign_ok(a) || !region_ok(s)) {
		slots_shut(s, LINK_SHUT_HEADER);
		return;
	}
	ledger_taken(s, resume);
	open_rings(s, resume);
	set_tables(s, a);
	if (resume)
		claims_rebuild(s);
	srv->attach_seq = a->attach_seq;
	srv->generation = ns.generation;
	srv->shut_reason = LINK_SHUT_NONE;
	if (net_seq)
		write_net(s, &current_net);
	__atomic_store_n(&srv->state, LINK_SRV_READY, __ATOMIC_RELEASE);
	ivshmem_ring(s->dev, s->app_peer, LINK_VEC_CONTROL);
	if (slot_log(s))
		printk("netserver: slot %d: %s app '%s' %s\n", s->index,
		       a->mode == LINK_MODE_SHARED ? "shared-address" : "own-address", a->app_name,
		       resume ? "resumed" : "attached");
}

/* The app uses a NIC of its own for now (direct mode): deliver nothing to
 * it, keep its MAC and addresses reserved for its return. */
static void follow_mode(struct ns_link *s)
{
	bool direct = __atomic_load_n(&link_app(s->region)->direct, __ATOMIC_ACQUIRE) != 0;

	spin_lock(&ns.tables_lock);
	ns.tables->slots[s->index].direct = direct;
	spin_unlock(&ns.tables_lock);
}

static void look(struct ns_link *s, bool first_look)
{
	struct link_assign a;

	if (!assign_read(s, &a)) {
		s->pending = true;	/* the supervisor is at it: look again soon */
		return;
	}
	if (a.attach_seq == 0) {
		if (s->attach_seq) {
			if (!s->shut && slot_log(s))
				printk("netserver: slot %d: the app left\n", s->index);
			detach(s);
		}
		return;
	}
	/* The supervisor's new attach_seq is a new app, even on a slot shut
	 * for the last one (it may have been freed and given again before we
	 * looked); nothing the app writes can change it. */
	if (a.attach_seq != s->attach_seq)
		take(s, &a, first_look);
	if (!s->shut) {
		follow_mode(s);
		claims_process(s);
	}
}

void slots_look(struct ns_link *s)
{
	look(s, false);
}

/* The server's own addresses, for the tables and for every app. */
static void learn_addresses(struct link_net *n)
{
	struct net_port_addrs a;

	net_eth_addresses(&a);
	memset(n, 0, sizeof *n);
	memcpy(n->mac, ns.local.mac, 6);
	n->mtu = ns.local.mtu;
	n->have_ip4 = a.have_ip4;
	n->have_gw4 = a.have_gw4;
	memcpy(n->ip4, a.ip4, 4);
	memcpy(n->gw4, a.gw4, 4);
	n->prefix4 = a.prefix4;
	for (int i = 0; i < a.nip6 && i < LINK_MAX_ADDR6; i++) {
		memcpy(n->ip6[i].addr, a.ip6[i].addr, 16);
		n->ip6[i].prefix = a.ip6[i].prefix;
		n->ip6[i].valid = 1;
	}
	for (int i = 0; i < a.ndns && i < 2; i++) {
		memcpy(n->dns[i].addr, a.dns[i].addr, 16);
		n->dns[i].v6 = a.dns[i].v6;
	}
	n->ndns = (uint8_t)(a.ndns < 2 ? a.ndns : 2);
	spin_lock(&ns.tables_lock);
	ns.tables->have_ip4 = a.have_ip4;
	memcpy(ns.tables->server_ip4, a.ip4, 4);
	ns.tables->nip6 = a.nip6 < LINK_MAX_ADDR6 ? a.nip6 : LINK_MAX_ADDR6;
	for (int i = 0; i < ns.tables->nip6; i++)
		memcpy(ns.tables->server_ip6[i], a.ip6[i].addr, 16);
	spin_unlock(&ns.tables_lock);
}

void slots_publish_net(void)
{
	learn_addresses(&current_net);
	if (++net_seq == 0)
		net_seq = 1;
	for (int i = 0; i < ns.nslots; i++) {
		struct ns_link *s = &ns.slots[i];
		if (!s->attach_seq || s->shut)
			continue;
		write_net(s, &current_net);
		ivshmem_ring(s->dev, s->app_peer, LINK_VEC_CONTROL);
	}
}

static int alloc_state(void)
{
	size_t tables = PAGE_ROUND_UP(sizeof *ns.tables) / PAGE_SIZE;
	size_t slots = PAGE_ROUND_UP(sizeof *ns.slots * (size_t)ns.nslots) / PAGE_SIZE;

	ns.tables = page_alloc_virt(tables);
	ns.slots = page_alloc_virt(slots);
	if (!ns.tables || !ns.slots)
		return -ENOMEM;
	memset(ns.slots, 0, slots * PAGE_SIZE);
	ns_tables_init(ns.tables, ns.nslots);
	memcpy(ns.tables->server_mac, ns.local.mac, 6);
	return 0;
}

/* The ledger: the ivshmem device after the slots, when the supervisor
 * gave us one; else zeroed pages of our own, where no slot is ever
 * assigned.  Only our part is reset; the supervisor's is its own. */
static struct link_ledger *ledger_page(void)
{
	struct ivshmem *d = ivshmem_get(ns.nslots);
	size_t ours = sizeof(struct link_ledger) + sizeof(struct link_ledger_slot) * (size_t)ns.nslots;
	struct link_ledger *r;

	if (d && d->region_size >= LINK_LEDGER_SIZE) {
		r = d->region;
		if (r->magic != LINK_LEDGER_MAGIC || r->nslots != (uint32_t)ns.nslots) {
			memset(r, 0, ours);
			r->nslots = (uint32_t)ns.nslots;
		}
	} else {
		r = page_alloc_virt(LINK_LEDGER_SIZE / PAGE_SIZE);
		if (!r)
			return NULL;
		memset(r, 0, LINK_LEDGER_SIZE);
		printk("netserver: no ledger device: no slot is assigned to any app\n");
	}
	r->generation = ns.generation;
	__atomic_store_n(&r->magic, LINK_LEDGER_MAGIC, __ATOMIC_RELEASE);
	return r;
}

int slots_start(void)
{
	if (ivshmem_count() < ns.nslots) {
		printk("netserver: %d slots configured, %d ivshmem devices found\n", ns.nslots,
		       ivshmem_count());
		return -ENODEV;
	}
	int err = alloc_state();
	struct link_ledger *ledger = ledger_page();
	if (err || !ledger)
		return -ENOMEM;
	for (int i = 0; i < ns.nslots; i++) {
		struct ns_link *s = &ns.slots[i];
		s->index = i;
		s->ledger = &ledger->slots[i];
		s->assign = link_ledger_assign(ledger, (unsigned)i);
		s->dev = ivshmem_get(i);
		s->region = s->dev->region;
		if (s->dev->region_size < LINK_REGION_SIZE || ivshmem_listen(s->dev, doorbell, s))
			return -ENODEV;
		look(s, true);	/* a restarted server resumes the apps here, only */
	}
	return 0;
}
