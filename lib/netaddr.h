/* Network addresses and port forwards as a user types them: dotted IPv4,
 * IPv6 (with "::" and a dotted tail), ADDR/PREFIX, port numbers and
 * `amphi run -p` forwards.  The grammar is inet_pton's, so what the host
 * tool accepts the guest can parse again.  Freestanding: every function
 * returns 0 or -EINVAL (-22) and writes its output only on success. */
#ifndef AMPHI_LIB_NETADDR_H
#define AMPHI_LIB_NETADDR_H

#include <stdint.h>

/* "10.0.2.15": four decimal numbers 0..255, no leading zeros. */
int netaddr_ip4(const char *s, uint8_t out[4]);

/* "fd00::2", "::ffff:10.0.0.1": network byte order. */
int netaddr_ip6(const char *s, uint8_t out[16]);

/* "ADDR/PREFIX": prefix 0..32 (IPv4) or 0..128 (IPv6); the slash is
 * required.  out holds 4 or 16 bytes. */
int netaddr_ip4_prefix(const char *s, uint8_t out[4], unsigned *prefix);
int netaddr_ip6_prefix(const char *s, uint8_t out[16], unsigned *prefix);

/* "52:54:00:12:34:56": six two-digit hex bytes (either case), colons. */
int netaddr_mac(const char *s, uint8_t out[6]);

/* "8080": 1..65535, decimal, no sign or leading zero. */
int netaddr_port(const char *s, uint16_t *port);

/* One `-p [HOSTADDR:]HOSTPORT:GUESTPORT[/tcp|/udp]`.  HOSTADDR is IPv4
 * (QEMU's user networking listens on IPv4 only); absent, 127.0.0.1, so a
 * forward is not open to the whole network unless asked for. */
struct net_forward {
	uint8_t host_addr[4];
	uint16_t host_port, guest_port;
	int udp;			/* 0: tcp */
};
int netaddr_forward(const char *s, struct net_forward *f);

#endif
