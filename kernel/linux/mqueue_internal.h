/* The queue object's insides, shared by mqueue.c (messages, waiting,
 * accounting) and mqueue_notify.c (mq_notify). */
#ifndef AMPHI_LINUX_MQUEUE_INTERNAL_H
#define AMPHI_LINUX_MQUEUE_INTERNAL_H

#include "core/spinlock.h"
#include "core/waitq.h"
#include "linux/mqueue.h"

struct pid_handle;

struct mqueue {
	volatile int refs;		/* the name's and each open file's */
	long maxmsg, msgsize;		/* fixed at creation */
	uint32_t charged_uid;
	uint64_t charge;		/* bytes charged to charged_uid */
	struct mq_owner owner;

	struct spinlock lock;		/* guards the rest */
	struct list msgs;		/* struct mq_msg: highest prio first, FIFO within */
	long curmsgs;
	uint64_t qsize;			/* bytes of the messages queued */
	struct list receivers, senders;	/* struct mq_wait, longest waiting first */
	struct waitq sleepers;		/* the threads of both lists sleep here */
	struct waitq pollers;
	/* The registration: owner's process (NULL: none) and what it asked. */
	struct pid_handle *notify_owner;
	struct mq_notify notify;
};

/* A message was queued into an empty queue nobody waited on: the
 * registration fires and goes (Linux's __do_notify).  Caller holds
 * q->lock. */
void mqueue_notify_fire(struct mqueue *q);
/* The queue goes: its registration with it.  Nothing else holds q. */
void mqueue_notify_drop(struct mqueue *q);

#endif
