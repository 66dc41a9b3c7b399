/* Interrupt and exception dispatch. */
#ifndef AMPHI_ARCH_TRAP_H
#define AMPHI_ARCH_TRAP_H

#include "arch/x86_64/trapframe.h"

typedef void irq_handler_fn(void);

/* Handler for ISA interrupt line irq (runs with interrupts off; keep it
 * short: acknowledge the device, wake a thread). */
void irq_register(int irq, irq_handler_fn *fn);

void trap_dispatch(struct trapframe *tf);
_Noreturn void enter_user(struct trapframe *tf);

#endif
