/* The network-server link: the shared memory region between one app VM and
 * the network server (docs/netserver.md has the whole story).
 *
 * One region per app, an ivshmem-doorbell BAR on both sides, created and
 * handed out by the host supervisor (`amphi server`).  Three writers share
 * it, and each has its own part:
 *
 *   host   struct link_host  the supervisor, while the slot is being (re)assigned
 *   server struct link_srv   the server VM: its addresses, verdicts, counters
 *   app    struct link_app   the app VM: its state, claims, counters
 *   rings  app->server (tx) and server->app (rx), fixed 2 KiB slots
 *
 * Every byte of the region can be written by the app, so nobody trusts what
 * another wrote: each reader copies a value once, then checks it (indices,
 * lengths, enums); the server copies a frame out of a slot before it looks
 * at it.  Only values the reader wrote itself and keeps privately (its own
 * ring index) are trusted.  Freestanding: built into the kernel and into
 * the host tool and its tests. */
#ifndef AMPHI_LIB_LINK_H
#define AMPHI_LIB_LINK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define LINK_MAGIC		0x4b4e494c4948504dull	/* "MPHILINK" little endian */
#define LINK_VERSION		1
#define LINK_REGION_SIZE	(2u << 20)	/* a power of two: ivshmem's BAR2 */

/* ivshmem-doorbell: the server VM is peer 0 on every slot's socket; the
 * app's peer id is in link_host.  Vector 0: a ring has news; vector 1: the
 * slot's state, claims or the server's generation changed. */
#define LINK_SERVER_PEER	0
#define LINK_VECTORS		2
#define LINK_VEC_DATA		0
#define LINK_VEC_CONTROL	1

/* ---- layout ------------------------------------------------------------ */

#define LINK_OFF_HOST		0x0000u
#define LINK_OFF_SRV		0x1000u
#define LINK_OFF_APP		0x4000u
#define LINK_OFF_TX		0x8000u		/* app -> server ring */
#define LINK_RING_SLOTS		256u
#define LINK_SLOT_SIZE		2048u
#define LINK_RING_BYTES		(64u * 2 + LINK_RING_SLOTS * LINK_SLOT_SIZE)
#define LINK_OFF_RX		(LINK_OFF_TX + 0x80000u + 0x1000u)	/* server -> app */
#define LINK_END		(LINK_OFF_RX + 0x80000u + 0x1000u)

/* ---- the host's part --------------------------------------------------- */

enum link_mode {
	LINK_MODE_SHARED = 1,	/* the server's addresses; demultiplexed by port */
	LINK_MODE_OWN = 2,	/* the app's own MAC and addresses; switched by MAC */
};

#define LINK_NAME_MAX	64

/* Written by the supervisor while the slot is free (attach_seq 0), then
 * attach_seq last (release): a non-zero attach_seq that the app has not
 * seen means "a new app is here".  This is the app's copy: the app may
 * rewrite it, so the server takes the assignment from the ledger
 * (struct link_assign) and only checks that the magic, version, size and
 * slot here are still what the supervisor wrote. */
struct link_host {
	uint64_t magic;
	uint32_t version;
	uint32_t region_size;
	uint32_t slot, nslots;
	uint32_t attach_seq;		/* 0: no app */
	uint16_t app_peer;		/* the app's ivshmem id */
	uint16_t server_peer;		/* LINK_SERVER_PEER */
	uint32_t mode;			/* enum link_mode the supervisor granted */
	uint32_t app_pid;		/* the host pid of `amphi run` */
	char app_name[LINK_NAME_MAX];	/* NUL-terminated when valid */
	/* Written while the app runs: how many of its requests for a NIC
	 * (link_app.want_direct) the supervisor turned down (no NIC to give). */
	uint32_t direct_refused;
};

/* ---- claims: what an app says it owns ----------------------------------- */

enum link_claim_kind {
	LINK_CLAIM_NONE = 0,	/* a free entry, or a release */
	LINK_CLAIM_TCP = 1,	/* shared mode: a TCP port */
	LINK_CLAIM_UDP = 2,	/* shared mode: a UDP port */
	LINK_CLAIM_MAC = 3,	/* own mode: the app's MAC (addr[0..5]) */
	LINK_CLAIM_IP4 = 4,	/* own mode: an IPv4 address (addr[0..3]) */
	LINK_CLAIM_IP6 = 5,	/* own mode: an IPv6 address */
};

#define LINK_MAX_CLAIMS	128

/* The app writes kind, port and addr, then a new req (release); the server
 * answers in link_srv.verdicts[same index] with the same req. */
struct link_claim {
	uint32_t req;		/* the app's request counter; 0: never used */
	uint8_t kind;		/* enum link_claim_kind */
	uint8_t pad;
	uint16_t port;
	uint8_t addr[16];
};

enum link_result {
	LINK_PENDING = 0,
	LINK_GRANTED = 1,
	LINK_REFUSED_IN_USE = 2,	/* another app (or the server) has it */
	LINK_REFUSED_INVALID = 3,	/* not a claim this app may make */
	LINK_RELEASED = 4,
};

