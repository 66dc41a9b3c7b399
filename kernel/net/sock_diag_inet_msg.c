/* One TCP or UDP endpoint as an inet_diag_msg and its attributes, in
 * the order Linux's inet_sk_diag_fill puts them; TIME-WAIT and half-open
 * endpoints, which have no socket, as its inet_twsk_diag_fill and
 * inet_req_diag_fill: the message alone. */
#include "net/sock_diag_inet.h"

#include "core/string.h"

enum {
	ATTR_MEMINFO = 1, ATTR_INFO, ATTR_VEGASINFO, ATTR_CONG, ATTR_TOS, ATTR_TCLASS,
	ATTR_SKMEMINFO, ATTR_SHUTDOWN, ATTR_SKV6ONLY = 11, ATTR_MARK = 15, ATTR_CLASS_ID = 17,
	ATTR_CGROUP_ID = 21, ATTR_SOCKOPT = 22,
};

#define WANTS(ext, a)	((ext) & (1u << ((a) - 1)))
#define TCP_INFO_SIZE	280	/* Linux 6.18's struct tcp_info */
#define SK_MEMINFO_VARS	9
/* amphi has no cgroups (no cgroup2 file system to name one): 0, which
 * ss -e shows as nothing; Linux's root cgroup would be 1, and ss would
 * look for its path. */
#define NO_CGROUP	0

/* struct inet_diag_sockopt's bits that are set on a new socket: IP_MULTICAST_LOOP
 * and IP_MULTICAST_ALL; is_icsk for TCP. */
#define SOCKOPT_ICSK		0x02
#define SOCKOPT_MC_LOOP		0x10
#define SOCKOPT_MC_ALL		0x40

/* Linux's timer numbers and its expiry, in ms, of what inet_list.c found. */
static void put_timer(struct inet_diag_msg_k *m, const struct net_inet_info *e)
{
	static const uint8_t linux_timer[] = {
		[NET_TIMER_RETRANSMIT] = 1, [NET_TIMER_KEEPALIVE] = 2, [NET_TIMER_TIME_WAIT] = 3,
		[NET_TIMER_PROBE] = 4,
	};

	if (e->timer == NET_TIMER_NONE || e->timer >= sizeof linux_timer)
		return;
	m->timer = linux_timer[e->timer];
	m->retrans = e->timer == NET_TIMER_RETRANSMIT ? (uint8_t)e->retransmits : 0;
	m->expires = e->when * 10;	/* clock ticks of 10 ms */
}

static void put_id(struct inet_diag_msg_k *m, const struct net_inet_info *e, uint8_t family)
{
	size_t alen = family == AF_INET6_K ? 16 : 4;

	m->family = family;
	m->id.sport = __builtin_bswap16(e->lport);
	m->id.dport = __builtin_bswap16(e->rport);
	memcpy(m->id.src, e->local, alen);
	memcpy(m->id.dst, e->remote, alen);
	m->id.ifindex = e->bound_if;
	uint64_t cookie = diag_cookie(e->ino);
	m->id.cookie[0] = (uint32_t)cookie;
	m->id.cookie[1] = (uint32_t)(cookie >> 32);
}

/* Linux's tcp_get_info, from what lwIP knows: a listener shows its queue
 * and backlog only; lwIP does not pace (rates "unlimited"). */
static void fill_tcp_info(uint8_t *ti, const struct net_inet_info *e, uint32_t headers)
{
	uint64_t unlimited = ~0ull;
	uint32_t v[26] = { 0 };

	ti[0] = e->state;
	memcpy(ti + 104, &unlimited, 8);	/* tcpi_pacing_rate */
	memcpy(ti + 112, &unlimited, 8);	/* tcpi_max_pacing_rate */
	if (e->state == NET_TCP_LISTEN) {
		v[4] = e->rx_queue;		/* tcpi_unacked: connections waiting */
		v[5] = e->backlog;		/* tcpi_sacked: the backlog */
		memcpy(ti + 8, v, sizeof(uint32_t) * 24);
		return;
	}
	ti[2] = (uint8_t)e->retransmits;
	v[0] = e->rto_ms * 1000;		/* tcpi_rto, µs */
	v[2] = v[3] = e->mss;			/* tcpi_snd_mss, tcpi_rcv_mss */
	v[4] = e->unacked_segs;
	v[13] = e->mss + headers;	/* tcpi_pmtu: a segment and its headers */
	v[14] = e->rcv_wnd;			/* tcpi_rcv_ssthresh */
	v[15] = e->srtt_ms * 1000;		/* tcpi_rtt, µs */
	v[16] = e->rttvar_ms * 1000;
	v[17] = e->ssthresh_bytes / (e->mss ? e->mss : 1);
	v[18] = e->cwnd;
	v[19] = e->mss;				/* tcpi_advmss */
	v[20] = 3;				/* tcpi_reordering: Linux's initial */
	v[22] = e->rcv_wnd;			/* tcpi_rcv_space */
	v[23] = e->retransmits;			/* tcpi_total_retrans */
	memcpy(ti + 8, v, sizeof(uint32_t) * 24);
	memcpy(ti + 228, &e->snd_wnd, 4);
	memcpy(ti + 232, &e->rcv_wnd, 4);
}

