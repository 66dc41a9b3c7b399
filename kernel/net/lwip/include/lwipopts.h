/* lwIP's configuration for amphi: an operating system underneath (threads,
 * core locking), IPv4 and IPv6, TCP/UDP through the netconn API (the socket
 * layer is ours, kernel/net/inet_*.c), memory from the kernel heap under a
 * byte cap (kernel/net/sys_arch_mem.c) instead of fixed pools, so that the
 * number of connections is bounded by memory, not by a table size. */
#ifndef AMPHI_NET_LWIPOPTS_H
#define AMPHI_NET_LWIPOPTS_H

/* ---- the operating system ------------------------------------------- */
#define NO_SYS				0
#define SYS_LIGHTWEIGHT_PROT		1
#define LWIP_TCPIP_CORE_LOCKING		1
/* The port's receive thread calls ethernet_input under the core lock
 * itself; tcpip_input (loopback) does the same instead of queueing. */
#define LWIP_TCPIP_CORE_LOCKING_INPUT	1
#define LWIP_COMPAT_MUTEX		0
#define TCPIP_MBOX_SIZE			1024
#define TCPIP_THREAD_NAME		"tcpip"
#define TCPIP_THREAD_STACKSIZE		0	/* kernel threads have fixed stacks */
#define TCPIP_THREAD_PRIO		0
#define DEFAULT_THREAD_STACKSIZE	0
#define LWIP_TIMERS			1

/* The core lock is a sleeping mutex that knows its holder, so lwIP's
 * LWIP_ASSERT_CORE_LOCKED catches calls made without it. */
void net_core_assert_locked(const char *file, int line);
#define LOCK_TCPIP_CORE()		net_core_lock()
#define UNLOCK_TCPIP_CORE()		net_core_unlock()
#define LWIP_ASSERT_CORE_LOCKED()	net_core_assert_locked(__FILE__, __LINE__)

/* ---- memory ------------------------------------------------------------ */
/* Everything (heap and "pools") from kmalloc, counted against a cap set at
 * start-up: when the cap is reached allocations fail and lwIP drops frames
 * or refuses connections, as it would with empty pools. */
#include <stddef.h>
void *net_mem_alloc(size_t size);
void *net_mem_calloc(size_t n, size_t size);
void net_mem_free(void *p);
#define MEM_LIBC_MALLOC			1
#define MEMP_MEM_MALLOC			1
#define mem_clib_malloc			net_mem_alloc
#define mem_clib_calloc			net_mem_calloc
#define mem_clib_free			net_mem_free
#define MEM_ALIGNMENT			8
/* Pool sizes are not enforced with MEMP_MEM_MALLOC; these satisfy lwIP's
 * start-up sanity checks and document the scale we plan for. */
#define MEMP_NUM_TCP_PCB		2048
#define MEMP_NUM_TCP_PCB_LISTEN		64
#define MEMP_NUM_UDP_PCB		256
#define MEMP_NUM_RAW_PCB		64
#define MEMP_NUM_NETCONN		2400
#define MEMP_NUM_TCP_SEG		8192
#define MEMP_NUM_NETBUF			1024
#define MEMP_NUM_TCPIP_MSG_API		256
#define MEMP_NUM_TCPIP_MSG_INPKT	1024
#define MEMP_NUM_SYS_TIMEOUT		(LWIP_NUM_SYS_TIMEOUT_INTERNAL + 16)
#define PBUF_POOL_SIZE			1024
#define MEMP_NUM_PBUF			1024
#define MEMP_NUM_REASSDATA		16
#define IP_REASS_MAX_PBUFS		64
#define MEMP_NUM_ARP_QUEUE		64

/* ---- link layer ---------------------------------------------------------- */
#define LWIP_ETHERNET			1
#define LWIP_ARP			1
#define ARP_TABLE_SIZE			64
#define ARP_QUEUEING			1
#define ETH_PAD_SIZE			0
#define PBUF_LINK_HLEN			14
#define LWIP_NETIF_HOSTNAME		1
#define LWIP_NETIF_STATUS_CALLBACK	1
#define LWIP_NETIF_LINK_CALLBACK	1
#define LWIP_NETIF_EXT_STATUS_CALLBACK	1
#define LWIP_NETIF_TX_SINGLE_PBUF	0
/* 127.0.0.1 and ::1 (lo), and frames a netif sends to its own address. */
#define LWIP_HAVE_LOOPIF		1
/* lo takes IPv4 groups too, as Linux's does (IP_ADD_MEMBERSHIP on
 * 127.0.0.1); it still says no IFF_MULTICAST (netif_addrs.c). */
#define LWIP_LOOPIF_MULTICAST		1
#define LWIP_NETIF_LOOPBACK		1
#define LWIP_LOOPBACK_MAX_PBUFS		4096
/* TX checksums per netif: TCP's is left to a port that can fill it. */
#define LWIP_CHECKSUM_CTRL_PER_NETIF	1
/* lwIP's Internet checksum loop is ours (net/chksum.c): kept within one
 * page, which QEMU's TCG needs to run a loop fast. */
