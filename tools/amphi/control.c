/* The control socket: one line per request, a reply of lines ending with
 * an empty line (docs/netserver.md, "Control protocol").  Requests come
 * from a table, matched exactly; adding one is adding a row.
 *
 * Clients are non-blocking and bounded: a line longer than
 * CONTROL_LINE_MAX ends the connection, a client that stops reading its
 * replies is dropped at CLIENT_OUT_MAX, and CLIENTS_MAX connections at
 * once are all there is.  The connection an app attached through holds
 * its slot: its end (with the app's QEMU leaving the slot's socket)
 * frees the slot. */
#define _GNU_SOURCE	/* accept4, struct ucred */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include "netaddr.h"
#include "supervisor.h"

#define MAX_WORDS 8

struct request {
	const char *name;
	int min_args, max_args;
	const char *usage;
	void (*run)(struct supervisor *sv, struct client *c, char **args, int nargs);
};

void reply(struct client *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	char *s = xvasprintf(fmt, ap);
	va_end(ap);
	queue_push(&c->out, s, strlen(s));
	free(s);
}

static bool parse_mac(const char *s, uint8_t m[6])
{
	unsigned v[6];
	char end;

	if (strlen(s) != 17 || sscanf(s, "%2x:%2x:%2x:%2x:%2x:%2x%c", &v[0], &v[1], &v[2], &v[3],
				       &v[4], &v[5], &end) != 6)
		return false;
	for (int i = 0; i < 6; i++)
		m[i] = (uint8_t)v[i];
	return true;
}

static bool mac_taken(const struct supervisor *sv, const uint8_t m[6])
{
	if (!memcmp(m, sv->o->mac, 6))
		return true;
	for (unsigned i = 0; i < sv->o->nslots; i++) {
		const struct slot *s = &sv->slots[i];
		if (s->assigned && s->app.mode == LINK_MODE_OWN && !memcmp(s->app.mac, m, 6))
			return true;
	}
	return false;
}

struct slot *slot_of_app(const struct supervisor *sv, const char *name)
{
	for (unsigned i = 0; i < sv->o->nslots; i++)
		if (sv->slots[i].assigned && !strcmp(sv->slots[i].app.name, name))
			return &sv->slots[i];
	return NULL;
}

/* own mode: the MAC asked for (unicast, not zero, nobody's), or a fresh
 * locally administered one. */
static const char *choose_mac(const struct supervisor *sv, const char *arg, uint8_t m[6])
{
	static const uint8_t zero[6];

	if (arg) {
		if (!parse_mac(arg, m) || (m[0] & 1) || !memcmp(m, zero, 6))
			return "a MAC is six hex bytes like 02:00:00:00:00:01, unicast and not zero";
		return mac_taken(sv, m) ? "that MAC is in use on this server" : NULL;
	}
	do
		net_random_mac(m);
	while (mac_taken(sv, m));
	return NULL;
}

/* Fills app from an attach's words, or replies why not.  A last word
 * "hotplug" (own mode) says the app's QEMU can take a NIC. */
static bool attach_check(struct supervisor *sv, struct client *c, char **args, int nargs,
			 struct app *app)
{
	uint64_t pid;
	const char *why = NULL;

	if (nargs > 3 && !strcmp(args[nargs - 1], "hotplug")) {
		app->hotplug = true;
		nargs--;
	}
	if (c->slot)
		why = "this connection holds an app already";
	else if (!app_name_ok(args[0]))
		why = "an app name is 1 to 63 letters, digits, '_', '.' or '-'";
	else if (parse_uint(args[1], INT32_MAX, &pid) < 0 || (pid_t)pid != c->pid)
		why = "PID must be the attaching process's own";
	else if (!strcmp(args[2], "own"))
		app->mode = LINK_MODE_OWN;
	else if (!strcmp(args[2], "shared") && nargs == 3 && !app->hotplug)
		app->mode = LINK_MODE_SHARED;
	else
		why = "the mode is shared or own (a MAC and hotplug only with own)";
	if (!why && app->mode == LINK_MODE_OWN)
		why = choose_mac(sv, nargs == 4 ? args[3] : NULL, app->mac);
	if (why) {
		reply(c, "error %s\n\n", why);
		return false;
	}
	if (slot_of_app(sv, args[0])) {
		reply(c, "error an app named %s is attached already\n\n", args[0]);
		return false;
	}
	strcpy(app->name, args[0]);
	app->pid = (pid_t)pid;
	return true;
}

/* attach NAME PID shared|own [MAC] [hotplug] */
static void req_attach(struct supervisor *sv, struct client *c, char **args, int nargs)
{
	struct app app = { .ctl = c, .job.fd = -1 };

	if (!attach_check(sv, c, args, nargs, &app))
		return;
	struct slot *s = slot_assign(sv, &app);
	if (!s) {
		reply(c, "error no free slot (all %u are taken)\n\n", sv->o->nslots);
		return;
	}
	c->slot = s;
	char *mac = app.mode == LINK_MODE_OWN ? net_mac_string(app.mac) : xstrdup("-");
	reply(c, "ok %u %s %s %s\n\n", s->index, s->path, mac, app.hotplug ? s->qmp_path : "-");
	free(mac);
}

/* app NAME: is it here?  (amphi switch looks for it on every server.) */
static void req_app(struct supervisor *sv, struct client *c, char **args, int nargs)
{
	const struct slot *s = slot_of_app(sv, args[0]);

	(void)nargs;
	if (s)
		reply(c, "ok %u\n\n", s->index);
	else
		reply(c, "error no app named %s on server %s\n\n", args[0], sv->o->name);
}

