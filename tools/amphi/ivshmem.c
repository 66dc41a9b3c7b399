/* QEMU's ivshmem-server protocol, one slot's socket at a time (QEMU's
 * docs/specs/ivshmem-spec.txt, "The ivshmem Client-Server Protocol").
 *
 * Messages are 8-byte little-endian numbers, some with a descriptor
 * (SCM_RIGHTS).  A new peer gets: the version (0); its id; -1 with the
 * region's memfd; the other peer's id once per vector with that peer's
 * eventfds; its own id once per vector with its own eventfds.  QEMU reads
 * the first three synchronously while it creates the device, so they go
 * out at once.
 *
 * Each slot has two peers at most: the server VM (id 0, always) and the
 * slot's app (the id fixed when the slot was assigned).  Who is who is
 * checked, not believed: the connecting process (SO_PEERCRED) must be the
 * server VM's QEMU or the app's `amphi run`, or a child of theirs.
 *
 * No peer is ever told that the other left, and a peer id is never
 * announced twice to one QEMU with new descriptors.  QEMU 7.2's device
 * frees a peer's eventfd array when it hears the peer left and writes
 * into that freed array when the same id connects again (a use after
 * free that crashed app QEMUs here at server restarts).  So the
 * eventfds are the slot's, made once, for the supervisor's life: every
 * server VM (id 0) and every app of the slot gets the same ones.  A QEMU
 * that comes back therefore needs no news: whoever stays keeps ringing
 * the same eventfds, which the newcomer receives on.  The guests learn
 * of comings and goings from the region and the control doorbell, never
 * from QEMU (which tells the guest nothing of them anyway).
 *
 * Every socket is non-blocking and every queue bounded: a peer that does
 * not read loses its connection, it never stalls the supervisor. */
#define _GNU_SOURCE	/* accept4, struct ucred */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include "supervisor.h"

#define IVSHMEM_PROTOCOL_VERSION 0
#define ANCESTRY_MAX	16

static pid_t parent_of(pid_t pid)
{
	char path[32], buf[512];
	snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
	FILE *f = fopen(path, "re");
	size_t n = f ? fread(buf, 1, sizeof buf - 1, f) : 0;

	if (f)
		fclose(f);
	buf[n] = 0;
	char *paren = strrchr(buf, ')');	/* the command name may hold anything */
	int ppid;
	if (!paren || sscanf(paren + 1, " %*c %d", &ppid) != 1)
		return 0;
	return ppid;
}

/* Is pid the ancestor itself, or a descendant of it (QEMU under amphi
 * run, or under a --qemu wrapper)? */
bool pid_descends_from(pid_t pid, pid_t ancestor)
{
	for (int i = 0; i < ANCESTRY_MAX && pid > 1; i++, pid = parent_of(pid))
		if (pid == ancestor)
			return true;
	return false;
}

/* Rings one side of a slot, whether its QEMU is there or not: an
 * eventfd keeps the count until someone reads it. */
void slot_ring(const struct slot *s, enum side side, unsigned vector)
{
	uint64_t one = 1;

	if (vector < LINK_VECTORS && write(s->efd[side][vector], &one, sizeof one) < 0)
		return;	/* EAGAIN: the counter is full, the doorbell rings anyway */
}

/* Queues a message; the descriptor (if any) is dup'ed.  false when the
 * peer has let PEER_QUEUE messages pile up. */
static bool send_msg(struct peer *p, int64_t value, int fd)
{
	if (p->qlen == PEER_QUEUE)
		return false;
	int dup = fd >= 0 ? fcntl(fd, F_DUPFD_CLOEXEC, 3) : -1;
	if (fd >= 0 && dup < 0)
		return false;
	p->q[(p->qhead + p->qlen++) % PEER_QUEUE] = (struct ivmsg){ value, dup };
	return true;
}

/* One message, or what is left of it; its descriptor rides with its
 * first byte. */
static int send_head(struct peer *p)
{
	struct ivmsg *m = &p->q[p->qhead];
	uint8_t le[8];

	for (int i = 0; i < 8; i++)
		le[i] = (uint8_t)((uint64_t)m->value >> (8 * i));
	ssize_t n = send_fd(p->fd, le + p->qsent, 8 - p->qsent, p->qsent ? -1 : m->fd,
			    MSG_NOSIGNAL | MSG_DONTWAIT);
	if (n < 0)
		return errno == EAGAIN || errno == EINTR ? 0 : -errno;
	if (m->fd >= 0) {
		close(m->fd);	/* sent: QEMU has its own copy now */
		m->fd = -1;
	}
	p->qsent += (unsigned)n;
	if (p->qsent == 8) {
		p->qsent = 0;
		p->qhead = (p->qhead + 1) % PEER_QUEUE;
		p->qlen--;
	}
	return (int)n;
}

