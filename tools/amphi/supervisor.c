/* The supervisor's life: set up before the fork (so every failure is
 * still amphi server start's to report), then one poll loop until stop,
 * then the VM killed, the folder removed, the name given back.
 *
 * Everything it opens is close-on-exec except the bridge's tap and the
 * ledger, which every server VM's QEMU inherits: no QEMU holds a socket, a
 * region or the pid file's lock by accident. */
#define _GNU_SOURCE	/* memfd_create */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/random.h>
#include <sys/mman.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>
#include "supervisor.h"

#define LOG_ROTATE	(8 << 20)	/* server.log becomes server.log.1 past this */

int64_t sv_uptime_s(const struct supervisor *sv)
{
	return (now_ms() - sv->started_ms) / 1000;
}

/* ---- the log ------------------------------------------------------------- */

static void log_rotate(struct supervisor *sv)
{
	char *log = xasprintf("%s/server.log", sv->o->dir), *old = xasprintf("%s.1", log);

	if (rename(log, old) == 0) {
		int fd = open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
		if (fd >= 0) {
			dup2(fd, sv->log_fd);
			dup2(fd, 2);
			close(fd);
			sv->log_size = 0;
		}
	}
	free(log);
	free(old);
}

void sv_log_raw(struct supervisor *sv, const void *data, size_t n)
{
	if (write_full(sv->log_fd, data, n) == 0)
		sv->log_size += (off_t)n;
	if (sv->log_size > LOG_ROTATE)
		log_rotate(sv);
}

/* One line of the supervisor's own, with the wall-clock time. */
void sv_log(struct supervisor *sv, const char *fmt, ...)
{
	char stamp[32], *msg, *line;
	time_t t = time(NULL);
	va_list ap;

	strftime(stamp, sizeof stamp, "%Y-%m-%d %H:%M:%S", localtime(&t));
	va_start(ap, fmt);
	msg = xvasprintf(fmt, ap);
	va_end(ap);
	line = xasprintf("amphi %s: %s\n", stamp, msg);
	sv_log_raw(sv, line, strlen(line));
	free(line);
	free(msg);
}

/* ---- the report to amphi server start -------------------------------------- */

/* Text for amphi server start's stderr, as 'E' frames (lib/frame.h).  The
 * pipe is non-blocking and each frame one write of at most PIPE_BUF bytes,
 * which a pipe takes whole or not at all: a reader that stops reading
 * loses text, never the framing, and never stalls the supervisor. */
void sv_report(struct supervisor *sv, const char *fmt, ...)
{
	uint8_t frame[PIPE_BUF];
	va_list ap;

	if (sv->report_fd < 0)
		return;
	va_start(ap, fmt);
	char *s = xvasprintf(fmt, ap);
	va_end(ap);
	size_t n = strlen(s);
	for (size_t off = 0; off < n; off += sizeof frame - FRAME_HDR) {
		size_t len = n - off < sizeof frame - FRAME_HDR ? n - off : sizeof frame - FRAME_HDR;
		frame_header(frame, FRAME_STDERR, len);
		memcpy(frame + FRAME_HDR, s + off, len);
		if (write(sv->report_fd, frame, FRAME_HDR + len) < 0)
			break;
	}
	free(s);
}

/* The status amphi server start exits with ('X'), and the end of the
 * report. */
void sv_report_end(struct supervisor *sv, int status)
{
	uint8_t msg[FRAME_HDR + 4] = { 0 };

	if (sv->report_fd < 0)
		return;
	frame_header(msg, FRAME_EXIT, 4);
	msg[FRAME_HDR] = (uint8_t)status;
	if (write(sv->report_fd, msg, sizeof msg) < 0)
		sv_log(sv, "amphi server start has gone: %s", strerror(errno));
	close(sv->report_fd);
	sv->report_fd = -1;
}

/* ---- set-up, before the fork --------------------------------------------- */

/* A memfd we map and hand to a QEMU keeps its size for good: a QEMU gone
 * bad that truncated it would kill us with SIGBUS at our next touch, and
 * every app of the server with us.  F_SEAL_SEAL: nor may it add a seal
 * (F_SEAL_FUTURE_WRITE would stop the next QEMU mapping it writable). */
int memfd_seal_size(int fd)
{
	return fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL);
}

static int listen_control(struct supervisor *sv)
{
	struct sockaddr_un a;
	char *path = xasprintf("%s/control", sv->o->dir);
	int r = unix_addr(&a, path);

	free(path);
	if (r < 0)
		return r;
	sv->control_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (sv->control_fd < 0 || bind(sv->control_fd, (struct sockaddr *)&a, sizeof a) < 0 ||
	    listen(sv->control_fd, 64) < 0)
		return -errno;
	return 0;
}

/* The page where each server VM reports what it saw, and where we tell it
 * who holds each slot (link.h): no app maps it, so status believes the
 * one and the server VM the other.  Not close-on-exec: QEMU opens it by
 * /proc/self/fd. */
