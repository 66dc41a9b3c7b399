/* Faults and the return to user mode.  Signal delivery to handlers comes
 * with the signals work; until then every fault ends the program with the
 * status Linux's default action gives (128 + signal). */
#include "linux/signal.h"

#include "core/format.h"
#include "core/page_alloc.h"
#include "core/printk.h"
#include "core/sched.h"
#include "dev/console.h"
#include "frame.h"
#include "linux/process.h"

void signal_fault(struct trapframe *tf, int sig, uint64_t addr, int page_present)
{
	char why[160];

	printk("fault in the program: vector %lu, error 0x%lx, cs 0x%lx, rip 0x%lx, rsp 0x%lx, addr 0x%lx\n",
	       tf->vector, tf->error, tf->cs, tf->rip, tf->rsp, addr);

	if (sig == SIGSEGV)
		snprintf(why, sizeof why, "%s at address 0x%lx, ip 0x%lx",
			 page_present ? "access not allowed" : "no mapping", addr, tf->rip);
	else
		snprintf(why, sizeof why, "exception %lu at ip 0x%lx", tf->vector, tf->rip);
	process_killed(sig, why);
}

_Noreturn void linux_out_of_memory(void)
{
	char why[96];

	snprintf(why, sizeof why, "out of memory (all %lu KiB in use; give the VM more with -m)",
		 page_total_count() * 4);
	process_killed(SIGKILL, why);
}

void linux_exit_to_user(struct trapframe *tf)
{
	(void)tf;
	sched_return_to_user();
}
