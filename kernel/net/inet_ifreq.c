/* Interface requests (SIOCGIFCONF, SIOCGIFADDR, ...) from lwIP's netif
 * list, in Linux's struct ifreq layout.  Names as Linux would give them:
 * the loopback is "lo", an Ethernet netif "eth" and its number.
 *
 * The list is read under the core lock into kernel memory, and copied
 * out after: a copy to the program may fault, which must not happen with
 * the stack locked. */
#include "core/errno.h"
#include "core/format.h"
#include "core/string.h"
#include "core/uaccess.h"
#include "net/inet_internal.h"

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

#define IFF_UP		0x1
#define IFF_BROADCAST	0x2
#define IFF_LOOPBACK	0x8
#define IFF_RUNNING	0x40
#define IFF_MULTICAST	0x1000

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

/* What we report of one netif. */
struct if_info {
	char name[IFNAMSIZ];
	int index, mtu;
	int16_t flags;
	uint32_t addr, mask, bcast;	/* network order */
	bool loopback;
	uint8_t mac[6];
};

static void if_read(struct netif *n, struct if_info *i)
{
	i->loopback = n->name[0] == 'l' && n->name[1] == 'o';
	if (i->loopback)
		memcpy(i->name, "lo", 3);
	else
		snprintf(i->name, IFNAMSIZ, "eth%u", (unsigned)n->num);
	i->index = netif_get_index(n);
	i->mtu = n->mtu;
	i->addr = ip4_addr_get_u32(netif_ip4_addr(n));
	i->mask = ip4_addr_get_u32(netif_ip4_netmask(n));
	i->bcast = i->addr | ~i->mask;
	i->flags = (int16_t)((netif_is_up(n) ? IFF_UP : 0) |
			     (netif_is_link_up(n) ? IFF_RUNNING : 0) |
			     (i->loopback ? IFF_LOOPBACK : 0) |
			     (n->flags & NETIF_FLAG_BROADCAST ? IFF_BROADCAST : 0) |
			     (n->flags & (NETIF_FLAG_IGMP | NETIF_FLAG_MLD6) ? IFF_MULTICAST : 0));
	memcpy(i->mac, n->hwaddr, n->hwaddr_len < 6 ? n->hwaddr_len : 6);
}

/* Up to max interfaces, in lwIP's order; how many. */
static int if_list(struct if_info *out, int max)
{
	struct netif *n;
	int count = 0;

	LOCK_TCPIP_CORE();
	NETIF_FOREACH(n) {
		if (count == max)
			break;
		if_read(n, &out[count++]);
	}
	UNLOCK_TCPIP_CORE();
	return count;
}

static const struct if_info *if_find(const struct if_info *l, int count, const struct ifreq_k *r,
				     bool by_index)
{
	for (int i = 0; i < count; i++)
		if (by_index ? l[i].index == r->u.ivalue : !strncmp(l[i].name, r->name, IFNAMSIZ))
			return &l[i];
	return NULL;
}

static void put_in(struct ifreq_k *r, uint32_t addr)
{
	memset(&r->u, 0, sizeof r->u);
	r->u.in.family = AF_INET;
	r->u.in.addr = addr;
}

static long ifconf(uint64_t arg, const struct if_info *l, int count)
{
	struct ifconf_k c;
	int n = 0;

	if (copy_from_user(&c, arg, sizeof c))
		return -EFAULT;
	for (int i = 0; i < count; i++) {
		if (!l[i].addr)
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
static long ifreq_answer(unsigned long cmd, const struct if_info *i, struct ifreq_k *r)
{
	switch (cmd) {
	case SIOCGIFNAME:	memcpy(r->name, i->name, IFNAMSIZ); return 0;
	case SIOCGIFINDEX:	r->u.ivalue = i->index; return 0;
	case SIOCGIFFLAGS:	r->u.flags = i->flags; return 0;
	case SIOCGIFMTU:	r->u.ivalue = i->mtu; return 0;
	case SIOCGIFADDR:
	case SIOCGIFNETMASK:
	case SIOCGIFBRDADDR:
		if (!i->addr)
			return -EADDRNOTAVAIL;
		put_in(r, cmd == SIOCGIFADDR ? i->addr : cmd == SIOCGIFNETMASK ? i->mask : i->bcast);
		return 0;
	case SIOCGIFHWADDR:
		memset(&r->u, 0, sizeof r->u);
		r->u.hw.family = i->loopback ? ARPHRD_LOOPBACK : ARPHRD_ETHER;
		memcpy(r->u.hw.data, i->mac, 6);
		return 0;
	default:
		return -ENOTTY;
	}
}

long inet_ifreq(unsigned long cmd, uint64_t arg)
{
	struct if_info list[MAX_IFS];
	struct ifreq_k r;

	if (cmd != SIOCGIFCONF && cmd != SIOCGIFNAME && cmd != SIOCGIFINDEX && cmd != SIOCGIFFLAGS &&
	    cmd != SIOCGIFMTU && cmd != SIOCGIFADDR && cmd != SIOCGIFNETMASK &&
	    cmd != SIOCGIFBRDADDR && cmd != SIOCGIFHWADDR)
		return -ENOTTY;
	int count = if_list(list, MAX_IFS);
	if (cmd == SIOCGIFCONF)
		return ifconf(arg, list, count);
	if (copy_from_user(&r, arg, sizeof r))
		return -EFAULT;
	r.name[IFNAMSIZ - 1] = 0;
	const struct if_info *i = if_find(list, count, &r, cmd == SIOCGIFNAME);
	if (!i)
		return -ENODEV;
	long err = ifreq_answer(cmd, i, &r);
	if (err)
		return err;
	return copy_to_user(arg, &r, sizeof r) ? -EFAULT : 0;
}

/* Whether ip is one of our addresses (bind's EADDRNOTAVAIL check; lwIP's
 * tcp_bind takes any address). */
bool inet_addr_is_local(const ip_addr_t *ip)
{
	struct netif *n;
	bool found = false;

	LOCK_TCPIP_CORE();
	NETIF_FOREACH(n) {
		if (IP_IS_V4(ip) && ip4_addr_cmp(netif_ip4_addr(n), ip_2_ip4(ip)))
			found = true;
		if (IP_IS_V6(ip) && netif_get_ip6_addr_match(n, ip_2_ip6(ip)) >= 0)
			found = true;
	}
	UNLOCK_TCPIP_CORE();
	return found;
}
