/* Netlink ports and groups: binding (autobind as Linux's: the process
 * id, else a random negative one), connect and the socket's names, and
 * delivery to another socket's port or to a group's members. */
#include "net/netlink_sock.h"

#include "core/errno.h"
#include "core/random.h"
#include "core/string.h"

static struct spinlock ports_lock;
static struct list ports = { &ports, &ports };

/* ---- ports ----------------------------------------------------------------- */

/* The bound socket of port pid, with ports_lock held. */
static struct nl_sock *port_find(int protocol, int32_t pid)
{
	struct list *e;

	list_for_each(e, &ports) {
		struct nl_sock *n = list_entry(e, struct nl_sock, port_link);
		if (n->protocol == protocol && n->pid == pid)
			return n;
	}
	return NULL;
}

/* A random port id in [INT32_MIN, -4097], where Linux's autobind starts
 * looking once the process id is taken. */
static int32_t random_below_4097(void)
{
	uint64_t r;

	random_fill(&r, sizeof r);
	return (int32_t)((int64_t)INT32_MIN + (int64_t)(r % ((uint64_t)-4096 - (uint64_t)(int64_t)INT32_MIN)));
}

/* Binds n to pid; 0 asks for one made up.  Under ports_lock. */
static int port_insert(struct nl_sock *n, int32_t pid)
{
	static int32_t rover = -4096;

	if (!pid) {
		struct sock_cred me;
		socket_cred_current(&me);
		pid = me.pid;
		/* Taken: a random negative id, then down from it, as Linux's autobind. */
		while (port_find(n->protocol, pid)) {
			if (rover >= -4096)
				rover = random_below_4097();
			pid = rover--;
		}
	} else if (port_find(n->protocol, pid)) {
		return -EADDRINUSE;
	}
	spin_lock(&n->lock);
	n->pid = pid;
	n->bound = true;
	spin_unlock(&n->lock);
	list_add_tail(&ports, &n->port_link);
	return 0;
}

int nl_autobind(struct nl_sock *n)
{
	spin_lock(&ports_lock);
	int err = n->bound ? 0 : port_insert(n, 0);
	spin_unlock(&ports_lock);
	return err;
}

/* Groups a caller may join: NETLINK_ROUTE's routing-cache groups need
 * CAP_NET_ADMIN; NETLINK_SOCK_DIAG's are anyone's. */
int nl_groups_allowed(const struct nl_sock *n, uint64_t groups)
{
	struct sock_cred me;

	if (n->protocol != NETLINK_ROUTE || !(groups & RTNL_ADMIN_GROUPS))
		return 0;
	socket_cred_current(&me);
	return me.net_admin ? 0 : -EPERM;
}

/* Linux makes a socket's group bitmap at its first bind with groups or
 * membership option (even one that then fails); only then does
 * NETLINK_LIST_MEMBERSHIPS say its size. */
void nl_groups_exist(struct nl_sock *n)
{
	spin_lock(&n->lock);
	n->has_groups = true;
	spin_unlock(&n->lock);
}

int nl_bind(struct socket *s, const void *addr, uint32_t len)
{
	struct nl_sock *n = nl_of(s);
	uint32_t a[3];

	if (len < ADDR_LEN || *(const uint16_t *)addr != AF_NETLINK)
		return -EINVAL;
	memcpy(a, addr, sizeof a);	/* family and pad, pid, groups */
	if (a[2])
		nl_groups_exist(n);
	if (nl_ngroups(n) < 32)
		a[2] &= (1u << nl_ngroups(n)) - 1;	/* as Linux: groups past the protocol's go */
	int err = nl_groups_allowed(n, a[2]);
	if (err)
		return err;
	spin_lock(&ports_lock);
	if (n->bound)
		err = (int32_t)a[1] == n->pid ? 0 : -EINVAL;
	else
		err = port_insert(n, (int32_t)a[1]);
	spin_unlock(&ports_lock);
	if (!err) {
		spin_lock(&n->lock);
		n->groups = (n->groups & ~0xffffffffull) | a[2];
		spin_unlock(&n->lock);
	}
	return err;
}

int nl_group_of(uint32_t mask) { return mask ? __builtin_ctz(mask) + 1 : 0; }

