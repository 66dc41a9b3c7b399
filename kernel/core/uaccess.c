#include "core/uaccess.h"

long copy_string_from_user(char *dst, uint64_t usrc, size_t max)
{
	if (usrc >= USER_TOP)
		return -EFAULT;
	size_t room = USER_TOP - usrc < max ? USER_TOP - usrc : max;
	long n = arch_strnlen_user((const char *)usrc, room);

	if (n < 0)
		return n;
	if ((size_t)n >= max)
		return -ENAMETOOLONG;
	if ((size_t)n == room)
		return -EFAULT;	/* ran into the end of the user half */
	long err = arch_copy_user(dst, (const void *)usrc, n + 1);
	return err ? err : n;
}
