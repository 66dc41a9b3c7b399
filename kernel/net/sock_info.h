/* What /proc/net shows of the network's sockets and tables: snapshots
 * taken under the network's own locks into plain structures, which the
 * Linux layer formats afterwards, holding nothing.  Each list function
 * fills out[0..max) and returns how many entries there are, which may be
 * more than max (the caller makes room and asks again). */
#ifndef AMPHI_NET_SOCK_INFO_H
#define AMPHI_NET_SOCK_INFO_H

#include <stdbool.h>
#include <stdint.h>

/* Linux's TCP states (include/net/tcp_states.h), as /proc/net shows them. */
enum {
	NET_TCP_ESTABLISHED = 1, NET_TCP_SYN_SENT, NET_TCP_SYN_RECV, NET_TCP_FIN_WAIT1,
	NET_TCP_FIN_WAIT2, NET_TCP_TIME_WAIT, NET_TCP_CLOSE, NET_TCP_CLOSE_WAIT,
	NET_TCP_LAST_ACK, NET_TCP_LISTEN, NET_TCP_CLOSING,
};

/* A TCP endpoint's pending timer, as /proc/net/tcp's "tr" column. */
enum { NET_TIMER_NONE, NET_TIMER_RETRANSMIT, NET_TIMER_KEEPALIVE, NET_TIMER_TIME_WAIT,
       NET_TIMER_PROBE };

/* One TCP or UDP endpoint. */
struct net_inet_info {
	uint8_t local[16], remote[16];	/* network order; IPv4: the first 4 bytes */
	uint16_t lport, rport;		/* host order */
	uint8_t state;			/* NET_TCP_*; UDP: ESTABLISHED when connected, else CLOSE */
	bool time_wait;			/* TIME-WAIT: no socket, Linux's shorter line */
	uint32_t tx_queue, rx_queue;	/* bytes; a listener: backlog and connections waiting */
	uint8_t timer;			/* TCP: NET_TIMER_* pending */
	uint32_t when;			/* clock ticks (1/100 s) until it fires */
	uint32_t retransmits;
	uint32_t uid;			/* the owning socket's maker, 0 without a socket */
	uint64_t ino;			/* its inode number (fstat), 0 without one */
	uint32_t rto;			/* TCP: clock ticks */
	uint32_t cwnd;			/* TCP: segments */
	int32_t ssthresh;		/* TCP: segments, -1 still in slow start */
	/* What sock_diag adds: the socket's side (zeros without one)... */
	bool owned;			/* a socket has it (uid, ino and these are its) */
	uint8_t shutdown;		/* Linux's sk_shutdown: 1 receive, 2 send */
	bool v6only, port_locked;	/* port_locked: bind() chose the port */
	uint32_t backlog;		/* a listener: listen()'s backlog */
	int32_t rcvbuf, sndbuf;		/* SO_RCVBUF's and SO_SNDBUF's answers */
	uint8_t tos;
	uint32_t bound_if;		/* SO_BINDTODEVICE's interface index, 0: none */
	/* ...and TCP's, for a tcp_info. */
	uint32_t rto_ms, srtt_ms, rttvar_ms;
	uint16_t mss;
	uint32_t snd_wnd, rcv_wnd;	/* bytes */
	uint32_t unacked_segs;
	uint32_t cwnd_bytes, ssthresh_bytes;
};

/* lwIP's TCP (listening, connected, TIME-WAIT) or UDP endpoints of one
 * version: v6, those an AF_INET6 socket owns or IPv6 ones; IPv4 ones
 * then show as ::ffff:a.b.c.d.  Takes the core lock. */
int net_inet_list(bool tcp, bool v6, struct net_inet_info *out, int max);
/* The raw sockets of one version, as net_inet_list (protocol as lport). */
int net_raw_list(bool v6, struct net_inet_info *out, int max);

/* Linux's socket states (SS_*) and __SO_ACCEPTCON, for /proc/net/unix. */
#define NET_SS_UNCONNECTED	1
#define NET_SS_CONNECTED	3
#define NET_SO_ACCEPTCON	0x10000

