/* Each address space's AIO contexts by id, as Linux's ioctx_table: an
 * array whose lowest free slot a new context takes (the id the program
 * sees in ring->id), grown by doubling.  The tables hang off one list,
 * found by address space; one with no context left goes. */
#include "core/errno.h"
#include "core/kmalloc.h"
#include "core/list.h"
#include "core/mutex.h"
#include "core/string.h"
#include "linux/aio_internal.h"

struct aio_table {
	struct list link;	/* in tables */
	struct mm *mm;
	struct aio_ctx **slot;
	uint32_t n;		/* slots */
	uint32_t hint;		/* no free slot below */
	uint32_t used;
};

static struct mutex lock = MUTEX_INIT(lock);
static struct list tables = LIST_INIT(tables);

void aio_table_lock(void) { mutex_lock(&lock); }
void aio_table_unlock(void) { mutex_unlock(&lock); }

static struct aio_table *table_of(struct mm *mm)
{
	struct list *l;

	list_for_each(l, &tables) {
		struct aio_table *t = list_entry(l, struct aio_table, link);
		if (t->mm == mm)
			return t;
	}
	return NULL;
}

static struct aio_table *table_new(struct mm *mm)
{
	struct aio_table *t = kmalloc_program(sizeof *t);

	if (!t)
		return NULL;
	*t = (struct aio_table){ .mm = mm };
	list_add_tail(&tables, &t->link);
	return t;
}

static void table_drop_if_empty(struct aio_table *t)
{
	if (t->used)
		return;
	list_del(&t->link);
	kfree(t->slot);
	kfree(t);
}

/* Room for one more: -ENOMEM. */
static long table_grow(struct aio_table *t)
{
	uint32_t n = t->n ? t->n * 2 : 4;
	struct aio_ctx **slot = kmalloc_program(n * sizeof *slot);

	if (!slot)
		return -ENOMEM;
	memset(slot, 0, n * sizeof *slot);
	if (t->n)
		memcpy(slot, t->slot, t->n * sizeof *slot);
	kfree(t->slot);
	t->slot = slot;
	t->n = n;
	return 0;
}

long aio_table_insert(struct mm *mm, struct aio_ctx *ctx, uint32_t *id)
{
	struct aio_table *t = table_of(mm);

	if (!t && !(t = table_new(mm)))
		return -ENOMEM;
	if (t->used == t->n && table_grow(t)) {
		table_drop_if_empty(t);
		return -ENOMEM;
	}
	uint32_t i = t->hint;
	while (t->slot[i])
		i++;
	t->slot[i] = ctx;
	t->hint = i + 1;
	t->used++;
	*id = i;
	return 0;
}

struct aio_ctx *aio_table_find(struct mm *mm, uint32_t id)
{
	struct aio_table *t = table_of(mm);

	return t && id < t->n ? t->slot[id] : NULL;
}

void aio_table_remove(struct mm *mm, uint32_t id)
{
	struct aio_table *t = table_of(mm);

	t->slot[id] = NULL;
	t->used--;
	if (id < t->hint)
		t->hint = id;
	table_drop_if_empty(t);
}

struct aio_ctx *aio_table_any(struct mm *mm)
{
	struct aio_table *t = table_of(mm);

	for (uint32_t i = 0; t && i < t->n; i++)
		if (t->slot[i])
			return t->slot[i];
	return NULL;
}
