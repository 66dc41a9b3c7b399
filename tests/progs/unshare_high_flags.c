/* unshare's flags are an unsigned long on Linux: a bit above the low 32
 * is unknown, EINVAL, alone or with a known one (before, amphi cut them to
 * an int and did what was left).  Linux 6.x's lines. */
#define _GNU_SOURCE
#include <sched.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "call_result.h"

int main(void)
{
	printf("bit 32: %s\n", res(syscall(SYS_unshare, 1ull << 32)));
	printf("bit 63 with CLONE_FS: %s\n", res(syscall(SYS_unshare, 1ull << 63 | CLONE_FS)));
	printf("CLONE_FS: %s\n", res(syscall(SYS_unshare, CLONE_FS)));
	return 0;
}
