/* Starting the other CPUs, and what CPUs ask of each other. */
#ifndef AMPHI_ARCH_SMP_H
#define AMPHI_ARCH_SMP_H

struct madt_info;

/* Starts every enabled CPU in the MADT; returns how many run in all. */
int smp_start_aps(const struct madt_info *madt);
void tlb_shootdown_interrupt(void);

#endif
