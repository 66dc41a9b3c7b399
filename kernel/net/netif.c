/* eth0: the lwIP netif on a port.  Frames come up from the port's receive
 * thread into ethernet_input under the core lock (no hand-off to the
 * tcpip thread): at once when the lock is free, else left in the receive
 * backlog (rx_backlog.c) for its holder.  They go down through
 * netif_tx.c, which leaves the port the checksums and segmentation it
 * offers.
 *
 * The netif/port split: everything the netif knows of its port is eth.port
 * (under the core lock) and the port's callbacks point here; swapping the
 * port swaps that pointer, and frames still arriving from the old port are
 * dropped.  One eth0 today; the port's owner field is the port itself. */
#include "net/netif.h"

#include "lwip/etharp.h"
#include "lwip/ethip6.h"
#include "lwip/netif.h"
#include "lwip/pbuf.h"
#include "lwip/tcpip.h"
#include "netif/ethernet.h"

#include "core/cmdline.h"
#include "core/errno.h"
#include "core/printk.h"
#include "core/string.h"
#include "net/netif_claims.h"
#include "net/netif_tx.h"
#include "net/port.h"
#include "net/rx_backlog.h"

#define MAX_FRAME	65535	/* a pbuf's length is 16 bits */
#define RX_BACKLOG_MAX	256	/* frames waiting for the core lock */
/* What eth0 leaves to a port that offers it; segmentation needs the
 * port's checksums too. */
#define TX_OFFLOADS	(NET_PORT_TX_CSUM | NET_PORT_TX_TSO4 | NET_PORT_TX_TSO6)

/* Checksums lwIP does itself whatever the port offers: only TCP's is left
 * to the port (UDP datagrams may be fragmented, and a fragment's port
 * cannot sum the whole datagram). */
#define CSUM_ALL	NETIF_CHECKSUM_ENABLE_ALL
#define CSUM_OFFLOADED	(NETIF_CHECKSUM_ENABLE_ALL & ~(NETIF_CHECKSUM_GEN_TCP | NETIF_CHECKSUM_CHECK_TCP))

static struct {
	struct netif netif;
	bool created;
	struct net_port *port;	/* under the core lock */
	unsigned offloads;	/* the port's NET_PORT_TX_* eth0 uses; under the core lock */
	/* Counted where the core lock is held anyway: no line of its own
	 * bounces between CPUs for them. */
	struct net_if_stats stats;
	/* Frames refused before the lock is taken (rare): atomic. */
	uint64_t rx_malformed, rx_no_memory;
	uint64_t frames;	/* sent and received, for the switching policy */
	uint64_t rx_left, rx_waited;	/* received frames left in the backlog; waits at its cap */
} eth;

struct netif *net_netif_eth(void)
{
	return eth.created ? &eth.netif : NULL;
}

struct net_port *net_netif_port(void)
{
	return eth.port;
}

/* ---- a lossy link, on request ------------------------------------------------ */

/* amphi.net_loss=N on the kernel command line: eth0 loses about one frame
 * in N each way, at random, as a lossy link would, so that TCP's recovery
 * (retransmissions, segments cut to a shrunken window) can be tried over
 * a tap, which loses nothing.  0: none. */
static struct {
	unsigned one_in;
	uint64_t seen, lost;
} loss;

void net_loss_init(const char *cmdline)
{
	uint64_t n;

	if (cmdline_number(cmdline, "amphi.net_loss=", (UINT32_MAX - 9) / 10, &n))
		loss.one_in = (unsigned)n;
}

/* Whether this frame is lost: a hash of the frames' count (any CPU). */
static bool lost(void)
{
	if (!loss.one_in)
		return false;
	uint64_t x = __atomic_add_fetch(&loss.seen, 1, __ATOMIC_RELAXED) * 0x9e3779b97f4a7c15ull;
	if ((x >> 32) % loss.one_in)
		return false;
	__atomic_fetch_add(&loss.lost, 1, __ATOMIC_RELAXED);
	return true;
}

static void loss_report(void)
{
	if (loss.one_in)
		printk_info("eth0: lost %lu of %lu frames (amphi.net_loss=%u)\n", loss.lost, loss.seen,
			    loss.one_in);
}

uint64_t net_netif_frames(void)
{
	return __atomic_load_n(&eth.frames, __ATOMIC_RELAXED);
}