static void req_status(struct supervisor *sv, struct client *c, char **args, int nargs)
{
	(void)nargs;
	if (!strcmp(args[0], "text"))
		status_text(sv, c);
	else if (!strcmp(args[0], "json"))
		status_json(sv, c);
	else
		reply(c, "error status text|json\n");
	reply(c, "\n");
}

/* One line for amphi server list. */
static void req_summary(struct supervisor *sv, struct client *c, char **args, int nargs)
{
	(void)args;
	(void)nargs;
	reply(c, "ok %d %u %u %lld\n\n", (int)getpid(), slots_used(sv), sv->o->nslots,
	      (long long)sv_uptime_s(sv));
}

static void req_stop(struct supervisor *sv, struct client *c, char **args, int nargs)
{
	(void)args;
	(void)nargs;
	sv_log(sv, "stop asked for on the control socket");
	if (!sv->ever_ready) {
		sv_report(sv, "amphi: server start: server '%s' was stopped before it was ready\n",
			  sv->o->name);
		sv->exit_status = EXIT_VMFAIL;
	}
	sv->stopping = true;
	reply(c, "ok\n\n");
}

static const struct request requests[] = {
	{ "attach", 3, 5, "attach NAME PID shared|own [MAC] [hotplug]", req_attach },
	{ "app", 1, 1, "app NAME", req_app },
	{ "switch", 2, 2, "switch NAME direct|server", req_switch },
	{ "status", 1, 1, "status text|json", req_status },
	{ "summary", 0, 0, "summary", req_summary },
	{ "stop", 0, 0, "stop", req_stop },
};

static void serve_line(struct supervisor *sv, struct client *c, char *line)
{
	char *words[MAX_WORDS], *save = NULL;
	int n = 0;

	for (char *w = strtok_r(line, " ", &save); w && n < MAX_WORDS; w = strtok_r(NULL, " ", &save))
		words[n++] = w;
	if (n == 0) {
		reply(c, "error empty request\n\n");
		return;
	}
	for (size_t i = 0; i < sizeof requests / sizeof requests[0]; i++) {
		const struct request *r = &requests[i];
		if (strcmp(words[0], r->name))
			continue;
		if (n - 1 < r->min_args || n - 1 > r->max_args) {
			reply(c, "error usage: %s\n\n", r->usage);
			return;
		}
		r->run(sv, c, words + 1, n - 1);
		return;
	}
	reply(c, "error unknown request '%.40s'\n\n", words[0]);
}

void control_accept(struct supervisor *sv)
{
	struct ucred cred = { 0 };
	socklen_t len = sizeof cred;
	int fd = accept4(sv->control_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

	if (fd < 0)
		return;
	if (sv->nclients == CLIENTS_MAX) {
		close(fd);
		return;
	}
	getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len);
	struct client *c = xmalloc(sizeof *c);
	memset(c, 0, sizeof *c);
	c->fd = fd;
	c->pid = cred.pid;
	c->next = sv->clients;
	sv->clients = c;
	sv->nclients++;
}

void control_close(struct supervisor *sv, struct client *c)
{
	for (struct client **p = &sv->clients; *p; p = &(*p)->next) {
		if (*p == c) {
			*p = c->next;
			break;
		}
	}
	sv->nclients--;
	close(c->fd);
	free(c->out.buf);
	switch_client_gone(sv, c);
	if (c->slot) {
		c->slot->app.ctl = NULL;
		slot_release_check(sv, c->slot);
	}
	free(c);
}

/* Serves the whole lines read so far, in order: a switch's reply comes
 * before the next request is looked at. */
static void serve_lines(struct supervisor *sv, struct client *c)
{
	char *nl;

	while (!c->waiting && (nl = memchr(c->in, '\n', c->in_len))) {
		*nl = 0;
		serve_line(sv, c, c->in);
		c->in_len -= (size_t)(nl + 1 - c->in);
		memmove(c->in, nl + 1, c->in_len);
	}
}

static void after_serving(struct supervisor *sv, struct client *c)
{
	if (c->out.len > CLIENT_OUT_MAX)
		control_close(sv, c);
	else
		control_output(sv, c);
}

/* At end of file the replies still go out (a client may half-close),
 * then the connection ends. */
void control_input(struct supervisor *sv, struct client *c)
{
	ssize_t n = read(c->fd, c->in + c->in_len, sizeof c->in - c->in_len);

	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n > 0)
		c->in_len += (size_t)n;
	serve_lines(sv, c);
	if (c->in_len == sizeof c->in && !c->waiting)
		reply(c, "error request longer than %d bytes\n\n", CONTROL_LINE_MAX - 1);
	if (n <= 0 || (c->in_len == sizeof c->in && !c->waiting))
		c->closing = true;
	after_serving(sv, c);
}

/* Sends what it can; then serves the requests that waited behind a
 * switch's answer (answered now: switch.c clears c->waiting). */
void control_output(struct supervisor *sv, struct client *c)
{
	for (;;) {
		while (c->out.len) {
			ssize_t n = send(c->fd, queue_data(&c->out), c->out.len,
					 MSG_NOSIGNAL | MSG_DONTWAIT);
			if (n < 0 && (errno == EAGAIN || errno == EINTR))
				return;
			if (n <= 0) {
				control_close(sv, c);
				return;
			}
			queue_drop(&c->out, (size_t)n);
		}
		if (c->waiting || !memchr(c->in, '\n', c->in_len))
			break;
		serve_lines(sv, c);
		if (c->out.len > CLIENT_OUT_MAX) {
			control_close(sv, c);
			return;
		}
	}
	if (c->closing && !c->waiting)
		control_close(sv, c);
}
