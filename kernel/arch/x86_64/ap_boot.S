/* The application processors' way in.  A CPU woken by INIT-SIPI starts in
 * real mode at 0x8000, where smp.c copies the trampoline below: it goes
 * through protected mode to long mode on the boot page tables (which map
 * the trampoline one-to-one and the kernel high), then jumps to ap_entry64
 * in the kernel proper, which switches to the real page tables and stack. */

#define TRAMP		0x8000
#define T(x)		((x) - ap_tramp_start + TRAMP)

	.section .rodata.ap_tramp, "a"
	.globl ap_tramp_start, ap_tramp_end, ap_tramp_cr3, ap_tramp_entry
	.code16
ap_tramp_start:
	cli
	cld
	xorw %ax, %ax
	movw %ax, %ds
	lgdtl T(tramp_gdt_ptr)
	movl %cr0, %eax
	orl $1, %eax
	movl %eax, %cr0
	ljmpl $0x08, $T(tramp32)

	.code32
tramp32:
	movw $0x10, %ax
	movw %ax, %ds
	movw %ax, %es
	movw %ax, %ss
	movl %cr4, %eax
	orl $(1 << 5), %eax		/* PAE */
	movl %eax, %cr4
	movl T(ap_tramp_cr3), %eax
	movl %eax, %cr3
	movl $0xc0000080, %ecx
	rdmsr
	orl $((1 << 8) | (1 << 11)), %eax	/* LME, NXE */
	wrmsr
	movl %cr0, %eax
	orl $((1 << 31) | (1 << 16)), %eax	/* PG, WP */
	movl %eax, %cr0
	ljmpl $0x18, $T(tramp64)

	.code64
tramp64:
	movq T(ap_tramp_entry), %rax
	jmp *%rax

	.align 8
tramp_gdt:
	.quad 0
	.quad 0x00cf9a000000ffff	/* 0x08: 32-bit code */
	.quad 0x00cf92000000ffff	/* 0x10: data */
	.quad 0x00af9a000000ffff	/* 0x18: 64-bit code */
tramp_gdt_ptr:
	.word tramp_gdt_ptr - tramp_gdt - 1
	.long T(tramp_gdt)
	.align 8
ap_tramp_cr3:	.long 0, 0
ap_tramp_entry:	.quad 0
ap_tramp_end:

	.text
	.code64
	.globl ap_entry64
ap_entry64:
	movq ap_boot_cr3(%rip), %rax
	movq %rax, %cr3
	movq ap_boot_stack(%rip), %rsp
	xorl %ebp, %ebp
	call ap_main
1:	hlt
	jmp 1b
