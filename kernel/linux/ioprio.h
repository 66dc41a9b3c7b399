/* I/O priorities (sys_sched.c's ioprio_set, AIO's IOCB_FLAG_IOPRIO). */
#ifndef AMPHI_LINUX_IOPRIO_H
#define AMPHI_LINUX_IOPRIO_H

/* Linux's ioprio_check_cap for the calling process: 0, -EINVAL for an
 * unknown class or a level where the class has none, -EPERM for the
 * real-time class without CAP_SYS_NICE or CAP_SYS_ADMIN. */
long ioprio_check_cap(int ioprio);

#endif
