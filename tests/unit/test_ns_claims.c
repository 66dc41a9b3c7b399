/* The network server's claims (kernel/netserver/claims.c, built unchanged
 * for the host) across restarts: three "server generations" in a row over
 * the same regions in memory, each starting from empty tables as a
 * restarted server VM does and rebuilding them from the tokens it finds.
 *
 * A token kept by an app from an older generation (of a claim it gave back
 * since) and written back into its region must take nothing from a grant
 * of a newer generation, whichever slot the server reads first; a grant
 * refused for being invalid, or one its slot could not keep, takes nothing
 * from anybody. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "netserver/netserver_internal.h"

struct netserver ns;

void ivshmem_ring(const struct ivshmem *d, uint16_t peer, uint16_t vector)
{
	(void)d, (void)peer, (void)vector;
}

void printk(const char *fmt, ...) { (void)fmt; }

#define NSLOTS	2
#define PORT	8081

static void *regions[NSLOTS];
static struct ns_link slots[NSLOTS];
static struct ns_tables tables;

/* A server VM of generation gen starts: nothing but the regions survive. */
static void boot(uint32_t gen)
{
	memset(&ns, 0, sizeof ns);
	memset(slots, 0, sizeof slots);
	ns.nslots = NSLOTS;
	memset(ns.key, 0x5a, sizeof ns.key);	/* the supervisor's, every generation */
	ns.generation = gen;
	ns.tables = &tables;
	ns.slots = slots;
	ns_tables_init(&tables, NSLOTS);
	for (int i = 0; i < NSLOTS; i++) {
		slots[i].index = i;
		slots[i].region = regions[i];
		slots[i].attach_seq = 100 + (uint32_t)i;
		tables.slots[i].active = true;
		tables.slots[i].mode = LINK_MODE_SHARED;
	}
	claims_start();
}

static int setup(void **state)
{
	(void)state;
	for (int i = 0; i < NSLOTS; i++) {
		regions[i] = aligned_alloc(4096, LINK_REGION_SIZE);
		memset(regions[i], 0, LINK_REGION_SIZE);
	}
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	for (int i = 0; i < NSLOTS; i++)
		free(regions[i]);
	return 0;
}

static uint32_t next_req = 1;

/* The app on slot s asks for (kind, port or IPv4 address a) at index i;
 * the verdict. */
static struct link_verdict ask_addr(int s, int i, uint8_t kind, uint16_t port, uint8_t a)
{
	struct link_claim *c = &link_app(regions[s])->claims[i];

	c->kind = kind;
	c->port = port;
	memset(c->addr, 0, sizeof c->addr);
	if (kind == LINK_CLAIM_IP4)
		memcpy(c->addr, (uint8_t[4]){ 10, 0, 2, a }, 4);
	c->req = next_req++;
	claims_process(&slots[s]);
	struct link_verdict v = link_srv(regions[s])->verdicts[i];
	assert_int_equal(v.req, c->req);
	return v;
}

static struct link_verdict ask(int s, int i, uint8_t kind, uint16_t port)
{
	return ask_addr(s, i, kind, port, 0);
}

static void rebuild(int first)
{
	for (int n = 0; n < NSLOTS; n++)
		claims_rebuild(&slots[(first + n) % NSLOTS]);
}

static uint32_t result(int s, int i)
{
	return link_srv(regions[s])->verdicts[i].result;
}

/* Slot s is granted (kind, port or address a) at index i and gives it
 * back: the verdict it keeps. */
static struct link_verdict keep_addr(int s, int i, uint8_t kind, uint16_t port, uint8_t a)
{
	struct link_verdict v = ask_addr(s, i, kind, port, a);

	assert_int_equal(v.result, LINK_GRANTED);
	ask(s, i, LINK_CLAIM_NONE, 0);
	return v;
}

static struct link_verdict keep(int s, int i, uint8_t kind, uint16_t port)
{
	return keep_addr(s, i, kind, port, 0);
}

/* Writes a kept grant back at an index never used (request 0). */
static void plant_addr(int s, int i, uint8_t kind, uint16_t port, uint8_t a,
		       const struct link_verdict *v)
{
	struct link_claim *c = &link_app(regions[s])->claims[i];

	c->kind = kind;
	c->port = port;
	if (kind == LINK_CLAIM_IP4)
		memcpy(c->addr, (uint8_t[4]){ 10, 0, 2, a }, 4);
	link_srv(regions[s])->verdicts[i] = *v;
	link_srv(regions[s])->verdicts[i].req = 0;
}

static void plant(int s, int i, uint8_t kind, uint16_t port, const struct link_verdict *v)
{
	plant_addr(s, i, kind, port, 0, v);
}

/* Slot 0 runs its numbers up under generation 1, keeps the token of PORT
 * and releases it; under generation 2 it writes the token back at index 5
 * (request 0: that server never answers it) while slot 1 binds PORT.
 * Generation 3 rebuilds, reading slot `first` first. */
