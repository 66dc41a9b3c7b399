/* An extensible struct's bytes past the kernel's checked before the rest
 * is read, as Linux's copy_struct_from_user: clone3 given clone_args whose
 * known part is unreadable and whose tail is not zero is E2BIG, with a
 * zero tail EFAULT (against Linux 6.18, run as uid 65534). */
#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "call_result.h"
int main(void)
{
	char *p = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	memset(p + 4096, 0, 4096);
	p[4096] = 1;
	mprotect(p, 4096, PROT_NONE);
	printf("clone3, unreadable struct, non-zero tail: %s\n", res(syscall(SYS_clone3, p + 4096 - 88, 96)));
	p[4096] = 0;
	printf("clone3, unreadable struct, zero tail: %s\n", res(syscall(SYS_clone3, p + 4096 - 88, 96)));
	return 0;
}
