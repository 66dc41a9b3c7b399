/* Reaching into another process as a debugger would: its /proc files that
 * show its memory or descriptors, /proc/PID/mem, process_vm_readv and
 * process_vm_writev.  Linux's ptrace_may_access, without a security
 * module: a process may reach itself; otherwise it must have
 * CAP_SYS_PTRACE, or the target's real, effective and saved ids must all
 * be the caller's own (its real ids, or the file-system ones, as the call
 * asks) and the target dumpable. */
#include "core/errno.h"
#include "core/mm.h"
#include "linux/cred.h"
#include "linux/process.h"
#include "linux/signal_internal.h"

static bool ids_all(const uint32_t ids[4], uint32_t id)
{
	return ids[0] == id && ids[1] == id && ids[2] == id;
}

/* Caller holds sig_lock. */
static bool may_reach(const struct process *p, bool real_ids)
{
	const struct process *me = process_current();
	const struct process_cred *c = &me->cred;
	int which = real_ids ? 0 : 3;

	if (p == me || (c->cap_effective >> CAP_SYS_PTRACE & 1))
		return true;
	return !p->undumpable && ids_all(p->cred.uid, c->uid[which]) &&
	       ids_all(p->cred.gid, c->gid[which]);
}

int process_access(int pid, bool real_ids, struct mm **mm)
{
	uint64_t flags = spin_lock_irqsave(&sig_lock);
	struct process *p = process_find(pid);
	struct thread *t = p ? process_any_thread(p) : NULL;
	int err = !p ? -ESRCH : !may_reach(p, real_ids) ? -EACCES : 0;

	if (!err && mm) {
		*mm = t ? t->mm : NULL;	/* a zombie has no memory left */
		if (*mm)
			mm_grab(*mm);
	}
	spin_unlock_irqrestore(&sig_lock, flags);
	return err;
}
