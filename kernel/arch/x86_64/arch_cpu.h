/* The per-CPU state only arch/ looks inside. */
#ifndef AMPHI_ARCH_ARCH_CPU_H
#define AMPHI_ARCH_ARCH_CPU_H

#include <stdint.h>

struct tss {
	uint32_t reserved0;
	uint64_t rsp[3];
	uint64_t reserved1;
	uint64_t ist[7];
	uint64_t reserved2;
	uint16_t reserved3;
	uint16_t iomap_base;
} __attribute__((packed));

/* The interrupt stack table's stacks (core/kstack.h, with guards).  A
 * double fault gets one of its own, so it can still report a kernel stack
 * overflow (whatever overflowed, it is not this stack); NMIs and machine
 * checks, which may come at any instruction, get theirs. */
enum { IST_DOUBLE_FAULT, IST_NMI, IST_MACHINE_CHECK, NIST };

struct arch_cpu {
	uint64_t gdt[7];	/* null, kcode, kdata, udata, ucode, tss (2 slots) */
	struct tss tss;
	void *ist_stacks[NIST];	/* tss.ist[k] is the top of ist_stacks[k] */
};

#endif
