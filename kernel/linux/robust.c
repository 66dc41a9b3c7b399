/* The walk of a dead thread's robust futex list, as Linux's
 * exit_robust_list makes it, so that a process-shared mutex whose owner
 * died gives the next locker EOWNERDEAD instead of a wait for ever.
 *
 * The list is the program's: a head (struct robust_list_head) holding the
 * first entry, the offset from each entry to its lock word, and the entry
 * being added or removed at the moment (list_op_pending).  Each entry
 * points to the next; the list ends where it comes back to the head.  The
 * low bit of a pointer marks a priority-inheritance lock (never made here:
 * PI futexes are refused, futex.c).  Nothing of it is trusted: a bad
 * pointer ends the walk, and at most ROBUST_LIST_LIMIT entries are looked
 * at, so a loop in the list costs little. */
#include "linux/robust.h"

#include <stdbool.h>
#include <stdint.h>

#include "core/sched.h"
#include "core/uaccess.h"
#include "linux/futex.h"

#define ROBUST_LIST_LIMIT	2048		/* Linux's */
#define FUTEX_WAITERS		0x80000000u
#define FUTEX_OWNER_DIED	0x40000000u
#define FUTEX_TID_MASK		0x3fffffffu

/* The program's struct robust_list_head (set_robust_list checks its size). */
struct robust_head {
	uint64_t next;
	int64_t futex_offset;
	uint64_t list_op_pending;
};
_Static_assert(sizeof(struct robust_head) == ROBUST_HEAD_SIZE, "Linux's layout");

/* A list pointer: the entry it points to, and whether that is a PI lock. */
static uint64_t entry_of(uint64_t v, bool *pi)
{
	*pi = v & 1;
	return v & ~1ull;
}

static int fetch_entry(uint64_t uptr, uint64_t *entry, bool *pi)
{
	uint64_t v;

	if (copy_from_user(&v, uptr, sizeof v))
		return -EFAULT;
	*entry = entry_of(v, pi);
	return 0;
}

/* The lock word at uaddr, of a thread tid that died: marked, and one
 * waiter woken if it says there are some.  A pending entry whose word has
 * no owner is a lock the thread was releasing (its waiter may not have
 * been woken) or taking: a waiter is woken, the word left alone.  -EFAULT
 * ends the walk. */
static int owner_died(uint64_t uaddr, int tid, bool pi, bool pending)
{
	uint32_t val, found;

	if ((uaddr & 3) || copy_from_user(&val, uaddr, sizeof val))
		return -EFAULT;
	for (;;) {
		uint32_t owner = val & FUTEX_TID_MASK;
		if (pending && !pi && !owner) {
			futex_wake(uaddr, 1, ~0u);
			return 0;
		}
		if (owner != (uint32_t)tid)
			return 0;	/* not its lock (any more) */
		/* Waiters stay marked; OWNER_DIED may be set already (a
		 * thread that died taking over a dead owner's lock). */
		uint32_t mark = (val & FUTEX_WAITERS) | FUTEX_OWNER_DIED;
		if (cmpxchg_user32(uaddr, val, mark, &found))
			return -EFAULT;
		if (found == val)
			break;
		val = found;	/* another thread changed it meanwhile: again */
		sched_yield_if_queued();
	}
	if (!pi && (val & FUTEX_WAITERS))
		futex_wake(uaddr, 1, ~0u);
	return 0;
}

static void walk(uint64_t uhead, int tid)
{
	struct robust_head h;
	uint64_t next = 0;
	bool pi, pending_pi, next_pi = false;

	if (copy_from_user(&h, uhead, sizeof h))
		return;
	uint64_t entry = entry_of(h.next, &pi), pending = entry_of(h.list_op_pending, &pending_pi);
	uint64_t offset = (uint64_t)h.futex_offset;
	for (int n = 0; entry != uhead && n < ROBUST_LIST_LIMIT; n++) {
		/* The next one first: waking a waiter lets it change this one. */
		int err = fetch_entry(entry, &next, &next_pi);
		if (entry != pending && owner_died(entry + offset, tid, pi, false))
			return;
		if (err)
			return;
		entry = next;
		pi = next_pi;
	}
	if (pending)
		owner_died(pending + offset, tid, pending_pi, true);
}

void robust_list_release(struct thread *t, int tid)
{
	uint64_t head = t->robust_list;

	t->robust_list = 0;
	if (head)
		walk(head, tid);
}
