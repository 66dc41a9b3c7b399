/* long arch_copy_user(void *dst, const void *src, size_t n)
 *
 * Copies between the kernel and the program's memory.  Returns 0, or -EFAULT
 * (-14) when the program's side faulted and could not be paged in: the page
 * fault handler finds the faulting load or store in .ex_table and resumes at
 * the fixup.  With SMAP, user pages are reachable only between stac and clac.
 * As memcpy (core/string.c): rep movsb for a KiB or more where it is fast,
 * otherwise 32 bytes a turn and then the tail, since QEMU's TCG runs rep
 * movsb one byte per step. */
	.text
	.globl arch_copy_user
arch_copy_user:
	cmpb $0, cpu_has_smap(%rip)
	je 1f
	stac
1:	cmpb $0, string_rep_fast(%rip)
	je copy_loops
	cmpq $1024, %rdx
	jb copy_loops
	movq %rdx, %rcx
copy_insn:
	rep movsb
copy_done:
	xorl %eax, %eax
	jmp 2f
copy_fixup:
	movq $-14, %rax
2:	cmpb $0, cpu_has_smap(%rip)
	je 3f
	clac
3:	ret

copy_loops:
	movq %rdx, %rcx
	shrq $5, %rcx
	jz 5f
4:
copy_load0:	movq (%rsi), %r8
copy_load1:	movq 8(%rsi), %r9
copy_load2:	movq 16(%rsi), %r10
copy_load3:	movq 24(%rsi), %r11
copy_store0:	movq %r8, (%rdi)
copy_store1:	movq %r9, 8(%rdi)
copy_store2:	movq %r10, 16(%rdi)
copy_store3:	movq %r11, 24(%rdi)
	addq $32, %rsi
	addq $32, %rdi
	decq %rcx
	jnz 4b
5:	andl $31, %edx
	jz copy_done
6:
copy_load_byte:	movb (%rsi), %al
copy_store_byte: movb %al, (%rdi)
	incq %rsi
	incq %rdi
	decl %edx
	jnz 6b
	jmp copy_done

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
	.quad copy_load0, copy_fixup
	.quad copy_load1, copy_fixup
	.quad copy_load2, copy_fixup
	.quad copy_load3, copy_fixup
	.quad copy_store0, copy_fixup
	.quad copy_store1, copy_fixup
	.quad copy_store2, copy_fixup
	.quad copy_store3, copy_fixup
	.quad copy_load_byte, copy_fixup
	.quad copy_store_byte, copy_fixup
	.quad strlen_insn, strlen_fixup
	.quad cmpxchg_insn, cmpxchg_fixup
