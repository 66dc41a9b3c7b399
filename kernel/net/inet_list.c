/* /proc/net/tcp, tcp6, udp, udp6, raw and raw6's entries: lwIP's PCBs, walked under
 * the core lock (no PCB is freed while it is held), each with its
 * socket's identity from the registry (inet_sock_owner), copied into the
 * caller's array.  Nothing is followed after the lock is dropped. */
#include "net/sock_info.h"

#include "lwip/priv/tcp_priv.h"
#include "lwip/tcp.h"
#include "lwip/ip.h"
#include "lwip/raw.h"
#include "lwip/tcpip.h"
#include "lwip/udp.h"

#include "core/string.h"
#include "net/inet_internal.h"
#include "net/net_config.h"
#include "net/socket.h"

#define CLOCK_HZ	100	/* USER_HZ: /proc's clock ticks */

struct walk {
	bool v6;
	struct net_inet_info *out;
	int max, count;
};

/* lwIP's tcp_state, in order, as Linux numbers them. */
static const uint8_t linux_state[] = {
	[CLOSED] = NET_TCP_CLOSE, [LISTEN] = NET_TCP_LISTEN, [SYN_SENT] = NET_TCP_SYN_SENT,
	[SYN_RCVD] = NET_TCP_SYN_RECV, [ESTABLISHED] = NET_TCP_ESTABLISHED,
	[FIN_WAIT_1] = NET_TCP_FIN_WAIT1, [FIN_WAIT_2] = NET_TCP_FIN_WAIT2,
	[CLOSE_WAIT] = NET_TCP_CLOSE_WAIT, [CLOSING] = NET_TCP_CLOSING,
	[LAST_ACK] = NET_TCP_LAST_ACK, [TIME_WAIT] = NET_TCP_TIME_WAIT,
};

/* An address into 16 bytes: IPv4 ones in the first 4 of a v4 listing, or
 * as ::ffff:a.b.c.d in a v6 one; the dual-stack "any" as ::. */
static void put_addr(uint8_t out[16], const ip_addr_t *a, bool v6)
{
	memset(out, 0, 16);
	if (IP_IS_V4_VAL(*a) && !v6) {
		memcpy(out, &ip_2_ip4(a)->addr, 4);
	} else if (IP_IS_V4_VAL(*a)) {
		out[10] = out[11] = 0xff;
		memcpy(out + 12, &ip_2_ip4(a)->addr, 4);
	} else if (v6) {
		memcpy(out, ip_2_ip6(a)->addr, 16);
	}
}

/* Whether an endpoint belongs in this listing: its socket's family, or
 * without one the PCB's own version. */
static bool in_listing(const struct walk *w, bool owned, const struct inet_owner *o,
		       const ip_addr_t *local)
{
	bool v6 = owned ? o->family == AF_INET6 : !IP_IS_V4_VAL(*local);
	return v6 == w->v6;
}

/* The next free entry, or NULL past max (still counted). */
static struct net_inet_info *next_entry(struct walk *w)
{
	struct net_inet_info *e = w->count < w->max ? &w->out[w->count] : NULL;

	w->count++;
	if (e)
		memset(e, 0, sizeof *e);
	return e;
}

static void fill_common(struct net_inet_info *e, const struct walk *w, const ip_addr_t *local,
			uint16_t lport, const ip_addr_t *remote, uint16_t rport, bool owned,
			const struct inet_owner *o)
{
	put_addr(e->local, local, w->v6);
	put_addr(e->remote, remote, w->v6);
	e->lport = lport;
	e->rport = rport;
	if (owned) {
		e->owned = true;
		e->ino = o->ino;
		e->uid = o->uid;
		e->rx_queue = o->unread;
		e->shutdown = o->shutdown;
		e->v6only = o->v6only;
		e->port_locked = o->port_locked;
		e->backlog = (uint32_t)o->backlog;
		e->rcvbuf = o->rcvbuf;
		e->sndbuf = o->sndbuf;
		e->tos = (uint8_t)o->tos;
		e->bound_if = (uint32_t)o->bound_if;
	}
}

/* Segments of a window, as Linux counts cwnd and ssthresh. */
static uint32_t segments(uint32_t bytes, uint16_t mss)
{
	return mss ? bytes / mss : 0;
}

/* A half-open connection still carries its listener's netconn (lwIP
 * gives it its own at the handshake's end): no socket of its own yet, as
 * Linux's request sockets, which show inode 0. */
