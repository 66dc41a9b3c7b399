/* The slots: one region (a memfd of LINK_REGION_SIZE, mapped here too),
 * one ivshmem socket and each side's two doorbell eventfds, all made
 * before the server VM first starts and kept for the supervisor's life;
 * and the path where a switchable app's QEMU listens for QMP (qmp-K).
 *
 * Assigning a slot writes the host's part of the region (lib/link.h):
 * everything zeroed, then link_host, then attach_seq last with a release
 * store; then the same in the slot's record in the ledger (link_assign),
 * which is what the server VM believes, as no app can write it; then the
 * server's control doorbell.  A slot is free again only
 * when its app has gone both ways: its control connection closed and its
 * QEMU left the socket (until then the app could still write the region,
 * and a new app must not inherit that). */
#define _GNU_SOURCE	/* memfd_create, fallocate */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>
#include "supervisor.h"

static int slot_create(struct supervisor *sv, struct slot *s, unsigned index)
{
	struct sockaddr_un a;
	char name[32];

	memset(s, 0, sizeof *s);
	s->index = index;
	s->next_peer = 1;
	s->server.fd = s->app_peer.fd = -1;
	for (unsigned v = 0; v < LINK_VECTORS; v++) {
		s->efd[SIDE_SERVER][v] = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
		s->efd[SIDE_APP][v] = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
		if (s->efd[SIDE_SERVER][v] < 0 || s->efd[SIDE_APP][v] < 0)
			return -errno;
	}
	snprintf(name, sizeof name, "amphi-%s-slot-%u", sv->o->name, index);
	s->memfd = memfd_create(name, MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (s->memfd < 0 || ftruncate(s->memfd, LINK_REGION_SIZE) < 0 || memfd_seal_size(s->memfd) < 0)
		return -errno;
	s->base = mmap(NULL, LINK_REGION_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, s->memfd, 0);
	if (s->base == MAP_FAILED)
		return -errno;
	snprintf(name, sizeof name, "slot-%u", index);
	s->path = xasprintf("%s/%s", sv->o->dir, name);
	s->qmp_path = xasprintf("%s/qmp-%u", sv->o->dir, index);
	if (unix_addr(&a, s->path) < 0)
		return -ENAMETOOLONG;
	s->listen_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (s->listen_fd < 0 || bind(s->listen_fd, (struct sockaddr *)&a, sizeof a) < 0 ||
	    listen(s->listen_fd, 8) < 0)
		return -errno;
	return 0;
}

int slots_create(struct supervisor *sv)
{
	sv->slots = xmalloc(sizeof *sv->slots * sv->o->nslots);
	for (unsigned i = 0; i < sv->o->nslots; i++) {
		int err = slot_create(sv, &sv->slots[i], i);
		if (err)
			return err;
	}
	return 0;
}

unsigned slots_used(const struct supervisor *sv)
{
	unsigned n = 0;

	for (unsigned i = 0; i < sv->o->nslots; i++)
		n += sv->slots[i].assigned;
	return n;
}

/* Zeroes the region.  Punching out its pages gives zeroes to every
 * mapping (the server VM's included) and gives the memory back. */
static void region_zero(struct slot *s)
{
	if (fallocate(s->memfd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 0,
		      LINK_REGION_SIZE) < 0)
		memset(s->base, 0, LINK_REGION_SIZE);
}

static uint32_t next_attach_seq(struct supervisor *sv)
{
	if (++sv->attach_seq == 0)
		sv->attach_seq = 1;
	return sv->attach_seq;
}

static void host_write(struct supervisor *sv, struct slot *s)
{
	struct link_host *h = link_host(s->base);

	h->magic = LINK_MAGIC;
	h->version = LINK_VERSION;
	h->region_size = LINK_REGION_SIZE;
	h->slot = s->index;
	h->nslots = sv->o->nslots;
	h->app_peer = s->app.peer_id;
	h->server_peer = LINK_SERVER_PEER;
	h->mode = s->app.mode;
	h->app_pid = (uint32_t)s->app.pid;
	memcpy(h->app_name, s->app.name, sizeof h->app_name);
	s->attach_seq = next_attach_seq(sv);
	/* Release: everything above before the number that makes it valid. */
	__atomic_store_n(&h->attach_seq, s->attach_seq, __ATOMIC_RELEASE);
}

/* The slot's record for the server VM: written while its attach_seq is 0
 * (the slot was free), attach_seq last. */
static void assign_write(struct supervisor *sv, struct slot *s)
{
	struct link_assign *a = link_ledger_assign(sv->ledger, s->index);

	a->mode = s->app.mode;
	a->app_peer = s->app.peer_id;
	memset(a->mac, 0, sizeof a->mac);
	if (s->app.mode == LINK_MODE_OWN)
		memcpy(a->mac, s->app.mac, sizeof a->mac);
	a->app_pid = (uint32_t)s->app.pid;
	memcpy(a->app_name, s->app.name, sizeof a->app_name);
	/* Release: the record before the number that makes it valid. */
	__atomic_store_n(&a->attach_seq, s->attach_seq, __ATOMIC_RELEASE);
}

/* The lowest free slot, assigned to app; NULL when every slot is taken. */
struct slot *slot_assign(struct supervisor *sv, const struct app *app)
{
	for (unsigned i = 0; i < sv->o->nslots; i++) {
		struct slot *s = &sv->slots[i];
		if (s->assigned || s->app_peer.fd >= 0)
			continue;
		s->app = *app;
		s->app.peer_id = s->next_peer;
		s->next_peer = s->next_peer == UINT16_MAX ? 1 : s->next_peer + 1;
		s->assigned = true;
		region_zero(s);
		host_write(sv, s);
		assign_write(sv, s);
		peer_announce_app(sv, s);
		slot_ring(s, SIDE_SERVER, LINK_VEC_CONTROL);
		sv_log(sv, "app %s (pid %d) attached to slot %u, %s address", s->app.name,
		       (int)s->app.pid, i, s->app.mode == LINK_MODE_OWN ? "own" : "shared");
		return s;
	}
	return NULL;
}

void slot_release_check(struct supervisor *sv, struct slot *s)
{
	if (!s->assigned || s->app.ctl || s->app_peer.fd >= 0)
		return;
	s->assigned = false;
	/* The server stops forwarding for a slot whose attach_seq is 0. */
	__atomic_store_n(&link_ledger_assign(sv->ledger, s->index)->attach_seq, 0, __ATOMIC_RELEASE);
	__atomic_store_n(&link_host(s->base)->attach_seq, 0, __ATOMIC_RELEASE);
	slot_ring(s, SIDE_SERVER, LINK_VEC_CONTROL);
	sv_log(sv, "app %s left slot %u", s->app.name, s->index);
	switch_app_left(sv, s);
}
