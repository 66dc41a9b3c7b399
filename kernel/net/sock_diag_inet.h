/* sock_diag for AF_INET and AF_INET6, shared between
 * kernel/net/sock_diag_inet.c (requests, dumps, look-ups) and
 * sock_diag_inet_msg.c (the messages). */
#ifndef AMPHI_NET_SOCK_DIAG_INET_H
#define AMPHI_NET_SOCK_DIAG_INET_H

#include "net/sock_diag_internal.h"

/* A request, as v2 whatever its form, with what its answers need. */
struct inet_diag_query {
	uint16_t type;			/* the request's: its answers carry it */
	struct inet_diag_req_v2_k req;	/* family AF_UNSPEC (0): both */
	bool net_admin;
	uint8_t *bc;			/* the audited filter (kmalloc'd), or NULL */
	int bc_len;
};

/* One endpoint's message, of family's form; false when b is full. */
bool inet_diag_put(struct nl_buf *b, const struct inet_diag_query *q, const struct net_inet_info *e,
		   uint8_t family, uint16_t flags, uint32_t seq, uint32_t pid);

/* Every endpoint of one protocol and version into *out (kmalloc'd; the
 * caller frees it): how many, or -ENOMEM. */
int inet_diag_snapshot(bool tcp, bool v6, struct net_inet_info **out);
/* A request without NLM_F_DUMP (SOCK_DESTROY too): one endpoint, found by
 * its addresses (sock_diag_inet_get.c). */
int inet_diag_lookup(struct nl_sock *s, const struct nl_request *r, const struct inet_diag_query *q);

#endif
