/* timerfd_create, timerfd_settime, timerfd_gettime: not yet. */
#include "linux/syscall.h"

void sys_timerfd_register(void)
{
}