unsigned short net_chksum(const void *data, int len);
#define LWIP_CHKSUM			net_chksum

/* ---- IPv4 ------------------------------------------------------------------ */
#define LWIP_IPV4			1
#define LWIP_ICMP			1
#define LWIP_DHCP			1
#define DHCP_DOES_ARP_CHECK		0	/* saves a second at boot; the DHCP server knows */
#define LWIP_AUTOIP			0
#define LWIP_IGMP			1
#define IP_FORWARD			0
#define IP_REASSEMBLY			1
#define IP_FRAG				1
#define IP_DEFAULT_TTL			64

/* ---- IPv6 ------------------------------------------------------------------ */
#define LWIP_IPV6			1
#define LWIP_ICMP6			1
#define LWIP_ICMP6_HL			64	/* echo replies and errors, as Linux's default hop limit */
#define LWIP_IPV6_AUTOCONFIG		1	/* SLAAC from router advertisements */
#define LWIP_IPV6_MLD			1
#define LWIP_IPV6_DHCP6			0
#define LWIP_IPV6_NUM_ADDRESSES		4	/* link-local, SLAAC, static, one spare */
#define LWIP_IPV6_FRAG			1

/* ---- hooks (net/lwip_hooks.h) -------------------------------------------- */
#define LWIP_HOOK_FILENAME		"net/lwip_hooks.h"
/* Every received IP packet is shown first to net/inet_recv_ctl.c, which
 * keeps its arrival time and its header's TTL and TOS on its pbuf (for
 * SO_TIMESTAMP, IP_RECVTTL, IP_RECVTOS and IPv6's), then to net/inet_icmp.c, so ICMP errors reach the UDP,
 * raw and TCP sockets they concern (lwIP drops them). */
#define LWIP_HOOK_IP4_INPUT(p, inp)	(inet_rx_header4(p), inet_icmp4_input((p), (inp)))
#define LWIP_HOOK_IP6_INPUT(p, inp)	(inet_rx_header6(p), inet_icmp6_input((p), (inp)))
/* Each pbuf's arrival time (wall clock ns, 0: none; SO_TIMESTAMP), TTL
 * or hop limit and TOS or traffic class, set by those hooks; zero from
 * every allocation (tools/patches/lwip/19). */
#define LWIP_PBUF_CUSTOM_DATA		s64_t rx_ns; u8_t rx_ttl; u8_t rx_tos;
#define LWIP_PBUF_CUSTOM_DATA_INIT(p)	((p)->rx_ns = 0, (p)->rx_ttl = 0, (p)->rx_tos = 0)
/* Unguessable initial sequence numbers (RFC 6528) and SYN cookies (RFC
 * 4987; tools/patches/lwip/06), net/tcp_isn.c. */
#define LWIP_HOOK_TCP_ISN(lip, lport, rip, rport) tcp_isn((lip), (lport), (rip), (rport))
#define LWIP_HOOK_TCP_SYN_COOKIE(lip, lport, rip, rport, isn, count) \
	tcp_syn_cookie_hash((lip), (lport), (rip), (rport), (isn), (count))
/* Acknowledged segments are freed after the core lock is let go, not
 * under it (tools/patches/lwip/13, net/sys_arch.c). */
#define LWIP_HOOK_TCP_ACKED_SEG_FREE(seg) net_acked_seg_free(seg)
/* ICMP and ICMPv6 errors at most 1000 a second, 50 at once, as on Linux
 * (tools/patches/lwip/15, net/icmp_rate.c). */
#define LWIP_HOOK_ICMP_ERROR_ALLOWED()	icmp_error_allowed()
/* lo's counters (net/netif_stats.c), from lwIP's loopback queue (patch 18). */
#define LWIP_HOOK_NETIF_LOOP_SENT(len)		net_lo_sent(len)
#define LWIP_HOOK_NETIF_LOOP_DROPPED()		net_lo_dropped()
#define LWIP_HOOK_NETIF_LOOP_RECEIVED(len)	net_lo_received(len)
#define LWIP_IPV6_REASS			1
#define IPV6_FRAG_COPYHEADER		1	/* 64-bit pointers do not fit in the fragment header */
#define LWIP_ND6_NUM_NEIGHBORS		64
#define LWIP_ND6_NUM_DESTINATIONS	64
#define LWIP_ND6_QUEUEING		1
#define LWIP_ND6_ALLOW_RA_UPDATES	1
#define LWIP_ND6_RDNSS_MAX_DNS_SERVERS	0	/* would overwrite the IPv4 servers */

/* ---- DNS: only to hold the servers DHCP or the settings gave ---------------- */
#define LWIP_DNS			1
#define DNS_MAX_SERVERS			4

