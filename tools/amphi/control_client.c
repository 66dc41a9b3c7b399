/* The control socket as amphi's commands use it: one request line, a
 * reply of lines ending with an empty one (docs/netserver.md, "Control
 * protocol").  A supervisor that does not answer within CONTROL_TIMEOUT
 * seconds is reported, never waited for forever. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>
#include "amphi.h"
#include "server.h"

#define CONTROL_TIMEOUT	30

static void server_unknown(const char *cmd, const char *name, int state)
{
	die("%s: no server named '%s'%s (see amphi server list)", cmd, name,
	    state == SERVER_STALE ? " (its supervisor had died; what it left was removed)" : "");
}

/* A connection to NAME's control socket, or -errno. */
int control_connect(const char *name)
{
	struct sockaddr_un a;
	struct timeval tv = { CONTROL_TIMEOUT, 0 };
	char *path = server_path(name, "control");
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	int err = fd < 0 ? errno : unix_addr(&a, path) < 0 ? ENAMETOOLONG : 0;

	free(path);
	if (!err && connect(fd, (struct sockaddr *)&a, sizeof a) < 0)
		err = errno;
	if (err) {
		if (fd >= 0)
			close(fd);
		return -err;
	}
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
	return fd;
}

/* The same for a command: an unknown server (or a bad name) is one line
 * and status 2.  pid_fd, if given, gets the supervisor's pid file. */
int control_open(const char *cmd, const char *name, int *pid_fd)
{
	if (!server_name_ok(name))
		die("%s: no server named '%s' (a name is 1 to %d letters, digits, '_', '.' or '-')",
		    cmd, name, SERVER_NAME_MAX);
	int state = server_probe(name, pid_fd);
	if (state != SERVER_LIVE)
		server_unknown(cmd, name, state);
	int fd = control_connect(name);
	if (fd < 0)
		die_status(EXIT_VMFAIL, "%s: server '%s': its control socket: %s", cmd, name,
			   strerror(-fd));
	return fd;
}

/* Returns the reply's lines, each ending in a newline, without the empty
 * line that ends it. */
char *control_request(const char *cmd, const char *name, int fd, const char *request)
{
	char *line = xasprintf("%s\n", request);
	size_t len = 0, cap = 4096;
	char *buf = xmalloc(cap);

	if (write_full(fd, line, strlen(line)) < 0)
		die_status(EXIT_VMFAIL, "%s: server '%s' closed its control socket", cmd, name);
	free(line);
	while (len < 2 || memcmp(buf + len - 2, "\n\n", 2)) {
		if (len + 1 >= cap)
			buf = xrealloc(buf, cap *= 2);
		ssize_t n = read(fd, buf + len, cap - len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			die_status(EXIT_VMFAIL, "%s: server '%s' did not answer within %d s", cmd,
				   name, CONTROL_TIMEOUT);
		if (n <= 0)
			die_status(EXIT_VMFAIL, "%s: server '%s' closed its control socket", cmd,
				   name);
		len += (size_t)n;
	}
	buf[len - 1] = 0;
	return buf;
}
