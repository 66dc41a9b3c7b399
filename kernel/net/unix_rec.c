/* AF_UNIX records: the bytes of one send, the files it passes (SCM_RIGHTS),
 * and copying them between a message's iovecs and the record. */
#include "net/unix_internal.h"

#include "core/errno.h"
#include "core/kmalloc.h"
#include "core/string.h"
#include "fs/fdtable.h"
#include "fs/file.h"

#define SCM_RIGHTS	1
#define SCM_CREDENTIALS	2

struct cmsg {			/* Linux's struct cmsghdr on 64 bits */
	uint64_t len;
	int32_t level, type;
};

#define CMSG_HDR	sizeof(struct cmsg)
#define CMSG_ALIGN(n)	(((n) + 7) & ~(size_t)7)

struct unix_rec *unix_rec_new(struct unix_sock *from, size_t len)
{
	struct unix_rec *r = kmalloc_program(sizeof *r + len);

	if (!r)
		return NULL;
	list_init(&r->link);
	r->len = len;
	r->from = from;
	r->charge = len + UNIX_REC_COST;
	unix_get(from);
	__atomic_add_fetch(&from->wmem, r->charge, __ATOMIC_RELAXED);
	return r;
}

static void put_files(struct file **fds, int n)
{
	for (int i = 0; i < n; i++) {
		if (!fds[i])
			continue;
		unix_inflight_del(fds[i]);
		file_put(fds[i]);
	}
}

void unix_rec_free(struct unix_rec *r)
{
	struct unix_sock *from = r->from;
	size_t charge = r->charge;

	put_files(r->fds, r->nfds);
	kfree(r->fds);
	kfree(r);
	__atomic_sub_fetch(&from->wmem, charge, __ATOMIC_RELAXED);
	waitq_wake_all(&from->wq);	/* room for a writer waiting on sndbuf */
	unix_put(from);
}

long unix_rec_fill(struct unix_rec *r, const struct sock_msg *m, size_t off)
{
	long n = sock_msg_drain(m, off, r->data, r->len);

	return n < 0 ? n : 0;
}

long unix_rec_copy_out(const struct unix_rec *r, size_t off, struct sock_msg *m, size_t moff, size_t n)
{
	return sock_msg_fill(m, moff, (char *)r->data + off, n);
}

/* Adds the files an SCM_RIGHTS message names to r, in flight from now. */
static int take_rights(struct unix_rec *r, const int32_t *fds, int n)
{
	int got = 0, err = 0;

	if (n <= 0)
		return 0;
	if (r->nfds + n > UNIX_FDS_MAX)
		return -EINVAL;
	struct file **all = kmalloc_program((size_t)(r->nfds + n) * sizeof *all);
	if (!all)
		return -ENOMEM;
	memcpy(all, r->fds, (size_t)r->nfds * sizeof *all);
	for (; got < n && !err; got++) {
		int32_t fd;
		memcpy(&fd, fds + got, sizeof fd);
		if (!(all[r->nfds + got] = fd_get(fd)))
			err = -EBADF;
	}
	got -= err ? 1 : 0;
	if (!err)
		err = unix_inflight_add(all + r->nfds, got);
	if (err) {
		for (int i = 0; i < got; i++)
			file_put(all[r->nfds + i]);
		kfree(all);
		return err;
	}
	kfree(r->fds);
	r->fds = all;
	r->nfds += got;
	return 0;
}

int unix_rec_take_fds(struct unix_rec *r, const struct sock_msg *m)
{
	const char *c = m->control;
	size_t at = 0;

	while (c && at + CMSG_HDR <= m->controllen) {
		struct cmsg h;
		memcpy(&h, c + at, sizeof h);
		if (h.len < CMSG_HDR || h.len > m->controllen - at)
			return -EINVAL;
		if (h.level == SOL_SOCKET) {
			int err = 0;
			if (h.type == SCM_RIGHTS)
				err = take_rights(r, (const int32_t *)(c + at + CMSG_HDR), (int)((h.len - CMSG_HDR) / 4));
			else if (h.type != SCM_CREDENTIALS)	/* credentials: always the sender's own */
				err = -EINVAL;
			if (err)
				return err;
		}
		at += CMSG_ALIGN(h.len);
	}
	return 0;
}

int unix_rec_detach_fds(struct unix_rec *r, bool peek, struct unix_fds *out)
{
	*out = (struct unix_fds){ r->fds, r->nfds, peek };
	if (!peek) {
		r->fds = NULL;
		r->nfds = 0;
		return 0;
	}
	if (!(out->fds = kmalloc((size_t)r->nfds * sizeof *out->fds))) {
		out->n = 0;
		return -ENOMEM;
	}
	for (int i = 0; i < r->nfds; i++)
		file_get(out->fds[i] = r->fds[i]);
	return 0;
}

void unix_fds_install(struct unix_fds *fds, struct sock_msg *m)
{
	size_t room = m->control ? m->controllen : 0;
	int fit = room >= CMSG_HDR + 4 ? (int)((room - CMSG_HDR) / 4) : 0, n = 0;
	bool cloexec = m->flags & MSG_CMSG_CLOEXEC;
	int32_t *out = (int32_t *)((char *)m->control + CMSG_HDR);

	/* Out of flight while we still hold them: a descriptor may be closed
	 * by another thread as soon as it is installed. */
	for (int i = 0; i < fds->n && !fds->peek; i++)
		unix_inflight_del(fds->fds[i]);
	for (; n < fds->n && n < fit; n++) {
		int fd = fd_install(fds->fds[n], 0, cloexec);	/* takes the reference, even failing */
		fds->fds[n] = NULL;
		if (fd < 0)
			break;
		memcpy(out + n, &fd, sizeof fd);
	}
	if (n < fds->n)
		m->flags |= MSG_CTRUNC;
	for (int i = 0; i < fds->n; i++)	/* what did not fit is closed, as on Linux */
		if (fds->fds[i])
			file_put(fds->fds[i]);
	kfree(fds->fds);
	*fds = (struct unix_fds){ NULL, 0, false };
	if (!n) {
		m->controllen = 0;
		return;
	}
	struct cmsg h = { CMSG_HDR + 4 * (size_t)n, SOL_SOCKET, SCM_RIGHTS };
	memcpy(m->control, &h, sizeof h);
	m->controllen = CMSG_ALIGN(h.len) < room ? CMSG_ALIGN(h.len) : room;
}

void unix_name_of(struct unix_sock *u, struct sock_msg *m)
{
	uint32_t len = __atomic_load_n(&u->addrlen, __ATOMIC_ACQUIRE);

	memcpy(m->name, u->addr, len);
	m->namelen = len;
}
