/* NETLINK_ROUTE: which handler answers which request, and who may ask.
 *
 * Requests come in kinds by their type's low bits, as on Linux: NEW, DEL,
 * GET, SET.  Anyone may GET; the rest need CAP_NET_ADMIN, and amphi
 * changes nothing through netlink yet, so they are EOPNOTSUPP then.  A GET
 * with NLM_F_DUMP lists every object; without, it answers for one. */
#include "net/rtnetlink_internal.h"

#include "core/errno.h"
#include "core/kmalloc.h"

#define RTM_BASE	16
#define RTM_MAX		123	/* Linux's last request type, RTM_GETTUNNEL */
#define KIND_GET	2

struct handler {
	uint16_t type;
	int (*doit)(const struct nl_request *r, struct nl_buf *b);
	int (*dumpit)(struct nl_dump *d, struct nl_buf *b);
};

static const struct handler handlers[] = {
	{ RTM_GETLINK, rtnl_getlink, rtnl_dump_links },
	{ RTM_GETADDR, NULL, rtnl_dump_addrs },
	{ RTM_GETROUTE, rtnl_getroute, rtnl_dump_routes },
	{ RTM_GETNEIGH, NULL, rtnl_dump_neigh },
	{ RTM_GETRULE, NULL, rtnl_dump_rules },
};

static const struct handler *handler_of(uint16_t type)
{
	for (unsigned i = 0; i < sizeof handlers / sizeof handlers[0]; i++)
		if (handlers[i].type == type)
			return &handlers[i];
	return NULL;
}

/* One reply, built into a datagram of its own. */
static int answer(struct nl_sock *s, const struct nl_request *r,
		  int (*doit)(const struct nl_request *r, struct nl_buf *b))
{
	struct nl_buf b;
	int err = nl_buf_alloc(&b, r->reply_size);

	if (err)
		return err;
	if ((err = doit(r, &b))) {
		nl_buf_free(&b);
		return err;
	}
	nl_reply(s, &b);
	return 0;
}

int rtnl_request(struct nl_sock *s, const struct nl_request *r)
{
	const struct nlmsghdr_k *h = r->h;
	const uint8_t *body = nlmsg_body((struct nlmsghdr_k *)h);

	if (h->type > RTM_MAX)
		return -EOPNOTSUPP;
	if (h->len == NLMSG_HDRLEN)
		return 0;	/* no family byte: nothing to do, as Linux says */
	if (((h->type - RTM_BASE) & 3) != KIND_GET && !r->net_admin)
		return -EPERM;
	const struct handler *x = handler_of(h->type);
	if (x && (h->flags & NLM_F_DUMP) && x->dumpit) {
		struct nl_dump d = { x->dumpit, h->seq, r->pid, 0, 0, 0, false, NULL, NULL };
		d.family = body[0];
		return nl_dump_start(s, &d);
	}
	if (x && !(h->flags & NLM_F_DUMP) && x->doit)
		return answer(s, r, x->doit);
	return -EOPNOTSUPP;
}

int rtnl_interfaces(struct net_ifaddr **out)
{
	struct net_ifaddr *ifs = kmalloc(RTNL_IFS_MAX * sizeof *ifs);

	if (!ifs)
		return -ENOMEM;
	int n = net_ifaddrs(ifs, RTNL_IFS_MAX);
	*out = ifs;
	return n < RTNL_IFS_MAX ? n : RTNL_IFS_MAX;
}