/* A grant carries a token: SipHash-2-4, under a key only the server knows,
 * of (slot, attach_seq, kind, port, addr, grant_seq).  A restarted server
 * believes a grant it finds in a region only if the token matches, and when
 * two grants name the same thing the higher grant_seq (the later) wins:
 * a server of generation G numbers its grants from G << 32. */
struct link_verdict {
	uint32_t req;		/* the claim's req this answers */
	uint32_t result;	/* enum link_result */
	uint64_t grant_seq;
	uint64_t token;
};

/* ---- counters ------------------------------------------------------------ */

struct link_counters {
	uint64_t frames, bytes, drops;
};

/* ---- the server's part ----------------------------------------------------- */

enum link_srv_state {
	LINK_SRV_NONE = 0,	/* no server has looked at this slot yet */
	LINK_SRV_READY = 1,	/* forwarding for the app */
	LINK_SRV_SHUT = 2,	/* the app broke the rules: nothing is forwarded */
};

enum link_shut_reason {
	LINK_SHUT_NONE = 0,
	LINK_SHUT_HEADER = 1,	/* bad magic, version, size or slot */
	LINK_SHUT_RING = 2,	/* ring indices out of range */
	LINK_SHUT_FRAME = 3,	/* a slot's length out of range */
};

#define LINK_MAX_ADDR6	4

struct link_addr6 {
	uint8_t addr[16];
	uint8_t prefix;
	uint8_t valid;		/* 1: in use */
	uint8_t pad[2];
};

/* What a shared-mode app configures (the server's own addresses), and
 * what every app learns about the server. */
struct link_net {
	uint8_t mac[6];
	uint16_t mtu;
	uint8_t ip4[4], gw4[4];
	uint8_t prefix4, have_ip4, have_gw4;
	uint8_t ndns;
	struct { uint8_t addr[16]; uint8_t v6; uint8_t pad[3]; } dns[2];
	struct link_addr6 ip6[LINK_MAX_ADDR6];
	uint16_t port_lo, port_hi;	/* shared mode: this app's ephemeral ports */
};

struct link_srv {
	uint32_t generation;	/* the server's incarnation, from 1; 0: none yet */
	uint32_t state;		/* enum link_srv_state */
	uint32_t shut_reason;	/* enum link_shut_reason */
	uint32_t attach_seq;	/* the link_host.attach_seq this part belongs to */
	uint32_t net_seq;	/* bumped (after net is written) when net changes */
	uint32_t pad;
	struct link_net net;
	struct link_verdict verdicts[LINK_MAX_CLAIMS];
};

/* ---- the app's part -------------------------------------------------------- */

enum link_app_state {
	LINK_APP_NONE = 0,
	LINK_APP_UP = 1,	/* the app's driver runs and takes frames */
};

struct link_app {
	uint32_t state;		/* enum link_app_state */
	uint32_t gen_seen;	/* the server generation the app last attached to */
	uint32_t switches;	/* mode switches so far (direct <-> server) */
	uint32_t direct;	/* 1 while the app uses a NIC of its own */
	uint32_t want_direct;	/* its policy asks the supervisor for a NIC (1) or to take it back (0) */
	uint32_t want_seq;	/* bumped with each such request */
	struct link_counters tx, rx;	/* as the app counted them */
	struct link_claim claims[LINK_MAX_CLAIMS];
};

/* ---- the ledger: the server VM's and the supervisor's page, no app's -------------- */

/* Memory no app can see (an ivshmem-plain device on the server VM alone,
 * after the slots in PCI order, backed by a memfd of the supervisor's),
 * in two parts:
 *
 *   0       struct link_ledger   the server VM: what it saw and did for
 *                                each slot; what `amphi server status`
 *                                can believe
 *   0x8000  struct link_assign   the supervisor: who holds each slot, in
 *           [slot]               which mode, with which MAC; what the
 *                                server VM believes
 *
 * An app's own region says what it likes about itself (link_host too: the
 * app may rewrite it); these say what the supervisor decided and what the
 * server saw and did.  Both outlive a server VM's restart. */
#define LINK_LEDGER_MAGIC	0x524744454c4b4e4cull	/* "LNKLEDGR" little endian */
#define LINK_LEDGER_SIZE	(64u << 10)	/* a power of two: a BAR */
#define LINK_LEDGER_OFF_ASSIGN	0x8000u
#define LINK_LEDGER_MAX_SLOTS	256u	/* room for in both parts */

/* The supervisor's assignment of one slot: written while attach_seq is 0
 * (the slot free), then attach_seq last (release); freeing stores 0.  So a
 * reader that sees the same non-zero attach_seq before and after copying
 * the rest has the record whole.  link_host holds the same for the app. */
struct link_assign {
	uint32_t attach_seq;		/* 0: no app */
	uint32_t mode;			/* enum link_mode */
	uint16_t app_peer;		/* the app's ivshmem id */
	uint8_t mac[6];			/* own mode: the one MAC the app may claim */
	uint32_t app_pid;		/* the host pid of `amphi run` */
	uint32_t pad;
	char app_name[LINK_NAME_MAX];	/* NUL-terminated */
	uint8_t pad2[8];
};

