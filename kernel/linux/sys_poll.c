/* poll, ppoll, select, pselect6: not yet. */
#include "linux/syscall.h"

void sys_poll_register(void)
{
}
