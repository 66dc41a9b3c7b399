/* /proc/net/snmp, netstat, sockstat and sockstat6: counters in Linux's
 * layout (a line of names, then a line of values, per group).  The
 * values lwIP counts (its MIB-2 statistics) are real; the rest are 0, as
 * a Linux that never met the event would show them. */
#include "linux/procfs_net.h"

#include "core/string.h"
#include "net/sock_info.h"
#include "net/socket.h"

#define DEFAULT_TTL	64	/* lwIP's IP_DEFAULT_TTL, Linux's ip_default_ttl */
#define NOT_FORWARDING	2	/* SNMP's ipForwarding: not a router */

/* "Group: names\nGroup: values\n", the values signed 64-bit. */
static void put_group(struct seqbuf *s, const char *group, const char *names, const int64_t *v, int n)
{
	seq_printf(s, "%s: %s\n%s:", group, names, group);
	for (int k = 0; k < n; k++)
		seq_printf(s, " %ld", v[k]);
	seq_printf(s, "\n");
}

#define GROUP(s, group, names, ...) do { \
	const int64_t v_[] = { __VA_ARGS__ }; \
	put_group(s, group, names, v_, (int)(sizeof v_ / sizeof v_[0])); \
} while (0)

static void put_ip(struct seqbuf *s, const struct net_snmp *m)
{
	GROUP(s, "Ip", "Forwarding DefaultTTL InReceives InHdrErrors InAddrErrors ForwDatagrams "
		  "InUnknownProtos InDiscards InDelivers OutRequests OutDiscards OutNoRoutes "
		  "ReasmTimeout ReasmReqds ReasmOKs ReasmFails FragOKs FragFails FragCreates OutTransmits",
	      NOT_FORWARDING, DEFAULT_TTL, m->ip_in_receives, m->ip_in_hdr_errors, m->ip_in_addr_errors,
	      m->ip_forw_datagrams, m->ip_in_unknown_protos, m->ip_in_discards, m->ip_in_delivers,
	      m->ip_out_requests, m->ip_out_discards, m->ip_out_no_routes, 0, m->ip_reasm_reqds,
	      m->ip_reasm_oks, m->ip_reasm_fails, m->ip_frag_oks, m->ip_frag_fails,
	      m->ip_frag_creates, m->ip_out_requests);
}

static void put_icmp(struct seqbuf *s, const struct net_snmp *m)
{
	GROUP(s, "Icmp", "InMsgs InErrors InCsumErrors InDestUnreachs InTimeExcds InParmProbs "
		  "InSrcQuenchs InRedirects InEchos InEchoReps InTimestamps InTimestampReps "
		  "InAddrMasks InAddrMaskReps OutMsgs OutErrors OutRateLimitGlobal OutRateLimitHost "
		  "OutDestUnreachs OutTimeExcds OutParmProbs OutSrcQuenchs OutRedirects OutEchos "
		  "OutEchoReps OutTimestamps OutTimestampReps OutAddrMasks OutAddrMaskReps",
	      m->icmp_in_msgs, m->icmp_in_errors, 0, m->icmp_in_dest_unreachs, m->icmp_in_time_excds,
	      m->icmp_in_parm_probs, m->icmp_in_src_quenchs, m->icmp_in_redirects, m->icmp_in_echos,
	      m->icmp_in_echo_reps, 0, 0, 0, 0, m->icmp_out_msgs, m->icmp_out_errors, 0, 0,
	      m->icmp_out_dest_unreachs, m->icmp_out_time_excds, 0, 0, 0, m->icmp_out_echos,
	      m->icmp_out_echo_reps, 0, 0, 0, 0);
}

/* IcmpMsg: per message type, In types then Out types in order, only
 * those seen; no lines at all when none was. */
