/* sock_diag for AF_UNIX, as Linux's unix_diag.c: a dump of every socket
 * with a file whose state the request asks for, or one socket by its
 * inode number, each with the attributes udiag_show asks for.  Sockets
 * come from unix_list.c's snapshot, taken again for each datagram. */
#include "net/sock_diag_internal.h"

#include "core/errno.h"
#include "core/kmalloc.h"
#include "core/string.h"

#define UDIAG_SHOW_NAME		0x01
#define UDIAG_SHOW_VFS		0x02
#define UDIAG_SHOW_PEER		0x04
#define UDIAG_SHOW_ICONS	0x08
#define UDIAG_SHOW_RQLEN	0x10
#define UDIAG_SHOW_MEMINFO	0x20
#define UDIAG_SHOW_UID		0x40

enum {
	UNIX_DIAG_NAME, UNIX_DIAG_VFS, UNIX_DIAG_PEER, UNIX_DIAG_ICONS, UNIX_DIAG_RQLEN,
	UNIX_DIAG_MEMINFO, UNIX_DIAG_SHUTDOWN, UNIX_DIAG_UID,
};

#define SK_MEMINFO_VARS	9
#define ICONS_MAX	64	/* the connections a reply lists at most (see net_unix_icons) */

/* The kernel's own dev_t (major << 20 | minor), from stat's encoding. */
static uint32_t kernel_dev(uint64_t dev)
{
	uint32_t major = (uint32_t)(((dev >> 8) & 0xfff) | ((dev >> 32) & ~0xfffull));
	uint32_t minor = (uint32_t)((dev & 0xff) | ((dev >> 12) & ~0xffull));

	return major << 20 | (minor & 0xfffff);
}

static bool put_icons(struct nl_buf *b, const struct net_unix_info *e)
{
	uint32_t ino[ICONS_MAX];
	int n = e->sk_state == NET_TCP_LISTEN ? net_unix_icons(e->ino, ino, ICONS_MAX) : 0;

	if (e->sk_state != NET_TCP_LISTEN)
		return true;
	if (n < 0)
		n = 0;	/* it stopped listening meanwhile */
	return nla_put(b, UNIX_DIAG_ICONS, ino, (size_t)(n < ICONS_MAX ? n : ICONS_MAX) * 4);
}

static bool put_memory(struct nl_buf *b, const struct net_unix_info *e)
{
	/* rmem_alloc, rcvbuf, wmem_alloc, sndbuf, and what amphi does not keep */
	uint32_t sm[SK_MEMINFO_VARS] = { e->sk_state == NET_TCP_LISTEN ? 0 : e->rqueue, 212992,
					 e->sk_state == NET_TCP_LISTEN ? 0 : e->wqueue, 212992 };

	return nla_put(b, UNIX_DIAG_MEMINFO, sm, sizeof sm);
}

/* Linux's sk_diag_fill: the attributes in its order. */
static bool put_attrs(struct nl_buf *b, const struct net_unix_info *e, uint32_t show)
{
	if ((show & UDIAG_SHOW_NAME) && e->pathlen && !nla_put(b, UNIX_DIAG_NAME, e->path, e->pathlen))
		return false;
	if ((show & UDIAG_SHOW_VFS) && e->vfs_ino) {
		uint32_t vfs[2] = { (uint32_t)e->vfs_ino, kernel_dev(e->vfs_dev) };
		if (!nla_put(b, UNIX_DIAG_VFS, vfs, sizeof vfs))
			return false;
	}
	if ((show & UDIAG_SHOW_PEER) && e->has_peer && !nla_put_u32(b, UNIX_DIAG_PEER, (uint32_t)e->peer_ino))
		return false;
	if ((show & UDIAG_SHOW_ICONS) && !put_icons(b, e))
		return false;
	if (show & UDIAG_SHOW_RQLEN) {
		uint32_t rq[2] = { e->rqueue, e->wqueue };
		if (!nla_put(b, UNIX_DIAG_RQLEN, rq, sizeof rq))
			return false;
	}
	if ((show & UDIAG_SHOW_MEMINFO) && !put_memory(b, e))
		return false;
	if (!nla_put_u8(b, UNIX_DIAG_SHUTDOWN, e->shutdown))
		return false;
	return !(show & UDIAG_SHOW_UID) || nla_put_u32(b, UNIX_DIAG_UID, e->uid);
}

