/* A small QMP client for the supervisor's switch children (switch_job.c):
 * connect to an app QEMU's monitor, send a command (with a descriptor when
 * it is getfd), wait for its answer, and notice the one event a switch
 * waits for (DEVICE_DELETED).  QEMU's docs/interop/qmp-spec.txt: one JSON
 * object per line; the greeting {"QMP": ...}; qmp_capabilities before
 * anything else; answers {"return": ...} or {"error": {"class", "desc"}}
 * in the order of the commands; events {"event": ...} in between.
 *
 * Nothing here parses JSON in general.  A line is looked at with its
 * blanks outside strings removed, for the few fixed shapes above.  Every
 * wait has the job's deadline, and whatever QEMU says is only text to
 * match: an app's QEMU is the app's. */
#define _GNU_SOURCE	/* struct ucred */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>
#include "supervisor.h"

#define QMP_LINE_MAX	(64 * 1024)

/* The line without blanks outside strings, in place. */
static void squeeze(char *s)
{
	bool in = false, esc = false;
	char *o = s;

	for (; *s; s++) {
		if (esc)
			esc = false;
		else if (in && *s == '\\')
			esc = true;
		else if (*s == '"')
			in = !in;
		else if (!in && (*s == ' ' || *s == '\t' || *s == '\r'))
			continue;
		*o++ = *s;
	}
	*o = 0;
}

/* A DEVICE_DELETED event for the device the job watches? */
static void note_event(struct qmp *q, const char *line)
{
	if (!q->watch || !strstr(line, "\"event\":\"DEVICE_DELETED\""))
		return;
	char *want = xasprintf("\"device\":\"%s\"", q->watch);
	if (strstr(line, want))
		q->deleted = true;
	free(want);
}

/* The next line, squeezed, in q->line.  1: a line; 0: the deadline (or
 * until) passed; -1: QEMU closed the monitor or broke the protocol. */
int qmp_next(struct qmp *q, int64_t until)
{
	for (;;) {
		char *nl = memchr(q->buf, '\n', q->len);
		if (nl) {
			size_t n = (size_t)(nl - q->buf);
			memcpy(q->line, q->buf, n);
			q->line[n] = 0;
			q->len -= n + 1;
			memmove(q->buf, nl + 1, q->len);
			squeeze(q->line);
			note_event(q, q->line);
			return 1;
		}
		if (q->len == QMP_LINE_MAX)
			return -1;
		int64_t left = (until < q->deadline ? until : q->deadline) - now_ms();
		if (left <= 0)
			return 0;
		struct pollfd p = { .fd = q->fd, .events = POLLIN };
		int r = poll(&p, 1, (int)left);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return r == 0 ? 0 : -1;
		ssize_t got = read(q->fd, q->buf + q->len, QMP_LINE_MAX - q->len);
		if (got < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (got <= 0)
			return -1;
		q->len += (size_t)got;
	}
}

/* QEMU's own words from an error answer: its "desc". */
static char *error_desc(const char *line)
{
	const char *d = strstr(line, "\"desc\":\"");
	if (!d)
		return xstrdup("QEMU refused it");
	d += 8;
	size_t n = 0;
	while (d[n] && !(d[n] == '"' && (n == 0 || d[n - 1] != '\\')) && n < 200)
		n++;
	return xasprintf("%.*s", (int)n, d);
}

/* A command is small and the monitor reads it at once: one send carries
 * it whole (the descriptor rides with its first byte). */
static int send_cmd(struct qmp *q, const char *json, int fd)
{
	size_t len = strlen(json);

	return send_fd(q->fd, json, len, fd, MSG_NOSIGNAL) == (ssize_t)len ? 0 : -1;
}

/* Runs one command; its answer decides.  0, or -1 with *why (QEMU's
 * error, or what went wrong) for the caller to free. */
int qmp_call(struct qmp *q, const char *json, int fd, char **why)
{
	*why = NULL;
	if (send_cmd(q, json, fd) < 0) {
		*why = xasprintf("the app's QEMU closed its monitor");
		return -1;
	}
	for (;;) {
		int r = qmp_next(q, q->deadline);
		if (r <= 0) {
			*why = xstrdup(r ? "the app's QEMU closed its monitor"
					 : "the app's QEMU did not answer in time");
			return -1;
		}
		if (!strncmp(q->line, "{\"return\":", 10))
			return 0;
		if (!strncmp(q->line, "{\"error\":", 9)) {
			*why = error_desc(q->line);
			return -1;
		}
	}
}

/* Is the monitor at path the app's QEMU's (or a --qemu wrapper's child)?
 * Anyone could have left a socket there. */
static bool peer_is(int fd, pid_t owner)
{
	struct ucred cred = { 0 };
	socklen_t len = sizeof cred;

	return getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) == 0 &&
	       pid_descends_from(cred.pid, owner);
}

int qmp_open(struct qmp *q, const char *path, pid_t owner, int64_t deadline, char **why)
{
	struct sockaddr_un a;

	memset(q, 0, sizeof *q);
	q->deadline = deadline;
	q->buf = xmalloc(QMP_LINE_MAX);
	q->line = xmalloc(QMP_LINE_MAX + 1);
	q->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	/* A connect to a monitor whose queue is full, or a send it does not
	 * take, would block: neither outlives the deadline. */
	int64_t left = deadline - now_ms();
	struct timeval tv = { left > 0 ? left / 1000 : 0, left > 0 ? left % 1000 * 1000 : 1000 };
	if (q->fd >= 0)
		setsockopt(q->fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
	if (q->fd < 0 || unix_addr(&a, path) < 0 ||
	    connect(q->fd, (struct sockaddr *)&a, sizeof a) < 0) {
		*why = xasprintf("cannot reach the app's QEMU monitor %s: %s", path, strerror(errno));
		return -1;
	}
	if (!peer_is(q->fd, owner)) {
		*why = xasprintf("%s is not the app's QEMU's monitor", path);
		return -1;
	}
	int r = qmp_next(q, deadline);
	if (r <= 0 || strncmp(q->line, "{\"QMP\":", 7)) {
		*why = xstrdup("the app's QEMU monitor did not greet");
		return -1;
	}
	return qmp_call(q, "{\"execute\":\"qmp_capabilities\"}\n", -1, why);
}

void qmp_close(struct qmp *q)
{
	if (q->fd >= 0)
		close(q->fd);
	free(q->buf);
	free(q->line);
}
