/* kcmp's descriptor arguments as Linux 6.18 takes them: unsigned int, so
 * the upper half of the register is ignored (KCMP_FILE's idx1 and idx2,
 * KCMP_EPOLL_TFD's idx1), and a descriptor past INT_MAX is none. */
#include <stdint.h>
#include <stdio.h>
#include <sys/epoll.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "call_result.h"

#define KCMP_FILE	0
#define KCMP_EPOLL_TFD	7

static long kcmp(int type, unsigned long a, unsigned long b)
{
	return syscall(SYS_kcmp, getpid(), getpid(), type, a, b);
}

int main(void)
{
	int p[2];
	pipe(p);
	int ep = epoll_create1(0);
	struct epoll_event ev = { .events = EPOLLIN };
	epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev);
	struct { uint32_t efd, tfd, toff; } slot = { (uint32_t)ep, (uint32_t)p[0], 0 };
	unsigned long high = 1ul << 32;

	printf("file, idx1 with a high half: %s\n", res(kcmp(KCMP_FILE, high | p[0], p[0])));
	printf("file, idx2 with a high half: %s\n", res(kcmp(KCMP_FILE, p[0], high | p[0])));
	printf("file, idx1 0x80000000: %s\n", res(kcmp(KCMP_FILE, 0x80000000ul, p[0])));
	printf("epoll target, idx1 with a high half: %s\n",
	       res(kcmp(KCMP_EPOLL_TFD, high | p[0], (unsigned long)&slot)));
	return 0;
}
