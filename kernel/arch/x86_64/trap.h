/* Interrupt and exception dispatch. */
#ifndef AMPHI_ARCH_TRAP_H
#define AMPHI_ARCH_TRAP_H

#include "arch/x86_64/trapframe.h"

typedef void irq_handler_fn(void);

/* Handler for ISA interrupt line irq (runs with interrupts off; keep it
 * short: acknowledge the device, wake a thread). */
void irq_register(int irq, irq_handler_fn *fn);

/* What the layer above (linux/) does with the program's traps, set once
 * at boot: fault() for an exception in user mode, and for a page fault
 * the address and core/vm.c's answer (-EFAULT, -EIO past a file's end,
 * -ENOMEM); exit_to_user() on every way back to user mode, where it also
 * answers a kernel copy's want of memory (thread->uaccess_oom). */
struct user_trap_ops {
	void (*fault)(struct trapframe *tf, uint64_t addr, int vm_err);
	void (*exit_to_user)(struct trapframe *tf);
};

void trap_set_user_ops(const struct user_trap_ops *ops);
void trap_dispatch(struct trapframe *tf);
_Noreturn void enter_user(struct trapframe *tf);

#endif
