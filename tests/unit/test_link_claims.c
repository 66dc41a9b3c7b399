/* The app's claims bookkeeping (kernel/dev/link_claims.c, built unchanged
 * for the host): what it writes into the region's claims table as eth0
 * claims and releases.  eth0 claims its MAC and addresses again each time
 * it comes back onto the link from a NIC of its own; that must not make
 * one release too few to give an address back to the server.  Ports, which
 * sockets share, still nest. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "core/printk.h"
#include "core/waitq.h"
#include "dev/ivshmem.h"
#include "dev/link_app_internal.h"

/* ---- what link_claims.c needs of the kernel ---------------------------------- */

static int rings;

void ivshmem_ring(const struct ivshmem *d, uint16_t peer, uint16_t vector)
{
	(void)d, (void)peer, (void)vector;
	rings++;
}

void printk(const char *fmt, ...) { (void)fmt; }
uint64_t arch_clock_ns(void) { return 0; }
void waitq_init(struct waitq *wq) { (void)wq; }
void waitq_prepare(struct waitq *wq, struct waiter *w) { (void)wq, (void)w; }
void waitq_sleep_until(struct waitq *wq, struct waiter *w, uint64_t deadline)
{
	(void)wq, (void)w, (void)deadline;
	fail_msg("nothing here waits for a verdict");
}
void waitq_wake_all(struct waitq *wq) { (void)wq; }

/* ---- a link port over a region in memory --------------------------------------- */

static const uint8_t MAC[6] = { 0x02, 0xaa, 0, 0, 0, 2 };
static const uint8_t IP_A[4] = { 192, 168, 90, 2 }, IP_B[4] = { 192, 168, 90, 3 };

struct fixture {
	struct ivshmem dev;
	struct link_port l;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof *f);

	f->dev.region = aligned_alloc(4096, LINK_REGION_SIZE);
	memset(f->dev.region, 0, LINK_REGION_SIZE);
	f->dev.region_size = LINK_REGION_SIZE;
	f->l.dev = &f->dev;
	f->l.region = f->dev.region;
	f->l.mode = LINK_MODE_OWN;
	f->l.port.driver = &f->l;
	link_claims_init(&f->l);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	free(f->dev.region);
	free(f);
	return 0;
}

static struct net_claim addr(enum net_claim_kind kind, const uint8_t *a, size_t n)
{
	struct net_claim c = { .kind = kind };

	memcpy(c.addr, a, n);
	return c;
}

static struct net_claim port_claim(uint16_t port)
{
	return (struct net_claim){ .kind = NET_CLAIM_TCP, .port = port };
}

/* How many entries of the region's claims table, as the server reads it,
 * name this kind and value (a released entry's kind is NONE). */
static int live_in_region(struct fixture *f, uint8_t kind, const void *a, size_t n, uint16_t port)
{
	int live = 0;

	for (int i = 0; i < LINK_MAX_CLAIMS; i++) {
		const struct link_claim *c = &link_app(f->l.region)->claims[i];
		if (c->kind == kind && c->port == port && (!a || !memcmp(c->addr, a, n)))
			live++;
	}
	return live;
}

/* eth0 on the link (its MAC and address A), on a NIC, and back three
 * times: each return claims them again.  Then A goes: one release. */
static void address_released_after_returns(void **state)
{
	struct fixture *f = *state;
	struct net_claim mac = addr(NET_CLAIM_MAC, MAC, 6), a = addr(NET_CLAIM_IP4, IP_A, 4);

	for (int take = 0; take < 4; take++) {
		assert_int_equal(link_claim(&f->l.port, &mac, false), 0);
		assert_int_equal(link_claim(&f->l.port, &a, false), 0);
	}
	assert_int_equal(live_in_region(f, LINK_CLAIM_IP4, IP_A, 4, 0), 1);
	assert_int_equal(live_in_region(f, LINK_CLAIM_MAC, MAC, 6, 0), 1);
	link_release(&f->l.port, &a);
	assert_int_equal(live_in_region(f, LINK_CLAIM_IP4, IP_A, 4, 0), 0);
	assert_int_equal(live_in_region(f, LINK_CLAIM_MAC, MAC, 6, 0), 1);
}

/* Claiming what is held asks the server nothing new; a new address is a
 * new request, and an address released can be claimed again. */
static void claims_again_change_nothing(void **state)
{
	struct fixture *f = *state;
	struct net_claim a = addr(NET_CLAIM_IP4, IP_A, 4), b = addr(NET_CLAIM_IP4, IP_B, 4);

	assert_int_equal(link_claim(&f->l.port, &a, false), 0);
	uint32_t req = f->l.next_req;
	assert_int_equal(link_claim(&f->l.port, &a, false), 0);
	assert_int_equal(f->l.next_req, req);
	assert_int_equal(link_claim(&f->l.port, &b, false), 0);
	assert_int_equal(f->l.next_req, req + 1);
	link_release(&f->l.port, &a);
	link_release(&f->l.port, &a);		/* not held: nothing */
	assert_int_equal(f->l.next_req, req + 2);
	assert_int_equal(live_in_region(f, LINK_CLAIM_IP4, IP_B, 4, 0), 1);
	assert_int_equal(link_claim(&f->l.port, &a, false), 0);
	assert_int_equal(live_in_region(f, LINK_CLAIM_IP4, IP_A, 4, 0), 1);
}

/* Two sockets on one port (shared mode): the first release keeps it. */
static void ports_still_nest(void **state)
{
	struct fixture *f = *state;
	struct net_claim p = port_claim(8081);

	f->l.mode = LINK_MODE_SHARED;
	assert_int_equal(link_claim(&f->l.port, &p, false), 0);
	assert_int_equal(link_claim(&f->l.port, &p, false), 0);
	link_release(&f->l.port, &p);
	assert_int_equal(live_in_region(f, LINK_CLAIM_TCP, NULL, 0, 8081), 1);
	link_release(&f->l.port, &p);
	assert_int_equal(live_in_region(f, LINK_CLAIM_TCP, NULL, 0, 8081), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(address_released_after_returns, setup, teardown),
		cmocka_unit_test_setup_teardown(claims_again_change_nothing, setup, teardown),
		cmocka_unit_test_setup_teardown(ports_still_nest, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
