/* pipe, pipe2: not yet. */
#include "linux/syscall.h"

void sys_pipe_register(void)
{
}
