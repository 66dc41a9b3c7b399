/* lwIP includes <stdlib.h> for atoi (netif_find) and, by default, malloc;
 * lwipopts.h maps the allocator to the kernel heap, atoi is here. */
#ifndef AMPHI_NET_LWIP_STDLIB_H
#define AMPHI_NET_LWIP_STDLIB_H

static inline int atoi(const char *s)
{
	int v = 0, neg = *s == '-';

	for (s += neg || *s == '+'; *s >= '0' && *s <= '9'; s++)
		v = v * 10 + (*s - '0');
	return neg ? -v : v;
}

#endif
