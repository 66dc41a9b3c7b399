/* The network interfaces: lo (lwIP's loopback) and eth0, an lwIP netif
 * sitting on a port (net/port.h).  The netif holds the addresses; the port
 * only moves frames, and can be replaced under a live netif. */
#ifndef AMPHI_NET_NETIF_H
#define AMPHI_NET_NETIF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct net_port;
struct netif;

/* Creates eth0 on port (tcpip_init done; caller holds the core lock):
 * MAC, MTU and checksum work from the port; not yet up.  0 or -ENOMEM. */
int net_netif_create(struct net_port *port);
/* eth0, or NULL when there is none (no NIC). */
struct netif *net_netif_eth(void);
/* The port under eth0, or NULL.  Caller holds the core lock. */
struct net_port *net_netif_port(void);
/* Frames eth0 has sent and received so far, on whatever port. */
uint64_t net_netif_frames(void);
/* Whether TCP segments longer than an MSS that leave through n (IPv6 or
 * IPv4) are cut by its port: eth0's, when the port segments.  Caller
 * holds the core lock. */
bool net_netif_cuts_tcp(const struct netif *n, bool v6);
/* Reads amphi.net_loss=N from the kernel command line: eth0 then loses
 * about one frame in N each way. */
void net_loss_init(const char *cmdline);
/* Prints (-v) how often received frames found the core lock taken, and
 * the frames lost on request. */
void net_netif_report(void);
/* Moves eth0 onto another port, keeping its addresses and every
 * connection; announces the address (gratuitous ARP, MLD reports) on the
 * new port.  Caller holds the core lock. */
void net_netif_set_port(struct net_port *port);
/* Feeds eth0 the frames that came while the core lock was taken
 * (net/rx_backlog.c).  Caller holds the core lock. */
void net_netif_rx_backlog(void);

/* eth0's usable addresses and name servers (none without eth0), for a
 * network server to hand its apps. */
struct net_port_addrs;
void net_eth_addresses(struct net_port_addrs *a);
/* fn runs (core lock held, in lwIP's thread of the moment) whenever
 * eth0's addresses change.  One watcher. */
void net_eth_watch(void (*fn)(void));

/* Linux's interface flags (SIOCGIFFLAGS). */
#define NET_IFF_UP		0x1
#define NET_IFF_BROADCAST	0x2
#define NET_IFF_LOOPBACK	0x8
#define NET_IFF_RUNNING		0x40
#define NET_IFF_MULTICAST	0x1000

/* An interface's traffic since it came up, as Linux's rtnl_link_stats64
 * counts it (/proc/net/dev, IFLA_STATS64): frames handed to the device or
 * taken from it, their bytes (Ethernet header included, no FCS), frames
 * refused as malformed (errors) and frames lost for want of room (drops). */
struct net_if_stats {
	uint64_t rx_packets, rx_bytes, rx_errors, rx_dropped;
	uint64_t tx_packets, tx_bytes, tx_errors, tx_dropped;
};

#define NET_IF_MAX_IP6		4	/* lwIP's addresses per interface */
#define NET_LIFE_FOREVER	0xffffffffu

/* One IPv6 address of an interface. */
struct net_if_ip6 {
	uint8_t addr[16];
	uint8_t prefix;
	bool tentative;			/* duplicate detection still running */
	bool dad_failed;		/* it found another host using the address */
	bool autoconf;			/* from a router's advertisement */
	uint32_t valid_life, pref_life;	/* seconds left; NET_LIFE_FOREVER */
};

/* Linux's IFA_F_ flags of an IPv6 address, as rtnetlink's IFA_FLAGS and
 * /proc/net/if_inet6 give them: one that failed duplicate detection
 * stays, tentative and marked; one from a router's prefix is not
 * permanent. */
#define NET_IFA_F_DADFAILED	0x08
#define NET_IFA_F_TENTATIVE	0x40
#define NET_IFA_F_PERMANENT	0x80

static inline unsigned net_ip6_ifa_flags(const struct net_if_ip6 *a)
{
	return (a->dad_failed ? NET_IFA_F_DADFAILED | NET_IFA_F_TENTATIVE : 0) |
	       (a->tentative ? NET_IFA_F_TENTATIVE : 0) | (a->autoconf ? 0 : NET_IFA_F_PERMANENT);
}

/* One interface as ioctl(SIOCGIFCONF/SIOCGIFADDR/...) and rtnetlink
 * report it. */
struct net_ifaddr {
	char name[16];			/* "lo", "eth0" */
	int index;			/* 1, 2... */
	unsigned flags;			/* NET_IFF_* */
	unsigned mtu;
	uint8_t mac[6];			/* zeros for lo */
	uint8_t addr[4], netmask[4], broadcast[4];	/* network order; zeros: none */
	uint8_t gateway[4];		/* network order; zeros: none */
	uint8_t gateway6[16];		/* IPv6 default router lwIP learned through it; zeros: none */
	bool dhcp;			/* addr came from a DHCP server */
	int nip6;
	struct net_if_ip6 ip6[NET_IF_MAX_IP6];
	struct net_if_stats stats;
};

/* Fills out[0..max) with the interfaces, lo first; returns how many there
 * are (may be more than max).  Takes the core lock itself. */
int net_ifaddrs(struct net_ifaddr *out, int max);

/* The interface of that index in ifs[0..n), or NULL. */
static inline const struct net_ifaddr *net_ifaddr_find(const struct net_ifaddr *ifs, int n, int index)
{
	for (int k = 0; k < n; k++)
		if (ifs[k].index == index)
			return &ifs[k];
	return NULL;
}
/* The same for n alone, from a caller holding the core lock (lwIP's
 * netif callbacks). */
void net_ifaddr_locked(struct netif *n, struct net_ifaddr *out);

/* One interface's membership of a multicast group, as /proc/net/igmp
 * and igmp6 show it. */
struct net_mcast_group {
	int index;			/* the interface's */
	bool v6;
	uint8_t addr[16];		/* network order; IPv4: the first 4 */
	int users;			/* sockets (and the kernel) that joined it */
	unsigned timer_cs;		/* until the next report, in 1/100 s; 0: none pending */
	bool last_reporter;		/* IPv4: ours was the last report heard */
	unsigned flags6;		/* IPv6: Linux's MAF_* flags */
};

/* Fills out[0..max) with every interface's groups, IPv4's then IPv6's
 * for each, newest first; returns how many there are (may be more than
 * max).  Takes the core lock itself (netif_mcast.c). */
int net_mcast_groups(struct net_mcast_group *out, int max);

/* Whether n is lwIP's loopback interface, lo (netif_addrs.c). */
bool net_netif_is_lo(const struct netif *n);

/* n's counters (zeros for a netif not ours).  Caller holds the core lock,
 * under which every counter moves (netif.c, netif_stats.c).  The same
 * counters serve /proc/net/dev and rtnetlink's IFLA_STATS64. */
void net_netif_stats(struct netif *n, struct net_if_stats *out);

#endif