static int ledger_create(struct supervisor *sv)
{
	char *name = xasprintf("amphi-%s-ledger", sv->o->name);

	sv->ledger_fd = memfd_create(name, MFD_ALLOW_SEALING);
	free(name);
	if (sv->ledger_fd < 0 || ftruncate(sv->ledger_fd, LINK_LEDGER_SIZE) < 0 ||
	    memfd_seal_size(sv->ledger_fd) < 0)
		return -errno;
	void *p = mmap(NULL, LINK_LEDGER_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, sv->ledger_fd, 0);
	if (p == MAP_FAILED)
		return -errno;
	sv->ledger = p;
	return 0;
}

/* Returns 0, or dies with the reason (status 2 for what the user can
 * change: the folder's path, the bridge; 125 otherwise). */
int supervisor_prepare(struct supervisor *sv, struct server_opts *o, int pid_fd)
{
	char *log = xasprintf("%s/server.log", o->dir), *why = NULL;

	memset(sv, 0, sizeof *sv);
	sv->o = o;
	sv->pid_fd = pid_fd;
	sv->report_fd = sv->sig_fd = sv->tap_fd = -1;
	if (getrandom(sv->key, sizeof sv->key, 0) != sizeof sv->key)
		return -errno;
	sv->log_fd = open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	free(log);
	if (sv->log_fd < 0)
		return -errno;
	int r = listen_control(sv);
	if (!r)
		r = slots_create(sv);
	if (!r)
		r = ledger_create(sv);
	if (r == -ENAMETOOLONG)
		die("server start: %s: the path is too long for a socket (set AMPHI_RUNTIME_DIR "
		    "to a shorter folder)", o->dir);
	if (r)
		return r;
	if (o->vm.net.mode == NET_BRIDGE) {
		sv->tap_fd = tap_create(o->vm.net.bridge, false, o->tap_name, &why);
		if (sv->tap_fd < 0)
			die("server start: --net bridge=%s: %s", o->vm.net.bridge, why);
		o->vm.net.tap_fd = sv->tap_fd;
	}
	return 0;
}

/* ---- the daemon ------------------------------------------------------------ */

static int signals_open(void)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	signals_block(&set);
	signal(SIGPIPE, SIG_IGN);
	return signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
}

/* stdin and stdout /dev/null, stderr the log (a die() in the daemon says
 * why there); the pid file names the supervisor. */
static void daemon_setup(struct supervisor *sv)
{
	int null = open("/dev/null", O_RDWR);
	char pid[24];

	dup2(null, 0);
	dup2(null, 1);
	dup2(sv->log_fd, 2);
	if (null > 2)
		close(null);
	if (chdir("/") < 0)
		sv_log(sv, "chdir /: %s", strerror(errno));
	snprintf(pid, sizeof pid, "%d\n", (int)getpid());
	if (ftruncate(sv->pid_fd, 0) < 0 || pwrite(sv->pid_fd, pid, strlen(pid), 0) < 0)
		sv_log(sv, "pid file: %s", strerror(errno));
	sv->sig_fd = signals_open();
	sv->started_ms = now_ms();
	net_preload_for_qemu(&sv->o->vm.net);
}

static void on_signal(struct supervisor *sv)
{
	struct signalfd_siginfo si;

	while (read(sv->sig_fd, &si, sizeof si) == sizeof si) {
		if (si.ssi_signo == SIGCHLD) {
			server_vm_reap(sv);
		} else if (si.ssi_signo != SIGHUP && !sv->stopping) {
			sv_log(sv, "signal %u: stopping", si.ssi_signo);
			if (!sv->ever_ready) {
				sv_report(sv, "amphi: server start: server '%s' was stopped by signal "
					  "%u before it was ready\n", sv->o->name, si.ssi_signo);
				sv->exit_status = EXIT_VMFAIL;
			}
			sv->stopping = true;
		}
	}
}

/* What each polled descriptor is. */
enum watch_kind { W_SIGNAL, W_REPORT, W_CONTROL, W_CLIENT, W_VM, W_SLOT, W_PEER, W_JOB };
struct watch {
	enum watch_kind kind;
	void *a, *b;
};

struct pollset {
	struct pollfd *fds;
	struct watch *w;
	size_t n, cap;
};

static void watch(struct pollset *ps, int fd, short events, enum watch_kind kind, void *a, void *b)
{
	if (ps->n == ps->cap) {
		ps->cap = ps->cap ? 2 * ps->cap : 256;
		ps->fds = xrealloc(ps->fds, sizeof *ps->fds * ps->cap);
		ps->w = xrealloc(ps->w, sizeof *ps->w * ps->cap);
	}
	ps->fds[ps->n] = (struct pollfd){ .fd = fd, .events = events };
	ps->w[ps->n++] = (struct watch){ kind, a, b };
}

static void watch_peer(struct pollset *ps, struct slot *s, struct peer *p)
{
	if (p->fd >= 0)
		watch(ps, p->fd, (short)(POLLIN | (p->qlen ? POLLOUT : 0)), W_PEER, s, p);
}

