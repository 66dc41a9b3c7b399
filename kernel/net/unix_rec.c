/* AF_UNIX records: the bytes of one send, the files it passes (SCM_RIGHTS)
 * and who sent it (SCM_CREDENTIALS), and copying them between a message's
 * iovecs and control data and the record. */
#include "net/unix_internal.h"

#include "core/errno.h"
#include "core/kmalloc.h"
#include "core/string.h"
#include "core/uaccess.h"
#include "fs/fdtable.h"
#include "fs/file.h"

#define OVERFLOW_ID	65534	/* Linux's overflowuid: no id to show */

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
	uaccess_nosleep_begin();
	long c = sock_msg_fill(m, moff, (char *)r->data + off, n);
	uaccess_nosleep_end();
	return c;
}

long unix_fault_in(struct unix_sock *u, const struct sock_msg *m, size_t off, size_t n)
{
	spin_unlock(&u->lock);
	long err = sock_msg_fault_in(m, off, n);
	spin_lock(&u->lock);
	return err;
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
	struct sock_cmsg h;
	const char *data;
	size_t at = 0;
	int more;

	while ((more = sock_msg_next_cmsg(m, &at, &h, &data)) > 0) {
		if (h.level != SOL_SOCKET || h.type == SCM_CREDENTIALS)
			continue;	/* credentials: unix_msg_creds */
		if (h.type != SCM_RIGHTS)
			return -EINVAL;
		int err = take_rights(r, (const int32_t *)data, (int)((h.len - CMSG_HDR) / 4));
		if (err)
			return err;
	}
	return more;
}

/* Linux's unix_dgram_sendmsg stamps a datagram as it goes to a socket
 * with SO_TIMESTAMP; the socket is the receiver's while its lock is held. */
static bool receiver_wants_stamp(struct unix_sock *to)
{
	spin_lock(&to->lock);
	bool wants = to->sock && socket_tstamp_wanted(to->sock);
	spin_unlock(&to->lock);
	return wants;
}

struct unix_rec *unix_rec_of_msg(struct socket *s, struct unix_sock *to, const struct sock_msg *m,
				  long *err)
{
	struct unix_sock *u = unix_of(s);
	struct unix_rec *r = NULL;
	struct unix_creds creds;

	*err = unix_msg_creds(m, u, to, &creds);
	if (!*err)
		*err = unix_wait_room(u, socket_nonblock(s, m->flags), socket_deadline(s->sndtimeo_ns));
	if (!*err && !(r = unix_rec_new(u, m->len)))
		*err = -ENOBUFS;
	if (*err)
		return NULL;
	r->creds = creds;
	r->stamp = receiver_wants_stamp(to) ? socket_tstamp_now() : 0;
	if ((*err = unix_rec_fill(r, m, 0)) || (*err = unix_rec_take_fds(r, m))) {
		unix_rec_free(r);
		return NULL;
	}
	return r;
}

/* Linux's scm_check_creds: a process may claim its own pid and any of its
 * real, effective or saved ids; CAP_SYS_ADMIN any pid (of a process that
 * exists: else ESRCH), CAP_SETUID any uid, CAP_SETGID any gid. */
static int creds_check(const struct ucred_k *claim)
{
	struct sock_cred me;

	if (claim->uid == (uint32_t)-1 || claim->gid == (uint32_t)-1)
		return -EINVAL;
	socket_cred_current(&me);
	bool uid = me.any_uid, gid = me.any_gid;
	for (int k = 0; k < 3; k++) {
		uid |= claim->uid == me.uid[k];
		gid |= claim->gid == me.gid[k];
	}
	if (!(claim->pid == me.pid || me.any_pid) || !uid || !gid)
		return -EPERM;
	return claim->pid == me.pid || socket_pid_exists(claim->pid) ? 0 : -ESRCH;
}

int unix_msg_creds(const struct sock_msg *m, struct unix_sock *from, struct unix_sock *to,
		   struct unix_creds *c)
{
	struct sock_cmsg h;
	const char *data;
	size_t at = 0;
	int more;

	*c = (struct unix_creds){ false, { 0, 0, 0 } };
	while ((more = sock_msg_next_cmsg(m, &at, &h, &data)) > 0) {
		if (h.level != SOL_SOCKET || h.type != SCM_CREDENTIALS)
			continue;
		if (h.len != CMSG_HDR + sizeof c->id)
			return -EINVAL;
		memcpy(&c->id, data, sizeof c->id);
		int err = creds_check(&c->id);
		if (err)
			return err;
		c->set = true;
	}
	if (more < 0)
		return more;
	if (!c->set && (unix_passcred(from) || (to && unix_passcred(to)))) {
		struct sock_cred me;
		socket_cred_current(&me);
		*c = (struct unix_creds){ true, { me.pid, me.uid[0], me.gid[0] } };
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

/* The files as descriptors in an SCM_RIGHTS at *used: as many as fit. */
static void fds_install(struct unix_fds *fds, struct sock_msg *m, size_t *used)
{
	size_t room = m->control ? m->controllen - *used : 0;
	int fit = room >= CMSG_HDR + 4 ? (int)((room - CMSG_HDR) / 4) : 0, n = 0;
	bool cloexec = m->flags & MSG_CMSG_CLOEXEC;
	char *at = (char *)m->control + *used;
	int32_t *out = (int32_t *)(at + CMSG_HDR);

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
	if (!n)
		return;
	struct sock_cmsg h = { CMSG_HDR + 4 * (size_t)n, SOL_SOCKET, SCM_RIGHTS };
	memcpy(at, &h, sizeof h);
	*used += CMSG_ALIGN(h.len) < room ? CMSG_ALIGN(h.len) : room;
}

void unix_control_out(struct socket *s, struct sock_msg *m, const int64_t *stamp, const struct unix_creds *creds,
		      struct unix_fds *fds)
{
	size_t used = 0;

	if (stamp)
		socket_tstamp_put(s, *stamp, m, &used);
	if (creds) {
		struct ucred_k id = creds->set ? creds->id : (struct ucred_k){ 0, OVERFLOW_ID, OVERFLOW_ID };
		sock_msg_put_cmsg(m, &used, SOL_SOCKET, SCM_CREDENTIALS, &id, sizeof id);
	}
	if (fds->n)
		fds_install(fds, m, &used);
	m->controllen = used;
}

void unix_name_of(struct unix_sock *u, struct sock_msg *m)
{
	uint32_t len = __atomic_load_n(&u->addrlen, __ATOMIC_ACQUIRE);

	memcpy(m->name, u->addr, len);
	m->namelen = len;
}
