/* Backtraces by frame pointer, named through the symbol table the build adds
 * on its second link (tools/ksyms.sh).  On the first link the table is absent
 * and the weak symbols are zero. */
#include "core/backtrace.h"

#include "arch/x86_64/arch.h"
#include "core/printk.h"

extern const uint64_t ksyms_count __attribute__((weak));
extern const uint64_t ksyms_addrs[] __attribute__((weak));
extern const uint32_t ksyms_offsets[] __attribute__((weak));
extern const char ksyms_names[] __attribute__((weak));
extern const char text_start[], text_end[];

const char *ksym_lookup(uint64_t addr, uint64_t *offset)
{
	if (!&ksyms_count || addr < (uint64_t)text_start || addr >= (uint64_t)text_end)
		return NULL;
	uint64_t lo = 0, hi = ksyms_count;

	/* The last symbol at or below addr. */
	while (hi - lo > 1) {
		uint64_t mid = (lo + hi) / 2;
		if (ksyms_addrs[mid] <= addr)
			lo = mid;
		else
			hi = mid;
	}
	if (!ksyms_count || ksyms_addrs[lo] > addr)
		return NULL;
	*offset = addr - ksyms_addrs[lo];
	return ksyms_names + ksyms_offsets[lo];
}

static int kernel_stack_address(uint64_t a)
{
	return a >= DIRECT_BASE && (a & 7) == 0;
}

void backtrace_print(uint64_t rbp)
{
	printk("backtrace:\n");
	for (int depth = 0; depth < 32 && kernel_stack_address(rbp); depth++) {
		uint64_t ret = ((uint64_t *)rbp)[1], off;
		/* The call is the byte before its return address: a call that
		 * never returns may end its function. */
		const char *name = ksym_lookup(ret - 1, &off);

		if (!name)
			break;
		printk("  [<%016lx>] %s+0x%lx\n", ret, name, off + 1);
		rbp = ((uint64_t *)rbp)[0];
	}
}
