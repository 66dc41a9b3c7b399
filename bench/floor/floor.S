/* QEMU's floor: an empty kernel that says "floor" on COM1 at its first
 * instruction (the moment a program's main would print) and asks QEMU to
 * exit (isa-debug-exit at port 0xf4).  It boots the ways amphi's kernel
 * does: a PVH ELF note, which QEMU takes on every machine, and a dormant
 * multiboot1 header with the a.out-kludge addresses (its magic zero, as in
 * kernel/arch/x86_64/boot.S), so `make bench` can time QEMU booting nothing
 * beside amphi booting a program, machine by machine (docs/bench.md).  The
 * UART takes bytes without being set up. */
#define MB_MAGIC	0x1badb002
#define MB_FLAGS	0x00010000	/* the address fields are valid */

	.section .text
	.code32
	.align 4
mb_header:
	.long 0			/* MB_MAGIC when armed */
	.long MB_FLAGS
	.long -(MB_MAGIC + MB_FLAGS)
	.long mb_header		/* header_addr */
	.long mb_header		/* load_addr: the file from here on */
	.long 0			/* load_end_addr: the whole file */
	.long 0			/* bss_end_addr: none */
	.long start		/* entry_addr */

	.globl start
start:
	movw $0x3f8, %dx
	movl $marker, %esi
1:	movb (%esi), %al
	testb %al, %al
	jz 2f
	outb %al, %dx
	incl %esi
	jmp 1b
2:	movw $0xf4, %dx
	xorl %eax, %eax
	outb %al, %dx		/* QEMU exits with status 1 */
3:	hlt
	jmp 3b

marker:
	.asciz "floor\n"

	/* Xen's PVH entry note (XEN_ELFNOTE_PHYS32_ENTRY), for microvm. */
	.section .note.Xen, "a"
	.align 4
	.long 4			/* name size */
	.long 4			/* descriptor size */
	.long 18		/* XEN_ELFNOTE_PHYS32_ENTRY */
	.asciz "Xen"
	.long start
