/* Interface requests (SIOCGIFCONF, SIOCGIFADDR, ...) from the interfaces
 * as net_ifaddrs lists them (netif_addrs.c: Linux's names), in Linux's
 * struct ifreq layout.
 *
 * The list is read under the core lock into kernel memory, and copied
 * out after: a copy to the program may fault, which must not happen with
 * the stack locked. */
#include "core/errno.h"
#include "core/format.h"
#include "core/string.h"
#include "core/uaccess.h"
#include "net/inet_internal.h"
#include "net/netif.h"

#include "lwip/netif.h"
#include "lwip/tcpip.h"

#define SIOCGIFNAME	0x8910
#define SIOCGIFCONF	0x8912
#define SIOCGIFFLAGS	0x8913
#define SIOCGIFADDR	0x8915
#define SIOCGIFBRDADDR	0x8919
#define SIOCGIFNETMASK	0x891b
#define SIOCGIFMTU	0x8921
#define SIOCGIFHWADDR	0x8927
#define SIOCGIFINDEX	0x8933
#define SIOCGIFTXQLEN	0x8942
#define TXQLEN		1000	/* Linux's default, which rtnetlink shows too */


#define IFNAMSIZ	16
#define ARPHRD_ETHER	1
#define ARPHRD_LOOPBACK	772
#define MAX_IFS		16

struct ifreq_k {
	char name[IFNAMSIZ];
	union {
		struct {
			uint16_t family;
			uint16_t port;
			uint32_t addr;
			uint8_t zero[8];
		} in;
		struct {
			uint16_t family;
			uint8_t data[14];
		} hw;
		int16_t flags;
		int32_t ivalue;		/* ifindex, mtu */
		uint8_t pad[24];
	} u;
};

struct ifconf_k {
	int32_t len;
	int32_t pad;
	uint64_t buf;
};

static const struct net_ifaddr *if_find(const struct net_ifaddr *l, int count,
					 const struct ifreq_k *r, bool by_index)
{
	for (int i = 0; i < count; i++)
		if (by_index ? l[i].index == r->u.ivalue : !strncmp(l[i].name, r->name, IFNAMSIZ))
			return &l[i];
	return NULL;
}

static void put_in(struct ifreq_k *r, const uint8_t addr[4])
{
	memset(&r->u, 0, sizeof r->u);
	r->u.in.family = AF_INET;
	memcpy(&r->u.in.addr, addr, 4);
}

static bool has_addr(const struct net_ifaddr *i)
{
	return i->addr[0] | i->addr[1] | i->addr[2] | i->addr[3];
}

static long ifconf(uint64_t arg, const struct net_ifaddr *l, int count)
{
	struct ifconf_k c;
	int n = 0;

	if (copy_from_user(&c, arg, sizeof c))
		return -EFAULT;
	for (int i = 0; i < count; i++) {
		if (!has_addr(&l[i]))
			continue;	/* Linux lists interfaces with an IPv4 address */
		if (c.buf) {
			if ((size_t)c.len < (n + 1) * sizeof(struct ifreq_k))
				break;
			struct ifreq_k r = { 0 };
			memcpy(r.name, l[i].name, IFNAMSIZ);
			put_in(&r, l[i].addr);
			if (copy_to_user(c.buf + n * sizeof r, &r, sizeof r))
				return -EFAULT;
		}
		n++;
	}
	c.len = (int32_t)(n * sizeof(struct ifreq_k));
	return copy_to_user(arg, &c, sizeof c) ? -EFAULT : 0;
}

/* Fills r's answer for cmd from i; -errno for what it has no answer to. */
static long ifreq_answer(unsigned long cmd, const struct net_ifaddr *i, struct ifreq_k *r)
{
	switch (cmd) {
	case SIOCGIFNAME:	memcpy(r->name, i->name, IFNAMSIZ); return 0;
	case SIOCGIFINDEX:	r->u.ivalue = i->index; return 0;
	case SIOCGIFFLAGS:	r->u.flags = (int16_t)i->flags; return 0;	/* Linux's IFF_ bits */
	case SIOCGIFMTU:	r->u.ivalue = (int32_t)i->mtu; return 0;
	case SIOCGIFTXQLEN:	r->u.ivalue = TXQLEN; return 0;
	case SIOCGIFADDR:
	case SIOCGIFNETMASK:
	case SIOCGIFBRDADDR:
		if (!has_addr(i))
			return -EADDRNOTAVAIL;
		put_in(r, cmd == SIOCGIFADDR ? i->addr : cmd == SIOCGIFNETMASK ? i->netmask : i->broadcast);
		return 0;
	case SIOCGIFHWADDR:
		memset(&r->u, 0, sizeof r->u);
		r->u.hw.family = i->flags & NET_IFF_LOOPBACK ? ARPHRD_LOOPBACK : ARPHRD_ETHER;
		memcpy(r->u.hw.data, i->mac, 6);
		return 0;
	default:
		return -ENOTTY;
	}
}

long inet_ifreq(unsigned long cmd, uint64_t arg)
{
	struct net_ifaddr list[MAX_IFS];
	struct ifreq_k r;

	if (cmd != SIOCGIFCONF && cmd != SIOCGIFNAME && cmd != SIOCGIFINDEX && cmd != SIOCGIFFLAGS &&
	    cmd != SIOCGIFMTU && cmd != SIOCGIFADDR && cmd != SIOCGIFNETMASK &&
	    cmd != SIOCGIFBRDADDR && cmd != SIOCGIFHWADDR && cmd != SIOCGIFTXQLEN)
		return -ENOTTY;
	int count = net_ifaddrs(list, MAX_IFS);

	count = count < MAX_IFS ? count : MAX_IFS;
	if (cmd == SIOCGIFCONF)
		return ifconf(arg, list, count);
	if (copy_from_user(&r, arg, sizeof r))
		return -EFAULT;
	r.name[IFNAMSIZ - 1] = 0;
	const struct net_ifaddr *i = if_find(list, count, &r, cmd == SIOCGIFNAME);
	if (!i)
		return -ENODEV;
	long err = ifreq_answer(cmd, i, &r);
	if (err)
		return err;
	return copy_to_user(arg, &r, sizeof r) ? -EFAULT : 0;
}

/* Whether addr is one of ours and usable as a source or to bind to: an
 * IPv6 address past its duplicate check (Linux's ipv6_chk_addr leaves out
 * tentative ones), and for IPv4 lo's whole 127/8, as on Linux.  Core lock
 * held. */
bool inet_addr_usable_locked(const ip_addr_t *addr)
{
	struct netif *n;

	if (IP_IS_V4(addr) && ip4_addr_isloopback(ip_2_ip4(addr)))
		return true;
	NETIF_FOREACH(n) {
		if (IP_IS_V4(addr) && ip4_addr_cmp(netif_ip4_addr(n), ip_2_ip4(addr)))
			return true;
		s8_t i = IP_IS_V6(addr) ? netif_get_ip6_addr_match(n, ip_2_ip6(addr)) : -1;
		if (i >= 0 && ip6_addr_isvalid(netif_ip6_addr_state(n, i)))
			return true;
	}
	return false;
}

bool inet_addr_is_local(const ip_addr_t *ip)
{
	LOCK_TCPIP_CORE();
	bool local = inet_addr_usable_locked(ip);
	UNLOCK_TCPIP_CORE();
	return local;
}
