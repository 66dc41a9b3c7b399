/* Moving eth0 between the network-server link and a NIC of its own
 * (netif_switch.h).  The swap happens under the core lock, so no frame is
 * half-sent on either port; frames in flight during it may be lost, which
 * TCP repairs.  eth0 keeps its MAC whatever the NIC's, and announces
 * itself on the new path: a gratuitous ARP (lwIP's, on link up) and an
 * unsolicited neighbour advertisement for each IPv6 address (RFC 4861
 * 7.2.6), so a bridge learns the new port at once, and again three times
 * within half a second (announce_again says why). */
#include "net/netif_switch.h"

#include "lwip/etharp.h"
#include "lwip/icmp6.h"
#include "lwip/inet_chksum.h"
#include "lwip/ip6.h"
#include "lwip/netif.h"
#include "lwip/prot/nd6.h"
#include "lwip/tcpip.h"
#include "lwip/timeouts.h"

#include "core/printk.h"
#include "core/sched.h"
#include "core/timer.h"
#include "core/string.h"
#include "net/netif.h"
#include "net/port.h"

static struct net_port *home;	/* eth0's link while it is on a NIC; under the core lock */

/* Caller holds the core lock. */
static void advertise(struct netif *n, s8_t i)
{
	struct pbuf *p = pbuf_alloc(PBUF_IP, sizeof(struct na_header) + 8, PBUF_RAM);
	const ip6_addr_t *src = netif_ip6_addr(n, i);
	ip6_addr_t all_nodes;

	if (!p)
		return;		/* out of network memory: the ARP and traffic will do */
	struct na_header *na = p->payload;
	memset(na, 0, p->len);
	na->type = ICMP6_TYPE_NA;
	na->flags = ND6_FLAG_OVERRIDE;
	ip6_addr_copy_to_packed(na->target_address, *src);
	uint8_t *opt = (uint8_t *)(na + 1);
	opt[0] = ND6_OPTION_TYPE_TARGET_LLADDR;
	opt[1] = 1;		/* in units of 8 bytes */
	memcpy(opt + 2, n->hwaddr, 6);
	ip6_addr_set_allnodes_linklocal(&all_nodes);
	ip6_addr_assign_zone(&all_nodes, IP6_MULTICAST, n);
	na->chksum = ip6_chksum_pseudo(p, IP6_NEXTH_ICMP6, p->len, src, &all_nodes);
	ip6_output_if(p, src, &all_nodes, 255, 0, IP6_NEXTH_ICMP6, n);
	pbuf_free(p);
}

/* Caller holds the core lock. */
static void advertise_all(struct netif *n)
{
	for (s8_t i = 0; i < LWIP_IPV6_NUM_ADDRESSES; i++)
		if (ip6_addr_isvalid(netif_ip6_addr_state(n, i)))
			advertise(n, i);
}

/* A bridge learns a MAC's port from the last frame that carried it.  A
 * frame the old port still had queued when eth0 moved (the link's ring,
 * which the server drains; a NIC's queue, which QEMU drains) can reach
 * the bridge after the announcement and send eth0's traffic back down the
 * old path, where nobody takes it, until eth0 happens to send on the new
 * one: the benchmark saw 0.6-2 s stalls so.  So eth0 announces itself
 * again once those queues are surely empty, as Linux's bonding repeats
 * its gratuitous ARPs (num_grat_arp).  lwIP's timeouts run under the core
 * lock. */
/* The first 20 ms after the move, each next that long after the one before. */
static const u32_t announce_after_ms[] = { 20, 80, 400 };
static unsigned announce_next;

static void announce_again(void *unused)
{
	struct netif *n = net_netif_eth();

	(void)unused;
	if (!n)
		return;
	if (!ip4_addr_isany_val(*netif_ip4_addr(n)))
		etharp_gratuitous(n);
	advertise_all(n);
	if (++announce_next < sizeof announce_after_ms / sizeof announce_after_ms[0])
		sys_timeout(announce_after_ms[announce_next], announce_again, NULL);
}

