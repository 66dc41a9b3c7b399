/* System call dispatch: a table by number, filled from each area's table
 * (SYSCALL_TABLE).  Unimplemented calls return -ENOSYS and are reported
 * once. */
#include "linux/syscall.h"

#include "core/errno.h"
#include "core/printk.h"
#include "linux/aio.h"
#include "linux/futex.h"
#include "linux/signal.h"

extern const char *const syscall_names[NR_SYSCALLS];
extern const struct syscall_table syscall_tables_start[], syscall_tables_end[];

static syscall_fn *table[NR_SYSCALLS];
static uint8_t warned[NR_SYSCALLS];

static void enter_table(const struct syscall_entry *calls, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		int nr = calls[i].nr;
		if (nr < 0 || nr >= NR_SYSCALLS || table[nr])
			panic("system call %d registered twice", nr);
		table[nr] = calls[i].fn;
	}
}

const char *syscall_name(int nr)
{
	return nr >= 0 && nr < NR_SYSCALLS && syscall_names[nr] ? syscall_names[nr] : "unknown";
}

void syscall_init(void)
{
	for (const struct syscall_table *t = syscall_tables_start; t < syscall_tables_end; t++)
		enter_table(t->calls, t->n);
	sigdeliver_init();
	aio_init();
	futex_init();
	sys_cred_register();
	sys_socket_register();
}

syscall_fn *syscall_replace(int nr, syscall_fn *fn)
{
	syscall_fn *old = table[nr];

	table[nr] = fn;
	return old;
}

long syscall_unimplemented(uint64_t nr)
{
	if (nr >= NR_SYSCALLS || !__atomic_exchange_n(&warned[nr], 1, __ATOMIC_RELAXED))
		printk("amphi: unimplemented system call %lu (%s)\n", nr,
		       syscall_name(nr < NR_SYSCALLS ? (int)nr : -1));
	return -ENOSYS;
}

void syscall_dispatch(struct trapframe *tf);

void syscall_dispatch(struct trapframe *tf)
{
	uint64_t nr = tf->rax;
	struct sysargs a = { { tf->rdi, tf->rsi, tf->rdx, tf->r10, tf->r8, tf->r9 }, tf };

	if (nr < NR_SYSCALLS && table[nr])
		tf->rax = table[nr](&a);
	else
		tf->rax = syscall_unimplemented(nr);
	linux_exit_to_user(tf);
}
