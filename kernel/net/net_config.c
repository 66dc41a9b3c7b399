/* The run's network settings (net.* keys from /.amphi/config) and bringing
 * the interfaces up with them.  E's `amphi run` options write the keys;
 * lib/netaddr.c parses them here exactly as the host tool checked them. */
#include "net/net_config.h"

#include "lwip/dhcp.h"
#include "lwip/dns.h"
#include "lwip/igmp.h"
#include "lwip/netif.h"
#include "lwip/tcpip.h"

#include "core/errno.h"
#include "core/mutex.h"
#include "core/page_alloc.h"
#include "core/printk.h"
#include "core/sched.h"
#include "core/string.h"
#include "core/timer.h"
#include "net/net_assigned.h"
#include "net/net_config_internal.h"
#include "net/netif_claims.h"
#include "net/netif_switch.h"
#include "net/netif.h"
#include "net/port.h"
#include "net/sys_arch_mem.h"
#include "netaddr.h"

#define DHCP_WAIT_MS	5000u
#define MEM_CAP_MAX	(256ul << 20)

struct net_config net_config;
static bool eth_assigned;	/* eth0's port imposed its addresses */

/* Signalled whenever eth0's IPv4 settings change (a lease among them), so
 * waiting for a lease costs nothing however long it takes. */
static sys_sem_t ip4_news;
NETIF_DECLARE_EXT_CALLBACK(ip4_watch)

static int set_dns(const char *value)
{
	struct net_config *c = &net_config;

	if (c->ndns == NET_CONFIG_MAX_DNS)
		return 0;	/* lwIP keeps four; the rest would go unused */
	if (!netaddr_ip4(value, c->dns[c->ndns].addr))
		c->dns[c->ndns].v6 = false;
	else if (!netaddr_ip6(value, c->dns[c->ndns].addr))
		c->dns[c->ndns].v6 = true;
	else
		return -EINVAL;
	c->ndns++;
	return 0;
}

static int parse_uint(const char **s, unsigned *out)
{
	unsigned v = 0;
	const char *p = *s;

	if (*p < '0' || *p > '9')
		return -EINVAL;
	for (; *p >= '0' && *p <= '9'; p++)
		if ((v = v * 10 + (unsigned)(*p - '0')) > 10000000)
			return -EINVAL;
	*out = v;
	*s = p;
	return 0;
}

/* "auto" or "auto:HIGH,LOW" (frames per second, HIGH > LOW). */
static int parse_switch(const char *value)
{
	struct net_config *c = &net_config;
	unsigned high = NET_SWITCH_HIGH, low = NET_SWITCH_LOW;

	if (strncmp(value, "auto", 4))
		return -EINVAL;
	value += 4;
	if (*value == ':') {
		value++;
		if (parse_uint(&value, &high) || *value++ != ',' || parse_uint(&value, &low))
			return -EINVAL;
	}
	if (*value || high <= low)
		return -EINVAL;
	c->switch_high = high;
	c->switch_low = low;
	return 0;
}

int net_config_set(const char *key, const char *value)
{
	struct net_config *c = &net_config;

	if (!strcmp(key, "net.ip"))
		return (c->have_ip = !netaddr_ip4_prefix(value, c->ip, &c->prefix)) ? 0 : -EINVAL;
	if (!strcmp(key, "net.gw"))
		return (c->have_gw = !netaddr_ip4(value, c->gw)) ? 0 : -EINVAL;
	if (!strcmp(key, "net.ip6"))
		return (c->have_ip6 = !netaddr_ip6_prefix(value, c->ip6, &c->prefix6)) ? 0 : -EINVAL;
	if (!strcmp(key, "net.dns"))
		return set_dns(value);
	if (!strcmp(key, "net.switch"))
		return parse_switch(value);
	if (!strcmp(key, "net.mac"))
		return (c->have_mac = !netaddr_mac(value, c->mac)) ? 0 : -EINVAL;
	if (!strcmp(key, "net.hostname")) {
		size_t n = strlen(value);
		if (!n || n > NET_HOSTNAME_MAX)
			return -EINVAL;
		memcpy(c->hostname, value, n + 1);
	}
	return 0;
}

/* lwIP's lo sums nothing; Linux's sums ICMP and every IPv4 header in
 * software, and a raw socket (ping) reading lo checks the sum of an echo
 * reply (whose header lwIP changes: its TTL).  TCP and UDP stay unsummed
 * on lo, as a raw socket on Linux's finds them too. */
static void lo_sums_icmp(struct netif *lo)
{
	NETIF_SET_CHECKSUM_CTRL(lo, NETIF_CHECKSUM_GEN_IP | NETIF_CHECKSUM_GEN_ICMP | NETIF_CHECKSUM_GEN_ICMP6);
}

/* lwIP makes lo before igmp_init names all-systems (224.0.0.1), so the
 * group lo's IGMP keeps first for it says 0.0.0.0: named here. */
static void lo_names_all_systems(struct netif *lo)
{
	struct igmp_group *all = netif_igmp_data(lo);

	if (all && ip4_addr_isany_val(all->group_address))
		ip4_addr_set_u32(&all->group_address, PP_HTONL(0xe0000001ul));
}

