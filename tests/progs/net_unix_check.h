/* Helpers for the net_unix_* and net_socket_api test programs: each step
 * prints "what: result" (ok, a value, or the errno's name), so the output,
 * checked on Linux first, reads as a transcript of the semantics. */
#ifndef NET_UNIX_CHECK_H
#define NET_UNIX_CHECK_H

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *errname(int e)
{
	static const struct { int e; const char *n; } names[] = {
		{ EPERM, "EPERM" }, { ENOENT, "ENOENT" }, { EINTR, "EINTR" }, { EBADF, "EBADF" },
		{ EAGAIN, "EAGAIN" }, { EACCES, "EACCES" }, { EFAULT, "EFAULT" }, { EEXIST, "EEXIST" },
		{ ENOTDIR, "ENOTDIR" }, { EISDIR, "EISDIR" }, { EINVAL, "EINVAL" }, { EMFILE, "EMFILE" },
		{ ENOTTY, "ENOTTY" }, { ESPIPE, "ESPIPE" }, { EPIPE, "EPIPE" }, { ENAMETOOLONG, "ENAMETOOLONG" },
		{ ENOSYS, "ENOSYS" }, { ENXIO, "ENXIO" }, { ENOTSOCK, "ENOTSOCK" },
		{ EDESTADDRREQ, "EDESTADDRREQ" }, { EMSGSIZE, "EMSGSIZE" }, { EPROTOTYPE, "EPROTOTYPE" },
		{ ENOPROTOOPT, "ENOPROTOOPT" }, { EPROTONOSUPPORT, "EPROTONOSUPPORT" },
		{ ESOCKTNOSUPPORT, "ESOCKTNOSUPPORT" }, { EOPNOTSUPP, "EOPNOTSUPP" },
		{ EAFNOSUPPORT, "EAFNOSUPPORT" }, { EADDRINUSE, "EADDRINUSE" },
		{ EADDRNOTAVAIL, "EADDRNOTAVAIL" }, { ECONNRESET, "ECONNRESET" }, { ENOBUFS, "ENOBUFS" },
		{ EISCONN, "EISCONN" }, { ENOTCONN, "ENOTCONN" }, { ECONNREFUSED, "ECONNREFUSED" },
		{ EDOM, "EDOM" }, { ETIMEDOUT, "ETIMEDOUT" },
	};
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		if (names[i].e == e)
			return names[i].n;
	static char buf[32];
	snprintf(buf, sizeof buf, "errno %d", e);
	return buf;
}

/* Runs a call that returns -1 with errno on failure; prints ok or the errno. */
#define T(what, call) do { \
	errno = 0; \
	long r_ = (long)(call); \
	printf("%s: %s\n", what, r_ < 0 ? errname(errno) : "ok"); \
} while (0)

/* The same, printing the value on success. */
#define V(what, call) do { \
	errno = 0; \
	long r_ = (long)(call); \
	if (r_ < 0) \
		printf("%s: %s\n", what, errname(errno)); \
	else \
		printf("%s: %ld\n", what, r_); \
} while (0)

/* A step that must work for the test to go on. */
#define MUST(call) ({ \
	errno = 0; \
	long r_ = (long)(call); \
	if (r_ < 0) { \
		printf("FAIL: %s: %s (line %d)\n", #call, errname(errno), __LINE__); \
		exit(1); \
	} \
	r_; \
})

#endif
