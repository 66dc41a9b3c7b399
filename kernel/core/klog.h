/* The kernel's log: its last messages, kept as numbered records for
 * whoever reads them later (dmesg, through syslog(2) and /dev/kmsg).
 *
 * Each record is a line (a program's may hold several) with the time
 * since boot and its syslog priority (facility << 3 | level).  The oldest records go when a new one
 * needs their room; a reader holding a sequence number learns that its
 * record went from klog_read's answer. */
#ifndef AMPHI_CORE_KLOG_H
#define AMPHI_CORE_KLOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/waitq.h"

#define KLOG_SIZE	16384	/* bytes of records kept (syslog's SIZE_BUFFER) */
#define KLOG_TEXT_MAX	1023	/* a longer line is cut, as Linux cuts it */

/* Syslog levels (the kernel's own messages have facility 0). */
#define KLOG_EMERG	0
#define KLOG_WARNING	4
#define KLOG_INFO	6

struct klog_record {
	uint64_t seq;
	uint64_t ns;		/* clock_ns() when it was added */
	unsigned priority;	/* facility << 3 | level */
	size_t len;
	char text[KLOG_TEXT_MAX];
};

/* Adds text (a final newline dropped) as one record.  Never sleeps:
 * printk calls it from any context.  A record that cannot get the log in
 * time (another CPU stuck inside it in an emergency) is left out. */
void klog_add(unsigned priority, const char *text, size_t len);

/* The first record numbered seq or later: true and *r (r->seq > seq when
 * seq's record is gone), or false when there is none yet. */
bool klog_read(uint64_t seq, struct klog_record *r);
/* The oldest record's number, and the number the next record will get. */
uint64_t klog_first(void);
uint64_t klog_next(void);

/* Woken after records are added.  A record added with interrupts off
 * wakes no one at once (waking could need a lock its adder holds); the
 * next added with them on does, so a waiter sleeps with a deadline too. */
extern struct waitq klog_wait;
#define KLOG_WAIT_NS	(200 * 1000 * 1000ull)

#endif