static const void *conn_of(const struct tcp_pcb *pcb)
{
	return pcb->state == SYN_RCVD ? NULL : pcb->callback_arg;
}

static uint32_t ms_to_ticks(int64_t ms)
{
	return ms > 0 ? (uint32_t)(ms * CLOCK_HZ / 1000) : 0;
}

/* The timer Linux would show: retransmission while data is out, the
 * zero-window probe, else keep-alive when asked for. */
static void tcp_timer(struct net_inet_info *e, const struct tcp_pcb *pcb)
{
	int64_t idle = (int64_t)(uint32_t)(tcp_ticks - pcb->tmr) * TCP_SLOW_INTERVAL;

	if (pcb->rtime >= 0 && (pcb->unacked || pcb->unsent)) {
		e->timer = NET_TIMER_RETRANSMIT;
		e->when = ms_to_ticks((int64_t)(pcb->rto - pcb->rtime) * TCP_SLOW_INTERVAL);
	} else if (pcb->persist_backoff) {
		e->timer = NET_TIMER_PROBE;
	} else if (ip_get_option(pcb, SOF_KEEPALIVE) && pcb->state == ESTABLISHED) {
		e->timer = NET_TIMER_KEEPALIVE;
		e->when = ms_to_ticks((int64_t)pcb->keep_idle + (int64_t)pcb->keep_cnt_sent * pcb->keep_intvl - idle);
	}
}

/* What a tcp_info shows: lwIP's round-trip estimate (sa is 8 times the
 * mean, sv 4 times the deviation, both in slow-timer ticks), windows. */
static void tcp_more(struct net_inet_info *e, const struct tcp_pcb *pcb)
{
	e->rto_ms = (uint32_t)pcb->rto * TCP_SLOW_INTERVAL;
	e->srtt_ms = pcb->sa > 0 ? (uint32_t)(pcb->sa >> 3) * TCP_SLOW_INTERVAL : 0;
	e->rttvar_ms = pcb->sv > 0 ? (uint32_t)(pcb->sv >> 2) * TCP_SLOW_INTERVAL : 0;
	e->mss = pcb->mss;
	e->snd_wnd = pcb->snd_wnd;
	e->rcv_wnd = pcb->rcv_ann_wnd;
	e->cwnd_bytes = pcb->cwnd;
	e->ssthresh_bytes = pcb->ssthresh;
	for (const struct tcp_seg *s = pcb->unacked; s; s = s->next)
		e->unacked_segs++;
}

static void tcp_one(struct walk *w, struct tcp_pcb *pcb)
{
	struct inet_owner o;
	bool owned = inet_sock_owner(conn_of(pcb), &o);

	if (!in_listing(w, owned, &o, &pcb->local_ip))
		return;
	struct net_inet_info *e = next_entry(w);
	if (!e)
		return;
	fill_common(e, w, &pcb->local_ip, pcb->local_port, &pcb->remote_ip, pcb->remote_port,
		    owned, &o);
	e->state = pcb->state < sizeof linux_state ? linux_state[pcb->state] : NET_TCP_CLOSE;
	e->tx_queue = pcb->snd_lbb - pcb->lastack;	/* sent and unacknowledged, or unsent */
	e->retransmits = pcb->nrtx;
	tcp_timer(e, pcb);
	e->rto = (uint32_t)pcb->rto * TCP_SLOW_INTERVAL * CLOCK_HZ / 1000;
	e->cwnd = segments(pcb->cwnd, pcb->mss);
	e->ssthresh = (int32_t)segments(pcb->ssthresh, pcb->mss);
	tcp_more(e, pcb);
}

static void tcp_listener(struct walk *w, struct tcp_pcb_listen *l)
{
	struct inet_owner o;
	bool owned = inet_sock_owner(l->callback_arg, &o);

	if (!in_listing(w, owned, &o, &l->local_ip))
		return;
	struct net_inet_info *e = next_entry(w);
	if (!e)
		return;
	ip_addr_t any = IPADDR_ANY_TYPE_INIT;	/* a listener's remote_ip is not kept */

	fill_common(e, w, &l->local_ip, l->local_port, &any, 0, owned, &o);
	e->state = NET_TCP_LISTEN;
	e->rx_queue = l->accepts_pending;	/* as Linux: connections waiting for accept */
	/* A listener has no round trips or window: Linux shows its first RTO
	 * (1 s) and initial window (10 segments). */
	e->rto = CLOCK_HZ;
	e->cwnd = 10;
}

