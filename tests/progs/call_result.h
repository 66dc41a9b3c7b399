/* What a raw call gave, as a word for a transcript compared with Linux's:
 * the number, or errno's name (each in one of eight static buffers, good
 * until the eighth next call). */
#ifndef CALL_RESULT_H
#define CALL_RESULT_H

#include <errno.h>
#include <stdio.h>

static const char *res(long r)
{
	static const struct {
		int err;
		const char *name;
	} names[] = {
		{ EPERM, "EPERM" }, { ENOENT, "ENOENT" }, { ESRCH, "ESRCH" }, { EINTR, "EINTR" },
		{ E2BIG, "E2BIG" }, { EBADF, "EBADF" }, { ECHILD, "ECHILD" }, { EAGAIN, "EAGAIN" },
		{ ENOMEM, "ENOMEM" }, { EACCES, "EACCES" }, { EFAULT, "EFAULT" }, { EEXIST, "EEXIST" },
		{ ENOTDIR, "ENOTDIR" }, { EINVAL, "EINVAL" }, { EMFILE, "EMFILE" }, { EFBIG, "EFBIG" },
		{ ENOSPC, "ENOSPC" }, { ESPIPE, "ESPIPE" }, { ERANGE, "ERANGE" }, { ENOMSG, "ENOMSG" },
		{ EIDRM, "EIDRM" }, { EOPNOTSUPP, "EOPNOTSUPP" }, { EIO, "EIO" }, { EPIPE, "EPIPE" },
		{ ENXIO, "ENXIO" }, { EISDIR, "EISDIR" }, { ENODEV, "ENODEV" }, { ENODATA, "ENODATA" },
		{ ESOCKTNOSUPPORT, "ESOCKTNOSUPPORT" }, { EPROTONOSUPPORT, "EPROTONOSUPPORT" },
		{ EADDRINUSE, "EADDRINUSE" }, { ENOPROTOOPT, "ENOPROTOOPT" },
		{ ECONNREFUSED, "ECONNREFUSED" }, { ENOBUFS, "ENOBUFS" }, { ENETUNREACH, "ENETUNREACH" },
		{ EADDRNOTAVAIL, "EADDRNOTAVAIL" }, { EPROTO, "EPROTO" }, { EINPROGRESS, "EINPROGRESS" },
		{ EHOSTUNREACH, "EHOSTUNREACH" }, { EMSGSIZE, "EMSGSIZE" },
	};
	static char buf[8][32];
	static int k;
	char *s = buf[k++ % 8];

	if (r != -1) {
		snprintf(s, 32, "%ld", r);
		return s;
	}
	for (unsigned i = 0; i < sizeof names / sizeof names[0]; i++)
		if (names[i].err == errno)
			return names[i].name;
	snprintf(s, 32, "errno %d", errno);
	return s;
}

#endif
