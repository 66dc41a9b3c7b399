/* The network server's start-up and its forwarding thread.
 *
 * Order matters for crash recovery: the slots' tables are rebuilt from
 * the regions before the NIC delivers a single frame, so a segment for an
 * app's port never reaches the server's own stack (which would answer with
 * a reset) while the tables are still empty. */
#include "netserver/netserver.h"

#include "core/errno.h"
#include "core/page_alloc.h"
#include "core/printk.h"
#include "core/sched.h"
#include "core/timer.h"
#include "core/string.h"
#include "dev/console.h"
#include "dev/devices.h"
#include "frame.h"
#include "net/net_config.h"
#include "net/netif.h"
#include "netserver/netserver_internal.h"

#define LOOK_EVERY_NS	(1000ull * 1000000)	/* a lost doorbell costs at most this */
#define BUDGET		64			/* frames per slot per round */

struct netserver ns;

static int hex_byte(const char *s)
{
	int v = 0;

	for (int i = 0; i < 2; i++) {
		char c = s[i];
		int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
		if (d < 0)
			return -1;
		v = v * 16 + d;
	}
	return v;
}

static int parse_key(const char *s)
{
	if (strlen(s) != 32)
		return -EINVAL;
	for (int i = 0; i < 16; i++) {
		int b = hex_byte(s + 2 * i);
		if (b < 0)
			return -EINVAL;
		ns.key[i] = (uint8_t)b;
	}
	return 0;
}

static int parse_number(const char *s, uint32_t max, uint32_t *out)
{
	uint64_t v = 0;

	if (!*s)
		return -EINVAL;
	for (; *s; s++) {
		if (*s < '0' || *s > '9' || (v = v * 10 + (uint64_t)(*s - '0')) > max)
			return -EINVAL;
	}
	*out = (uint32_t)v;
	return 0;
}

int netserver_config_set(const char *key, const char *value)
{
	uint32_t v;

	if (!strcmp(key, "link.slots")) {
		if (parse_number(value, NS_MAX_SLOTS, &v) || v == 0)
			return -EINVAL;
		ns.nslots = (int)v;
		return 0;
	}
	if (!strcmp(key, "link.gen"))
		return parse_number(value, 0xffffffffu, &ns.generation);
	if (!strcmp(key, "link.key"))
		return parse_key(value);
	if (!strncmp(key, "net.", 4))
		return net_config_set(key, value);
	return 0;	/* role, and keys of later versions */
}

void netserver_kick(void)
{
	uint64_t f = spin_lock_irqsave(&ns.wake_lock);

	ns.work = true;
	spin_unlock_irqrestore(&ns.wake_lock, f);
	waitq_wake_all(&ns.wq);
}

/* Sleeps until there is work or it is time for the periodic look. */
static bool wait_for_work(uint64_t deadline)
{
	struct waiter w;
	uint64_t f = spin_lock_irqsave(&ns.wake_lock);

	if (!ns.work) {
		waitq_prepare(&ns.wq, &w);
		spin_unlock_irqrestore(&ns.wake_lock, f);
		waitq_sleep_until(&ns.wq, &w, deadline);
		f = spin_lock_irqsave(&ns.wake_lock);
	}
	bool work = ns.work;
	ns.work = false;
	spin_unlock_irqrestore(&ns.wake_lock, f);
	return work;
}

/* One round over the slots a doorbell marked (all of them when `all`). */
static bool serve_slots(bool all)
{
	bool more = false;

	for (int i = 0; i < ns.nslots; i++) {
		struct ns_link *s = &ns.slots[i];
		if (!all && !__atomic_exchange_n(&s->pending, false, __ATOMIC_ACQ_REL))
			continue;
		if (all)
			s->pending = false;
		slots_look(s);
		if (forward_from_slot(s, BUDGET)) {
			s->pending = true;	/* its turn again after the others */
			more = true;
		}
	}
	return more;
}

static void forward_thread(void *unused)
{
	uint64_t next_look = clock_ns() + LOOK_EVERY_NS;

	(void)unused;
	for (;;) {
		bool more = serve_slots(false);
		if (ns.addrs_changed) {
			ns.addrs_changed = false;
			slots_publish_net();
		}
		if (clock_ns() >= next_look) {
			more |= serve_slots(true);
			next_look = clock_ns() + LOOK_EVERY_NS;
		}
		if (!more)
			wait_for_work(next_look);
	}
}

/* Core lock held: the forwarding thread publishes the news. */
static void addresses_moved(void)
{
	ns.addrs_changed = true;
	netserver_kick();
}

static _Noreturn void fail(const char *why)
{
	printk("netserver: %s\n", why);
	panic("the network server cannot start");
}

static void start_thread(const char *name, void (*fn)(void *))
{
	struct thread *t = thread_create(name, fn, NULL);

	if (!t)
		fail("out of memory for a thread");
	thread_start(t);
}

void netserver_main(void *unused)
{
	(void)unused;
	if (!ns.nslots || !ns.generation)
		fail("the config lacks link.slots or link.gen");
	if (dev_no_memory())	/* its NIC, most likely: it would forward nothing out */
		fail("out of memory starting a device: give it more memory");
	waitq_init(&ns.wq);
	claims_start();
	forward_init();
	int err = slots_start();
	if (err)
		fail(err == -ENOMEM ? "out of memory for the slots" : "the slots' devices are missing");
	forward_start_wire();
	start_thread("netserver", forward_thread);
	net_start(&ns.local);	/* DHCP through the switch; tables rebuilt already */
	net_eth_watch(addresses_moved);
	slots_publish_net();
	printk("netserver: generation %u forwarding for %d slots\n", ns.generation, ns.nslots);
	console_write(FRAME_READY, NULL, 0);
	thread_exit();
}