/* ---- UDP and TCP ------------------------------------------------------------ */
#define LWIP_RAW			1	/* SOCK_RAW, inet_raw.c */
#define LWIP_UDP			1
#define LWIP_TCP			1
#define TCP_MSS				1460
#define LWIP_WND_SCALE			1
#define TCP_RCV_SCALE			2
#define TCP_WND				(128 * 1024)
#define TCP_SND_BUF			(128 * 1024)
#define TCP_SND_QUEUELEN		((4 * TCP_SND_BUF + TCP_MSS - 1) / TCP_MSS)
/* Bulk sends queue segments of many MSSes, which eth0's port cuts
 * (tools/patches/lwip/14, net/inet_tcp_send.c, net/netif_tx.c). */
#define LWIP_TCP_GSO			1
#define TCP_SNDLOWAT			(32 * 1024)	/* lwIP keeps it below 64 KiB - 4 MSS */
#define TCP_OOSEQ_MAX_BYTES		TCP_WND
#define TCP_QUEUE_OOSEQ			1
#define TCP_LISTEN_BACKLOG		1
#define TCP_DEFAULT_LISTEN_BACKLOG	0xff
/* A flood of SYNs from addresses that never answer fills a listener's
 * half-open connections; beyond its backlog they get SYN cookies. */
#define LWIP_TCP_SYN_COOKIES		1
#define LWIP_TCP_KEEPALIVE		1
#define SO_REUSE			1
/* Ephemeral ports: 49152-65535, or the share of them a network server
 * gives an app on its shared address (net/net_assigned.c; lwIP patch 07
 * lets the range be variables). */
extern unsigned short net_ephemeral_lo, net_ephemeral_hi;
#define TCP_LOCAL_PORT_RANGE_START	net_ephemeral_lo
#define TCP_LOCAL_PORT_RANGE_END	net_ephemeral_hi
#define TCP_ENSURE_LOCAL_PORT_RANGE(port) ((u16_t)(0xc000u | (port)))
#define UDP_LOCAL_PORT_RANGE_START	net_ephemeral_lo
#define UDP_LOCAL_PORT_RANGE_END	net_ephemeral_hi
#define UDP_ENSURE_LOCAL_PORT_RANGE(port) ((u16_t)(0xc000u | (port)))
#define SO_REUSE_RXTOALL		1
/* TIME-WAIT lasts 2 MSL: 60 s each, or what "amphi.tcp_msl=MS" says
 * (net/tcp_msl.c). */
extern unsigned net_tcp_msl_ms;
#define TCP_MSL				net_tcp_msl_ms

/* ---- netconn ------------------------------------------------------------------ */
#define LWIP_NETCONN			1
#define LWIP_SOCKET			0
#define LWIP_NETIF_API			0
#define DEFAULT_RAW_RECVMBOX_SIZE	64
#define DEFAULT_UDP_RECVMBOX_SIZE	256
#define DEFAULT_TCP_RECVMBOX_SIZE	512
/* Room for every connection listen()'s largest backlog lets wait: somaxconn
 * (4096, as Linux) + 1. */
#define DEFAULT_ACCEPTMBOX_SIZE		4097

/* ---- socket layer needs (kernel/net/inet_*.c owns this section) ------------ */
#define LWIP_NETCONN_FULLDUPLEX		0
#define LWIP_NETCONN_SEM_PER_THREAD	0
#define LWIP_SO_RCVBUF			1
#define LWIP_SO_SNDTIMEO		0	/* the socket layer does timeouts */
#define LWIP_SO_RCVTIMEO		0
#define LWIP_SO_LINGER			0
#define LWIP_NETBUF_RECVINFO		1	/* a datagram keeps where it was sent, for IP_PKTINFO */
/* ---- end of socket layer needs ------------------------------------------------ */

/* ---- diagnostics ---------------------------------------------------------------- */
/* Only the SNMP MIB-2 counters, for /proc/net/snmp: plain increments of
 * one global under the core lock, which every counted path holds.  The
 * other statistics (memory pools, per-protocol debugging counts) stay off. */
#define LWIP_STATS			1
#define MIB2_STATS			1
#define LINK_STATS			0
#define ETHARP_STATS			0
#define IP_STATS			0
#define IPFRAG_STATS			0
#define ICMP_STATS			0
#define IGMP_STATS			0
#define UDP_STATS			0
#define TCP_STATS			0
#define MEM_STATS			0
#define MEMP_STATS			0
#define SYS_STATS			0
#define LWIP_STATS_DISPLAY		0
#define IP6_STATS			0
#define ICMP6_STATS			0
#define IP6_FRAG_STATS			0
#define MLD6_STATS			0
#define ND6_STATS			0
#ifdef AMPHI_LWIP_DEBUG			/* make ... KERNEL_CFLAGS+=-DAMPHI_LWIP_DEBUG */
#define LWIP_DEBUG			1
#define LWIP_DBG_TYPES_ON		LWIP_DBG_ON
#define NETIF_DEBUG			LWIP_DBG_ON
#define DHCP_DEBUG			LWIP_DBG_ON
#define TCP_DEBUG			LWIP_DBG_ON
#endif

#endif
