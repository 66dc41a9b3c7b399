/* Mode switches (docs/netserver.md, "Switching"): an own-address app on
 * q35 gets a NIC of its own on the server's bridge (direct mode) or gives
 * it back (server mode), when `amphi switch` asks (the control request
 * `switch NAME direct|server`) or when the app's policy does (want_seq and
 * want_direct in its region, looked at every POLICY_POLL_MS).
 *
 * The loop never waits on an app: each switch is a child process
 * (switch_job.c) whose result comes back on a pipe.  One switch per app
 * at a time; a request of the policy that comes meanwhile waits for the
 * next look after it.  What the app is (direct or not, how many switches)
 * is what the jobs did, never what the region says.  At most max_direct
 * apps hold a NIC at once: asking for one more is refused, for amphi
 * switch with a reply, for a policy by counting the refusal in the
 * region's host part (link_host.direct_refused) and ringing the app. */
#define _GNU_SOURCE	/* pipe2, close_range */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>
#include "supervisor.h"

unsigned switch_nics_used(const struct supervisor *sv)
{
	unsigned n = 0;

	for (unsigned i = 0; i < sv->o->nslots; i++)
		n += sv->slots[i].assigned && sv->slots[i].app.nic != 0;
	return n;
}

/* Why s's app cannot switch that way now; NULL if it can.  *limit is set
 * when the only reason is the number of NICs. */
static char *refusal(struct supervisor *sv, const struct slot *s, bool to_direct, bool *limit)
{
	const struct app *a = &s->app;

	*limit = false;
	if (a->job.pid)
		return xasprintf("app %s is switching already", a->name);
	if (a->mode != LINK_MODE_OWN)
		return xasprintf("app %s uses the server's shared address: only an app with an "
				 "address of its own can take a NIC (amphi run --address own)", a->name);
	if (!a->hotplug)
		return xasprintf("app %s cannot take a NIC: it does not run on q35 (amphi run "
				 "--machine q35)", a->name);
	if (sv->o->vm.net.mode != NET_BRIDGE)
		return xasprintf("server %s is not on a bridge (amphi server start --net "
				 "bridge=BRIDGE): there is no network for a NIC of app %s's own",
				 sv->o->name, a->name);
	if (s->app_peer.fd < 0)
		return xasprintf("app %s's VM is not on the link yet", a->name);
	if (to_direct && a->nic && !a->direct)
		return xasprintf("app %s has a NIC that did not go away: amphi switch %s server "
				 "first", a->name, a->name);
	if (to_direct && !a->nic && switch_nics_used(sv) >= sv->o->max_direct) {
		*limit = true;
		return xasprintf("no NIC for app %s: %u app%s of server %s %s in direct mode "
				 "(--max-direct %u)", a->name, sv->o->max_direct,
				 sv->o->max_direct == 1 ? "" : "s", sv->o->name,
				 sv->o->max_direct == 1 ? "is" : "are", sv->o->max_direct);
	}
	return NULL;
}

/* Is the app in that mode already (no NIC to add, or none to remove)? */
static bool already(const struct app *a, bool to_direct)
{
	return to_direct ? a->direct : !a->nic;
}

/* Everything but the pipe goes: the child holds no socket, lock or tap of
 * the supervisor's (a child outliving it must not keep the name). */
static void child_fds(int keep)
{
	if (keep > 3)
		close_range(3, (unsigned)keep - 1, 0);
	close_range((unsigned)keep + 1, ~0u, 0);
}

static int job_start(struct supervisor *sv, struct slot *s, bool to_direct, struct client *asker)
{
	struct app *a = &s->app;
	struct switch_spec j = {
		.to_direct = to_direct,
		.nic = to_direct ? a->nics + 1 : a->nic,
		.bridge = sv->o->vm.net.bridge,
		.qmp_path = s->qmp_path,
		.app_pid = a->pid,
		.direct = &link_app(s->base)->direct,
		.started_ms = now_ms(),
	};
	int p[2];

	memcpy(j.mac, a->mac, 6);
	if (pipe2(p, O_CLOEXEC) < 0)
		return -errno;
	pid_t pid = fork();
	if (pid < 0) {
		close(p[0]);
		close(p[1]);
		return -errno;
	}
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		child_fds(p[1]);
		switch_job_run(&j, p[1]);
	}
	close(p[1]);
	fcntl(p[0], F_SETFL, O_NONBLOCK);
	a->job = (struct switch_job){ .pid = pid, .fd = p[0], .to_direct = to_direct,
				      .asker = asker, .started_ms = j.started_ms };
	if (to_direct)
		a->nic = ++a->nics;	/* held from now: the limit counts it */
	sv_log(sv, "app %s: switching to %s mode (%s)", a->name, to_direct ? "direct" : "server",
	       asker ? "amphi switch" : "its policy");
	return 0;
}

