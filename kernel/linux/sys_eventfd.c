/* eventfd2: not yet. */
#include "linux/syscall.h"

void sys_eventfd_register(void)
{
}
