/* epoll_create1, epoll_ctl, epoll_wait, epoll_pwait: not yet. */
#include "linux/syscall.h"

void sys_epoll_register(void)
{
}
