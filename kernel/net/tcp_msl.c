/* TCP's maximum segment lifetime, 60 s as in lwIP and Linux.
 * "amphi.tcp_msl=MS" on the kernel command line shortens it, so that a
 * test can see TIME-WAIT end (tests/vm/test_tcp_time_wait_socket.py)
 * without waiting two minutes. */
#include "net/tcp_msl.h"

#include "core/cmdline.h"

unsigned net_tcp_msl_ms = 60000;	/* lwIP's TCP_MSL (lwipopts.h) */

void net_tcp_msl_init(const char *cmdline)
{
	uint64_t ms;

	if (cmdline_number(cmdline, "amphi.tcp_msl=", 60000, &ms))
		net_tcp_msl_ms = (unsigned)ms;
}
