/* Out of memory: a program's page fault found no page left for programs
 * (core/page_alloc.h keeps the kernel's reserve), or a kernel copy to or
 * from its memory did, answered on its way back to user mode where it
 * holds no lock (linux/sigdeliver.c).  As Linux's OOM killer
 * does, the process holding the most resident pages is killed with
 * SIGKILL and one line on stderr naming it; the faulting thread waits for
 * it to go and tries its access again -- or, when it is itself the
 * largest, its process is the one killed. */
#include "core/format.h"
#include "core/mm.h"
#include "core/page_alloc.h"
#include "core/sched.h"
#include "core/string.h"
#include "core/timer.h"
#include "core/vm.h"
#include "dev/console.h"
#include "frame.h"
#include "linux/process.h"
#include "linux/signal_internal.h"

#define RETRY_NS	10000000ull	/* a victim's memory is freed as it ends */

/* The process killed for memory and not yet gone (0: none). */
static volatile int victim;

static uint64_t resident_pages(struct mm *mm)
{
	struct vm_area a = { .name = NULL };
	uint64_t n = 0;

	for (uint64_t at = 0; vm_area_next(mm, at, &a, 1); at = a.end)
		n += a.resident;
	return n;
}

/* A live process with the most resident pages (ties: the lowest pid). */
static int largest(uint64_t *pages, char comm[16])
{
	int best = -1;

	*pages = 0;
	memcpy(comm, "?", 2);
	for (int pid = process_next_pid(1); pid > 0; pid = process_next_pid(pid + 1)) {
		struct process_view v;
		if (process_view_get(pid, &v))
			continue;
		uint64_t n = v.zombie || !v.mm ? 0 : resident_pages(v.mm);
		if (n > *pages) {
			best = pid;
			*pages = n;
			memcpy(comm, v.comm, 16);
		}
		process_view_put(&v);
	}
	comm[15] = 0;
	return best;
}

/* Whether pid is still alive (its memory not yet given back). */
static bool alive(int pid)
{
	struct process_view v;

	if (process_view_get(pid, &v))
		return false;
	bool live = !v.zombie;
	process_view_put(&v);
	return live;
}

static void kill_for_memory(int pid)
{
	struct linux_siginfo info = { .signo = SIGKILL, .code = SI_KERNEL };
	uint64_t flags = spin_lock_irqsave(&sig_lock);
	struct process *p = process_find(pid);
	int err = p ? sig_queue(p, NULL, SIGKILL, &info) : 0;

	spin_unlock_irqrestore(&sig_lock, flags);
	signal_sent(err);
}

void linux_out_of_memory(void)
{
	char why[128], comm[16], line[192];
	uint64_t pages = 0;
	int v = victim;
	struct process *me = process_current();

	if (!v || !alive(v)) {
		snprintf(why, sizeof why, "out of memory (all %lu KiB in use; give the VM more with -m)",
			 page_total_count() * 4);
		if ((v = largest(&pages, comm)) < 0)
			v = me->pid;
		/* init's own end is reported by process_killed, on stderr */
		if (v != me->pid || me != init_process) {
			int n = snprintf(line, sizeof line, "amphi: %s: killed process %d (%s), %lu KiB resident\n",
					 why, v, comm, pages * 4);
			console_write(FRAME_STDERR, line, n < (int)sizeof line ? (size_t)n : sizeof line - 1);
		}
		if (v == me->pid)
			process_killed(SIGKILL, why, false);
		victim = v;
		kill_for_memory(v);
	}
	sched_sleep_until(clock_ns() + RETRY_NS);	/* then the fault comes again */
}