/* One AF_UNIX socket. */
struct net_unix_info {
	uint32_t refs;
	unsigned flags;			/* NET_SO_ACCEPTCON when listening */
	uint16_t type;			/* SOCK_STREAM... */
	uint8_t state;			/* NET_SS_* */
	uint64_t ino;
	uint32_t pathlen;		/* 0: unbound */
	char path[108];			/* sun_path's bytes; abstract: a leading NUL */
	/* What sock_diag adds. */
	uint8_t sk_state;		/* Linux's: NET_TCP_LISTEN, _ESTABLISHED, _CLOSE */
	uint8_t shutdown;		/* 1 receive, 2 send */
	uint32_t uid;			/* its maker's */
	bool has_peer;
	uint64_t peer_ino;		/* the peer's inode number (0: it has no file) */
	uint64_t vfs_ino, vfs_dev;	/* a path name's node (dev as stat gives it), else 0 */
	uint32_t rqueue, wqueue;	/* Linux's: a listener's pending count and backlog;
					   else bytes unread (a datagram socket: the first's),
					   bytes sent and not yet read */
};

/* Every AF_UNIX socket that has a file. */
int net_unix_list(struct net_unix_info *out, int max);
/* The inode numbers of the peers of the connections waiting at the
 * listener whose inode is ino, in arrival order: how many there are
 * (they fill out[0..max)), or -ENOENT without such a listener. */
int net_unix_icons(uint64_t ino, uint32_t *out, int max);

/* One entry of lwIP's ARP table. */
struct net_arp_info {
	uint8_t ip[4];
	uint8_t mac[6];
	bool complete;			/* answered (Linux's ATF_COM) */
	int ifindex;
};

int net_arp_list(struct net_arp_info *out, int max);

/* Linux's NUD_ states of a neighbour. */
#define NET_NUD_INCOMPLETE	0x01
#define NET_NUD_REACHABLE	0x02
#define NET_NUD_STALE		0x04
#define NET_NUD_DELAY		0x08
#define NET_NUD_PROBE		0x10

/* One entry of lwIP's IPv6 neighbour cache. */
struct net_nd6_info {
	uint8_t ip[16];
	uint8_t mac[6];
	bool has_mac;			/* answered: not INCOMPLETE */
	bool router;			/* it said so in its advertisement */
	uint16_t nud_state;		/* NET_NUD_* */
	uint32_t probes;		/* solicitations sent, while it has not answered */
	int ifindex;
};

/* The entries, as many as fit in out[0..max); returns how many there are
 * (never more than NET_ND6_MAX). */
#define NET_ND6_MAX	64
int net_nd6_list(struct net_nd6_info *out, int max);

/* SNMP's MIB-2 counters as lwIP keeps them, and what /proc/net/snmp and
 * sockstat count of the endpoints. */
struct net_snmp {
	uint32_t ip_in_receives, ip_in_hdr_errors, ip_in_addr_errors, ip_forw_datagrams;
	uint32_t ip_in_unknown_protos, ip_in_discards, ip_in_delivers, ip_out_requests;
	uint32_t ip_out_discards, ip_out_no_routes, ip_reasm_reqds, ip_reasm_oks;
	uint32_t ip_reasm_fails, ip_frag_oks, ip_frag_fails, ip_frag_creates;
	uint32_t icmp_in_msgs, icmp_in_errors, icmp_in_dest_unreachs, icmp_in_time_excds;
	uint32_t icmp_in_parm_probs, icmp_in_src_quenchs, icmp_in_redirects, icmp_in_echos;
	uint32_t icmp_in_echo_reps, icmp_out_msgs, icmp_out_errors, icmp_out_dest_unreachs;
	uint32_t icmp_out_time_excds, icmp_out_echos, icmp_out_echo_reps;
	uint32_t tcp_active_opens, tcp_passive_opens, tcp_attempt_fails, tcp_estab_resets;
	uint32_t tcp_curr_estab, tcp_in_segs, tcp_out_segs, tcp_retrans_segs, tcp_in_errs;
	uint32_t tcp_out_rsts;
	uint32_t udp_in_datagrams, udp_no_ports, udp_in_errors, udp_out_datagrams;
	/* sockstat */
	uint32_t tcp_inuse4, tcp_inuse6, tcp_orphans, tcp_time_wait, tcp_alloc;
	uint32_t udp_inuse4, udp_inuse6;
};

/* Zeros before lwIP has started.  Takes the core lock. */
void net_snmp_get(struct net_snmp *out);

#endif