/* Caller holds the core lock. */
static void move_to(struct netif *n, struct net_port *port)
{
	memcpy(port->mac, n->hwaddr, 6);	/* eth0 keeps its MAC */
	net_netif_set_port(port);		/* a gratuitous ARP on link up */
	advertise_all(n);
	sys_untimeout(announce_again, NULL);
	announce_next = 0;
	sys_timeout(announce_after_ms[0], announce_again, NULL);
}

#define MAX_LISTED	8

struct net_port *net_switch_home(struct net_port *port)
{
	struct net_port *p[MAX_LISTED];
	int n = net_port_list(p, MAX_LISTED);

	for (int i = 0; i < n; i++)
		if (p[i]->ops->set_direct)
			return p[i];
	return port;
}

void net_switch_adopt(void)
{
	struct net_port *p[MAX_LISTED];
	int n = net_port_list(p, MAX_LISTED);

	for (int i = 0; i < n; i++)
		net_switch_port_added(p[i]);	/* eth0's own port and its home: nothing */
}

/* Ports registered at boot come before lwIP and eth0: nothing to move
 * (net_switch_adopt looks again once eth0 exists). */
void net_switch_port_added(struct net_port *port)
{
	if (!net_netif_eth())
		return;
	LOCK_TCPIP_CORE();
	struct netif *n = net_netif_eth();
	struct net_port *cur = net_netif_port();
	if (n && cur && cur != port && !home && cur->ops->set_direct) {
		if (cur->ops->set_direct(cur, true) == 0) {
			home = cur;
			move_to(n, port);
			printk("net: eth0 moved to %s (direct mode)\n", port->name);
		} else {
			printk("net: %s stays unused: eth0 shares the network server's address\n",
			       port->name);
		}
	}
	UNLOCK_TCPIP_CORE();
}

void net_switch_port_leaving(struct net_port *port)
{
	if (!net_netif_eth())
		return;
	LOCK_TCPIP_CORE();
	struct netif *n = net_netif_eth();
	if (n && home && net_netif_port() == port) {
		move_to(n, home);
		home->ops->set_direct(home, false);
		printk("net: eth0 back on %s (server mode)\n", home->name);
		home = NULL;
	}
	UNLOCK_TCPIP_CORE();
}

/* ---- the automatic policy ------------------------------------------------------ */

#define HIGH_SECONDS	3	/* busy this long before asking for a NIC */
#define LOW_SECONDS	10	/* quiet this long before giving it back */
#define ASK_AGAIN	30	/* seconds before repeating an unanswered request */

static unsigned policy_high, policy_low;

/* The port to ask: eth0's home while it is on a NIC, else eth0's own. */
static struct net_port *asked_port(bool *direct)
{
	LOCK_TCPIP_CORE();
	struct net_port *p = home ? home : net_netif_port();
	*direct = home != NULL;
	UNLOCK_TCPIP_CORE();
	return p && p->ops->request_direct ? p : NULL;
}

static void policy_thread(void *unused)
{
	uint64_t last = net_netif_frames();
	unsigned busy = 0, quiet = 0, since_ask = ASK_AGAIN;
	bool was_direct = false;

	(void)unused;
	for (;;) {
		sched_sleep_until(clock_ns() + 1000000000ull);
		uint64_t now = net_netif_frames();
		uint64_t rate = now - last;
		bool direct;
		struct net_port *p = asked_port(&direct);
		last = now;
		if (!p)
			continue;
		if (direct != was_direct)
			busy = quiet = 0, since_ask = ASK_AGAIN, was_direct = direct;
		busy = rate > policy_high ? busy + 1 : 0;
		quiet = rate < policy_low ? quiet + 1 : 0;
		since_ask++;
		bool ask = direct ? quiet >= LOW_SECONDS : busy >= HIGH_SECONDS;
		if (ask && since_ask >= ASK_AGAIN) {
			printk("net: %lu frames/s: asking for %s\n", rate, direct ? "server mode" : "a NIC");
			p->ops->request_direct(p, !direct);
			since_ask = 0;
		}
	}
}

void net_switch_policy_start(unsigned high, unsigned low)
{
	struct thread *t = thread_create("switch policy", policy_thread, NULL);

	policy_high = high;
	policy_low = low;
	if (t)
		thread_start(t);
	printk_info("net: switching policy: a NIC above %u frames/s, back below %u\n", high, low);
}
