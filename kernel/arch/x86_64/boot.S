/* Entry from the boot loader, in 32-bit protected mode without paging.
 *
 * Two ways in, one path on: PVH (QEMU -kernel on every machine, Xen, other
 * VMMs) enters at pvh_entry with ebx = the hvm_start_info; multiboot1 (GRUB,
 * and QEMU when asked) enters at multiboot_entry with eax = 0x2badb002 and
 * ebx = the multiboot information.  Both build the boot page tables, switch
 * to long mode and call kmain(boot_kind, info_phys) in the higher half.
 *
 * The multiboot header is built dormant: its magic is zero (the checksum is
 * the armed one), so QEMU, which prefers multiboot to the PVH note whenever
 * it finds a header, takes PVH; its multiboot loader copies the image
 * through the fw_cfg port a byte at a time, 10 ms more for each boot on pc
 * under TCG.  The host tool writes the magic into a copy for the loaders
 * that need multiboot (GRUB in `amphi iso`, `amphi run --boot multiboot`).
 *
 * The boot page tables map the first GiB three times: identity (for the
 * switch itself and the AP trampoline), the direct map, and the kernel image
 * window.  kmain replaces them with the real ones as soon as memory is known. */

#define KERNEL_VMA	0xffffffff80000000
#define PHYS(x)		((x) - KERNEL_VMA)
#define MB_MAGIC	0x1badb002
#define MB_FLAGS	((1 << 16) | (1 << 1) | (1 << 0)) /* address fields, memory map, aligned modules */
#define PVH_MAGIC	0x336ec578
#define BOOT_MULTIBOOT	1
#define BOOT_PVH	2

	.section .multiboot, "a"
	.align 4
multiboot_header:
	.long 0				/* MB_MAGIC when armed (see above) */
	.long MB_FLAGS
	.long -(MB_MAGIC + MB_FLAGS)
	.long multiboot_header		/* header_addr */
	.long kernel_phys_start		/* load_addr */
	.long PHYS(data_file_end)	/* load_end_addr */
	.long PHYS(kernel_end)		/* bss_end_addr */
	.long multiboot_entry		/* entry_addr */

	/* The PVH entry point, as an ELF note (XEN_ELFNOTE_PHYS32_ENTRY). */
	.section .note.Xen, "a"
	.align 4
	.long 4				/* name size */
	.long 4				/* desc size */
	.long 18			/* XEN_ELFNOTE_PHYS32_ENTRY */
	.asciz "Xen"
	.long pvh_entry

	.section .boot.text, "ax"
	.code32
	.globl multiboot_entry
multiboot_entry:
	cli
	cmpl $0x2badb002, %eax
	jne bad_boot
	movl $BOOT_MULTIBOOT, %edi
	movl %ebx, %esi
	jmp common32

	.globl pvh_entry
pvh_entry:
	cli
	/* Trust ebx only after checking the start-info magic it points at. */
	cmpl $PVH_MAGIC, (%ebx)
	jne bad_boot
	movl $BOOT_PVH, %edi
	movl %ebx, %esi

common32:
	/* Zero the four boot tables, then fill them. */
	movl $PHYS(boot_pml4), %ebx
	movl %edi, %ebp
	movl %ebx, %edi
	xorl %eax, %eax
	movl $(4 * 4096 / 4), %ecx
	rep stosl
	movl %ebp, %edi

	/* PD: 512 x 2 MiB = the first GiB (present, writable, large). */
	movl $PHYS(boot_pd), %ebx
	movl $0x83, %eax
	xorl %ecx, %ecx
1:	movl %eax, (%ebx, %ecx, 8)
	addl $0x200000, %eax
	incl %ecx
	cmpl $512, %ecx
	jne 1b

	movl $(PHYS(boot_pd) + 3), %eax
	movl %eax, PHYS(boot_pdpt_low)		/* PDPT_low[0]: 0..1 GiB */
	movl %eax, PHYS(boot_pdpt_high) + 510 * 8	/* -2 GiB: kernel window */
	movl $(PHYS(boot_pdpt_low) + 3), %eax
	movl %eax, PHYS(boot_pml4)		/* identity */
	movl %eax, PHYS(boot_pml4) + 256 * 8	/* direct map */
	movl $(PHYS(boot_pdpt_high) + 3), %eax
	movl %eax, PHYS(boot_pml4) + 511 * 8

	/* Long mode: PAE, page tables, EFER.LME (+NXE), paging. */
	movl %cr4, %eax
	orl $(1 << 5), %eax
	movl %eax, %cr4
	movl $PHYS(boot_pml4), %eax
	movl %eax, %cr3
	movl $0xc0000080, %ecx
	rdmsr
	orl $((1 << 8) | (1 << 11)), %eax
	wrmsr
	movl %cr0, %eax
	orl $((1 << 31) | (1 << 16) | 1), %eax
	movl %eax, %cr0

	lgdt boot_gdt_ptr
	ljmp $0x08, $long64

bad_boot:
	hlt
	jmp bad_boot

	.code64
long64:
	movabsq $high64, %rax
	jmp *%rax

	.section .boot.data, "aw"
	.align 16
boot_gdt:
	.quad 0
	.quad 0x00af9a000000ffff	/* 0x08: 64-bit code */
	.quad 0x00cf92000000ffff	/* 0x10: data */
boot_gdt_end:
boot_gdt_ptr:
	.word boot_gdt_end - boot_gdt - 1
	.long boot_gdt

	.text
high64:
	movw $0x10, %ax
	movw %ax, %ds
	movw %ax, %es
	movw %ax, %ss
	xorl %eax, %eax
	movw %ax, %fs
	movw %ax, %gs
	movabsq $boot_stack_top, %rsp
	xorl %ebp, %ebp
	call kmain
2:	hlt
	jmp 2b

	.bss
	.align 4096
	.globl boot_pml4
boot_pml4:	.skip 4096
boot_pdpt_low:	.skip 4096
boot_pdpt_high:	.skip 4096
boot_pd:	.skip 4096
	/* A page of its own under the boot stack, unmapped by mmu_init: the
	 * guard that makes CPU 0's idle stack fault when it overflows. */
	.globl boot_stack_guard
boot_stack_guard:	.skip 4096
	.globl boot_stack
boot_stack:	.skip 16384
	.globl boot_stack_top
boot_stack_top:
