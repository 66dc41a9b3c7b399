/* One mode switch, in a child process of the supervisor (switch.c forks
 * it), so that the loop never waits on an app's QEMU.  It writes lines on
 * its pipe, then ends:
 *
 *   tap NAME              (to direct mode) the tap it made for the NIC
 *   ok MS                 done, MS milliseconds after the request
 *   failed KEEP MESSAGE   not done; KEEP 1 if a NIC may still be in the
 *                         app's VM, 0 if none is
 *
 * To direct mode: a tap of its own on the server's bridge (tap.c), handed
 * to the app's QEMU over QMP (getfd, the descriptor over SCM_RIGHTS, then
 * netdev_add tap,fd=...), and a virtio-net-pci with the app's MAC in the
 * app's root port (device_add); done when the app's region says direct.
 * Once QEMU holds the tap, ours is closed: the tap lives as long as QEMU's
 * netdev and disappears with it.
 *
 * To server mode: device_del; the app's kernel moves eth0 back to the
 * link, lets go of the device and powers the slot off, and QEMU then says
 * DEVICE_DELETED; done when that came and the region says not direct, and
 * netdev_del has closed the tap.
 *
 * Every wait ends at SWITCH_DEADLINE_MS after the request; a NIC the app
 * did not take in that time is taken back (SWITCH_UNDO_MS more). */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "supervisor.h"

static int out_fd;

static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void say(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	char *s = xvasprintf(fmt, ap);
	va_end(ap);
	write_full(out_fd, s, strlen(s));
	free(s);
}

static noreturn void done(const struct switch_spec *j)
{
	say("ok %lld\n", (long long)(now_ms() - j->started_ms));
	_exit(0);
}

static noreturn void fail(int keep, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static noreturn void fail(int keep, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	char *s = xvasprintf(fmt, ap);
	va_end(ap);
	for (char *c = s; *c; c++)	/* one line */
		if (*c == '\n')
			*c = ' ';
	say("failed %d %s\n", keep, s);
	_exit(1);
}

static bool direct_now(const struct switch_spec *j)
{
	return __atomic_load_n(j->direct, __ATOMIC_ACQUIRE) == 1;
}

/* Until the app's region says direct == want (and, if q->watch, QEMU
 * said DEVICE_DELETED), or until `until`.  -1 if QEMU went away. */
static int wait_for(const struct switch_spec *j, struct qmp *q, bool want, int64_t until)
{
	for (;;) {
		if (direct_now(j) == want && (!q->watch || q->deleted))
			return 1;
		if (now_ms() >= until)
			return 0;
		/* The region has no doorbell for us: look every 5 ms, and
		 * take QEMU's events meanwhile. */
		int64_t slice = now_ms() + 5;
		if (qmp_next(q, slice < until ? slice : until) < 0)
			return -1;
	}
}

/* One command from a format; 0, or -1 with *why (NULL why: the answer
 * does not matter, as on the way out of a failure). */
static int callf(struct qmp *q, int fd, char **why, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static int callf(struct qmp *q, int fd, char **why, const char *fmt, ...)
{
	va_list ap;
	char *ignored;

	va_start(ap, fmt);
	char *json = xvasprintf(fmt, ap);
	va_end(ap);
	int r = qmp_call(q, json, fd, why ? why : &ignored);
	if (r < 0 && !why)
		free(ignored);
	free(json);
	return r;
}

#define CMD(name, args) "{\"execute\":\"" name "\",\"arguments\":{" args "}}\n"

/* The app did not take the NIC in time: device_del, and its netdev. */
static noreturn void undo(const struct switch_spec *j, struct qmp *q, const char *what)
{
	char *nic = xasprintf("amphi-nic%u", j->nic);

	q->watch = nic;
	q->deadline = now_ms() + SWITCH_UNDO_MS;
	callf(q, -1, NULL, CMD("device_del", "\"id\":\"%s\""), nic);
	int gone = wait_for(j, q, false, q->deadline) > 0;
	callf(q, -1, NULL, CMD("netdev_del", "\"id\":\"amphi-net%u\""), j->nic);
	fail(!gone, "%s", what);
}

static noreturn void to_direct(const struct switch_spec *j, struct qmp *q)
{
	char tap[16], *why, *mac = net_mac_string(j->mac);
	int fd = tap_create(j->bridge, true, tap, &why);

	if (fd < 0)
		fail(0, "no tap on bridge %s: %s", j->bridge, why);
	say("tap %s\n", tap);
	if (qmp_open(q, j->qmp_path, j->app_pid, j->started_ms + SWITCH_DEADLINE_MS, &why) < 0)
		fail(0, "%s", why);
	if (callf(q, fd, &why, CMD("getfd", "\"fdname\":\"amphi-tap%u\""), j->nic) < 0)
		fail(0, "%s", why);
	close(fd);	/* QEMU has its own now */
	if (callf(q, -1, &why, CMD("netdev_add", "\"type\":\"tap\",\"id\":\"amphi-net%u\","
				   "\"fd\":\"amphi-tap%u\",\"vhost\":false"), j->nic, j->nic) < 0) {
		callf(q, -1, NULL, CMD("closefd", "\"fdname\":\"amphi-tap%u\""), j->nic);
		fail(0, "%s", why);
	}
	if (callf(q, -1, &why, CMD("device_add", "\"driver\":\"virtio-net-pci\",\"id\":"
				   "\"amphi-nic%u\",\"bus\":\"%s\",\"netdev\":\"amphi-net%u\","
				   "\"mac\":\"%s\",\"romfile\":\"\""), j->nic, LINK_HOTPLUG_PORT,
		  j->nic, mac) < 0) {
		callf(q, -1, NULL, CMD("netdev_del", "\"id\":\"amphi-net%u\""), j->nic);
		fail(0, "%s", why);
	}
	int r = wait_for(j, q, true, q->deadline);
	if (r < 0)
		fail(0, "the app's QEMU ended during the switch");
	if (r == 0)
		undo(j, q, "the app did not take the NIC in time (is its kernel up?)");
	done(j);
}

static noreturn void to_server(const struct switch_spec *j, struct qmp *q)
{
	char *why, *nic = xasprintf("amphi-nic%u", j->nic);

	if (qmp_open(q, j->qmp_path, j->app_pid, j->started_ms + SWITCH_DEADLINE_MS, &why) < 0)
		fail(1, "%s", why);
	q->watch = nic;
	if (callf(q, -1, &why, CMD("device_del", "\"id\":\"%s\""), nic) < 0) {
		if (!strstr(why, "not found"))
			fail(1, "%s", why);
		q->deleted = true;	/* gone already */
	}
	int r = wait_for(j, q, false, q->deadline);
	if (r < 0)
		fail(0, "the app's QEMU ended during the switch");
	if (r == 0 && !q->deleted)
		fail(1, "the app's QEMU did not complete the NIC's removal in time");
	if (r == 0)
		fail(0, "the NIC is gone but the app does not say it is back on the link");
	callf(q, -1, NULL, CMD("netdev_del", "\"id\":\"amphi-net%u\""), j->nic);
	done(j);
}

noreturn void switch_job_run(const struct switch_spec *j, int out)
{
	struct qmp q;

	out_fd = out;
	if (j->to_direct)
		to_direct(j, &q);
	to_server(j, &q);
}
