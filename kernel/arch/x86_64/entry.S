/* Kernel entry and exit: interrupt and exception stubs, the syscall
 * instruction's entry, and the return to whatever was interrupted.
 * All build a struct trapframe (trapframe.h) and call C with it. */

#define KERNEL_DS	0x10
#define USER_CS		0x23
#define USER_DS		0x1b
#define VEC_SYSCALL	0x100

	.text

/* Pushes the general registers in trapframe order (r15 lowest). */
.macro SAVE_REGS
	pushq %rax
	pushq %rbx
	pushq %rcx
	pushq %rdx
	pushq %rsi
	pushq %rdi
	pushq %rbp
	pushq %r8
	pushq %r9
	pushq %r10
	pushq %r11
	pushq %r12
	pushq %r13
	pushq %r14
	pushq %r15
.endm

.macro RESTORE_REGS
	popq %r15
	popq %r14
	popq %r13
	popq %r12
	popq %r11
	popq %r10
	popq %r9
	popq %r8
	popq %rbp
	popq %rdi
	popq %rsi
	popq %rdx
	popq %rcx
	popq %rbx
	popq %rax
.endm

/* One 16-byte stub per vector.  Exceptions 8, 10-14, 17, 21, 29 and 30 push
 * an error code; the others push a zero so every frame looks the same. */
	.align 16
vectors_start:
.set i, 0
.rept 256
	.align 16
	.if (i == 8 || (i >= 10 && i <= 14) || i == 17 || i == 21 || i == 29 || i == 30)
	.else
	pushq $0
	.endif
	pushq $i
	jmp trap_common
	.set i, i + 1
.endr

	.section .rodata
	.align 8
	.globl trap_vectors
trap_vectors:
.set i, 0
.rept 256
	.quad vectors_start + i * 16
	.set i, i + 1
.endr
	.text

trap_common:
	/* From user mode: switch to the kernel's GS (per-CPU data). */
	testb $3, 24(%rsp)
	jz 1f
	swapgs
1:	SAVE_REGS
	cld
	/* From user mode the CPU loaded SS with a null selector; load the
	 * kernel's.  Long mode ignores SS there, but QEMU's TCG keys its
	 * translated code by SS's size bit: without this, every function a
	 * fault or interrupt from user mode reaches is translated twice,
	 * once for this path and once for threads and system calls. */
	testb $3, 144(%rsp)		/* the frame's CS, past 15 registers and 2 words */
	jz trap_kernel_ss
	movl $KERNEL_DS, %eax
	movl %eax, %ss
trap_kernel_ss:		/* (named for tests/vm/test_translation_keys.py) */
	/* Close user memory (SMAP), as every Linux entry does (ASM_CLAC): the
	 * interrupted code's EFLAGS.AC (a program may set it with popf, a copy
	 * between stac and clac has it) would leave SMAP off in the handler
	 * and in any thread it switches to.  iretq gives that code its AC back
	 * (the syscall entry's FMASK clears AC itself). */
	cmpb $0, cpu_has_smap(%rip)
	je 3f
	clac
3:	movq %rsp, %rdi
	xorl %ebp, %ebp
	call trap_dispatch
	/* fall through */

	.globl trap_return
trap_return:
	cli
	RESTORE_REGS
	addq $16, %rsp			/* vector, error */
	testb $3, 8(%rsp)
	jz 2f
	swapgs
2:	iretq

/* syscall: rip in rcx, rflags in r11, interrupts masked by FMASK, still on
 * the user stack.  Build a trapframe on the thread's kernel stack. */
	.globl syscall_entry
syscall_entry:
	swapgs
	movq %rsp, %gs:16
	movq %gs:8, %rsp
	pushq $USER_DS
	pushq %gs:16
	pushq %r11
	pushq $USER_CS
	pushq %rcx
	pushq %rax			/* error: the call's number, for restarts */
	pushq $VEC_SYSCALL
	SAVE_REGS
	cld
	sti
	movq %rsp, %rdi
	xorl %ebp, %ebp
	call syscall_dispatch
	jmp trap_return

/* First run of a user thread: its trapframe is at rdi. */
	.globl enter_user
enter_user:
	movq %rdi, %rsp
	jmp trap_return
