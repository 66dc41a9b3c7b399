/* Ports: what moves Ethernet frames for a network interface.
 *
 * The netif (lwIP, addresses, sockets) sits on a port and knows nothing
 * else about it: today a NIC driver (virtio-net), later the network-server
 * link.  Swapping the port under a live netif is how an app changes mode, so
 * nothing above this interface may keep pointers into a port's buffers.
 *
 * Frames cross the interface by copy, whole Ethernet frames without FCS. */
#ifndef AMPHI_NET_PORT_H
#define AMPHI_NET_PORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct net_port;

/* One piece of a frame to send (a frame may be scattered, as a pbuf chain). */
struct net_seg {
	const void *data;
	size_t len;
};

/* Work the sender leaves to the port.
 *
 * Checksum (NET_PORT_TX_CSUM): the 16-bit sum over [start, end of frame)
 * is stored at start + offset, the field already holding the
 * pseudo-header sum.
 *
 * Segmentation (NET_PORT_TX_TSO4/6): a TCP frame longer than the MTU,
 * whose headers (hdr_len bytes) the port repeats in front of each
 * gso_size bytes of payload, adjusting lengths, sequence numbers, IPv4
 * IDs and checksums, with PSH and FIN on the last segment only.  Its
 * checksum is always left to the port. */
enum net_gso_type { NET_GSO_NONE, NET_GSO_TCP4, NET_GSO_TCP6 };
struct net_tx_offload {
	uint16_t start, offset;	/* start == 0: nothing to do */
	uint16_t gso_size;	/* 0: send the frame as it is */
	uint16_t hdr_len;
	enum net_gso_type gso_type;
};

/* Addresses a port gives its netif instead of the netif finding its own:
 * the network server's shared address (docs/netserver.md). */
#define NET_PORT_MAX_IP6	4
#define NET_PORT_MAX_DNS	2
struct net_port_addrs {
	bool have_ip4, have_gw4;
	uint8_t ip4[4], gw4[4], prefix4;
	int nip6;
	struct { uint8_t addr[16]; uint8_t prefix; } ip6[NET_PORT_MAX_IP6];
	int ndns;
	struct { uint8_t addr[16]; bool v6; } dns[NET_PORT_MAX_DNS];
	uint16_t port_lo, port_hi;	/* the ephemeral ports this netif may use */
};

/* Something the netif says it owns, for ports where others share the
 * network's addresses or ports. */
enum net_claim_kind { NET_CLAIM_TCP, NET_CLAIM_UDP, NET_CLAIM_MAC, NET_CLAIM_IP4, NET_CLAIM_IP6 };
struct net_claim {
	enum net_claim_kind kind;
	uint16_t port;		/* TCP, UDP */
	uint8_t addr[16];	/* MAC (6 bytes), IP4 (4), IP6 */
};

/* What a NIC's receive thread and transmit path counted: frames, passes
 * over the ring, wake-ups of the thread, and the interrupts that woke it
 * (few under load, where passes keep finding frames); frames sent, those
 * the device was to segment, and those dropped because the ring stayed
 * full (dev/tx_room.h). */
struct net_port_counts {
	uint64_t rx_frames, rx_passes, rx_wakeups, rx_interrupts;
	uint64_t tx_frames, tx_segmented, tx_dropped;
};

struct net_port_ops {
	/* Queues one frame; 0, or -ENOBUFS when the port's queue is full
	 * (the frame is dropped, as a full NIC would) or -EIO when the port is
	 * broken.  May be called from any thread, not from interrupt context. */
	int (*transmit)(struct net_port *port, const struct net_seg *segs, int nsegs,
			const struct net_tx_offload *csum);

