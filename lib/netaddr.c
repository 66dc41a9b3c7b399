/* Address and forward parsing (netaddr.h).  Everything works on a span
 * [s, s + n) so that parts of one string (the address before a slash, the
 * fields between colons) need no copies.  Freestanding. */
#include "netaddr.h"
#include "libc_min.h"

#define EINVAL_ (-LIB_EINVAL)

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static int hex_value(char c)
{
	if (is_digit(c))
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Index of the first c in the span, or n. */
static size_t find(const char *s, size_t n, char c)
{
	size_t i = 0;

	while (i < n && s[i] != c)
		i++;
	return i;
}

/* A decimal number without sign or leading zero, at most max. */
static int decimal(const char *s, size_t n, unsigned long max, unsigned long *v)
{
	unsigned long x = 0;

	if (n == 0 || (n > 1 && s[0] == '0'))
		return EINVAL_;
	for (size_t i = 0; i < n; i++) {
		if (!is_digit(s[i]))
			return EINVAL_;
		x = x * 10 + (unsigned long)(s[i] - '0');
		if (x > max)
			return EINVAL_;
	}
	*v = x;
	return 0;
}

static int ip4_span(const char *s, size_t n, uint8_t out[4])
{
	uint8_t a[4];
	size_t pos = 0;

	for (int i = 0; i < 4; i++) {
		size_t len = find(s + pos, n - pos, '.');
		unsigned long v;
		if ((i < 3) != (pos + len < n))	/* three dots, the last octet ends it */
			return EINVAL_;
		if (decimal(s + pos, len, 255, &v) < 0)
			return EINVAL_;
		a[i] = (uint8_t)v;
		pos += len + 1;
	}
	memcpy(out, a, 4);
	return 0;
}

/* The groups of one side of "::" (or of a whole address without it):
 * 1..4 hex digits each, separated by single colons; where v4_tail is set
 * the last field may be dotted IPv4, counting as two groups.  Returns the
 * number of groups (at most max), or -EINVAL. */
static int groups(const char *s, size_t n, int v4_tail, uint16_t *g, int max)
{
	int count = 0;
	size_t pos = 0;

	if (n == 0)
		return 0;
	for (;;) {
		size_t len = find(s + pos, n - pos, ':');
		int last = pos + len == n;
		if (last && v4_tail && find(s + pos, len, '.') < len) {
			uint8_t b[4];
			if (count + 2 > max || ip4_span(s + pos, len, b) < 0)
				return EINVAL_;
			g[count++] = (uint16_t)(b[0] << 8 | b[1]);
			g[count++] = (uint16_t)(b[2] << 8 | b[3]);
			return count;
		}
		if (len == 0 || len > 4 || count == max)
			return EINVAL_;
		uint16_t v = 0;
		for (size_t i = 0; i < len; i++) {
			int h = hex_value(s[pos + i]);
			if (h < 0)
				return EINVAL_;
			v = (uint16_t)(v << 4 | h);
		}
		g[count++] = v;
		if (last)
			return count;
		pos += len + 1;
	}
}

/* Where "::" starts in the span, or n. */
static size_t double_colon(const char *s, size_t n)
{
	for (size_t i = 0; i + 1 < n; i++)
		if (s[i] == ':' && s[i + 1] == ':')
			return i;
	return n;
}

static void groups_store(const uint16_t *g, int count, uint8_t *out)
{
	for (int i = 0; i < count; i++) {
		out[2 * i] = (uint8_t)(g[i] >> 8);
		out[2 * i + 1] = (uint8_t)g[i];
	}
}

/* Without "::" the address has exactly eight groups; with it, the two
 * sides together have at most seven ("::" stands for one zero group or
 * more), and a second "::" makes a side start or end with a colon. */
static int ip6_span(const char *s, size_t n, uint8_t out[16])
{
	uint16_t head[8], tail[8];
	uint8_t a[16] = { 0 };
	size_t dc = double_colon(s, n);

	if (dc == n) {
		if (groups(s, n, 1, head, 8) != 8)
			return EINVAL_;
		groups_store(head, 8, a);
	} else {
		int nh = groups(s, dc, 0, head, 7);
		int nt = groups(s + dc + 2, n - dc - 2, 1, tail, 7);
		if (nh < 0 || nt < 0 || nh + nt > 7)
			return EINVAL_;
		groups_store(head, nh, a);
		groups_store(tail, nt, a + 16 - 2 * nt);
	}
	memcpy(out, a, 16);
	return 0;
}

int netaddr_ip4(const char *s, uint8_t out[4])
{
	return ip4_span(s, strlen(s), out);
}

int netaddr_ip6(const char *s, uint8_t out[16])
{
	return ip6_span(s, strlen(s), out);
}

static int with_prefix(const char *s, int v6, uint8_t *out, unsigned *prefix)
{
	size_t n = strlen(s), slash = find(s, n, '/');
	unsigned long p;
	uint8_t a[16];

	if (slash == n || decimal(s + slash + 1, n - slash - 1, v6 ? 128 : 32, &p) < 0)
		return EINVAL_;
	if ((v6 ? ip6_span(s, slash, a) : ip4_span(s, slash, a)) < 0)
		return EINVAL_;
	memcpy(out, a, v6 ? 16 : 4);
	*prefix = (unsigned)p;
	return 0;
}

int netaddr_ip4_prefix(const char *s, uint8_t out[4], unsigned *prefix)
{
	return with_prefix(s, 0, out, prefix);
}

int netaddr_ip6_prefix(const char *s, uint8_t out[16], unsigned *prefix)
{
	return with_prefix(s, 1, out, prefix);
}

static int port_span(const char *s, size_t n, uint16_t *port)
{
	unsigned long v;

	if (decimal(s, n, 65535, &v) < 0 || v == 0)
		return EINVAL_;
	*port = (uint16_t)v;
	return 0;
}

int netaddr_port(const char *s, uint16_t *port)
{
	return port_span(s, strlen(s), port);
}

int netaddr_mac(const char *s, uint8_t out[6])
{
	uint8_t m[6];

	if (strlen(s) != 17)
		return EINVAL_;
	for (int i = 0; i < 6; i++) {
		const char *p = s + 3 * i;
		int hi = hex_value(p[0]), lo = hex_value(p[1]);
		if (hi < 0 || lo < 0 || (i < 5 && p[2] != ':'))
			return EINVAL_;
		m[i] = (uint8_t)(hi << 4 | lo);
	}
	memcpy(out, m, 6);
	return 0;
}

/* The protocol suffix: none or "/tcp" is TCP, "/udp" UDP; returns the
 * length before it, or -EINVAL. */
static long protocol(const char *s, size_t n, int *udp)
{
	size_t slash = find(s, n, '/');

	*udp = 0;
	if (slash == n)
		return (long)n;
	if (n - slash == 4 && memcmp(s + slash, "/tcp", 4) == 0)
		return (long)slash;
	if (n - slash == 4 && memcmp(s + slash, "/udp", 4) == 0) {
		*udp = 1;
		return (long)slash;
	}
	return EINVAL_;
}

int netaddr_forward(const char *s, struct net_forward *f)
{
	struct net_forward r = { .host_addr = { 127, 0, 0, 1 } };
	long n = protocol(s, strlen(s), &r.udp);

	if (n < 0)
		return EINVAL_;
	size_t len = (size_t)n, c1 = find(s, len, ':');
	if (c1 == len)
		return EINVAL_;
	size_t c2 = c1 + 1 + find(s + c1 + 1, len - c1 - 1, ':');
	if (c2 < len) {		/* HOSTADDR:HOSTPORT:GUESTPORT */
		if (ip4_span(s, c1, r.host_addr) < 0 ||
		    port_span(s + c1 + 1, c2 - c1 - 1, &r.host_port) < 0 ||
		    port_span(s + c2 + 1, len - c2 - 1, &r.guest_port) < 0)
			return EINVAL_;
	} else if (port_span(s, c1, &r.host_port) < 0 ||
		   port_span(s + c1 + 1, len - c1 - 1, &r.guest_port) < 0) {
		return EINVAL_;
	}
	*f = r;
	return 0;
}