static void put_icmp_msg(struct seqbuf *s, const struct net_snmp *m)
{
	const struct { const char *name; uint32_t v; } t[] = {
		{ "InType0", m->icmp_in_echo_reps }, { "InType3", m->icmp_in_dest_unreachs },
		{ "InType8", m->icmp_in_echos }, { "InType11", m->icmp_in_time_excds },
		{ "OutType0", m->icmp_out_echo_reps }, { "OutType3", m->icmp_out_dest_unreachs },
		{ "OutType8", m->icmp_out_echos }, { "OutType11", m->icmp_out_time_excds },
	};
	int n = (int)(sizeof t / sizeof t[0]), seen = 0;

	for (int k = 0; k < n; k++)
		seen += t[k].v != 0;
	if (!seen)
		return;
	seq_printf(s, "IcmpMsg:");
	for (int k = 0; k < n; k++)
		if (t[k].v)
			seq_printf(s, " %s", t[k].name);
	seq_printf(s, "\nIcmpMsg:");
	for (int k = 0; k < n; k++)
		if (t[k].v)
			seq_printf(s, " %u", t[k].v);
	seq_printf(s, "\n");
}

#define UDP_NAMES "InDatagrams NoPorts InErrors OutDatagrams RcvbufErrors SndbufErrors " \
		  "InCsumErrors IgnoredMulti MemErrors"

static void put_transport(struct seqbuf *s, const struct net_snmp *m)
{
	/* RFC 2012's constants as Linux gives them: "other" RTO algorithm
	 * (1), 200 ms and 120 s bounds, no connection limit (-1). */
	GROUP(s, "Tcp", "RtoAlgorithm RtoMin RtoMax MaxConn ActiveOpens PassiveOpens AttemptFails "
		  "EstabResets CurrEstab InSegs OutSegs RetransSegs InErrs OutRsts InCsumErrors",
	      1, 200, 120000, -1, m->tcp_active_opens, m->tcp_passive_opens, m->tcp_attempt_fails,
	      m->tcp_estab_resets, m->tcp_curr_estab, m->tcp_in_segs, m->tcp_out_segs,
	      m->tcp_retrans_segs, m->tcp_in_errs, m->tcp_out_rsts, 0);
	GROUP(s, "Udp", UDP_NAMES, m->udp_in_datagrams, m->udp_no_ports, m->udp_in_errors,
	      m->udp_out_datagrams, 0, 0, 0, 0, 0);
	GROUP(s, "UdpLite", UDP_NAMES, 0, 0, 0, 0, 0, 0, 0, 0, 0);
}

void proc_net_gen_snmp(struct seqbuf *s)
{
	struct net_snmp m;

	net_snmp_get(&m);
	put_ip(s, &m);
	put_icmp(s, &m);
	put_icmp_msg(s, &m);
	put_transport(s, &m);
}

