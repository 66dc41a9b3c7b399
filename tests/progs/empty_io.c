/* Transfers of 0 bytes (and a write to a file that takes none) on the
 * counter and queue files, which Linux refuses as it refuses any transfer
 * too short for one record.  Lines from Linux 6.18 (musl, as root). */
#include <signal.h>
#include <stdio.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "call_result.h"

int main(void)
{
	char b[8] = { 0 };
	sigset_t m;

	sigemptyset(&m);
	sigaddset(&m, SIGUSR1);
	int fds[3] = { eventfd(0, EFD_NONBLOCK), timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK),
		       signalfd(-1, &m, SFD_NONBLOCK) };
	const char *names[3] = { "eventfd", "timerfd", "signalfd" };
	for (int i = 0; i < 3; i++) {
		long r = read(fds[i], b, 0), w = write(fds[i], b, 0);
		printf("%s: read 0 %s, write 0 %s, write 8 %s\n", names[i], res(r), res(w),
		       res(write(fds[i], b, 8)));
	}
	return 0;
}
