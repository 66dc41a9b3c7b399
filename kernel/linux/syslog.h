/* The kernel's log as Linux shows it to programs: syslog(2)
 * (sys_syslog.c) and /dev/kmsg (dev_kmsg.c), over core/klog.h. */
#ifndef AMPHI_LINUX_SYSLOG_H
#define AMPHI_LINUX_SYSLOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct klog_record;

/* syslog(2)'s actions. */
#define SYSLOG_CLOSE		0
#define SYSLOG_OPEN		1
#define SYSLOG_READ		2
#define SYSLOG_READ_ALL		3
#define SYSLOG_READ_CLEAR	4
#define SYSLOG_CLEAR		5
#define SYSLOG_CONSOLE_OFF	6
#define SYSLOG_CONSOLE_ON	7
#define SYSLOG_CONSOLE_LEVEL	8
#define SYSLOG_SIZE_UNREAD	9
#define SYSLOG_SIZE_BUFFER	10

/* /proc/sys/kernel/dmesg_restrict: 1, as Debian's kernels set it, so only
 * CAP_SYSLOG (or CAP_SYS_ADMIN) reads the log. */
#define DMESG_RESTRICT		1

/* Whether the caller may do action (Linux's check_syslog_permissions):
 * 0 or -EPERM. */
int syslog_may(int action);
/* Sleeps until the log has a record numbered seq or later: 0, or
 * -ERESTARTSYS for a signal. */
int syslog_wait(uint64_t seq);
/* Where SYSLOG_CLEAR left the log: /dev/kmsg's SEEK_DATA goes there. */
uint64_t syslog_clear_seq(void);

struct iobuf;

/* READ for /proc/kmsg: waits for a record (-EAGAIN at once if nonblock
 * and none is unread), then consumes what fits in b. */
long syslog_read(const struct iobuf *b, bool nonblock);
/* SIZE_UNREAD: the bytes READ would give now (or -ENOMEM). */
long syslog_unread(void);

/* Registers /dev/kmsg's device number (1, 11). */
int dev_kmsg_register(void);

#endif