/* switch NAME direct|server: the reply waits for the switch's end. */
void req_switch(struct supervisor *sv, struct client *c, char **args, int nargs)
{
	struct slot *s = slot_of_app(sv, args[0]);
	bool to_direct = !strcmp(args[1], "direct"), limit;

	(void)nargs;
	if (!to_direct && strcmp(args[1], "server")) {
		reply(c, "error usage: switch NAME direct|server\n\n");
		return;
	}
	if (!s) {
		reply(c, "error no app named %s on server %s\n\n", args[0], sv->o->name);
		return;
	}
	if (already(&s->app, to_direct) && !s->app.job.pid) {
		reply(c, "ok 0 already\n\n");
		return;
	}
	char *why = refusal(sv, s, to_direct, &limit);
	if (why) {
		s->app.refusals += limit;
		sv_log(sv, "switch refused: %s", why);
		reply(c, "error %s\n\n", why);
		free(why);
		return;
	}
	int err = job_start(sv, s, to_direct, c);
	if (err) {
		reply(c, "failed cannot start the switch: %s\n\n", strerror(-err));
		return;
	}
	c->waiting = true;
}

/* ---- the apps' policies -------------------------------------------------- */

/* Counted where the app sees it, and the app is rung: its kernel says so. */
static void refuse_policy(struct supervisor *sv, struct slot *s, const char *why)
{
	s->app.refusals++;
	__atomic_store_n(&link_host(s->base)->direct_refused, s->app.refusals, __ATOMIC_RELEASE);
	slot_ring(s, SIDE_APP, LINK_VEC_CONTROL);
	sv_log(sv, "app %s asked for a NIC: refused: %s", s->app.name, why);
}

static void policy_look(struct supervisor *sv, struct slot *s)
{
	struct app *a = &s->app;
	const struct link_app *la = link_app(s->base);
	uint32_t seq = __atomic_load_n(&la->want_seq, __ATOMIC_ACQUIRE);
	bool limit;
	int err;

	/* Nothing new, or taken a while after the last switch: an app that
	 * keeps asking makes a switch a second at most. */
	if (a->job.pid || seq == a->want_seq || now_ms() - a->job_ended_ms < POLICY_GAP_MS)
		return;
	a->want_seq = seq;
	bool to_direct = __atomic_load_n(&la->want_direct, __ATOMIC_RELAXED) == 1;
	if (already(a, to_direct))
		return;
	char *why = refusal(sv, s, to_direct, &limit);
	if (why && to_direct)
		refuse_policy(sv, s, why);
	else if (why)
		sv_log(sv, "app %s asked for server mode: %s", a->name, why);
	else if ((err = job_start(sv, s, to_direct, NULL)) < 0)
		sv_log(sv, "app %s: cannot start a switch: %s", a->name, strerror(-err));
	free(why);
}

/* Every wait of a job has its deadline; one that outlives them all anyway
 * is killed, and ends as a job that said nothing. */
static void job_overdue(struct supervisor *sv, struct app *a, int64_t now)
{
	if (a->job.pid && !a->job.dead && now - a->job.started_ms > SWITCH_KILL_MS) {
		sv_log(sv, "app %s: the switch's helper is overdue: killed", a->name);
		kill(a->job.pid, SIGKILL);	/* its pipe's end comes next */
		a->job.dead = true;
	}
}

int switch_tick(struct supervisor *sv)
{
	int64_t now = now_ms();
	bool any = false;

	for (unsigned i = 0; i < sv->o->nslots; i++) {
		any |= sv->slots[i].assigned && sv->slots[i].app.mode == LINK_MODE_OWN;
		job_overdue(sv, &sv->slots[i].app, now);
	}
	if (!any)
		return -1;
	if (now >= sv->policy_at) {
		sv->policy_at = now + POLICY_POLL_MS;
		for (unsigned i = 0; i < sv->o->nslots; i++)
			if (sv->slots[i].assigned && sv->slots[i].app.mode == LINK_MODE_OWN)
				policy_look(sv, &sv->slots[i]);
	}
	return (int)(sv->policy_at - now);
}

