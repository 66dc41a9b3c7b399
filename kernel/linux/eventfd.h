/* eventfd as the kernel's own notifier (sys_eventfd.c): AIO's
 * IOCB_FLAG_RESFD signals one for each completion. */
#ifndef AMPHI_LINUX_EVENTFD_H
#define AMPHI_LINUX_EVENTFD_H

#include <stdbool.h>

struct file;

bool eventfd_is(const struct file *f);
/* Adds one to f's count (an eventfd: eventfd_is) and wakes its readers. */
void eventfd_signal(struct file *f);

#endif