static void lo_set_up(void)
{
	struct netif *n;

	NETIF_FOREACH(n)
		if (net_netif_is_lo(n)) {
			lo_sums_icmp(n);
			lo_names_all_systems(n);
		}
}

/* Run by lwIP's thread after its start-up, with the core lock. */
static void tcpip_ready(void *sem)
{
	lo_set_up();
	sys_sem_signal(sem);
}

/* tcpip_init, waiting for its thread to run lwIP's start-up. */
/* lwIP starts with the first thing that needs it: eth0 at boot, or a
 * program's first inet socket.  A program that uses no network (most
 * runs without a NIC) does not pay for its start (a few ms under TCG). */
static struct mutex start_lock = MUTEX_INIT(start_lock);	/* serializes the start */
static bool lwip_up;		/* set once, after the start (release) */

static void start_lwip(void)
{
	sys_sem_t ready;
	size_t cap = page_free_count() * PAGE_SIZE / 4;

	net_mem_set_cap(cap < MEM_CAP_MAX ? cap : MEM_CAP_MAX);
	if (sys_sem_new(&ready, 0) != ERR_OK)
		panic("net: out of memory at start-up");
	tcpip_init(tcpip_ready, &ready);
	sys_arch_sem_wait(&ready, 0);
	sys_sem_free(&ready);
	net_core_start_checking();
}

static void ip4_from(ip4_addr_t *a, const uint8_t b[4])
{
	IP4_ADDR(a, b[0], b[1], b[2], b[3]);
}

static void mask_from(ip4_addr_t *a, unsigned prefix)
{
	uint32_t m = prefix ? ~0u << (32 - prefix) : 0;
	ip4_addr_set_u32(a, lwip_htonl(m));
}

/* Caller holds the core lock. */
static void set_dns_servers(void)
{
	for (int i = 0; i < net_config.ndns; i++) {
		ip_addr_t a;
		if (net_config.dns[i].v6) {
			IP_SET_TYPE_VAL(a, IPADDR_TYPE_V6);
			memcpy(ip_2_ip6(&a)->addr, net_config.dns[i].addr, 16);
			ip6_addr_clear_zone(ip_2_ip6(&a));
		} else {
			IP_SET_TYPE_VAL(a, IPADDR_TYPE_V4);
			ip4_from(ip_2_ip4(&a), net_config.dns[i].addr);
		}
		dns_setserver((u8_t)i, &a);
	}
}

/* Caller holds the core lock.  lwIP treats a static address's /64 as
 * on-link; other prefix lengths are taken as /64 too. */
static void add_static_ip6(struct netif *n)
{
	ip6_addr_t a;
	s8_t idx;

	memcpy(a.addr, net_config.ip6, 16);
	ip6_addr_clear_zone(&a);
	if (netif_add_ip6_address(n, &a, &idx) != ERR_OK)
		printk("net: eth0: could not add the static IPv6 address\n");
}

/* lwIP's, under the core lock in whatever thread changed the netif. */
static void on_netif_change(struct netif *n, netif_nsc_reason_t reason,
			    const netif_ext_callback_args_t *args)
{
	(void)args;
	if (n == net_netif_eth() &&
	    (reason & (LWIP_NSC_IPV4_ADDRESS_CHANGED | LWIP_NSC_IPV4_SETTINGS_CHANGED)))
		sys_sem_signal(&ip4_news);
}

/* Caller holds the core lock. */
static int watch_ip4(void)
{
	if (sys_sem_new(&ip4_news, 0) != ERR_OK)
		return -ENOMEM;
	netif_add_ext_callback(&ip4_watch, on_netif_change);
	return 0;
}

/* Caller holds the core lock.  With `assigned`, the port imposes the
 * addresses (the network server's shared address). */
static int configure_eth(struct net_port *port, const struct net_port_addrs *assigned)
{
	int err = watch_ip4();

	net_claims_watch();
	if (!err)
		err = net_netif_create(port);
	if (err)
		return err;
	struct netif *n = net_netif_eth();
	if (net_config.hostname[0])
		netif_set_hostname(n, net_config.hostname);
	if (assigned) {
		net_assigned_apply(n, assigned);
		netif_set_default(n);
		netif_set_up(n);
		if (port->link_up)
			netif_set_link_up(n);
		net_assigned_started(n);
		return 0;
	}
	netif_create_ip6_linklocal_address(n, 1);
	netif_set_ip6_autoconfig_enabled(n, 1);
	if (net_config.have_ip6)
		add_static_ip6(n);
	if (net_config.have_ip) {
		ip4_addr_t ip, mask, gw;
		ip4_from(&ip, net_config.ip);
		mask_from(&mask, net_config.prefix);
		if (net_config.have_gw)
			ip4_from(&gw, net_config.gw);
		else
			ip4_addr_set_zero(&gw);
		netif_set_addr(n, &ip, &mask, &gw);
	}
	netif_set_default(n);
	netif_set_up(n);
	if (port->link_up)
		netif_set_link_up(n);
	if (!net_config.have_ip && dhcp_start(n) != ERR_OK)
		return -ENOMEM;
	return 0;
}