/* ---- the jobs' ends ------------------------------------------------------ */

static void job_close(struct app *a)
{
	if (!a->job.dead)
		kill(a->job.pid, SIGKILL);	/* normally gone already: it wrote its end */
	close(a->job.fd);
	a->job = (struct switch_job){ .fd = -1 };
	a->job_ended_ms = now_ms();
}

/* The job is over (closed already): amphi switch, if it waits, hears
 * how.  The reply goes out, and the client's next requests are served,
 * from its own handler (control_output): a client is freed only there. */
static void answer(struct client *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void answer(struct client *c, const char *fmt, ...)
{
	va_list ap;

	if (!c)
		return;
	va_start(ap, fmt);
	char *s = xvasprintf(fmt, ap);
	va_end(ap);
	reply(c, "%s\n\n", s);
	free(s);
	c->waiting = false;
}

/* The job's last line: "ok MS" or "failed KEEP MESSAGE" (switch_job.c);
 * NULL when it ended without one. */
static void job_end(struct supervisor *sv, struct slot *s, const char *last)
{
	struct app *a = &s->app;
	struct client *asker = a->job.asker;
	bool to_direct = a->job.to_direct;
	long long ms;
	int keep = 1, n = 0;

	if (last && sscanf(last, "ok %lld", &ms) == 1) {
		a->direct = to_direct;
		if (!to_direct) {
			a->nic = 0;
			a->tap[0] = 0;
		}
		a->switches++;
		sv_log(sv, "app %s: %s mode in %lld ms%s%s", a->name, to_direct ? "direct" : "server",
		       ms, to_direct ? ", tap " : "", to_direct ? a->tap : "");
		job_close(a);
		answer(asker, "ok %lld", ms);
		return;
	}
	if (last && sscanf(last, "failed %d %n", &keep, &n) == 1 && n)
		last += n;
	else
		last = "the switch's helper ended without a word";
	if (!keep) {	/* no NIC in the VM: server mode */
		a->nic = 0;
		a->direct = false;
		a->tap[0] = 0;
	}
	sv_log(sv, "app %s: the switch to %s mode failed: %s", a->name,
	       to_direct ? "direct" : "server", last);
	char *msg = xstrdup(last);	/* last is in the job's buffer */
	job_close(a);
	answer(asker, "failed %s", msg);
	free(msg);
}

/* Lines from the job: "tap NAME", then its end. */
void switch_output(struct supervisor *sv, struct slot *s)
{
	struct switch_job *j = &s->app.job;
	ssize_t n = read(j->fd, j->out + j->out_len, sizeof j->out - 1 - j->out_len);
	char *nl;

	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n > 0)
		j->out_len += (size_t)n;
	j->out[j->out_len] = 0;
	while ((nl = strchr(j->out, '\n'))) {
		*nl = 0;
		if (!strncmp(j->out, "tap ", 4)) {
			snprintf(s->app.tap, sizeof s->app.tap, "%s", j->out + 4);
		} else {
			job_end(sv, s, j->out);
			return;
		}
		j->out_len -= (size_t)(nl + 1 - j->out);
		memmove(j->out, nl + 1, j->out_len + 1);
	}
	if (n <= 0 || j->out_len == sizeof j->out - 1)
		job_end(sv, s, NULL);
}

void switch_reaped(struct supervisor *sv, pid_t pid)
{
	for (unsigned i = 0; i < sv->o->nslots; i++)
		if (sv->slots[i].app.job.pid == pid)
			sv->slots[i].app.job.dead = true;
}

/* The app left (its connection and its QEMU): whatever its job does is
 * moot, and its QEMU's monitor socket goes. */
void switch_app_left(struct supervisor *sv, struct slot *s)
{
	struct app *a = &s->app;

	if (a->job.pid) {
		struct client *asker = a->job.asker;
		sv_log(sv, "app %s left during a switch", a->name);
		job_close(a);
		answer(asker, "failed app %s left during the switch", a->name);
	}
	unlink(s->qmp_path);
}

void switch_client_gone(struct supervisor *sv, const struct client *c)
{
	for (unsigned i = 0; i < sv->o->nslots; i++)
		if (sv->slots[i].app.job.asker == c)
			sv->slots[i].app.job.asker = NULL;
}

void switch_stop_all(struct supervisor *sv)
{
	for (unsigned i = 0; i < sv->o->nslots; i++)
		if (sv->slots[i].app.job.pid)
			job_close(&sv->slots[i].app);
}