static inline struct link_assign *link_ledger_assign(void *ledger, unsigned slot)
{
	return (struct link_assign *)((char *)ledger + LINK_LEDGER_OFF_ASSIGN) + slot;
}

struct link_ledger_slot {
	uint32_t attach_seq;	/* the attachment the figures below are of */
	uint32_t state;		/* enum link_srv_state */
	uint32_t shut_reason;	/* enum link_shut_reason */
	uint32_t shuts;		/* links shut in this slot so far, any attachment */
	struct link_counters to_app, from_app;
};

struct link_ledger {
	uint64_t magic;
	uint32_t generation;	/* of the server VM writing it */
	uint32_t nslots;
	uint8_t pad[48];
	struct link_ledger_slot slots[];
};

/* ---- rings ------------------------------------------------------------------ */

/* A single-producer single-consumer ring of fixed slots.  Indices run free
 * (modulo 2^32); slot i lives at i % LINK_RING_SLOTS.  The producer owns
 * prod, the consumer owns cons and prod_event.  Notification suppression as
 * virtio's event index: the consumer stores in prod_event the index whose
 * publication it wants to hear about (its cons, before it sleeps); the
 * producer rings only when its new prod passes that. */
struct link_ring {
	uint32_t prod;
	uint8_t pad0[60];
	uint32_t cons;
	uint32_t prod_event;
	uint8_t pad1[56];
};

#define LINK_SLOT_HDR		8
#define LINK_FRAME_MAX		(LINK_SLOT_SIZE - LINK_SLOT_HDR)
#define LINK_FRAME_MIN		14	/* an Ethernet header */

#define LINK_FRAME_CSUM_VALID	0x1	/* the sender checked the L4 checksum */

struct link_slot {
	uint16_t len;
	uint16_t flags;		/* LINK_FRAME_* */
	uint32_t pad;
	uint8_t frame[LINK_FRAME_MAX];
};

/* The region, seen through its parts.  base must be LINK_REGION_SIZE long. */
static inline struct link_host *link_host(void *base)
{
	return (struct link_host *)((char *)base + LINK_OFF_HOST);
}
static inline struct link_srv *link_srv(void *base)
{
	return (struct link_srv *)((char *)base + LINK_OFF_SRV);
}
static inline struct link_app *link_app(void *base)
{
	return (struct link_app *)((char *)base + LINK_OFF_APP);
}
static inline struct link_ring *link_tx(void *base)
{
	return (struct link_ring *)((char *)base + LINK_OFF_TX);
}
static inline struct link_ring *link_rx(void *base)
{
	return (struct link_ring *)((char *)base + LINK_OFF_RX);
}
static inline struct link_slot *link_ring_slot(struct link_ring *r, uint32_t i)
{
	return (struct link_slot *)((char *)(r + 1) + (size_t)(i % LINK_RING_SLOTS) * LINK_SLOT_SIZE);
}

/* ---- the ring protocol (link_ring.c) ------------------------------------------ */

/* One side's private view of a ring: its own index, never re-read from
 * the region. */
struct link_end {
	struct link_ring *ring;
	uint32_t index;		/* producer: next prod; consumer: next cons */
};

/* Starts using a ring as producer or consumer, taking the index the region
 * holds (a restarted server picks up where its predecessor stopped).
 * A consumer finding the ring out of range (prod - cons > slots) resets it
 * to empty.  Returns true if the ring was consistent. */
bool link_end_open_producer(struct link_end *e, struct link_ring *r);
bool link_end_open_consumer(struct link_end *e, struct link_ring *r);
/* Starts a ring afresh as its producer: empty from the consumer's index
 * (whatever a predecessor left in it is dropped). */
void link_end_reset_producer(struct link_end *e, struct link_ring *r);

/* Producer: room for one more frame?  -EPROTO when the consumer's index is
 * out of range (a broken or hostile peer), -ENOBUFS when full, else 0. */
int link_ring_room(const struct link_end *e);
/* Producer: copies a frame made of segs into the next slot and publishes it.
 * Returns 0, -ENOBUFS, -EPROTO, or -EINVAL for a bad length. */
struct link_seg {
	const void *data;
	size_t len;
};
int link_ring_put(struct link_end *e, const struct link_seg *segs, int nsegs, uint16_t flags);
/* Producer: after a batch of puts (since the index `before`), does the
 * consumer want a doorbell? */
bool link_ring_should_notify(const struct link_end *e, uint32_t before);

/* Consumer: copies the next frame into buf (LINK_FRAME_MAX bytes) and
 * consumes its slot.  Returns the length (>= LINK_FRAME_MIN), 0 when the
 * ring is empty, -EPROTO when the producer's index is out of range, or
 * -EMSGSIZE when the slot's length is (the slot is consumed: a peer that
 * writes garbage loses only its own frames). */
int link_ring_get(struct link_end *e, void *buf, uint16_t *flags);
/* Consumer, before sleeping: asks for a doorbell at the next frame, then
 * looks again.  true if the ring is still empty (safe to sleep). */
bool link_ring_arm(struct link_end *e);

#endif
