/* Extended attributes: tmpfs here keeps none, so every file answers as one
 * without any would on Linux: getxattr ENODATA, listxattr an empty list,
 * setxattr and removexattr EOPNOTSUPP (as Linux's tmpfs before 6.6 for
 * the user.* names programs use).  The file must exist, and the name must
 * be one Linux would accept, first. */
#include "core/errno.h"
#include "core/uaccess.h"
#include "fs/fdtable.h"
#include "fs/file.h"
#include "linux/sys_fs_internal.h"
#include "linux/syscall.h"

#define XATTR_NAME_MAX	255

/* The file a path or descriptor names exists: 0, or its error. */
static long named(int fd, uint64_t upath, bool follow)
{
	struct inode *i;
	long err;

	if (!upath) {
		struct file *f = fd_get(fd);
		if (!f)
			return -EBADF;
		file_put(f);
		return 0;
	}
	if ((err = at_lookup(AT_FDCWD, upath, 0, follow, &i)))
		return err;
	inode_put(i);
	return 0;
}

/* Linux's name rules: 1 to 255 bytes (ERANGE otherwise), readable. */
static long check_name(uint64_t uname)
{
	char name[XATTR_NAME_MAX + 1];
	long n = copy_string_from_user(name, uname, sizeof name);

	return n == -ENAMETOOLONG || n == 0 ? -ERANGE : n < 0 ? n : 0;
}

static long get(int fd, uint64_t upath, uint64_t uname, bool follow)
{
	long err = named(fd, upath, follow);

	return err ? err : (err = check_name(uname)) ? err : -ENODATA;
}

static long sys_getxattr(const struct sysargs *a) { return get(-1, a->a[0], a->a[1], true); }
static long sys_lgetxattr(const struct sysargs *a) { return get(-1, a->a[0], a->a[1], false); }
static long sys_fgetxattr(const struct sysargs *a) { return get((int)a->a[0], 0, a->a[1], true); }

static long sys_listxattr(const struct sysargs *a) { return named(-1, a->a[0], true); }
static long sys_llistxattr(const struct sysargs *a) { return named(-1, a->a[0], false); }
static long sys_flistxattr(const struct sysargs *a) { return named((int)a->a[0], 0, true); }

static long change(int fd, uint64_t upath, uint64_t uname, bool follow)
{
	long err = named(fd, upath, follow);

	return err ? err : (err = check_name(uname)) ? err : -EOPNOTSUPP;
}

static long sys_setxattr(const struct sysargs *a) { return change(-1, a->a[0], a->a[1], true); }
static long sys_lsetxattr(const struct sysargs *a) { return change(-1, a->a[0], a->a[1], false); }
static long sys_fsetxattr(const struct sysargs *a) { return change((int)a->a[0], 0, a->a[1], true); }
static long sys_removexattr(const struct sysargs *a) { return change(-1, a->a[0], a->a[1], true); }
static long sys_lremovexattr(const struct sysargs *a) { return change(-1, a->a[0], a->a[1], false); }
static long sys_fremovexattr(const struct sysargs *a) { return change((int)a->a[0], 0, a->a[1], true); }

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

void sys_xattr_register(void)
{
	syscall_register_table(xattr_calls, sizeof xattr_calls / sizeof xattr_calls[0]);
}