bool net_netif_cuts_tcp(const struct netif *n, bool v6)
{
	return n == &eth.netif && (eth.offloads & (v6 ? NET_PORT_TX_TSO6 : NET_PORT_TX_TSO4));
}

/* ---- transmit ---------------------------------------------------------- */

/* Caller (lwIP) holds the core lock. */
static err_t eth_linkoutput(struct netif *netif, struct pbuf *p)
{
	struct net_port *port = eth.port;
	int err;

	if (!port || !port->link_up) {
		eth.stats.tx_dropped++;
		return ERR_IF;
	}
	__atomic_fetch_add(&eth.frames, 1, __ATOMIC_RELAXED);
	/* A frame the wire loses (amphi.net_loss) was still sent. */
	err = lost() ? 0 : netif_tx_frame(port, eth.offloads, p);
	(void)netif;
	if (!err) {
		eth.stats.tx_packets++;
		eth.stats.tx_bytes += p->tot_len;
	} else if (err == -ENOBUFS || err == -ENOMEM) {
		eth.stats.tx_dropped++;
	} else {
		eth.stats.tx_errors++;
	}
	/* A full queue drops the frame as a NIC would; ERR_MEM keeps a TCP
	 * segment queued for the next try instead of waiting for a timeout. */
	return err == 0 ? ERR_OK : err == -ENOBUFS || err == -ENOMEM ? ERR_MEM : ERR_IF;
}

/* ---- receive ---------------------------------------------------------------- */

/* Caller holds the core lock.  What lwIP checks and fills in itself
 * between frames. */
static u16_t eth_checks(void)
{
	return eth.offloads ? CSUM_OFFLOADED : CSUM_ALL;
}

/* Caller holds the core lock.  What lwIP checks of a frame from the port:
 * not TCP's or UDP's sum when the port says it is good (checked, or left
 * unfinished by the host's own stack); else all of them, TCP's too,
 * which eth0 with offload does not check between frames (its own frames
 * looped back to its address carry none). */
static u16_t eth_rx_checks(unsigned flags)
{
	if (flags & NET_RX_CSUM_VALID)
		return eth_checks() & ~(NETIF_CHECKSUM_CHECK_TCP | NETIF_CHECKSUM_CHECK_UDP);
	return eth_checks() | NETIF_CHECKSUM_CHECK_TCP;
}

/* What a received frame carries to whoever feeds it to lwIP, in the room
 * in front of its bytes. */
struct rx_meta {
	void *owner;		/* the port that delivered it */
	unsigned flags;		/* NET_RX_* */
};
#define RX_META_ROOM	LWIP_MEM_ALIGN_SIZE(sizeof(struct rx_meta))

static struct rx_meta *rx_meta(struct pbuf *p)
{
	return (struct rx_meta *)((uint8_t *)p->payload - RX_META_ROOM);
}

/* Caller holds the core lock.  Frames from a port swapped out meanwhile
 * are dropped. */
static void eth_input(struct pbuf *p)
{
	struct rx_meta *m = rx_meta(p);

	if (m->owner != eth.port) {
		pbuf_free(p);
		return;
	}
	eth.stats.rx_packets++;
	eth.stats.rx_bytes += p->tot_len;
	p->if_idx = netif_get_index(&eth.netif);	/* for IP_PKTINFO: lwIP leaves it unset */
	NETIF_SET_CHECKSUM_CTRL(&eth.netif, eth_rx_checks(m->flags));
	if (eth.netif.input(p, &eth.netif) != ERR_OK)
		pbuf_free(p);
	NETIF_SET_CHECKSUM_CTRL(&eth.netif, eth_checks());
}

void net_netif_rx_backlog(void)
{
	struct pbuf *p = rx_backlog_take();

	while (p) {
		struct pbuf *next = p->next;
		p->next = NULL;
		eth_input(p);
		p = next;
	}
}

/* The port's receive thread; owner is the port that delivered the frame.
 * The frame goes to the backlog, and in at once when the core lock is
 * free: its unlock feeds the backlog to lwIP.  When the lock is taken, its
 * holder does that, and this thread goes back to its ring, unless a ring's
 * worth already waits: then it waits for the lock too, so that a flood
 * of frames fills the device's ring and is dropped there, as before,
 * rather than the kernel's memory. */
