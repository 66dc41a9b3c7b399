/* The kernel's log (klog.h): records in one ring of bytes.
 *
 * A record is a header and its text, padded to 8 bytes, written at
 * `tail`; the oldest is at `head`.  A record never wraps: when it does not
 * fit before the ring's end, a wrap mark (or, with less room than a
 * header, nothing) sends readers back to the start.  Records are numbered
 * from first_seq (at head) to next_seq - 1 (the newest).
 *
 * The lock is a flag taken with interrupts off and tried a bounded number
 * of times, not a spinlock: printk runs everywhere, even in an NMI that
 * may have stopped this very CPU inside klog_add, and a spinlock's wait
 * would print when it lasts (core/watchdog.h). */
#include "core/klog.h"

#include "arch/x86_64/arch.h"
#include "core/string.h"
#include "core/timer.h"

#define WRAP		0xffff		/* a header's len: the rest of the ring is unused */
#define TRIES		(1u << 20)	/* far longer than anyone holds the log */

struct header {
	uint64_t ns;
	uint16_t len;
	uint16_t priority;
	uint32_t unused;
};

static char ring[KLOG_SIZE] __attribute__((aligned(8)));
static uint32_t head, tail;
static uint64_t first_seq, next_seq;
static volatile int busy;

struct waitq klog_wait = WAITQ_INIT(klog_wait);

static bool lock(uint64_t *irq)
{
	*irq = irq_save();
	for (unsigned n = 0; n < TRIES; n++) {
		if (!busy && !__atomic_exchange_n(&busy, 1, __ATOMIC_ACQUIRE))
			return true;
		cpu_relax();
	}
	irq_restore(*irq);
	return false;
}

static void unlock(uint64_t irq)
{
	__atomic_store_n(&busy, 0, __ATOMIC_RELEASE);
	irq_restore(irq);
}

static uint32_t record_size(size_t len)
{
	return (uint32_t)((sizeof(struct header) + len + 7) & ~7ul);
}

/* The header at off, past a wrap: where a record starts. */
static uint32_t start_at(uint32_t off)
{
	if (KLOG_SIZE - off < sizeof(struct header) || ((struct header *)&ring[off])->len == WRAP)
		return 0;
	return off;
}

static void drop_oldest(void)
{
	head = start_at(head);
	head += record_size(((struct header *)&ring[head])->len);
	__atomic_store_n(&first_seq, first_seq + 1, __ATOMIC_RELAXED);
	if (first_seq == next_seq)
		head = tail = 0;
}

/* Where a record of size bytes can go now, or false while the oldest
 * records are in its way. */
static bool room(uint32_t size)
{
	if (first_seq == next_seq)
		return true;	/* empty: head = tail = 0 */
	if (tail > head) {
		if (KLOG_SIZE - tail >= size)
			return true;
		if (head <= size)
			return false;	/* wrapping would meet the oldest */
		if (KLOG_SIZE - tail >= sizeof(struct header))
			((struct header *)&ring[tail])->len = WRAP;
		tail = 0;
		return true;
	}
	return head - tail > size;	/* tail == head: full (never mistaken for empty) */
}

static void add_record(unsigned priority, uint64_t ns, const char *text, size_t len)
{
	uint32_t size = record_size(len);

	while (!room(size))
		drop_oldest();
	struct header *h = (struct header *)&ring[tail];
	h->ns = ns;
	h->len = (uint16_t)len;
	h->priority = (uint16_t)priority;
	memcpy(h + 1, text, len);
	tail += size;
	__atomic_store_n(&next_seq, next_seq + 1, __ATOMIC_RELAXED);
}

void klog_add(unsigned priority, const char *text, size_t len)
{
	uint64_t ns = clock_ns(), irq;
	bool irqs_on = irq_enabled();

	if (len && text[len - 1] == '\n')
		len--;
	if (!lock(&irq))
		return;
	add_record(priority, ns, text, len < KLOG_TEXT_MAX ? len : KLOG_TEXT_MAX);
	unlock(irq);
	if (irqs_on)	/* see klog_wait */
		waitq_wake_all(&klog_wait);
}

/* The record numbered seq (first_seq <= seq < next_seq): walked to from
 * the oldest, as records have no index. */
static const struct header *find(uint64_t seq)
{
	uint32_t off = start_at(head);

	for (uint64_t s = first_seq; s < seq; s++)
		off = start_at(off + record_size(((struct header *)&ring[off])->len));
	return (const struct header *)&ring[off];
}

bool klog_read(uint64_t seq, struct klog_record *r)
{
	uint64_t irq;

	if (!lock(&irq))
		return false;
	bool have = seq < next_seq;
	if (have) {
		r->seq = seq < first_seq ? first_seq : seq;
		const struct header *h = find(r->seq);
		r->ns = h->ns;
		r->priority = h->priority;
		r->len = h->len;
		memcpy(r->text, h + 1, h->len);
	}
	unlock(irq);
	return have;
}

/* Written under the lock; one load reads either whole. */
uint64_t klog_first(void) { return __atomic_load_n(&first_seq, __ATOMIC_RELAXED); }
uint64_t klog_next(void) { return __atomic_load_n(&next_seq, __ATOMIC_RELAXED); }
