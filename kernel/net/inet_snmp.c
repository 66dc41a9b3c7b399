/* /proc/net/snmp and sockstat: lwIP's SNMP MIB-2 counters (MIB2_STATS,
 * lwipopts.h: plain increments under the core lock) and a count of the
 * endpoints by state, read under the core lock. */
#include "net/sock_info.h"

#include "lwip/priv/tcp_priv.h"
#include "lwip/stats.h"
#include "lwip/tcpip.h"
#include "lwip/udp.h"

#include "core/string.h"
#include "net/inet_internal.h"
#include "net/net_config.h"

static void copy_mib2(struct net_snmp *o, const struct stats_mib2 *m)
{
	o->ip_in_receives = m->ipinreceives;
	o->ip_in_hdr_errors = m->ipinhdrerrors;
	o->ip_in_addr_errors = m->ipinaddrerrors;
	o->ip_forw_datagrams = m->ipforwdatagrams;
	o->ip_in_unknown_protos = m->ipinunknownprotos;
	o->ip_in_discards = m->ipindiscards;
	o->ip_in_delivers = m->ipindelivers;
	o->ip_out_requests = m->ipoutrequests;
	o->ip_out_discards = m->ipoutdiscards;
	o->ip_out_no_routes = m->ipoutnoroutes;
	o->ip_reasm_reqds = m->ipreasmreqds;
	o->ip_reasm_oks = m->ipreasmoks;
	o->ip_reasm_fails = m->ipreasmfails;
	o->ip_frag_oks = m->ipfragoks;
	o->ip_frag_fails = m->ipfragfails;
	o->ip_frag_creates = m->ipfragcreates;
}

static void copy_mib2_icmp(struct net_snmp *o, const struct stats_mib2 *m)
{
	o->icmp_in_msgs = m->icmpinmsgs;
	o->icmp_in_errors = m->icmpinerrors;
	o->icmp_in_dest_unreachs = m->icmpindestunreachs;
	o->icmp_in_time_excds = m->icmpintimeexcds;
	o->icmp_in_parm_probs = m->icmpinparmprobs;
	o->icmp_in_src_quenchs = m->icmpinsrcquenchs;
	o->icmp_in_redirects = m->icmpinredirects;
	o->icmp_in_echos = m->icmpinechos;
	o->icmp_in_echo_reps = m->icmpinechoreps;
	o->icmp_out_msgs = m->icmpoutmsgs;
	o->icmp_out_errors = m->icmpouterrors;
	o->icmp_out_dest_unreachs = m->icmpoutdestunreachs;
	o->icmp_out_time_excds = m->icmpouttimeexcds;
	o->icmp_out_echos = m->icmpoutechos;
	o->icmp_out_echo_reps = m->icmpoutechoreps;
}

static void copy_mib2_transport(struct net_snmp *o, const struct stats_mib2 *m)
{
	o->tcp_active_opens = m->tcpactiveopens;
	o->tcp_passive_opens = m->tcppassiveopens;
	o->tcp_attempt_fails = m->tcpattemptfails;
	o->tcp_estab_resets = m->tcpestabresets;
	o->tcp_in_segs = m->tcpinsegs;
	o->tcp_out_segs = m->tcpoutsegs;
	o->tcp_retrans_segs = m->tcpretranssegs;
	o->tcp_in_errs = m->tcpinerrs;
	o->tcp_out_rsts = m->tcpoutrsts;
	o->udp_in_datagrams = m->udpindatagrams;
	o->udp_no_ports = m->udpnoports;
	o->udp_in_errors = m->udpinerrors;
	o->udp_out_datagrams = m->udpoutdatagrams;
}

/* Which family's count an endpoint adds to: its socket's, or its PCB's. */
static bool is_v6(const void *conn, const ip_addr_t *local)
{
	struct inet_owner o;

	return inet_sock_owner(conn, &o) ? o.family == AF_INET6 : !IP_IS_V4_VAL(*local);
}

/* Caller holds the core lock.  Linux's CurrEstab counts ESTABLISHED and
 * CLOSE-WAIT; sockstat's inuse every endpoint but TIME-WAIT ones, orphans
 * those whose socket is gone. */
static void count_endpoints(struct net_snmp *o)
{
	for (struct tcp_pcb_listen *l = tcp_listen_pcbs.listen_pcbs; l; l = l->next)
		*(is_v6(l->callback_arg, &l->local_ip) ? &o->tcp_inuse6 : &o->tcp_inuse4) += 1;
	for (struct tcp_pcb *p = tcp_active_pcbs; p; p = p->next) {
		struct inet_owner own;
		bool owned = p->state != SYN_RCVD && inet_sock_owner(p->callback_arg, &own);
		bool v6 = owned ? own.family == AF_INET6 : !IP_IS_V4_VAL(p->local_ip);
		*(v6 ? &o->tcp_inuse6 : &o->tcp_inuse4) += 1;
		o->tcp_orphans += !p->callback_arg;
		o->tcp_curr_estab += p->state == ESTABLISHED || p->state == CLOSE_WAIT;
	}
	for (struct tcp_pcb *p = tcp_tw_pcbs; p; p = p->next)
		o->tcp_time_wait++;
	o->tcp_alloc = o->tcp_inuse4 + o->tcp_inuse6;
	for (struct udp_pcb *p = udp_pcbs; p; p = p->next) {
		struct inet_owner own;
		if (inet_sock_owner(p->recv_arg, &own))	/* not lwIP's own (DHCP, DNS) */
			*(own.family == AF_INET6 ? &o->udp_inuse6 : &o->udp_inuse4) += 1;
	}
}

void net_snmp_get(struct net_snmp *out)
{
	memset(out, 0, sizeof *out);
	if (!net_lwip_started())
		return;
	LOCK_TCPIP_CORE();
	copy_mib2(out, &lwip_stats.mib2);
	copy_mib2_icmp(out, &lwip_stats.mib2);
	copy_mib2_transport(out, &lwip_stats.mib2);
	count_endpoints(out);
	UNLOCK_TCPIP_CORE();
}
