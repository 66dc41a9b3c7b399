/* Helpers for the fs_* test programs: each step prints "what: result",
 * where result is "ok", a value, or the errno's name, so the expected
 * output (checked on Linux first) reads as a transcript of the semantics. */
#ifndef FS_CHECK_H
#define FS_CHECK_H

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *errname(int e)
{
	static const struct { int e; const char *n; } names[] = {
		{ EPERM, "EPERM" }, { ENOENT, "ENOENT" }, { EINTR, "EINTR" }, { EBADF, "EBADF" }, { EAGAIN, "EAGAIN" },
		{ EACCES, "EACCES" }, { EFAULT, "EFAULT" }, { EBUSY, "EBUSY" }, { EEXIST, "EEXIST" },
		{ EXDEV, "EXDEV" }, { ENODEV, "ENODEV" }, { ENOTDIR, "ENOTDIR" }, { EISDIR, "EISDIR" },
		{ EINVAL, "EINVAL" }, { EMFILE, "EMFILE" }, { ENOTTY, "ENOTTY" }, { EFBIG, "EFBIG" },
		{ ENOSPC, "ENOSPC" }, { ESPIPE, "ESPIPE" }, { EROFS, "EROFS" }, { EMLINK, "EMLINK" },
		{ ERANGE, "ERANGE" }, { ENAMETOOLONG, "ENAMETOOLONG" }, { ENOSYS, "ENOSYS" },
		{ ENOTEMPTY, "ENOTEMPTY" }, { ELOOP, "ELOOP" }, { ENXIO, "ENXIO" },
		{ EOPNOTSUPP, "EOPNOTSUPP" }, { EOVERFLOW, "EOVERFLOW" }, { EDEADLK, "EDEADLK" },
		{ E2BIG, "E2BIG" }, { ENODATA, "ENODATA" },
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
