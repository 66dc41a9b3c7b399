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

struct arch_cpu {
	uint64_t gdt[7];	/* null, kcode, kdata, udata, ucode, tss (2 slots) */
	struct tss tss;
	void *fault_stack;	/* IST stack for double faults and NMIs */
};

#endif
