/* lib/netaddr.c: addresses agree with the host's inet_pton (fixed cases and
 * random strings), prefixes, ports and `amphi run -p` forwards are checked
 * at every bound. */
#include <arpa/inet.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "netaddr.h"

static const char *const samples[] = {
	"0.0.0.0", "10.0.2.15", "255.255.255.255", "256.0.0.1", "1.2.3", "1.2.3.4.5",
	"01.2.3.4", "1.2.3.04", "1..2.3", ".1.2.3", "1.2.3.4.", "1.2.3.-4", "+1.2.3.4",
	" 1.2.3.4", "1.2.3.4 ", "1.2.3.4/24", "", "a.b.c.d", "1.2.3.1000",
	"::", "::1", "1::", "fd00::2", "FD00::2", "fe80::1:2:3:4", "1:2:3:4:5:6:7:8",
	"1:2:3:4:5:6:7:8:9", "1:2:3:4:5:6:7", "1:2:3:4:5:6:7::", "::2:3:4:5:6:7:8",
	"1:2:3:4:5:6:7::8", "1::2::3", ":::", ":1::2", "1::2:", "1:2:3:4:5:6:7:8:",
	":1:2:3:4:5:6:7:8", "12345::", "0000:0000::ffff", "::ffff:10.0.0.1",
	"::10.0.0.1", "1:2:3:4:5:6:1.2.3.4", "1:2:3:4:5:6:7:1.2.3.4", "1::1.2.3.4",
	"::1.2.3.4:5", "1.2.3.4::", "::1.2.3", "::01.2.3.4", "::g", "fd00::2%eth0",
	"1:2:3:4:5::1.2.3.4", "1:2:3:4:5:6::1.2.3.4", "::ffff:1.2.3.4.5", "::.1.2.3",
};

/* netaddr_ip4/ip6 and inet_pton agree on verdict and bytes. */
static void agree(const char *s)
{
	uint8_t want[16], got[16];
	int ok = inet_pton(AF_INET, s, want) == 1;

	memset(got, 0xee, sizeof got);
	if (ok != (netaddr_ip4(s, got) == 0))
		fail_msg("ip4 '%s': inet_pton says %d", s, ok);
	if (ok)
		assert_memory_equal(got, want, 4);
	ok = inet_pton(AF_INET6, s, want) == 1;
	if (ok != (netaddr_ip6(s, got) == 0))
		fail_msg("ip6 '%s': inet_pton says %d", s, ok);
	if (ok)
		assert_memory_equal(got, want, 16);
}

static void fixed_cases(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof samples / sizeof samples[0]; i++)
		agree(samples[i]);
}

/* Random strings over the characters addresses are made of, biased to
 * near-valid ones by splicing pieces of the samples. */
static void random_strings(void **state)
{
	(void)state;
	static const char alphabet[] = "0123456789abcdefABG:.:.:";
	char s[48];

	srand(4);
	for (int round = 0; round < 200000; round++) {
		size_t n = (size_t)(rand() % 40);
		for (size_t i = 0; i < n; i++)
			s[i] = alphabet[rand() % (int)(sizeof alphabet - 1)];
		s[n] = 0;
		if (round % 2) {	/* a sample with one character changed */
			const char *base = samples[rand() % (int)(sizeof samples / sizeof samples[0])];
			strcpy(s, base);
			if (*s)
				s[rand() % (int)strlen(s)] = alphabet[rand() % (int)(sizeof alphabet - 1)];
		}
		agree(s);
	}
}

