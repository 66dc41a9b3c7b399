/* The network server's state, shared by its files: server.c (start-up,
 * the forwarding thread), slots.c (each app's region), claims.c (what
 * each app owns), forward.c (moving frames). */
#ifndef AMPHI_NETSERVER_NETSERVER_INTERNAL_H
#define AMPHI_NETSERVER_NETSERVER_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "core/spinlock.h"
#include "core/waitq.h"
#include "link.h"
#include "net/port.h"
#include "ns_route.h"

struct ivshmem;

/* What we granted at one index of a slot's claims table. */
struct ns_grant {
	uint32_t req;		/* the request this index last answered */
	bool held;		/* granted and in the tables */
	struct link_claim c;
	uint64_t grant_seq;
};

struct ns_link {
	int index;
	struct ivshmem *dev;
	void *region;
	const struct link_assign *assign;	/* the supervisor's, in the ledger: we only read */
	volatile bool pending;		/* a doorbell came: look at the region */

	/* The forwarding thread's alone. */
	uint32_t attach_seq;		/* the app we serve (from assign); 0: none */
	uint16_t app_peer;
	bool shut;
	uint64_t log_window;		/* clock_ns() when this slot's log window opened */
	unsigned log_lines, log_dropped;	/* lines in that window, and left out */
	struct link_end tx;		/* the app's frames: we consume */
	struct ns_grant grants[LINK_MAX_CLAIMS];
	int nown;			/* own-mode addresses granted */

	struct spinlock rx_lock;	/* guards rx and ledger->to_app */
	struct link_end rx;		/* frames for the app: we produce */
	bool rx_open;

	/* In the ledger (what the supervisor believes); from_app and the rest
	 * are the forwarding thread's. */
	struct link_ledger_slot *ledger;
};

struct netserver {
	int nslots;
	uint8_t key[16];		/* for grant tokens: never leaves this VM */
	uint32_t generation;
	uint64_t next_grant_seq;	/* the forwarding thread's; generation << 32 | n */

	struct spinlock tables_lock;	/* guards tables */
	struct ns_tables *tables;
	struct ns_link *slots;

	struct net_port *nic;		/* NULL: no wire */
	struct net_port local;		/* under the server's own eth0 */

	struct spinlock wake_lock;	/* guards work */
	bool work;
	volatile bool addrs_changed;	/* the server's own addresses moved */
	struct waitq wq;
};

extern struct netserver ns;

/* slots.c (the forwarding thread, but slots_start) */
int slots_start(void);
void slots_look(struct ns_link *s);
void slots_publish_net(void);
void slots_shut(struct ns_link *s, enum link_shut_reason why);
/* Is the app we serve still the one the supervisor assigned?  (When not,
 * a detach or a new app is on its way to slots_look.) */
bool slots_still_assigned(const struct ns_link *s);

/* claims.c (the forwarding thread, but claims_start: before it runs) */
void claims_start(void);
void claims_rebuild(struct ns_link *s);
void claims_process(struct ns_link *s);
void claims_drop_all(struct ns_link *s);

/* forward.c */
void forward_init(void);
void forward_start_wire(void);	/* the NIC's frames start coming */
void forward_from_wire(void *owner, const void *frame, size_t len, unsigned flags);
int forward_from_local(struct net_port *port, const struct net_seg *segs, int nsegs,
		       const struct net_tx_offload *csum);
/* Drains up to budget frames from slot s; true if more may wait. */
bool forward_from_slot(struct ns_link *s, int budget);

/* server.c */
void netserver_kick(void);

#endif