/* Linux's TcpExt and IpExt counters: none is counted here. */
static const char tcp_ext[] =
	"SyncookiesSent SyncookiesRecv SyncookiesFailed EmbryonicRsts PruneCalled RcvPruned"
	" OfoPruned OutOfWindowIcmps LockDroppedIcmps ArpFilter TW TWRecycled TWKilled PAWSActive"
	" PAWSEstab BeyondWindow TSEcrRejected PAWSOldAck PAWSTimewait DelayedACKs"
	" DelayedACKLocked DelayedACKLost ListenOverflows ListenDrops TCPHPHits TCPPureAcks"
	" TCPHPAcks TCPRenoRecovery TCPSackRecovery TCPSACKReneging TCPSACKReorder TCPRenoReorder"
	" TCPTSReorder TCPFullUndo TCPPartialUndo TCPDSACKUndo TCPLossUndo TCPLostRetransmit"
	" TCPRenoFailures TCPSackFailures TCPLossFailures TCPFastRetrans TCPSlowStartRetrans"
	" TCPTimeouts TCPLossProbes TCPLossProbeRecovery TCPRenoRecoveryFail TCPSackRecoveryFail"
	" TCPRcvCollapsed TCPBacklogCoalesce TCPDSACKOldSent TCPDSACKOfoSent TCPDSACKRecv"
	" TCPDSACKOfoRecv TCPAbortOnData TCPAbortOnClose TCPAbortOnMemory TCPAbortOnTimeout"
	" TCPAbortOnLinger TCPAbortFailed TCPMemoryPressures TCPMemoryPressuresChrono"
	" TCPSACKDiscard TCPDSACKIgnoredOld TCPDSACKIgnoredNoUndo TCPSpuriousRTOs TCPMD5NotFound"
	" TCPMD5Unexpected TCPMD5Failure TCPSackShifted TCPSackMerged TCPSackShiftFallback"
	" TCPBacklogDrop PFMemallocDrop TCPMinTTLDrop TCPDeferAcceptDrop IPReversePathFilter"
	" TCPTimeWaitOverflow TCPReqQFullDoCookies TCPReqQFullDrop TCPRetransFail TCPRcvCoalesce"
	" TCPOFOQueue TCPOFODrop TCPOFOMerge TCPChallengeACK TCPSYNChallenge TCPFastOpenActive"
	" TCPFastOpenActiveFail TCPFastOpenPassive TCPFastOpenPassiveFail"
	" TCPFastOpenListenOverflow TCPFastOpenCookieReqd TCPFastOpenBlackhole"
	" TCPSpuriousRtxHostQueues BusyPollRxPackets TCPAutoCorking TCPFromZeroWindowAdv"
	" TCPToZeroWindowAdv TCPWantZeroWindowAdv TCPSynRetrans TCPOrigDataSent"
	" TCPHystartTrainDetect TCPHystartTrainCwnd TCPHystartDelayDetect TCPHystartDelayCwnd"
	" TCPACKSkippedSynRecv TCPACKSkippedPAWS TCPACKSkippedSeq TCPACKSkippedFinWait2"
	" TCPACKSkippedTimeWait TCPACKSkippedChallenge TCPWinProbe TCPKeepAlive TCPMTUPFail"
	" TCPMTUPSuccess TCPDelivered TCPDeliveredCE TCPAckCompressed TCPZeroWindowDrop"
	" TCPRcvQDrop TCPWqueueTooBig TCPFastOpenPassiveAltKey TcpTimeoutRehash"
	" TcpDuplicateDataRehash TCPDSACKRecvSegs TCPDSACKIgnoredDubious TCPMigrateReqSuccess"
	" TCPMigrateReqFailure TCPPLBRehash TCPAORequired TCPAOBad TCPAOKeyNotFound TCPAOGood"
	" TCPAODroppedIcmps";

static const char ip_ext[] =
	"InNoRoutes InTruncatedPkts InMcastPkts OutMcastPkts InBcastPkts OutBcastPkts InOctets"
	" OutOctets InMcastOctets OutMcastOctets InBcastOctets OutBcastOctets InCsumErrors"
	" InNoECTPkts InECT1Pkts InECT0Pkts InCEPkts ReasmOverlaps";

static void put_zeros(struct seqbuf *s, const char *group, const char *names)
{
	seq_printf(s, "%s: %s\n%s:", group, names, group);
	for (const char *p = names; *p; p++)
		if (p == names || p[-1] == ' ')
			seq_printf(s, " 0");
	seq_printf(s, "\n");
}

void proc_net_gen_netstat(struct seqbuf *s)
{
	put_zeros(s, "TcpExt", tcp_ext);
	put_zeros(s, "IpExt", ip_ext);
}

static int count_socket(struct socket *sock, void *arg)
{
	(void)sock;
	(*(uint32_t *)arg)++;
	return 0;
}

void proc_net_gen_sockstat(struct seqbuf *s)
{
	struct net_snmp m;
	uint32_t used = 0;

	net_snmp_get(&m);
	socket_each(AF_UNSPEC, count_socket, &used);
	seq_printf(s, "sockets: used %u\n", used);
	seq_printf(s, "TCP: inuse %u orphan %u tw %u alloc %u mem %u\n", m.tcp_inuse4, m.tcp_orphans,
		   m.tcp_time_wait, m.tcp_alloc, 0);
	seq_printf(s, "UDP: inuse %u mem %u\nUDPLITE: inuse 0\nRAW: inuse 0\n", m.udp_inuse4, 0);
	seq_printf(s, "FRAG: inuse 0 memory 0\n");
}

void proc_net_gen_sockstat6(struct seqbuf *s)
{
	struct net_snmp m;

	net_snmp_get(&m);
	seq_printf(s, "TCP6: inuse %u\nUDP6: inuse %u\nUDPLITE6: inuse 0\nRAW6: inuse 0\n",
		   m.tcp_inuse6, m.udp_inuse6);
	seq_printf(s, "FRAG6: inuse 0 memory 0\n");
}
