/* The app's end of the link: state shared by link_app.c (frames),
 * link_claims.c (claims), link_chaos.c, link_hostile.c and link_replay.c
 * (the hostile test modes). */
#ifndef AMPHI_DEV_LINK_APP_INTERNAL_H
#define AMPHI_DEV_LINK_APP_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "core/spinlock.h"
#include "core/waitq.h"
#include "link.h"
#include "net/port.h"

struct ivshmem;

/* What we asked the server for at index i of the claims table. */
struct link_held {
	struct link_claim c;	/* kind NONE: a free entry */
	int refs;
	uint32_t req;		/* of the request whose verdict we want */
	uint32_t result;	/* enum link_result; LINK_PENDING until answered */
};

struct link_port {
	struct net_port port;
	struct ivshmem *dev;
	void *region;
	uint8_t mode;			/* enum link_mode */
	uint16_t server_peer;

	struct spinlock tx_lock;	/* guards tx, the tx counters */
	struct link_end tx;

	struct link_end rx;		/* the link thread's alone */
	uint8_t *rx_buf;
	uint32_t gen_seen;
	uint32_t refused_seen;		/* link_host.direct_refused we logged */
	uint32_t net_seq_seen;		/* link_srv.net_seq eth0 has */

	struct spinlock wake_lock;	/* guards work */
	bool work;
	struct waitq wq;

	struct spinlock claim_lock;	/* guards held, next_req, the claims table */
	struct link_held held[LINK_MAX_CLAIMS];
	uint32_t next_req;
	struct waitq claim_wq;		/* verdicts may have come */
};

void link_claims_init(struct link_port *l);
/* The link thread, after a doorbell: verdicts may have come. */
void link_claims_news(struct link_port *l);
int link_claim(struct net_port *port, const struct net_claim *c, bool wait);
void link_release(struct net_port *port, const struct net_claim *c);

int link_chaos_start(struct ivshmem *dev);
int link_hostile_start(struct ivshmem *dev);
int link_replay_start(struct ivshmem *dev);

#endif