/* Sending anywhere but the kernel needs CAP_NET_ADMIN for NETLINK_ROUTE. */
int nl_may_send_to(uint32_t pid, uint32_t group)
{
	struct sock_cred me;

	if (!pid && !group)
		return 0;
	socket_cred_current(&me);
	return me.net_admin ? 0 : -EPERM;
}

int nl_connect(struct socket *s, const void *addr, uint32_t len)
{
	struct nl_sock *n = nl_of(s);
	uint32_t a[3];

	if (len < 2)
		return -EINVAL;
	if (*(const uint16_t *)addr == AF_UNSPEC) {
		spin_lock(&n->lock);
		n->dst_pid = n->dst_group = 0;
		spin_unlock(&n->lock);
		return 0;
	}
	if (*(const uint16_t *)addr != AF_NETLINK || len < ADDR_LEN)
		return -EINVAL;
	memcpy(a, addr, sizeof a);
	int err = nl_may_send_to(a[1], a[2]);
	if (!err)
		err = nl_autobind(n);
	if (!err) {
		spin_lock(&n->lock);
		n->dst_pid = a[1];
		n->dst_group = (uint32_t)nl_group_of(a[2]);
		spin_unlock(&n->lock);
	}
	return err;
}

int nl_getname(struct socket *s, void *addr, uint32_t *len, bool peer)
{
	struct nl_sock *n = nl_of(s);
	uint32_t a[3] = { AF_NETLINK, 0, 0 };

	spin_lock(&n->lock);
	a[1] = peer ? n->dst_pid : (uint32_t)n->pid;
	a[2] = peer ? (n->dst_group ? 1u << (n->dst_group - 1) : 0) : (uint32_t)n->groups;
	spin_unlock(&n->lock);
	memcpy(addr, a, *len < ADDR_LEN ? *len : ADDR_LEN);
	*len = ADDR_LEN;
	return 0;
}

void nl_port_remove(struct nl_sock *n)
{
	spin_lock(&ports_lock);
	if (n->bound)
		list_del(&n->port_link);
	spin_unlock(&ports_lock);
}

/* Copies b's datagram to every member of group but skip and port to_pid
 * (from port from_pid; 0: the kernel).  Port to_pid, as in Linux's
 * netlink_broadcast, gets the message once, by unicast. */
void nl_multicast(int protocol, const struct nl_sock *skip, uint32_t from_pid, uint32_t to_pid,
		      uint32_t group, const struct nl_buf *b)
{
	struct list *e;

	spin_lock(&ports_lock);
	list_for_each(e, &ports) {
		struct nl_sock *n = list_entry(e, struct nl_sock, port_link);
		struct nl_buf copy;
		if (n == skip || (to_pid && n->pid == (int32_t)to_pid) || n->protocol != protocol ||
		    !(n->groups & (1ull << (group - 1))) || nl_buf_alloc(&copy, b->len))
			continue;
		memcpy(copy.data, b->data, b->len);
		copy.len = b->len;
		nl_dgram_of(&copy)->from_pid = from_pid;
		nl_dgram_of(&copy)->creds = nl_dgram_of(b)->creds;
		nl_dgram_of(&copy)->group = group;
		nl_deliver(n, &copy, false);
	}
	spin_unlock(&ports_lock);
}

void nl_notify(int protocol, uint32_t group, const struct nl_buf *b)
{
	nl_multicast(protocol, NULL, 0, 0, group, b);
}

bool nl_listened(int protocol, uint32_t group)
{
	struct list *e;
	bool any = false;

	spin_lock(&ports_lock);
	list_for_each(e, &ports) {
		struct nl_sock *n = list_entry(e, struct nl_sock, port_link);
		any |= n->protocol == protocol && (n->groups & (1ull << (group - 1)));
	}
	spin_unlock(&ports_lock);
	return any;
}

/* To another program's port (privileged senders only). */
int nl_unicast(struct nl_sock *from, uint32_t pid, struct nl_buf *b)
{
	spin_lock(&ports_lock);
	struct nl_sock *to = port_find(from->protocol, (int32_t)pid);
	int err = to ? 0 : -ECONNREFUSED;
	if (to) {
		nl_dgram_of(b)->from_pid = (uint32_t)from->pid;
		nl_deliver(to, b, false);
	}
	spin_unlock(&ports_lock);
	return err;
}

