/* The lockup detector: turns a hung kernel into a report and a panic.
 *
 *  - soft lockup: a CPU running in the kernel without scheduling, idling or
 *    returning to user mode for 2T (the kernel is not preempted, so such a
 *    CPU starves everything queued on it);
 *  - hard lockup: a CPU that is not idle and has taken no timer interrupt
 *    for T (interrupts off), seen by another CPU;
 *  - a spinlock waited for T, or a TLB shoot-down's answers.
 *
 * T is 10 s by default, `amphi.watchdog=SECONDS` on the kernel command line
 * (0: off).  Generous on purpose: under TCG on a loaded host legitimate work
 * is slow, but none of it holds a CPU for seconds.  Every CPU keeps a 1 s
 * timer while the detector runs, so even idle CPUs look at the others; a
 * halted idle CPU is never stuck.  The report gives every CPU's registers
 * and backtrace (the others through an NMI), then panics: amphi exits 125. */
#ifndef AMPHI_CORE_WATCHDOG_H
#define AMPHI_CORE_WATCHDOG_H

#include <stdbool.h>
#include <stdint.h>

struct spinlock;
struct trapframe;

/* Reads amphi.watchdog= and starts the detector (CPUs arm their timers
 * the next time they idle). */
void watchdog_init(const char *cmdline);
/* This CPU is not stuck: it scheduled, idles, or goes back to user mode. */
void watchdog_progress(void);
/* From the idle loop, before halting: progress, and the CPU's timer. */
void watchdog_idle(void);
/* From every timer interrupt, with the interrupted context. */
void watchdog_tick(const struct trapframe *tf);
/* A spinlock waiter's periodic look (spinlock.c); *since starts at 0. */
void watchdog_lock_wait(const struct spinlock *l, uint64_t *since);
/* The same for a TLB shoot-down's initiator, waiting for these CPUs. */
void watchdog_shootdown_wait(uint64_t cpus, uint64_t *since);
/* Around waits on the host (the console's UART, which QEMU stops while
 * amphi's reader is slow): no CPU is called stuck meanwhile, since one
 * blocked by the host holds others up legitimately. */
void watchdog_host_wait(bool begin);
/* From the NMI handler: this CPU's part of a report, if one is running. */
void watchdog_nmi(const struct trapframe *tf);

#endif
