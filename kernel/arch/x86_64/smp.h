/* Starting the other CPUs, and what CPUs ask of each other. */
#ifndef AMPHI_ARCH_SMP_H
#define AMPHI_ARCH_SMP_H

struct madt_info;

/* Starts every enabled CPU in the MADT; returns how many run in all. */
int smp_start_aps(const struct madt_info *madt);
/* The TLB shoot-down's interrupt (tlb.c); its fault injection
 * ("amphi.tlb_lose=N") read from the kernel command line. */
void tlb_shootdown_interrupt(void);
void tlb_shootdown_init(const char *cmdline);

#endif