static void replay(int first)
{
	boot(1);
	for (int i = 0; i < 20; i++)
		ask(0, 0, LINK_CLAIM_TCP, (uint16_t)(7000 + (i & 1)));
	struct link_verdict kept = ask(0, 0, LINK_CLAIM_TCP, PORT);
	assert_int_equal(kept.result, LINK_GRANTED);
	ask(0, 0, LINK_CLAIM_NONE, 0);

	boot(2);
	rebuild(0);
	assert_int_equal(ask(1, 0, LINK_CLAIM_TCP, PORT).result, LINK_GRANTED);
	plant(0, 5, LINK_CLAIM_TCP, PORT, &kept);
	claims_process(&slots[0]);	/* request 0: nothing new to answer */
	assert_int_equal(ns_port_owner(&tables, PKT_PROTO_TCP, PORT), 1);

	boot(3);
	rebuild(first);
	assert_int_equal(ns_port_owner(&tables, PKT_PROTO_TCP, PORT), 1);
	assert_int_equal(result(1, 0), LINK_GRANTED);
	assert_int_equal(result(0, 5), LINK_REFUSED_IN_USE);
}

static void replay_read_first(void **state)
{
	(void)state;
	replay(0);
}

static void replay_read_last(void **state)
{
	(void)state;
	replay(1);
}

/* Generation 2's grants are numbered above all of generation 1's. */
static void numbers_carry_the_generation(void **state)
{
	(void)state;
	boot(1);
	uint64_t one = ask(0, 0, LINK_CLAIM_TCP, 7000).grant_seq;
	boot(2);
	rebuild(0);
	uint64_t two = ask(1, 0, LINK_CLAIM_TCP, 7001).grant_seq;
	assert_true(one >> 32 == 1 && two >> 32 == 2);
	assert_int_equal(link_srv(regions[0])->verdicts[0].grant_seq, one);	/* resumed as it was */
	assert_int_equal(ns_port_owner(&tables, PKT_PROTO_TCP, 7000), 0);
}

/* A newer grant refused now for another reason than "in use" (its slot
 * is in own mode now: no ports there) takes nothing from the holder. */
static void invalid_takes_nothing(void **state)
{
	(void)state;
	boot(1);
	struct link_verdict older = keep(1, 0, LINK_CLAIM_TCP, 9000);
	struct link_verdict newer = keep(0, 0, LINK_CLAIM_TCP, 9000);
	assert_true(older.grant_seq < newer.grant_seq);
	plant(1, 5, LINK_CLAIM_TCP, 9000, &older);
	plant(0, 5, LINK_CLAIM_TCP, 9000, &newer);

	boot(2);
	tables.slots[0].mode = LINK_MODE_OWN;
	rebuild(1);
	assert_int_equal(ns_port_owner(&tables, PKT_PROTO_TCP, 9000), 1);
	assert_int_equal(result(1, 5), LINK_GRANTED);
	assert_int_equal(result(0, 5), LINK_REFUSED_INVALID);
}

static void own_modes(void)
{
	for (int i = 0; i < NSLOTS; i++)
		tables.slots[i].mode = LINK_MODE_OWN;
}

/* The slot holding own-mode address 10.0.2.a; -1 nobody. */
static int addr_owner(uint8_t a)
{
	for (int i = 0; i < NS_MAX_OWN_ADDRS; i++)
		if (tables.own[i].slot >= 0 && !memcmp(tables.own[i].addr, (uint8_t[4]){ 10, 0, 2, a }, 4))
			return tables.own[i].slot;
	return -1;
}

/* A newer grant for an address whose slot holds four already (all a slot
 * may have) cannot be kept: the older holder keeps it, rather than
 * neither. */
static void unkeepable_takes_nothing(void **state)
{
	(void)state;
	boot(1);
	own_modes();
	struct link_verdict older = keep_addr(1, 0, LINK_CLAIM_IP4, 0, 50);
	struct link_verdict newer = keep_addr(0, 0, LINK_CLAIM_IP4, 0, 50);
	for (int i = 0; i < 4; i++)
		assert_int_equal(ask_addr(0, i, LINK_CLAIM_IP4, 0, (uint8_t)(60 + i)).result,
				 LINK_GRANTED);
	plant_addr(1, 5, LINK_CLAIM_IP4, 0, 50, &older);
	plant_addr(0, 5, LINK_CLAIM_IP4, 0, 50, &newer);

	boot(2);
	own_modes();
	rebuild(1);
	assert_int_equal(addr_owner(50), 1);
	assert_int_equal(result(1, 5), LINK_GRANTED);
	assert_int_equal(result(0, 5), LINK_REFUSED_IN_USE);
	assert_int_equal(addr_owner(63), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(replay_read_first, setup, teardown),
		cmocka_unit_test_setup_teardown(replay_read_last, setup, teardown),
		cmocka_unit_test_setup_teardown(numbers_carry_the_generation, setup, teardown),
		cmocka_unit_test_setup_teardown(invalid_takes_nothing, setup, teardown),
		cmocka_unit_test_setup_teardown(unkeepable_takes_nothing, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
