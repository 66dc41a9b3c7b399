/* struct thread *switch_to(struct thread *prev, struct thread *next)
 *
 * Saves the callee-saved registers on prev's stack and its rsp in prev->ksp
 * (offset 0), then resumes next from next->ksp.  Returns prev, on next's
 * stack, so the resumed side can finish the switch for it. */
	.text
	.globl switch_to
switch_to:
	pushq %rbp
	pushq %rbx
	pushq %r12
	pushq %r13
	pushq %r14
	pushq %r15
	movq %rsp, (%rdi)
	movq (%rsi), %rsp
	popq %r15
	popq %r14
	popq %r13
	popq %r12
	popq %rbx
	popq %rbp
	movq %rdi, %rax
	ret

/* Where a new thread's first switch_to returns: finish the switch, then
 * call fn(arg), both left on the stack by thread_create.  schedule() ran
 * with interrupts off and no saved flags come back to a new thread: turn
 * them on (a user thread's iretq sets its own). */
	.globl thread_trampoline
thread_trampoline:
	movq %rax, %rdi
	call sched_finish_switch
	sti
	popq %rax
	popq %rdi
	call *%rax
	call thread_exit