static bool has_lease(struct netif *n)
{
	LOCK_TCPIP_CORE();
	bool bound = dhcp_supplied_address(n);
	UNLOCK_TCPIP_CORE();
	return bound;
}

/* Until there is a lease, or timeout_ms have passed (0: no limit). */
static int wait_for_lease(struct netif *n, uint32_t timeout_ms)
{
	uint64_t end = clock_ns() + timeout_ms * 1000000ull;

	while (!has_lease(n)) {
		uint64_t now = clock_ns();
		if (timeout_ms && now >= end)
			return -ETIMEDOUT;
		uint32_t left_ms = timeout_ms ? (uint32_t)((end - now + 999999) / 1000000) : 0;
		sys_arch_sem_wait(&ip4_news, left_ms);
	}
	return 0;
}

/* "net: eth0 MAC 52:54:00:12:34:56 10.0.2.15/24 gw 10.0.2.2 dns 10.0.2.3 (dhcp)" */
static void log_config(struct netif *n)
{
	char ip[IP4ADDR_STRLEN_MAX], gw[IP4ADDR_STRLEN_MAX], dns[IPADDR_STRLEN_MAX] = "none";
	const uint8_t *m = n->hwaddr;

	LOCK_TCPIP_CORE();
	ip4addr_ntoa_r(netif_ip4_addr(n), ip, sizeof ip);
	ip4addr_ntoa_r(netif_ip4_gw(n), gw, sizeof gw);
	const ip_addr_t *d = dns_getserver(0);
	if (!ip_addr_isany(d))
		ipaddr_ntoa_r(d, dns, sizeof dns);
	unsigned prefix = 0;
	for (uint32_t m = lwip_ntohl(ip4_addr_get_u32(netif_ip4_netmask(n))); m & 0x80000000u; m <<= 1)
		prefix++;
	UNLOCK_TCPIP_CORE();
	printk_info("net: eth0 MAC %02x:%02x:%02x:%02x:%02x:%02x %s/%u gw %s dns %s (%s)\n", m[0], m[1],
		    m[2], m[3], m[4], m[5], ip, prefix, gw, dns,
		    eth_assigned ? "assigned" : net_config.have_ip ? "static" : "dhcp");
}

/* The port's own addresses, if it imposes them: NULL when the netif
 * configures itself. */
static const struct net_port_addrs *port_addresses(struct net_port *port,
						   struct net_port_addrs *a)
{
	if (!port->ops->addresses)
		return NULL;
	int err = port->ops->addresses(port, a);
	if (err == -ENOENT)
		return NULL;
	if (err) {
		printk("net: %s gave no addresses (%d): eth0 has none\n", port->name, err);
		memset(a, 0, sizeof *a);
	}
	return a;
}

void net_config_addresses_changed(struct net_port *port)
{
	struct net_port_addrs a;

	if (!eth_assigned || port->ops->addresses(port, &a))
		return;
	LOCK_TCPIP_CORE();
	if (net_netif_port() == port)
		net_assigned_apply(net_netif_eth(), &a);
	UNLOCK_TCPIP_CORE();
	log_config(net_netif_eth());
}

bool net_lwip_started(void)
{
	return __atomic_load_n(&lwip_up, __ATOMIC_ACQUIRE);
}

void net_lwip_start(void)
{
	if (net_lwip_started())
		return;
	mutex_lock(&start_lock);
	if (!lwip_up) {
		start_lwip();	/* lo comes up in lwIP's own start-up */
		__atomic_store_n(&lwip_up, true, __ATOMIC_RELEASE);	/* after lwIP is whole */
	}
	mutex_unlock(&start_lock);
}

int net_start(struct net_port *port)
{
	struct net_port_addrs addrs;
	const struct net_port_addrs *assigned;
	int err = 0;

	if (!port)
		return 0;	/* lwIP waits for a program's first inet socket */
	port = net_switch_home(port);
	net_lwip_start();
	if (net_config.have_mac)
		memcpy(port->mac, net_config.mac, 6);
	assigned = port_addresses(port, &addrs);
	eth_assigned = assigned;
	LOCK_TCPIP_CORE();
	err = configure_eth(port, assigned);
	UNLOCK_TCPIP_CORE();
	if (err) {
		printk("net: eth0: out of memory\n");
		return 0;
	}
	net_switch_adopt();
	if (net_config.switch_high)
		net_switch_policy_start(net_config.switch_high, net_config.switch_low);
	if (!net_config.have_ip && !assigned)
		err = wait_for_lease(net_netif_eth(), DHCP_WAIT_MS);
	/* Servers from the settings win over DHCP's (set after the lease). */
	LOCK_TCPIP_CORE();
	set_dns_servers();
	UNLOCK_TCPIP_CORE();
	log_config(net_netif_eth());
	return err;
}

void net_wait_late_lease(void)
{
	wait_for_lease(net_netif_eth(), 0);	/* net_start's watch is still on */
	LOCK_TCPIP_CORE();
	set_dns_servers();
	UNLOCK_TCPIP_CORE();
	log_config(net_netif_eth());
}