/* TIME-WAIT: time left of its two MSLs. */
static void tcp_time_wait(struct walk *w, struct tcp_pcb *pcb)
{
	if (!in_listing(w, false, NULL, &pcb->local_ip))
		return;
	struct net_inet_info *e = next_entry(w);
	if (!e)
		return;
	fill_common(e, w, &pcb->local_ip, pcb->local_port, &pcb->remote_ip, pcb->remote_port,
		    false, NULL);
	e->state = NET_TCP_TIME_WAIT;
	e->time_wait = true;
	e->timer = NET_TIMER_TIME_WAIT;
	e->when = ms_to_ticks(2ll * TCP_MSL - (int64_t)(uint32_t)(tcp_ticks - pcb->tmr) * TCP_SLOW_INTERVAL);
}

/* Linux's connect() on an unbound UDP or raw socket fixes its source
 * address (ip4_datagram_connect); lwIP's keeps "any" and picks one per
 * datagram: the address of the interface the route goes out by, as Linux
 * shows.  IPv6 keeps "any" (no route lookup here for its sources). */
static ip_addr_t connected_source(const ip_addr_t *bound, const ip_addr_t *remote, bool connected)
{
	ip_addr_t local = *bound;

	if (connected && IP_IS_V4_VAL(local) && ip_addr_isany(&local)) {
		struct netif *out = ip_route(bound, remote);
		if (out)
			ip_addr_copy_from_ip4(local, *netif_ip4_addr(out));
	}
	return local;
}

static void udp_one(struct walk *w, struct udp_pcb *pcb)
{
	struct inet_owner o;

	/* lwIP's own (DHCP, DNS): Linux's kernel uses no UDP socket for them. */
	if (!inet_sock_owner(pcb->recv_arg, &o) || !in_listing(w, true, &o, &pcb->local_ip))
		return;
	struct net_inet_info *e = next_entry(w);
	if (!e)
		return;
	bool connected = pcb->flags & UDP_FLAGS_CONNECTED;
	ip_addr_t local = connected_source(&pcb->local_ip, &pcb->remote_ip, connected);
	fill_common(e, w, &local, pcb->local_port, &pcb->remote_ip,
		    connected ? pcb->remote_port : 0, true, &o);
	e->state = connected ? NET_TCP_ESTABLISHED : NET_TCP_CLOSE;
}

/* A raw socket as Linux's raw_sock_seq_show: its protocol as the local
 * port, no remote port, "established" when connected. */
static void raw_one(const struct netconn *conn, const struct inet_owner *o, void *arg)
{
	struct walk *w = arg;
	const struct raw_pcb *pcb = conn->pcb.raw;

	if (!in_listing(w, true, o, &pcb->local_ip))
		return;
	struct net_inet_info *e = next_entry(w);
	if (!e)
		return;
	bool connected = pcb->flags & RAW_FLAGS_CONNECTED;
	ip_addr_t local = connected_source(&pcb->local_ip, &pcb->remote_ip, connected);
	fill_common(e, w, &local, pcb->protocol, &pcb->remote_ip, 0, true, o);
	e->state = connected ? NET_TCP_ESTABLISHED : NET_TCP_CLOSE;
}

int net_raw_list(bool v6, struct net_inet_info *out, int max)
{
	struct walk w = { v6, out, max, 0 };

	if (!net_lwip_started())
		return 0;
	LOCK_TCPIP_CORE();
	inet_raw_each(raw_one, &w);
	UNLOCK_TCPIP_CORE();
	return w.count;
}

int net_inet_list(bool tcp, bool v6, struct net_inet_info *out, int max)
{
	struct walk w = { v6, out, max, 0 };

	if (!net_lwip_started())
		return 0;
	LOCK_TCPIP_CORE();
	if (tcp) {
		for (struct tcp_pcb_listen *l = tcp_listen_pcbs.listen_pcbs; l; l = l->next)
			tcp_listener(&w, l);
		for (struct tcp_pcb *p = tcp_active_pcbs; p; p = p->next)
			tcp_one(&w, p);
		for (struct tcp_pcb *p = tcp_tw_pcbs; p; p = p->next)
			tcp_time_wait(&w, p);
	} else {
		for (struct udp_pcb *p = udp_pcbs; p; p = p->next)
			udp_one(&w, p);
	}
	UNLOCK_TCPIP_CORE();
	return w.count;
}
