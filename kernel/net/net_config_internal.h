/* What net_config.c parsed, for net_config_etc.c. */
#ifndef AMPHI_NET_NET_CONFIG_INTERNAL_H
#define AMPHI_NET_NET_CONFIG_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#define NET_CONFIG_MAX_DNS	4	/* DNS_MAX_SERVERS */
#define NET_HOSTNAME_MAX	64
/* The switching policy's defaults, frames per second (docs/netserver.md). */
#define NET_SWITCH_HIGH		2000
#define NET_SWITCH_LOW		200

struct net_config {
	bool have_ip, have_gw, have_ip6, have_mac;
	uint8_t ip[4], gw[4], ip6[16], mac[6];
	unsigned prefix, prefix6;
	int ndns;
	struct {
		bool v6;
		uint8_t addr[16];
	} dns[NET_CONFIG_MAX_DNS];
	char hostname[NET_HOSTNAME_MAX + 1];	/* "" when not set */
	unsigned switch_high, switch_low;	/* net.switch=auto:HIGH,LOW; 0: no policy */
};

extern struct net_config net_config;

#endif
