/* Boot-time marks (boottime.h).  Under QEMU the TSC starts near zero when
 * the VM does, so the first mark also says how long the firmware and the
 * loader took before the kernel. */
#include "core/boottime.h"

#include <stdint.h>

#include "arch/x86_64/arch.h"
#include "arch/x86_64/clock.h"
#include "core/format.h"
#include "core/printk.h"

#define MAX_MARKS	12

static struct {
	const char *what;
	uint64_t tsc;
} marks[MAX_MARKS];
static int nmarks;
static bool reported;

/* Only the boot CPU marks, before other threads run: no lock. */
void boottime_mark(const char *what)
{
	if (nmarks < MAX_MARKS)
		marks[nmarks++] = (typeof(marks[0])){ what, rdtsc() };
}

/* Microseconds of TSC ticks at hz (boot takes seconds at most: no
 * overflow, and no 128-bit division, which would need libgcc). */
static uint64_t us(uint64_t ticks, uint64_t hz)
{
	return ticks / (hz / 1000000 ? hz / 1000000 : 1);
}

static int put_ms(char *p, size_t room, uint64_t usec)
{
	return snprintf(p, room, "%lu.%02lu", usec / 1000, usec % 1000 / 10);
}

void boottime_report(void)
{
	uint64_t hz = clock_tsc_hz();
	char line[400];
	int n = 0;

	if (reported || nmarks < 2 || !hz || !printk_info_on())
		return;
	reported = true;
	n += snprintf(line + n, sizeof line - n, "boot: ");
	n += put_ms(line + n, sizeof line - n, us(marks[nmarks - 1].tsc - marks[0].tsc, hz));
	n += snprintf(line + n, sizeof line - n, " ms in the kernel (");
	for (int i = 1; i < nmarks && n < (int)sizeof line - 40; i++) {
		n += snprintf(line + n, sizeof line - n, "%s%s ", i > 1 ? ", " : "", marks[i].what);
		n += put_ms(line + n, sizeof line - n, us(marks[i].tsc - marks[i - 1].tsc, hz));
	}
	n += snprintf(line + n, sizeof line - n, "); the VM ran ");
	n += put_ms(line + n, sizeof line - n, us(marks[0].tsc, hz));
	snprintf(line + n, sizeof line - n, " ms before it (firmware, loader)\n");
	printk_info("%s", line);
}
