/* IPv6 routes around duplicate detection, as /proc/net/ipv6_route shows
 * them: eth0's link-local prefix (fe80::/64) is routed from the start,
 * its own address (the local /128) only once detection has passed it, as
 * on Linux.  With "wait", it first waits (up to 20 s) until eth0 has
 * its link-local address and a global one (from the router's prefix),
 * both past detection, as a test that wants the settled table does.
 * Prints one line: the link-local address's state and which of its two
 * routes exist. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#define IFA_F_TENTATIVE	0x40

/* eth0's link-local address, as if_inet6 writes it, and its flags;
 * *settled: a global address of eth0 is there and past detection. */
static int link_local(char addr[33], unsigned *flags, int *settled)
{
	FILE *f = fopen("/proc/net/if_inet6", "r");
	char a[33], dev[17];
	unsigned index, len, scope, fl;
	int found = 0;

	if (!f)
		return -1;
	*settled = 0;
	while (fscanf(f, "%32s %x %x %x %x %16s", a, &index, &len, &scope, &fl, dev) == 6) {
		if (strcmp(dev, "eth0"))
			continue;
		if (!strncmp(a, "fe80", 4)) {
			strcpy(addr, a);
			*flags = fl;
			found = 1;
		} else if (scope == 0 && !(fl & IFA_F_TENTATIVE))
			*settled = 1;
	}
	fclose(f);
	return found ? 0 : -1;
}

/* Whether ipv6_route has dest/len on eth0. */
static int routed(const char *dest, unsigned want_len)
{
	FILE *f = fopen("/proc/net/ipv6_route", "r");
	char d[33], src[33], via[33], dev[17];
	unsigned len, slen, metric, ref, use, flags;
	int found = 0;

	if (!f)
		return -1;
	while (fscanf(f, "%32s %x %32s %x %32s %x %x %x %x %16s", d, &len, src, &slen, via, &metric, &ref,
		      &use, &flags, dev) == 10)
		found |= !strcmp(d, dest) && len == want_len && !strcmp(dev, "eth0");
	fclose(f);
	return found;
}

static void nap(void)
{
	struct timespec t = { 0, 50 * 1000 * 1000 };

	nanosleep(&t, NULL);
}

int main(int argc, char **argv)
{
	int wait = argc > 1 && !strcmp(argv[1], "wait");
	char addr[33], again[33];
	unsigned flags, flags_after;
	int settled, settled_after;

	for (int tries = 0; tries < 400; tries++) {
		if (link_local(addr, &flags, &settled)) {
			printf("eth0 has no link-local address\n");
			return 1;
		}
		if (wait && ((flags & IFA_F_TENTATIVE) || !settled)) {
			nap();
			continue;
		}
		int prefix = routed("fe800000000000000000000000000000", 64), local = routed(addr, 128);
		/* The same state before and after the look: the routes belong to it. */
		if (!link_local(again, &flags_after, &settled_after) && flags_after == flags) {
			printf("%s: prefix route %s, local route %s\n",
			       flags & IFA_F_TENTATIVE ? "tentative" : "valid", prefix ? "yes" : "no",
			       local ? "yes" : "no");
			return 0;
		}
	}
	printf("duplicate detection did not end\n");
	return 1;
}
