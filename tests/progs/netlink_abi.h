/* Linux's netlink and rtnetlink ABI (linux/netlink.h, linux/rtnetlink.h,
 * linux/if_link.h, linux/if_addr.h), which musl does not carry: the parts
 * the probes use. */
#ifndef NETLINK_ABI_H
#define NETLINK_ABI_H

#include <stdint.h>
#include <sys/socket.h>

#define NETLINK_ROUTE		0
#define SOL_NETLINK		270
#define NETLINK_ADD_MEMBERSHIP	1
#define NETLINK_DROP_MEMBERSHIP	2
#define NETLINK_PKTINFO		3
#define NETLINK_LIST_MEMBERSHIPS 9
#define NETLINK_CAP_ACK		10
#define NETLINK_EXT_ACK		11

struct sockaddr_nl {
	sa_family_t nl_family;
	unsigned short nl_pad;
	uint32_t nl_pid;
	uint32_t nl_groups;
};

struct nlmsghdr {
	uint32_t nlmsg_len;
	uint16_t nlmsg_type;
	uint16_t nlmsg_flags;
	uint32_t nlmsg_seq;
	uint32_t nlmsg_pid;
};

struct nlmsgerr {
	int error;
	struct nlmsghdr msg;
};

#define NLM_F_REQUEST	0x01
#define NLM_F_MULTI	0x02
#define NLM_F_ACK	0x04
#define NLM_F_DUMP	0x300

#define NLMSG_NOOP	1
#define NLMSG_ERROR	2
#define NLMSG_DONE	3

#define NLMSG_ALIGN(len)	(((len) + 3) & ~3u)
#define NLMSG_HDRLEN		((int)NLMSG_ALIGN(sizeof(struct nlmsghdr)))
#define NLMSG_LENGTH(len)	((len) + NLMSG_HDRLEN)
#define NLMSG_DATA(h)		((void *)((char *)(h) + NLMSG_HDRLEN))
#define NLMSG_NEXT(h, len)	((len) -= NLMSG_ALIGN((h)->nlmsg_len), \
				 (struct nlmsghdr *)((char *)(h) + NLMSG_ALIGN((h)->nlmsg_len)))
#define NLMSG_OK(h, len)	((len) >= (int)sizeof(struct nlmsghdr) && \
				 (h)->nlmsg_len >= sizeof(struct nlmsghdr) && (h)->nlmsg_len <= (unsigned)(len))

struct rtattr {
	unsigned short rta_len;
	unsigned short rta_type;
};

#define RTA_ALIGN(len)		(((len) + 3) & ~3u)
#define RTA_OK(a, len)		((len) >= (int)sizeof(struct rtattr) && (a)->rta_len >= sizeof(struct rtattr) && \
				 (a)->rta_len <= (len))
#define RTA_NEXT(a, len)	((len) -= RTA_ALIGN((a)->rta_len), \
				 (struct rtattr *)((char *)(a) + RTA_ALIGN((a)->rta_len)))
#define RTA_LENGTH(len)		(RTA_ALIGN(sizeof(struct rtattr)) + (len))
#define RTA_DATA(a)		((void *)((char *)(a) + RTA_LENGTH(0)))
#define RTA_PAYLOAD(a)		((int)((a)->rta_len) - RTA_LENGTH(0))

#define RTM_NEWLINK	16
#define RTM_GETLINK	18
#define RTM_NEWADDR	20
#define RTM_GETADDR	22
#define RTM_NEWROUTE	24
#define RTM_GETROUTE	26

#define RTMGRP_LINK		1
#define RTMGRP_IPV4_IFADDR	0x10

struct ifinfomsg {
	unsigned char ifi_family, ifi_pad;
	unsigned short ifi_type;
	int ifi_index;
	unsigned ifi_flags, ifi_change;
};

#define IFLA_RTA(r)	((struct rtattr *)((char *)(r) + NLMSG_ALIGN(sizeof(struct ifinfomsg))))
#define IFLA_PAYLOAD(h)	((int)((h)->nlmsg_len - NLMSG_LENGTH(sizeof(struct ifinfomsg))))

#define IFLA_ADDRESS	1
#define IFLA_BROADCAST	2
#define IFLA_IFNAME	3
#define IFLA_MTU	4
#define IFLA_QDISC	6
#define IFLA_TXQLEN	13
#define IFLA_OPERSTATE	16
#define IFLA_LINKMODE	17
#define IFLA_STATS64	23
#define IFLA_NUM_TX_QUEUES 31
#define IFLA_CARRIER	33

struct ifaddrmsg {
	uint8_t ifa_family, ifa_prefixlen, ifa_flags, ifa_scope;
	uint32_t ifa_index;
};

struct ifa_cacheinfo {
	uint32_t ifa_prefered, ifa_valid, cstamp, tstamp;
};

#define IFA_RTA(r)	((struct rtattr *)((char *)(r) + NLMSG_ALIGN(sizeof(struct ifaddrmsg))))
#define IFA_PAYLOAD(h)	((int)((h)->nlmsg_len - NLMSG_LENGTH(sizeof(struct ifaddrmsg))))

#define IFA_ADDRESS	1
#define IFA_LOCAL	2
#define IFA_LABEL	3
#define IFA_CACHEINFO	6
#define IFA_FLAGS	8
#define IFA_PROTO	11

#endif
