/* long arch_copy_user(void *dst, const void *src, size_t n)
 *
 * Copies between the kernel and the program's memory.  Returns 0, or -EFAULT
 * (-14) when the program's side faulted and could not be paged in: the page
 * fault handler finds the faulting rep movsb in .ex_table and resumes at the
 * fixup.  With SMAP, user pages are reachable only between stac and clac. */
	.text
	.globl arch_copy_user
arch_copy_user:
	cmpb $0, cpu_has_smap(%rip)
	je 1f
	stac
1:	movq %rdx, %rcx
copy_insn:
	rep movsb
	xorl %eax, %eax
	jmp 2f
copy_fixup:
	movq $-14, %rax
2:	cmpb $0, cpu_has_smap(%rip)
	je 3f
	clac
3:	ret

/* long arch_strnlen_user(const char *s, size_t max): length of the string
 * (< max), max if no NUL within it, or -EFAULT. */
	.globl arch_strnlen_user
arch_strnlen_user:
	cmpb $0, cpu_has_smap(%rip)
	je 1f
	stac
1:	xorl %eax, %eax
4:	cmpq %rsi, %rax
	je 2f
strlen_insn:
	cmpb $0, (%rdi, %rax)
	je 2f
	incq %rax
	jmp 4b
strlen_fixup:
	movq $-14, %rax
2:	cmpb $0, cpu_has_smap(%rip)
	je 3f
	clac
3:	ret

/* long arch_cmpxchg_user32(uint32_t *uaddr, uint32_t old, uint32_t new,
 *                          uint32_t *found)
 *
 * One atomic compare-and-exchange of a word of the program's: *found is what
 * the word held (old when the exchange happened).  0, or -EFAULT when the
 * word cannot be written (lock cmpxchg always writes, so a read-only page
 * faults even when the values differ). */
	.globl arch_cmpxchg_user32
arch_cmpxchg_user32:
	cmpb $0, cpu_has_smap(%rip)
	je 1f
	stac
1:	movl %esi, %eax
cmpxchg_insn:
	lock cmpxchgl %edx, (%rdi)
	movl %eax, (%rcx)
	xorl %eax, %eax
	jmp 2f
cmpxchg_fixup:
	movq $-14, %rax
2:	cmpb $0, cpu_has_smap(%rip)
	je 3f
	clac
3:	ret

	.section .ex_table, "a"
	.quad copy_insn, copy_fixup
	.quad strlen_insn, strlen_fixup
	.quad cmpxchg_insn, cmpxchg_fixup