/* Sends what the socket takes now; the rest waits for POLLOUT. */
void peer_flush(struct supervisor *sv, struct slot *s, struct peer *p)
{
	while (p->fd >= 0 && p->qlen) {
		int r = send_head(p);
		if (r == 0)
			return;
		if (r < 0) {
			sv_log(sv, "slot %u: peer %u: %s; dropped", s->index, p->id, strerror(-r));
			peer_gone(sv, s, p);
		}
	}
}

/* Tells p about one side of the slot: its id once per vector, with its
 * eventfds. */
static bool announce(struct peer *p, const struct slot *s, enum side side, uint16_t id)
{
	for (unsigned v = 0; v < LINK_VECTORS; v++)
		if (!send_msg(p, id, s->efd[side][v]))
			return false;
	return true;
}

/* A new app on the slot: the server VM's QEMU learns its id. */
void peer_announce_app(struct supervisor *sv, struct slot *s)
{
	if (s->server.fd < 0)
		return;
	if (!announce(&s->server, s, SIDE_APP, s->app.peer_id))
		peer_gone(sv, s, &s->server);
	else
		peer_flush(sv, s, &s->server);
}

/* A peer left or was dropped: its connection and what waited for it go;
 * a slot whose app has gone both ways is freed. */
void peer_gone(struct supervisor *sv, struct slot *s, struct peer *p)
{
	if (p->fd < 0)
		return;
	close(p->fd);
	for (; p->qlen; p->qlen--, p->qhead = (p->qhead + 1) % PEER_QUEUE)
		if (p->q[p->qhead].fd >= 0)
			close(p->q[p->qhead].fd);
	p->fd = -1;
	p->qhead = p->qsent = 0;
	if (p == &s->app_peer)
		slot_release_check(sv, s);
}

/* QEMU never writes to the socket; anything it does write is read and
 * dropped, and end of file means it left. */
void peer_input(struct supervisor *sv, struct slot *s, struct peer *p)
{
	char buf[256];
	ssize_t n = recv(p->fd, buf, sizeof buf, MSG_DONTWAIT);

	if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR))
		peer_gone(sv, s, p);
}

/* The server VM hears of the slot's app if there is one (its QEMU may
 * come later: it rings the same eventfds); an app always hears of the
 * server (one may come later, or back: it receives on the same ones). */
static bool welcome(struct slot *s, struct peer *p)
{
	bool server = p == &s->server;

	if (!send_msg(p, IVSHMEM_PROTOCOL_VERSION, -1) || !send_msg(p, p->id, -1) ||
	    !send_msg(p, -1, s->memfd))
		return false;
	if (server && s->assigned && !announce(p, s, SIDE_APP, s->app.peer_id))
		return false;
	if (!server && !announce(p, s, SIDE_SERVER, LINK_SERVER_PEER))
		return false;
	return announce(p, s, server ? SIDE_SERVER : SIDE_APP, p->id);
}

/* Which peer a connecting process may be: NULL if none (or taken). */
static struct peer *classify(struct supervisor *sv, struct slot *s, pid_t pid)
{
	if (sv->vm.running && pid_descends_from(pid, sv->vm.vm.pid)) {
		if (s->server.fd >= 0)	/* a leftover of a VM that is gone */
			peer_gone(sv, s, &s->server);
		s->server.id = LINK_SERVER_PEER;
		return &s->server;
	}
	if (s->assigned && s->app_peer.fd < 0 && pid_descends_from(pid, s->app.pid)) {
		s->app_peer.id = s->app.peer_id;
		return &s->app_peer;
	}
	return NULL;
}

void peer_accept(struct supervisor *sv, struct slot *s)
{
	struct ucred cred = { 0 };
	socklen_t len = sizeof cred;
	int fd = accept4(s->listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

	if (fd < 0)
		return;
	struct peer *p = NULL;
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) == 0)
		p = classify(sv, s, cred.pid);
	if (!p) {
		sv_log(sv, "slot %u: refused a connection from pid %d (not this slot's app "
		       "or the server VM)", s->index, (int)cred.pid);
		close(fd);
		return;
	}
	p->fd = fd;
	if (!welcome(s, p)) {
		sv_log(sv, "slot %u: peer %u: too many messages queued", s->index, p->id);
		peer_gone(sv, s, p);
		return;
	}
	peer_flush(sv, s, p);
	/* The server hears of a new app QEMU, an app of a new server VM. */
	slot_ring(s, SIDE_SERVER, LINK_VEC_CONTROL);
	if (p == &s->server && s->assigned)
		slot_ring(s, SIDE_APP, LINK_VEC_CONTROL);
}
