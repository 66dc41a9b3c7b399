/* POSIX message queues (mq_overview(7)): the queue object.
 *
 * A queue holds at most maxmsg messages of at most msgsize bytes each,
 * highest priority first and in order of sending within one.  A sender
 * that finds a receiver waiting hands its message over, and a receiver
 * that makes room takes the first waiting sender's message into the
 * queue, as Linux's pipelined send and receive do: a waiter that was
 * handed what it waited for succeeds whatever else happens, so nothing
 * is lost or taken twice.
 *
 * What a queue may cost is charged when it is made to its creator's real
 * user (RLIMIT_MSGQUEUE, counted as Linux counts it) and given back when
 * it goes, after its name and its last descriptor.  The messages
 * themselves come from kmalloc_program, never the kernel's reserve.
 *
 * The names and descriptors are sys_mqueue.c's. */
#ifndef AMPHI_LINUX_MQUEUE_H
#define AMPHI_LINUX_MQUEUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/list.h"

/* Linux's limits: /proc/sys/fs/mqueue's values, fixed here, and the
 * bounds CAP_SYS_RESOURCE lifts them to. */
#define MQ_MSG_MAX		10
#define MQ_MSGSIZE_MAX		8192
#define MQ_MSG_DEFAULT		10
#define MQ_MSGSIZE_DEFAULT	8192
#define MQ_QUEUES_MAX		256
#define MQ_HARD_MSGMAX		65536
#define MQ_HARD_MSGSIZEMAX	(16 * 1024 * 1024)
#define MQ_PRIO_MAX		32768

struct mqueue;
struct poll_table;

struct mq_msg {
	struct list link;
	uint32_t prio;
	size_t len;
	char text[];
};

/* Who a queue belongs to, and how it may be used. */
struct mq_owner {
	uint32_t uid, gid, mode;
};

/* A new queue of maxmsg messages of msgsize bytes, with one reference,
 * charged to real user ruid against limit (RLIMIT_MSGQUEUE), as Linux
 * checks it: -ENOSPC past MQ_QUEUES_MAX queues (unless capable: the
 * caller has CAP_SYS_RESOURCE), -EINVAL past the bounds (capable: the
 * hard ones), -EOVERFLOW, -EMFILE past the limit, -ENOMEM. */
long mqueue_new(struct mqueue **out, long maxmsg, long msgsize, const struct mq_owner *o,
		uint32_t ruid, uint64_t limit, bool capable);
void mqueue_get(struct mqueue *q);
/* The last put frees the messages and gives the charge back. */
void mqueue_put(struct mqueue *q);

long mqueue_maxmsg(const struct mqueue *q);
long mqueue_msgsize(const struct mqueue *q);
long mqueue_curmsgs(struct mqueue *q);
const struct mq_owner *mqueue_owner(const struct mqueue *q);

/* A message of len bytes to fill, or NULL (-ENOMEM). */
struct mq_msg *mqueue_msg_new(size_t len, uint32_t prio);

/* Sending: m taken (0) or given back to the caller (-errno).  deadline
 * on clock_ns() (0: none); -EAGAIN when full and nonblock, -ETIMEDOUT,
 * -ERESTARTSYS for a signal. */
long mqueue_send(struct mqueue *q, struct mq_msg *m, bool nonblock, uint64_t deadline);
/* Receiving: 0 and *m (the caller's to free), or -errno as above. */
long mqueue_receive(struct mqueue *q, struct mq_msg **m, bool nonblock, uint64_t deadline);

/* poll's events. */
unsigned mqueue_poll(struct mqueue *q, struct poll_table *pt);
/* read()'s line: "QSIZE:... NOTIFY:... SIGNO:... NOTIFY_PID:...\n". */
size_t mqueue_status(struct mqueue *q, char *buf, size_t size);

/* mq_notify (mqueue_notify.c).  What a registration asks for. */
#define MQ_NOTIFY_SIGNAL	0	/* SIGEV_SIGNAL */
#define MQ_NOTIFY_NONE		1	/* SIGEV_NONE */
#define MQ_NOTIFY_THREAD	2	/* SIGEV_THREAD: a cookie to a netlink socket */
#define MQ_COOKIE_LEN		32
struct nl_sock;
struct mq_notify {
	int kind;
	int signo;
	uint64_t value;
	/* SIGEV_THREAD's socket (a reference the registration holds) and
	 * cookie, whose last byte says why it came (musl's helper thread
	 * calls the function for 1, "woken up"). */
	struct nl_sock *sock;
	uint8_t cookie[MQ_COOKIE_LEN];
};
/* Registers the calling process: 0, or -EBUSY while another live
 * process is registered.  The registration takes n's socket reference
 * either way. */
long mqueue_notify_set(struct mqueue *q, const struct mq_notify *n);
/* Takes the registration away, if it is the calling process's (mq_notify
 * with NULL, and any close of a descriptor of the queue). */
void mqueue_notify_clear(struct mqueue *q);

#endif
