/* One-line errors (as git's die()/error()), allocation that cannot fail,
 * number parsing for options, and writes that finish. */
#define _GNU_SOURCE	/* vasprintf */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include "amphi.h"

/* The message is one line whatever the values in it hold: a name with a
 * newline, or a terminal's escape sequence, is shown escaped (\n, \x1b). */
static void vreport(const char *fmt, va_list ap)
{
	char line[1024], shown[4 * sizeof line];
	size_t n = 0;

	vsnprintf(line, sizeof line, fmt, ap);
	for (const unsigned char *c = (const unsigned char *)line; *c; c++) {
		if (*c == '\n' || *c == '\t')
			n += (size_t)sprintf(shown + n, "\\%c", *c == '\n' ? 'n' : 't');
		else if (*c < 0x20 || *c == 0x7f)
			n += (size_t)sprintf(shown + n, "\\x%02x", *c);
		else
			shown[n++] = (char)*c;
	}
	shown[n] = 0;
	fprintf(stderr, "amphi: %s\n", shown);
}

void error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport(fmt, ap);
	va_end(ap);
}

/* exit() runs the atexit handlers, which remove the private directory. */
noreturn void die_status(int status, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport(fmt, ap);
	va_end(ap);
	exit(status);
}

noreturn void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport(fmt, ap);
	va_end(ap);
	exit(EXIT_USAGE);
}

void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p)
		die_status(EXIT_VMFAIL, "out of memory");
	return p;
}

void *xmalloc(size_t n)
{
	return xrealloc(NULL, n);
}

char *xstrdup(const char *s)
{
	size_t n = strlen(s) + 1;

	return memcpy(xmalloc(n), s, n);
}

char *xvasprintf(const char *fmt, va_list ap)
{
	char *s;

	if (vasprintf(&s, fmt, ap) < 0)
		die_status(EXIT_VMFAIL, "out of memory");
	return s;
}

char *xasprintf(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	char *s = xvasprintf(fmt, ap);
	va_end(ap);
	return s;
}

char *words_add(char *line, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	char *word = xvasprintf(fmt, ap);
	va_end(ap);
	char *more = xasprintf("%s%s%s", line ? line : "", line ? " " : "", word);
	free(word);
	free(line);
	return more;
}

/* Plain decimal only: no sign, no spaces, no 0x, nothing after. */
int parse_uint(const char *s, uint64_t max, uint64_t *v)
{
	uint64_t n = 0;

	if (!*s)
		return -EINVAL;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -EINVAL;
		unsigned d = (unsigned)(*s - '0');
		if (n > (max - d) / 10)
			return -ERANGE;
		n = n * 10 + d;
	}
	*v = n;
	return 0;
}

static int suffix_shift(const char *s)
{
	static const char units[] = "KMGT";
	const char *u = *s ? strchr(units, *s & ~0x20) : NULL;

	if (!u)
		return -1;
	s++;
	/* "M", "MB" and "MiB" all mean 2^20, as QEMU reads them. */
	if (*s == 'i')
		s++;
	if ((*s | 0x20) == 'b')
		s++;
	return *s ? -1 : 10 * (int)(u - units + 1);
}

/* A size as QEMU's -m takes it: a number of MiB, or one with a K, M, G or
 * T suffix (powers of 1024). */
int parse_size(const char *s, uint64_t *bytes)
{
	size_t digits = strspn(s, "0123456789");
	int shift = digits && !s[digits] ? 20 : suffix_shift(s + digits);
	uint64_t n;

	if (!digits || shift < 0)
		return -EINVAL;
	char *num = strndup(s, digits);
	int r = parse_uint(num, UINT64_MAX >> shift, &n);
	free(num);
	if (r < 0)
		return r;
	*bytes = n << shift;
	return 0;
}

/* Writes all of buf, waiting when fd is non-blocking and full.  Returns 0,
 * or -errno (-EPIPE when the reader has gone: SIGPIPE is ignored). */
int write_full(int fd, const void *buf, size_t n)
{
	const char *p = buf;

	while (n) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EAGAIN) {
			poll(&(struct pollfd){ .fd = fd, .events = POLLOUT }, 1, -1);
			continue;
		}
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -errno;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* sendmsg of buf, with descriptor fd (if >= 0) riding on its first byte
 * (SCM_RIGHTS): the ivshmem-server protocol's and QMP's getfd. */
ssize_t send_fd(int sock, const void *buf, size_t len, int fd, int flags)
{
	struct iovec iov = { (void *)buf, len };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1 };
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;

	if (fd >= 0) {
		m.msg_control = u.buf;
		m.msg_controllen = sizeof u.buf;
		struct cmsghdr *c = CMSG_FIRSTHDR(&m);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(c), &fd, sizeof fd);
	}
	return sendmsg(sock, &m, flags);
}

int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ---- option values, as every command checks them ------------------------ */

unsigned opt_number(const char *cmd, const char *opt, const char *v, uint64_t min, uint64_t max)
{
	uint64_t n;

	if (parse_uint(v, max, &n) < 0 || n < min)
		die("%s: %s wants a whole number from %llu to %llu, not '%s'", cmd, opt,
		    (unsigned long long)min, (unsigned long long)max, v);
	return (unsigned)n;
}

uint64_t opt_memory(const char *cmd, const char *v)
{
	uint64_t mem;

	if (parse_size(v, &mem) < 0 || !mem || mem > MAX_MEM || mem % 1024)
		die("%s: -m wants a size in whole KiB up to 1T (like 64M or 1G), not '%s'", cmd, v);
	return mem;
}

const char *opt_accel(const char *cmd, const char *v)
{
	if (strcmp(v, "kvm") && strcmp(v, "tcg"))
		die("%s: --accel wants kvm or tcg, not '%s'", cmd, v);
	return v;
}

/* The option getopt refused: a short one by its letter (it may sit in a
 * group like -vx), a long one as written. */
const char *opt_failed(char **argv)
{
	static char s[3] = "-";
	const char *last = argv[optind - 1];

	if (strncmp(last, "--", 2) != 0 && optopt > 0 && optopt < 128) {
		s[1] = (char)optopt;
		return s;
	}
	return last;
}