static void watch_all(struct supervisor *sv, struct pollset *ps)
{
	ps->n = 0;
	watch(ps, sv->sig_fd, POLLIN, W_SIGNAL, NULL, NULL);
	if (sv->report_fd >= 0)		/* only POLLERR: amphi server start went away */
		watch(ps, sv->report_fd, 0, W_REPORT, NULL, NULL);
	if (sv->nclients < CLIENTS_MAX)
		watch(ps, sv->control_fd, POLLIN, W_CONTROL, NULL, NULL);
	for (struct client *c = sv->clients; c; c = c->next)
		watch(ps, c->fd, (short)((c->closing || c->waiting ? 0 : POLLIN) |
					 (c->out.len ? POLLOUT : 0)), W_CLIENT, c, NULL);
	if (sv->vm.running && sv->vm.out_open)
		watch(ps, sv->vm.vm.out, POLLIN, W_VM, NULL, NULL);
	if (sv->vm.running && sv->vm.err_open)
		watch(ps, sv->vm.vm.err, POLLIN, W_VM, NULL, NULL);
	for (unsigned i = 0; i < sv->o->nslots; i++) {
		struct slot *s = &sv->slots[i];
		watch(ps, s->listen_fd, POLLIN, W_SLOT, s, NULL);
		watch_peer(ps, s, &s->server);
		watch_peer(ps, s, &s->app_peer);
		if (s->app.job.pid)
			watch(ps, s->app.job.fd, POLLIN, W_JOB, s, NULL);
	}
}

/* Handlers may close other descriptors of the same round (a peer's
 * leaving drops its partner): each checks its descriptor is still the
 * one polled.  A client is freed only by its own handler. */
static void dispatch(struct supervisor *sv, const struct pollfd *p, const struct watch *w)
{
	struct peer *peer = w->b;

	switch (w->kind) {
	case W_SIGNAL: on_signal(sv); break;
	case W_REPORT:
		sv_log(sv, "amphi server start went away before the server was ready: stopping");
		close(sv->report_fd);
		sv->report_fd = -1;
		sv->stopping = true;
		break;
	case W_CONTROL: control_accept(sv); break;
	case W_CLIENT:
		if (((struct client *)w->a)->waiting && (p->revents & (POLLHUP | POLLERR)))
			control_close(sv, w->a);	/* amphi switch went away */
		else if (p->revents & (POLLIN | POLLHUP | POLLERR))
			control_input(sv, w->a);
		else
			control_output(sv, w->a);
		break;
	case W_VM:
		if (sv->vm.running && (p->fd == sv->vm.vm.out || p->fd == sv->vm.vm.err))
			server_vm_output(sv, p->fd);
		break;
	case W_SLOT: peer_accept(sv, w->a); break;
	case W_JOB:
		if (((struct slot *)w->a)->app.job.fd == p->fd)
			switch_output(sv, w->a);
		break;
	case W_PEER:
		if (peer->fd == p->fd && (p->revents & (POLLIN | POLLHUP | POLLERR)))
			peer_input(sv, w->a, peer);
		if (peer->fd == p->fd && (p->revents & POLLOUT))
			peer_flush(sv, w->a, peer);
		break;
	}
}

/* Best effort: replies still queued (stop's "ok") go out before the end. */
static void clients_flush(struct supervisor *sv)
{
	for (struct client *c = sv->clients; c; c = c->next)
		if (c->out.len)
			(void)send(c->fd, queue_data(&c->out), c->out.len, MSG_NOSIGNAL | MSG_DONTWAIT);
}

/* The VM killed and reaped, every descriptor of the slots closed, the
 * folder removed, the name released: then amphi server stop (or start)
 * may go on. */
static noreturn void supervisor_end(struct supervisor *sv)
{
	clients_flush(sv);
	switch_stop_all(sv);
	server_vm_stop(sv);
	for (unsigned i = 0; i < sv->o->nslots; i++) {
		struct slot *s = &sv->slots[i];
		peer_gone(sv, s, &s->app_peer);
		close(s->listen_fd);
	}
	sv_log(sv, "stopped");
	server_dir_remove(sv->o->dir);
	flock(sv->pid_fd, LOCK_UN);
	sv_report_end(sv, sv->exit_status);
	exit(sv->exit_status);
}

noreturn void supervisor_run(struct supervisor *sv, int report_fd)
{
	struct pollset ps = { 0 };

	sv->report_fd = report_fd;
	fcntl(report_fd, F_SETFL, O_NONBLOCK);
	daemon_setup(sv);
	sv_log(sv, "supervisor %d for server %s: %u slots", (int)getpid(), sv->o->name,
	       sv->o->nslots);
	server_vm_start(sv);
	while (!sv->stopping) {
		int timeout = server_vm_tick(sv), policy = switch_tick(sv);
		if (sv->stopping)
			break;
		if (policy >= 0 && (timeout < 0 || policy < timeout))
			timeout = policy;
		watch_all(sv, &ps);
		if (poll(ps.fds, ps.n, timeout) <= 0)
			continue;
		for (size_t i = 0; i < ps.n; i++)
			if (ps.fds[i].revents)
				dispatch(sv, &ps.fds[i], &ps.w[i]);
	}
	supervisor_end(sv);
}