static bool put_sock(struct nl_buf *b, const struct net_unix_info *e, uint32_t show, uint16_t flags,
		     uint32_t seq, uint32_t pid)
{
	struct nlmsghdr_k *h = nlmsg_begin(b, SOCK_DIAG_BY_FAMILY, flags, seq, pid,
					   sizeof(struct unix_diag_msg_k));

	if (!h)
		return false;
	struct unix_diag_msg_k *m = nlmsg_body(h);
	uint64_t cookie = diag_cookie(e->ino);
	*m = (struct unix_diag_msg_k){ AF_UNIX_K, (uint8_t)e->type, e->sk_state, 0, (uint32_t)e->ino,
				       { (uint32_t)cookie, (uint32_t)(cookie >> 32) } };
	if (!put_attrs(b, e, show)) {
		nlmsg_cancel(b, h);
		return false;
	}
	nlmsg_end(b, h);
	return true;
}

/* Every AF_UNIX socket into *out (kmalloc'd): how many, or -ENOMEM. */
static int snapshot(struct net_unix_info **out)
{
	int max = 64;

	for (;;) {
		struct net_unix_info *a = kmalloc((size_t)max * sizeof *a);
		if (!a)
			return -ENOMEM;
		int n = net_unix_list(a, max);
		if (n <= max) {
			*out = a;
			return n;
		}
		kfree(a);
		max = n + n / 4;
	}
}

/* ---- dumps ------------------------------------------------------------------- */

static int dump(struct nl_dump *d, struct nl_buf *b)
{
	const struct unix_diag_req_k *req = d->priv;
	struct net_unix_info *a;
	int n = snapshot(&a), r = NL_DUMP_DONE;

	if (n < 0)
		return n;
	for (; d->next < (size_t)n; d->next++) {
		const struct net_unix_info *e = &a[d->next];
		if (e->ino && (req->states & (1u << e->sk_state)) &&
		    !put_sock(b, e, req->show, NLM_F_MULTI, d->seq, d->pid)) {
			r = NL_DUMP_MORE;
			break;
		}
	}
	kfree(a);
	return r;
}

static void req_free(void *priv) { kfree(priv); }

static int start_dump(struct nl_sock *s, const struct nl_request *r, const struct unix_diag_req_k *req)
{
	struct unix_diag_req_k *q = kmalloc(sizeof *q);

	if (!q)
		return -ENOMEM;
	*q = *req;
	struct nl_dump d = { dump, r->h->seq, r->pid, 0, 0, 0, true, q, req_free };
	int err = nl_dump_start(s, &d);
	if (err < 0)
		kfree(q);
	return err;
}

/* ---- one socket ------------------------------------------------------------------ */

/* Linux's unix_diag_get_exact: EINVAL for inode 0, ENOENT when no socket
 * has it, ESTALE when the cookie is another's. */
static int get_exact(struct nl_sock *s, const struct nl_request *r, const struct unix_diag_req_k *req)
{
	struct net_unix_info *a;
	struct nl_buf b;

	if (!req->ino)
		return -EINVAL;
	int n = snapshot(&a), err = -ENOENT;
	if (n < 0)
		return n;
	for (int i = 0; i < n && err == -ENOENT; i++) {
		if (a[i].ino != req->ino)
			continue;
		if ((err = diag_check_cookie(diag_cookie(a[i].ino), req->cookie)))
			break;
		if ((err = nl_buf_alloc(&b, r->reply_size)))
			break;
		/* Linux tries bigger replies up to a page; ours is one already */
		if (!put_sock(&b, &a[i], req->show, 0, r->h->seq, r->pid)) {
			nl_buf_free(&b);
			err = -EMSGSIZE;
			break;
		}
		err = diag_reply(s, &b);
	}
	kfree(a);
	return err;
}

int unix_diag_request(struct nl_sock *s, const struct nl_request *r)
{
	struct unix_diag_req_k req;

	if (diag_len(r->h) < sizeof req)
		return -EINVAL;
	memcpy(&req, diag_body(r->h), sizeof req);
	return (r->h->flags & NLM_F_DUMP) ? start_dump(s, r, &req) : get_exact(s, r, &req);
}
