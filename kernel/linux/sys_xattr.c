/* Extended attributes: tmpfs here keeps none, so every file answers as one
 * without any would on Linux: getxattr ENODATA, listxattr an empty list,
 * setxattr and removexattr EOPNOTSUPP (as Linux's tmpfs before 6.6 for
 * the user.* names programs use; a namespace Linux does not know is
 * EOPNOTSUPP for getxattr too).  Before that, the arguments get Linux's
 * answers in Linux's order: a name, flags or size it would refuse, then a
 * bad descriptor or a path that names nothing. */
#include "core/errno.h"
#include "core/string.h"
#include "core/uaccess.h"
#include "fs/fdtable.h"
#include "fs/file.h"
#include "linux/sys_fs_internal.h"
#include "linux/syscall.h"

#define XATTR_NAME_MAX	255
#define XATTR_SIZE_MAX	65536
#define XATTR_CREATE	1
#define XATTR_REPLACE	2

/* Which file a call names: a path (followed or not) or a descriptor. */
struct target {
	bool by_fd;
	int fd;
	uint64_t upath;
	bool follow;
};

/* The file exists: 0, or its error. */
static long named(const struct target *t)
{
	struct inode *i;
	long err;

	if (t->by_fd) {
		struct file *f = fd_get(t->fd);
		if (!f)
			return -EBADF;
		file_put(f);
		return 0;
	}
	if ((err = at_lookup(AT_FDCWD, t->upath, 0, t->follow, &i)))
		return err;
	inode_put(i);
	return 0;
}

/* Linux's name rules: 1 to 255 bytes (ERANGE otherwise), readable.  The
 * name goes in name. */
static long check_name(uint64_t uname, char name[XATTR_NAME_MAX + 1])
{
	long n = copy_string_from_user(name, uname, XATTR_NAME_MAX + 1);

	return n == -ENAMETOOLONG || n == 0 ? -ERANGE : n < 0 ? n : 0;
}

/* A namespace Linux has a handler for; any other name is EOPNOTSUPP on
 * every file system (xattr_resolve_name). */
static bool known_namespace(const char *name)
{
	static const char *const prefixes[] = { "user.", "trusted.", "security.", "system." };

	for (size_t k = 0; k < sizeof prefixes / sizeof prefixes[0]; k++)
		if (!strncmp(name, prefixes[k], strlen(prefixes[k])))
			return true;
	return false;
}

static long name_arg(const struct sysargs *a, char *name) { return check_name(a->a[1], name); }

/* setxattr's flags, name and value size (Linux's setxattr_copy). */
static long set_args(const struct sysargs *a, char *name)
{
	int flags = (int)a->a[4];
	long err = flags & ~(XATTR_CREATE | XATTR_REPLACE) ? -EINVAL : check_name(a->a[1], name);

	return err ? err : a->a[3] > XATTR_SIZE_MAX ? -E2BIG : 0;
}

/* Linux checks the arguments before the file (getxattr and setxattr
 * import the name, and the value's size, first, with a path or a
 * descriptor).  0, or the first error. */
static long check(const struct target *t, long (*args)(const struct sysargs *, char *),
		  const struct sysargs *a, char name[XATTR_NAME_MAX + 1])
{
	long err = args(a, name);

	return err ? err : named(t);
}

static long get(const struct target *t, const struct sysargs *a)
{
	char name[XATTR_NAME_MAX + 1];
	long err = check(t, name_arg, a, name);

	return err ? err : known_namespace(name) ? -ENODATA : -EOPNOTSUPP;
}

static long set(const struct target *t, const struct sysargs *a)
{
	char name[XATTR_NAME_MAX + 1];
	long err = check(t, set_args, a, name);

	return err ? err : -EOPNOTSUPP;
}

static long rm(const struct target *t, const struct sysargs *a)
{
	char name[XATTR_NAME_MAX + 1];
	long err = check(t, name_arg, a, name);

	return err ? err : -EOPNOTSUPP;
}

#define PATH(a, follow)	(&(struct target){ false, -1, (a)->a[0], follow })
#define FD(a)		(&(struct target){ true, (int)(a)->a[0], 0, true })

static long sys_getxattr(const struct sysargs *a) { return get(PATH(a, true), a); }
static long sys_lgetxattr(const struct sysargs *a) { return get(PATH(a, false), a); }
static long sys_fgetxattr(const struct sysargs *a) { return get(FD(a), a); }
static long sys_listxattr(const struct sysargs *a) { return named(PATH(a, true)); }
static long sys_llistxattr(const struct sysargs *a) { return named(PATH(a, false)); }
static long sys_flistxattr(const struct sysargs *a) { return named(FD(a)); }
static long sys_setxattr(const struct sysargs *a) { return set(PATH(a, true), a); }
static long sys_lsetxattr(const struct sysargs *a) { return set(PATH(a, false), a); }
static long sys_fsetxattr(const struct sysargs *a) { return set(FD(a), a); }
static long sys_removexattr(const struct sysargs *a) { return rm(PATH(a, true), a); }
static long sys_lremovexattr(const struct sysargs *a) { return rm(PATH(a, false), a); }
static long sys_fremovexattr(const struct sysargs *a) { return rm(FD(a), a); }

static const struct syscall_entry xattr_calls[] = {
	{ 188, sys_setxattr },
	{ 189, sys_lsetxattr },
	{ 190, sys_fsetxattr },
	{ 191, sys_getxattr },
	{ 192, sys_lgetxattr },
	{ 193, sys_fgetxattr },
	{ 194, sys_listxattr },
	{ 195, sys_llistxattr },
	{ 196, sys_flistxattr },
	{ 197, sys_removexattr },
	{ 198, sys_lremovexattr },
	{ 199, sys_fremovexattr },
};

SYSCALL_TABLE(xattr_calls);
