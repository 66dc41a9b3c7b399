/* POSIX message queues: mq_notify's registration, and the status line
 * read() gives, which shows it.
 *
 * A queue has at most one registered process, kept by its pid handle so
 * a later process with the same pid is not taken for it.  As on Linux,
 * the registration goes when that process closes a descriptor of the
 * queue (its end included: sys_mqueue.c's flush); one whose descriptors
 * outlived it in a table it shared counts as none once it has ended. */
#include "core/errno.h"
#include "core/format.h"
#include "linux/mqueue_internal.h"
#include "linux/pidfd.h"
#include "linux/process.h"
#include "linux/signal_internal.h"
#include "net/socket.h"

#define SI_MESGQ	(-3)

/* The registered process, if it still lives.  Caller holds sig_lock. */
static struct process *live_owner(const struct mqueue *q)
{
	struct process *p = q->notify_owner ? pidfd_process(q->notify_owner) : NULL;

	return p && p->state == PROCESS_ALIVE ? p : NULL;
}

#define COOKIE_WOKEN_UP	1	/* Linux's NOTIFY_WOKENUP */
#define COOKIE_REMOVED	2	/* NOTIFY_REMOVED */

/* A SIGEV_THREAD registration's cookie goes to its socket, the last byte
 * saying why (0: it goes unsent), and the socket's reference with it. */
static void send_cookie(struct mq_notify *n, uint8_t why)
{
	if (n->kind != MQ_NOTIFY_THREAD || !n->sock)
		return;
	n->cookie[MQ_COOKIE_LEN - 1] = why;
	netlink_send_put(n->sock, why ? n->cookie : NULL, MQ_COOKIE_LEN);
	n->sock = NULL;
}

static void forget(struct mqueue *q, uint8_t why)
{
	send_cookie(&q->notify, why);
	pidfd_handle_put(q->notify_owner);
	q->notify_owner = NULL;
}

long mqueue_notify_set(struct mqueue *q, const struct mq_notify *n)
{
	uint64_t flags = spin_lock_irqsave(&sig_lock);
	struct pid_handle *h = pidfd_handle_of(process_current());
	spin_unlock_irqrestore(&sig_lock, flags);
	if (!h)
		return -ENOMEM;
	spin_lock(&q->lock);
	flags = spin_lock_irqsave(&sig_lock);
	bool busy = live_owner(q) != NULL;
	spin_unlock_irqrestore(&sig_lock, flags);
	if (!busy) {
		forget(q, 0);	/* an ended owner's */
		q->notify_owner = h;
		q->notify = *n;
		h = NULL;
	}
	spin_unlock(&q->lock);
	pidfd_handle_put(h);
	if (busy) {
		struct mq_notify refused = *n;
		send_cookie(&refused, 0);
	}
	return busy ? -EBUSY : 0;
}

void mqueue_notify_clear(struct mqueue *q)
{
	spin_lock(&q->lock);
	uint64_t flags = spin_lock_irqsave(&sig_lock);
	bool mine = q->notify_owner && pidfd_process(q->notify_owner) == process_current();
	spin_unlock_irqrestore(&sig_lock, flags);
	if (mine)
		forget(q, COOKIE_REMOVED);
	spin_unlock(&q->lock);
}

/* SIGEV_SIGNAL's siginfo says who sent the message (si_pid, si_uid) and
 * carries sigev_value; the signal goes to the process as the kernel's,
 * unchecked.  Signal 0 registers and sends nothing, as on Linux. */
void mqueue_notify_fire(struct mqueue *q)
{
	if (!q->notify_owner)
		return;
	uint64_t flags = spin_lock_irqsave(&sig_lock);
	struct process *p = live_owner(q), *me = process_current();
	int err = 0;
	if (p && q->notify.kind == MQ_NOTIFY_SIGNAL && q->notify.signo) {
		struct linux_siginfo info = { .signo = q->notify.signo, .code = SI_MESGQ };
		info.kill.pid = me->pid;
		info.kill.uid = me->cred.uid[0];
		info.kill.value = q->notify.value;
		err = sig_queue(p, NULL, q->notify.signo, &info);
	}
	spin_unlock_irqrestore(&sig_lock, flags);
	signal_sent(err);
	forget(q, p ? COOKIE_WOKEN_UP : 0);
}

void mqueue_notify_drop(struct mqueue *q) { forget(q, 0); }

size_t mqueue_status(struct mqueue *q, char *buf, size_t size)
{
	int kind = 0, signo = 0, pid = 0;

	spin_lock(&q->lock);
	uint64_t flags = spin_lock_irqsave(&sig_lock);
	if (live_owner(q)) {
		kind = q->notify.kind;	/* Linux's SIGEV_* numbers */
		signo = kind == MQ_NOTIFY_SIGNAL ? q->notify.signo : 0;
		pid = pidfd_pid(q->notify_owner);
	}
	spin_unlock_irqrestore(&sig_lock, flags);
	uint64_t qsize = q->qsize;
	spin_unlock(&q->lock);
	int n = snprintf(buf, size, "QSIZE:%-10lu NOTIFY:%-5d SIGNO:%-5d NOTIFY_PID:%-6d\n",
			 (unsigned long)qsize, kind, signo, pid);
	return n < 0 ? 0 : (size_t)n < size ? (size_t)n : size - 1;
}
