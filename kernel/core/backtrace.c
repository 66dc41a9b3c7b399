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

#define MAX_FRAMES	1024	/* a stack holds fewer (core/kstack.h) */
#define MAX_LINES	24

static int kernel_stack_address(uint64_t a)
{
	return a >= DIRECT_BASE && (a & 7) == 0;
}

/* The call is the byte before its return address: a call that never
 * returns may end its function, and ret itself would name the next one. */
static void print_frame(uint64_t ret, int times)
{
	uint64_t off;
	const char *name = ksym_lookup(ret - 1, &off);

	if (times > 1)
		printk("  [<%016lx>] %s+0x%lx (%d times)\n", ret, name, off + 1, times);
	else
		printk("  [<%016lx>] %s+0x%lx\n", ret, name, off + 1);
}

/* Frames go up the stack: each saved rbp must lie above the last, which
 * ends the walk on a garbled chain too.  A run of frames with the same
 * return address (a recursion) prints as one line. */
void backtrace_print(uint64_t rbp)
{
	uint64_t last = 0, off;
	int times = 0, lines = 0;

	printk("backtrace:\n");
	for (int depth = 0; depth < MAX_FRAMES && kernel_stack_address(rbp); depth++) {
		uint64_t ret = ((uint64_t *)rbp)[1], next = ((uint64_t *)rbp)[0];
		if (!ksym_lookup(ret - 1, &off))
			break;
		if (ret != last && times) {
			if (++lines > MAX_LINES)
				return;
			print_frame(last, times);
			times = 0;
		}
		last = ret;
		times++;
		if (next <= rbp)
			break;
		rbp = next;
	}
	if (times && lines < MAX_LINES)
		print_frame(last, times);
}