	/* The rest is optional.  transmit_in_place: transmit, but the
	 * pieces after the first (which the port copies) are sent from where
	 * they are, in the kernel's direct map, rather than copied; the port
	 * calls done(ctx) once the device has read them: perhaps at once, in
	 * any thread, under the port's own spinlock with interrupts off, so
	 * done only frees.  On an error done is not called.  For bulk data,
	 * whose second copy costs a sender's CPU as much as its first. */
	int (*transmit_in_place)(struct net_port *port, const struct net_seg *segs, int nsegs,
				 const struct net_tx_offload *o, void (*done)(void *ctx), void *ctx);
	/* addresses: fills *a when the port imposes
	 * the netif's addresses (and its MAC, in port->mac), waiting for them
	 * if need be; -ENOENT when the netif is to configure itself.  May
	 * sleep. */
	int (*addresses)(struct net_port *port, struct net_port_addrs *a);
	/* claim: 0 when the netif may use the port or address, -EADDRINUSE
	 * when another owns it, -EACCES when it may not be had here.  With
	 * wait false it only announces the claim (0 at once, the answer is
	 * logged) and may be called under the core lock; with wait true it
	 * sleeps for the answer.  Claims of a TCP or UDP port nest, release
	 * undoes one; a MAC or an address is held once however often it is
	 * claimed, and one release lets it go. */
	int (*claim)(struct net_port *port, const struct net_claim *c, bool wait);
	void (*release)(struct net_port *port, const struct net_claim *c);
	/* set_direct: the netif moved onto a NIC of its own (true) or came
	 * back (false); 0, or -EPERM when it may not leave this port (an app
	 * on the network server's shared address).  Core lock held. */
	int (*set_direct)(struct net_port *port, bool direct);
	/* request_direct: asks whoever can give a NIC for one (true), or to
	 * take it back (false); the answer is a NIC arriving or leaving, or
	 * nothing.  Any thread. */
	void (*request_direct)(struct net_port *port, bool direct);
	/* counts: what the port has done so far (-v prints it when the
	 * program ends).  Any thread; the numbers may be a moment old. */
	void (*counts)(struct net_port *port, struct net_port_counts *c);
};

/* What the port can do for the sender. */
#define NET_PORT_TX_CSUM	0x1	/* fills TCP/UDP checksums (net_tx_offload) */
#define NET_PORT_TX_TSO4	0x2	/* cuts large TCP/IPv4 frames (needs TX_CSUM) */
#define NET_PORT_TX_TSO6	0x4	/* and TCP/IPv6 ones */

/* Flags on a received frame. */
#define NET_RX_CSUM_VALID	0x1	/* the port checked the L4 checksum */

struct net_port {
	const char *name;		/* "virtio-net0" */
	uint8_t mac[6];
	uint16_t mtu;			/* of the IP payload; 0: 1500 (net_port_mtu) */
	unsigned features;		/* NET_PORT_* */
	volatile bool link_up;
	const struct net_port_ops *ops;
	void *driver;			/* the driver's own state */

	/* Set by the netif sitting on the port (net_port_attach).  rx runs in
	 * a thread (never in interrupt context), may sleep, and copies the
	 * frame: the buffer is the port's again when it returns. */
	void *owner;
	void (*rx)(void *owner, const void *frame, size_t len, unsigned flags);
	void (*link_changed)(void *owner, bool up);
};

/* Drivers announce their ports once the device works, and take them back
 * before the device goes (hot-unplug): when net_port_unregister returns,
 * the netif no longer uses the port and never calls its transmit again. */
void net_port_register(struct net_port *port);
void net_port_unregister(struct net_port *port);
/* Prints each port's counts (printk_info), as the run ends. */
void net_ports_report(void);
/* The first port registered, or NULL (no NIC). */
struct net_port *net_port_first(void);
/* The ports registered now, at most max of them, in order; how many. */
int net_port_list(struct net_port **out, int max);

/* Who takes the port's frames and link changes (the netif, or the network
 * server's switch); NULL functions detach. */
void net_port_attach(struct net_port *port, void *owner,
		     void (*rx)(void *owner, const void *frame, size_t len, unsigned flags),
		     void (*link_changed)(void *owner, bool up));

/* Called by the driver when a frame came in / the link changed; hands them
 * to the netif, if one is attached. */
void net_port_deliver(struct net_port *port, const void *frame, size_t len, unsigned flags);
void net_port_set_link(struct net_port *port, bool up);
/* A port that imposes its netif's addresses has new ones (the network
 * server's changed): the netif takes them again.  Thread context. */
void net_port_addresses_changed(struct net_port *port);

/* The largest IP packet port carries. */
static inline unsigned net_port_mtu(const struct net_port *port)
{
	return port->mtu ? port->mtu : 1500;
}

#endif
