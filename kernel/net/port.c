/* Ports: the list drivers register into, and the two calls they make back
 * (a frame came in, the link changed).  See port.h. */
#include "net/port.h"

#include "core/printk.h"
#include "core/spinlock.h"
#include "net/net_config.h"
#include "net/netif.h"
#include "net/netif_switch.h"
#include "net/netif_tx.h"

#define MAX_PORTS 8

static struct spinlock ports_lock = SPINLOCK_INIT;	/* guards ports, nports */
static struct net_port *ports[MAX_PORTS];
static int nports;

void net_port_register(struct net_port *port)
{
	uint64_t flags = spin_lock_irqsave(&ports_lock);

	if (nports < MAX_PORTS)
		ports[nports++] = port;
	spin_unlock_irqrestore(&ports_lock, flags);
	net_switch_port_added(port);
}

void net_ports_report(void)
{
	struct net_port *p[MAX_PORTS];
	int n = net_port_list(p, MAX_PORTS);

	for (int i = 0; i < n; i++) {
		struct net_port_counts c = { 0 };
		if (!p[i]->ops->counts)
			continue;
		p[i]->ops->counts(p[i], &c);
		printk_info("%s: rx %lu frames in %lu passes, %lu wake-ups, %lu interrupts; tx %lu frames "
			    "(%lu for the device to segment), %lu dropped on a ring that stayed full\n",
			    p[i]->name, c.rx_frames, c.rx_passes, c.rx_wakeups, c.rx_interrupts, c.tx_frames,
			    c.tx_segmented, c.tx_dropped);
	}
	netif_tx_report();
	net_netif_report();
}

void net_port_unregister(struct net_port *port)
{
	net_switch_port_leaving(port);
	uint64_t flags = spin_lock_irqsave(&ports_lock);
	for (int i = 0; i < nports; i++) {
		if (ports[i] != port)
			continue;
		ports[i] = ports[--nports];
		break;
	}
	spin_unlock_irqrestore(&ports_lock, flags);
	net_port_attach(port, NULL, NULL, NULL);
}

struct net_port *net_port_first(void)
{
	uint64_t flags = spin_lock_irqsave(&ports_lock);
	struct net_port *p = nports ? ports[0] : NULL;

	spin_unlock_irqrestore(&ports_lock, flags);
	return p;
}

int net_port_list(struct net_port **out, int max)
{
	uint64_t flags = spin_lock_irqsave(&ports_lock);
	int n = nports < max ? nports : max;

	for (int i = 0; i < n; i++)
		out[i] = ports[i];
	spin_unlock_irqrestore(&ports_lock, flags);
	return n;
}

/* owner first, then the functions (release): a deliverer that loads a
 * function (acquire) sees the owner it goes with. */
void net_port_attach(struct net_port *port, void *owner,
		     void (*rx)(void *, const void *, size_t, unsigned),
		     void (*link_changed)(void *, bool))
{
	port->owner = owner;
	__atomic_store_n(&port->link_changed, link_changed, __ATOMIC_RELEASE);
	__atomic_store_n(&port->rx, rx, __ATOMIC_RELEASE);
}

void net_port_deliver(struct net_port *port, const void *frame, size_t len, unsigned flags)
{
	void (*rx)(void *, const void *, size_t, unsigned) = __atomic_load_n(&port->rx, __ATOMIC_ACQUIRE);

	if (rx)
		rx(port->owner, frame, len, flags);
}

void net_port_set_link(struct net_port *port, bool up)
{
	port->link_up = up;
	void (*changed)(void *, bool) = __atomic_load_n(&port->link_changed, __ATOMIC_ACQUIRE);

	if (changed)
		changed(port->owner, up);
}

void net_port_addresses_changed(struct net_port *port)
{
	net_config_addresses_changed(port);
}