static bool put_tcp_attrs(struct nl_buf *b, const struct inet_diag_query *q,
			  const struct net_inet_info *e, uint8_t family)
{
	static const uint8_t mapped[12] = { [10] = 0xff, [11] = 0xff };

	if (WANTS(q->req.ext, ATTR_INFO)) {
		uint8_t ti[TCP_INFO_SIZE] = { 0 };
		bool v6 = family == AF_INET6_K && memcmp(e->local, mapped, sizeof mapped);
		fill_tcp_info(ti, e, v6 ? 60 : 40);
		if (!nla_put(b, ATTR_INFO, ti, sizeof ti))
			return false;
	}
	/* lwIP's congestion control is Reno's (RFC 5681), with NewReno's
	 * recovery: no get_info of its own, so no VEGASINFO. */
	return !WANTS(q->req.ext, ATTR_CONG) || nla_put_str(b, ATTR_CONG, "reno");
}

static bool put_memory(struct nl_buf *b, const struct inet_diag_query *q,
		       const struct net_inet_info *e, bool tcp)
{
	uint32_t wq = tcp ? e->tx_queue : 0;

	if (WANTS(q->req.ext, ATTR_MEMINFO)) {
		uint32_t mi[4] = { e->rx_queue, wq, 0, wq };
		if (!nla_put(b, ATTR_MEMINFO, mi, sizeof mi))
			return false;
	}
	if (WANTS(q->req.ext, ATTR_SKMEMINFO)) {
		/* rmem_alloc, rcvbuf, wmem_alloc, sndbuf, fwd_alloc, wmem_queued,
		 * optmem, backlog, drops */
		uint32_t sm[SK_MEMINFO_VARS] = { e->rx_queue, (uint32_t)e->rcvbuf, wq,
						 (uint32_t)e->sndbuf, 0, wq, 0, 0, 0 };
		if (!nla_put(b, ATTR_SKMEMINFO, sm, sizeof sm))
			return false;
	}
	return true;
}

/* Linux's sk_ipv6only: IPV6_V6ONLY, which a bind to an IPv6 address
 * (neither :: nor v4-mapped) also sets. */
static uint8_t v6only(const struct net_inet_info *e)
{
	static const uint8_t any[16], mapped[12] = { [10] = 0xff, [11] = 0xff };

	return e->v6only || (memcmp(e->local, any, 16) && memcmp(e->local, mapped, 12));
}

/* Linux's inet_diag_msg_attrs_fill. */
static bool put_common_attrs(struct nl_buf *b, const struct inet_diag_query *q,
			     const struct net_inet_info *e, uint8_t family, bool tcp)
{
	uint64_t cgroup = NO_CGROUP;
	/* IPv6 sockets start without IP_MULTICAST_ALL (inet6_create) */
	uint8_t sockopt[2] = { (uint8_t)(SOCKOPT_MC_LOOP | (family == AF_INET_K ? SOCKOPT_MC_ALL : 0) |
					 (tcp ? SOCKOPT_ICSK : 0)), 0 };
	bool v6_unconnected = e->state == NET_TCP_LISTEN || e->state == NET_TCP_CLOSE;

	if (!nla_put_u8(b, ATTR_SHUTDOWN, e->shutdown) ||
	    (WANTS(q->req.ext, ATTR_TOS) && !nla_put_u8(b, ATTR_TOS, e->tos)))
		return false;
	if (family == AF_INET6_K &&
	    ((WANTS(q->req.ext, ATTR_TCLASS) && !nla_put_u8(b, ATTR_TCLASS, 0)) ||
	     (v6_unconnected && !nla_put_u8(b, ATTR_SKV6ONLY, v6only(e)))))
		return false;
	if (q->net_admin && !nla_put_u32(b, ATTR_MARK, 0))
		return false;
	/* the class id: none, so the socket's priority (0) */
	if (WANTS(q->req.ext, ATTR_TCLASS) && !nla_put_u32(b, ATTR_CLASS_ID, 0))
		return false;
	return nla_put(b, ATTR_CGROUP_ID, &cgroup, sizeof cgroup) &&
	       nla_put(b, ATTR_SOCKOPT, sockopt, sizeof sockopt);
}

/* A socket's queues as Linux's tcp_diag_get_info and udp_diag_get_info
 * give them: a listener's waiting connections and backlog; a stream's
 * unread and unacknowledged bytes; a datagram socket's unread ones. */
static void put_queues(struct inet_diag_msg_k *m, const struct net_inet_info *e, bool tcp)
{
	if (tcp && e->state == NET_TCP_LISTEN) {
		m->rqueue = e->rx_queue;
		m->wqueue = e->backlog;
	} else {
		m->rqueue = e->rx_queue;
		m->wqueue = tcp ? e->tx_queue : 0;
	}
}

bool inet_diag_put(struct nl_buf *b, const struct inet_diag_query *q, const struct net_inet_info *e,
		   uint8_t family, uint16_t flags, uint32_t seq, uint32_t pid)
{
	bool tcp = q->req.protocol == IPPROTO_TCP_K;
	struct nlmsghdr_k *h = nlmsg_begin(b, q->type, flags, seq, pid, sizeof(struct inet_diag_msg_k));

	if (!h)
		return false;
	struct inet_diag_msg_k *m = nlmsg_body(h);
	put_id(m, e, family);
	m->state = e->state;
	if (tcp)
		put_timer(m, e);
	if (!e->owned) {	/* TIME-WAIT, or a connection not yet accepted */
		if (e->state == NET_TCP_SYN_RECV)
			m->timer = 1;
		nlmsg_end(b, h);
		return true;
	}
	m->uid = e->uid;
	m->inode = (uint32_t)e->ino;
	put_queues(m, e, tcp);
	if (!put_common_attrs(b, q, e, family, tcp) || !put_memory(b, q, e, tcp) ||
	    (tcp && !put_tcp_attrs(b, q, e, family))) {
		nlmsg_cancel(b, h);
		return false;
	}
	nlmsg_end(b, h);
	return true;
}