static void prefixes(void **state)
{
	(void)state;
	uint8_t a[16];
	unsigned p = 99;

	assert_int_equal(netaddr_ip4_prefix("192.168.7.2/24", a, &p), 0);
	assert_int_equal(p, 24);
	assert_memory_equal(a, ((uint8_t[]){ 192, 168, 7, 2 }), 4);
	assert_int_equal(netaddr_ip4_prefix("0.0.0.0/0", a, &p), 0);
	assert_int_equal(p, 0);
	assert_int_equal(netaddr_ip4_prefix("10.0.0.1/32", a, &p), 0);
	assert_int_equal(p, 32);
	assert_int_equal(netaddr_ip6_prefix("fd00::2/64", a, &p), 0);
	assert_int_equal(p, 64);
	assert_int_equal(a[0], 0xfd);
	assert_int_equal(a[15], 2);
	assert_int_equal(netaddr_ip6_prefix("::/128", a, &p), 0);
	assert_int_equal(p, 128);
	static const char *const bad4[] = { "10.0.0.1", "10.0.0.1/", "10.0.0.1/33",
		"10.0.0.1/024", "10.0.0.1/-1", "10.0.0.1/+8", "/24", "10.0.0/24",
		"10.0.0.1/24/1", "10.0.0.1/2x", "fd00::2/64" };
	for (size_t i = 0; i < sizeof bad4 / sizeof bad4[0]; i++)
		if (netaddr_ip4_prefix(bad4[i], a, &p) != -22)
			fail_msg("ip4 prefix '%s' accepted", bad4[i]);
	static const char *const bad6[] = { "fd00::2", "fd00::2/129", "fd00::2/",
		"fd00:::2/64", "10.0.0.1/24", "/64" };
	for (size_t i = 0; i < sizeof bad6 / sizeof bad6[0]; i++)
		if (netaddr_ip6_prefix(bad6[i], a, &p) != -22)
			fail_msg("ip6 prefix '%s' accepted", bad6[i]);
}

static void ports(void **state)
{
	(void)state;
	uint16_t port = 7;

	assert_int_equal(netaddr_port("1", &port), 0);
	assert_int_equal(port, 1);
	assert_int_equal(netaddr_port("65535", &port), 0);
	assert_int_equal(port, 65535);
	static const char *const bad[] = { "0", "65536", "99999999999999999999", "",
		"-1", "+80", "080", "8o", " 80", "80 ", "0x50" };
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		if (netaddr_port(bad[i], &port) != -22)
			fail_msg("port '%s' accepted", bad[i]);
	assert_int_equal(port, 65535);	/* untouched by the failures */
}

static void forward_ok(const char *s, const uint8_t addr[4], uint16_t h, uint16_t g, int udp)
{
	struct net_forward f;

	if (netaddr_forward(s, &f) != 0)
		fail_msg("forward '%s' refused", s);
	assert_memory_equal(f.host_addr, addr, 4);
	assert_int_equal(f.host_port, h);
	assert_int_equal(f.guest_port, g);
	assert_int_equal(f.udp, udp);
}

static void forwards(void **state)
{
	(void)state;
	static const uint8_t lo[4] = { 127, 0, 0, 1 }, any[4] = { 0 }, lan[4] = { 192, 168, 1, 9 };
	struct net_forward f;

	forward_ok("8080:80", lo, 8080, 80, 0);
	forward_ok("8080:80/tcp", lo, 8080, 80, 0);
	forward_ok("5353:53/udp", lo, 5353, 53, 1);
	forward_ok("0.0.0.0:1:65535", any, 1, 65535, 0);
	forward_ok("192.168.1.9:7000:7/udp", lan, 7000, 7, 1);
	static const char *const bad[] = { "", "80", ":80", "80:", "0:80", "80:0",
		"65536:80", "80:65536", "8080:80/sctp", "8080:80/", "8080:80/tcp/udp",
		"8080:80/TCP", "1.2.3:80:80", "localhost:80:80", "::1:80:80", "[::1]:80:80",
		"1.2.3.4:80:80:80", "1.2.3.4::80", "a:b", "80:80 ", "-1:80" };
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		if (netaddr_forward(bad[i], &f) != -22)
			fail_msg("forward '%s' accepted", bad[i]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(fixed_cases),
		cmocka_unit_test(random_strings),
		cmocka_unit_test(prefixes),
		cmocka_unit_test(ports),
		cmocka_unit_test(forwards),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