static void eth_rx(void *owner, const void *frame, size_t len, unsigned flags)
{
	if (len < SIZEOF_ETH_HDR || len > MAX_FRAME) {
		__atomic_fetch_add(&eth.rx_malformed, 1, __ATOMIC_RELAXED);
		return;
	}
	__atomic_fetch_add(&eth.frames, 1, __ATOMIC_RELAXED);
	if (lost())
		return;
	struct pbuf *p = pbuf_alloc((pbuf_layer)RX_META_ROOM, (u16_t)len, PBUF_RAM);
	if (!p) {
		/* out of network memory: dropped, as a full NIC would */
		__atomic_fetch_add(&eth.rx_no_memory, 1, __ATOMIC_RELAXED);
		return;
	}
	memcpy(p->payload, frame, len);
	*rx_meta(p) = (struct rx_meta){ owner, flags };
	if (rx_backlog_push(p) > RX_BACKLOG_MAX) {
		__atomic_fetch_add(&eth.rx_waited, 1, __ATOMIC_RELAXED);
		LOCK_TCPIP_CORE();
	} else if (!net_core_trylock()) {
		__atomic_fetch_add(&eth.rx_left, 1, __ATOMIC_RELAXED);
		return;
	}
	UNLOCK_TCPIP_CORE();
}

/* Caller holds the core lock. */
bool net_netif_eth_stats(const struct netif *n, struct net_if_stats *out)
{
	if (!eth.created || n != &eth.netif)
		return false;
	*out = eth.stats;
	out->rx_errors += __atomic_load_n(&eth.rx_malformed, __ATOMIC_RELAXED);
	out->rx_dropped += __atomic_load_n(&eth.rx_no_memory, __ATOMIC_RELAXED);
	return true;
}

void net_netif_report(void)
{
	if (eth.created)
		printk_info("eth0: %lu received frames left for the core lock's holder, %lu waits "
			    "for it with the backlog full, %lu backlogs left to lwIP's thread\n",
			    eth.rx_left, eth.rx_waited, net_core_handoffs());
	loss_report();
}

static void eth_link_changed(void *owner, bool up)
{
	LOCK_TCPIP_CORE();
	if (owner == eth.port) {
		if (up)
			netif_set_link_up(&eth.netif);
		else
			netif_set_link_down(&eth.netif);
	}
	UNLOCK_TCPIP_CORE();
}

/* ---- the port under the netif ----------------------------------------------- */

/* Caller holds the core lock. */
static void take_port(struct net_port *port)
{
	struct netif *n = &eth.netif;

	eth.port = port;
	eth.offloads = port->features & NET_PORT_TX_CSUM ? port->features & TX_OFFLOADS : 0;
	NETIF_SET_CHECKSUM_CTRL(n, eth_checks());
	memcpy(n->hwaddr, port->mac, ETH_HWADDR_LEN);
	n->mtu = (u16_t)net_port_mtu(port);
	n->mtu6 = n->mtu;
	net_port_attach(port, port, eth_rx, eth_link_changed);
	net_claims_port_taken(port);
}

static void drop_port(struct net_port *port)
{
	net_port_attach(port, NULL, NULL, NULL);
}

void net_netif_set_port(struct net_port *port)
{
	netif_tx_flush();	/* what was sent on the old port goes there */
	if (eth.port)
		drop_port(eth.port);
	/* Down then up: lwIP announces its addresses when the link comes up
	 * (gratuitous ARP, MLD reports) and DHCP confirms its lease. */
	netif_set_link_down(&eth.netif);
	take_port(port);
	if (port->link_up)
		netif_set_link_up(&eth.netif);
}

static err_t eth_init(struct netif *n)
{
	n->name[0] = 'e';
	n->name[1] = 't';
	n->output = etharp_output;
	n->output_ip6 = ethip6_output;
	n->linkoutput = eth_linkoutput;
	n->hwaddr_len = ETH_HWADDR_LEN;
	n->flags = NETIF_FLAG_BROADCAST | NETIF_FLAG_ETHARP | NETIF_FLAG_ETHERNET |
		   NETIF_FLAG_IGMP | NETIF_FLAG_MLD6;
	take_port(n->state);
	return ERR_OK;
}

int net_netif_create(struct net_port *port)
{
	if (!netif_add(&eth.netif, IP4_ADDR_ANY4, IP4_ADDR_ANY4, IP4_ADDR_ANY4, port, eth_init,
		       ethernet_input))
		return -ENOMEM;
	eth.netif.state = NULL;
	eth.created = true;
	return 0;
}
