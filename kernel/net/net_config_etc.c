/* /etc/resolv.conf and /etc/hosts as the network came up: the name servers
 * lwIP holds (the settings' or DHCP's) and the guest's own name on its
 * address, so that musl's and glibc's resolvers find both. */
#include "net/net_config.h"

#include "lwip/dns.h"
#include "lwip/netif.h"
#include "lwip/tcpip.h"

#include "core/format.h"
#include "core/kmalloc.h"
#include "net/net_config_internal.h"
#include "net/netif.h"

#define ETC_MAX 1024

/* lwIP writes IPv6 hex digits in capitals; resolv.conf readers take
 * either, people expect lower case. */
static void lower(char *s)
{
	for (; *s; s++)
		if (*s >= 'A' && *s <= 'F')
			*s = (char)(*s - 'A' + 'a');
}

char *net_config_resolv_conf(void)
{
	char *buf = kmalloc(ETC_MAX);
	size_t len = 0;

	if (!buf)
		return NULL;
	for (u8_t i = 0; i < DNS_MAX_SERVERS && net_lwip_started(); i++) {
		char addr[IPADDR_STRLEN_MAX];
		LOCK_TCPIP_CORE();
		const ip_addr_t *d = dns_getserver(i);
		bool ok = !ip_addr_isany(d) && ipaddr_ntoa_r(d, addr, sizeof addr);
		UNLOCK_TCPIP_CORE();
		if (!ok)
			continue;
		lower(addr);
		len += snprintf(buf + len, ETC_MAX - len, "nameserver %s\n", addr);
	}
	if (!len)
		snprintf(buf, ETC_MAX, "# no name server: the network has none configured\n");
	return buf;
}

/* The guest's own IPv4 address as text; Debian's 127.0.1.1 without one. */
static void own_address(char *addr, size_t size)
{
	struct netif *n = net_netif_eth();

	snprintf(addr, size, "127.0.1.1");
	if (!n)
		return;		/* no eth0 (lwIP may not have started) */
	LOCK_TCPIP_CORE();
	if (n && !ip4_addr_isany_val(*netif_ip4_addr(n)))
		ip4addr_ntoa_r(netif_ip4_addr(n), addr, (int)size);
	UNLOCK_TCPIP_CORE();
}

char *net_config_hosts(void)
{
	char *buf = kmalloc(ETC_MAX), addr[IP4ADDR_STRLEN_MAX];
	const char *name = net_config.hostname[0] ? net_config.hostname : "amphi";

	if (!buf)
		return NULL;
	own_address(addr, sizeof addr);
	snprintf(buf, ETC_MAX, "127.0.0.1\tlocalhost\n::1\t\tlocalhost ip6-localhost ip6-loopback\n%s\t%s\n",
		 addr, name);
	return buf;
}
