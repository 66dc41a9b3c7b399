/* The parts of the ELF64 format that amphi reads (System V gABI and the
 * x86_64 psABI).  Own names, so it can sit beside the system's <elf.h>.
 * Freestanding.  Read headers out of an image with memcpy: nothing says
 * an untrusted image keeps them aligned. */
#ifndef AMPHI_LIB_ELF64_H
#define AMPHI_LIB_ELF64_H

#include <stdint.h>

#define ELF_MAGIC	"\177ELF"
#define ELF_EI_CLASS	4
#define ELF_EI_DATA	5
#define ELF_EI_VERSION	6
#define ELF_CLASS32	1
#define ELF_CLASS64	2
#define ELF_DATA_LSB	1

#define ELF_ET_REL	1
#define ELF_ET_EXEC	2
#define ELF_ET_DYN	3
#define ELF_ET_CORE	4
#define ELF_EM_X86_64	62

#define ELF_PT_LOAD	1
#define ELF_PT_DYNAMIC	2
#define ELF_PT_INTERP	3
#define ELF_PT_PHDR	6
#define ELF_PT_TLS	7
#define ELF_PT_GNU_STACK 0x6474e551

#define ELF_PF_X	1
#define ELF_PF_W	2
#define ELF_PF_R	4

struct elf64_ehdr {
	uint8_t e_ident[16];
	uint16_t e_type;
	uint16_t e_machine;
	uint32_t e_version;
	uint64_t e_entry;
	uint64_t e_phoff;
	uint64_t e_shoff;
	uint32_t e_flags;
	uint16_t e_ehsize;
	uint16_t e_phentsize;
	uint16_t e_phnum;
	uint16_t e_shentsize;
	uint16_t e_shnum;
	uint16_t e_shstrndx;
};

struct elf64_phdr {
	uint32_t p_type;
	uint32_t p_flags;
	uint64_t p_offset;
	uint64_t p_vaddr;
	uint64_t p_paddr;
	uint64_t p_filesz;
	uint64_t p_memsz;
	uint64_t p_align;
};

_Static_assert(sizeof(struct elf64_ehdr) == 64, "ELF64 header is 64 bytes");
_Static_assert(sizeof(struct elf64_phdr) == 56, "ELF64 program header is 56 bytes");

#endif
