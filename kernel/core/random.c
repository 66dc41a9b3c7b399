/* Random bytes: RDRAND where the CPU has it (QEMU's TCG "max" CPU and KVM
 * hosts do), mixed into a xorshift generator seeded from the TSC otherwise.
 * Good for stack canaries and hash seeds; not a vetted CSPRNG without
 * RDRAND. */
#include "core/random.h"

#include <stdbool.h>
#include <stdint.h>

#include "arch/x86_64/arch.h"
#include "core/spinlock.h"
#include "core/string.h"

static bool has_rdrand;
static uint64_t state;
static struct spinlock lock = SPINLOCK_INIT;	/* guards state */

static bool rdrand(uint64_t *v)
{
	unsigned char ok;

	__asm__ volatile("rdrand %0; setc %1" : "=r"(*v), "=qm"(ok));
	return ok;
}

void random_init(void)
{
	uint32_t a, b, c, d;

	__asm__ volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(1), "c"(0));
	has_rdrand = c & (1u << 30);
	state = rdtsc() ^ 0x9e3779b97f4a7c15ull;
}

static uint64_t next(void)
{
	uint64_t v = 0, flags = spin_lock_irqsave(&lock);

	for (int i = 0; has_rdrand && i < 10; i++)
		if (rdrand(&v))
			break;
	state ^= v ^ rdtsc();
	state ^= state << 13;
	state ^= state >> 7;
	state ^= state << 17;
	v = state * 0x2545f4914f6cdd1dull;
	spin_unlock_irqrestore(&lock, flags);
	return v;
}

void random_fill(void *buf, size_t n)
{
	uint8_t *p = buf;

	while (n) {
		uint64_t v = next();
		size_t k = n < 8 ? n : 8;
		memcpy(p, &v, k);
		p += k;
		n -= k;
	}
}
