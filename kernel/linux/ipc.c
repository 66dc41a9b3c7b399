/* System V IPC objects' common part: the tables, ids, and Linux's checks
 * of who may use and change an object. */
#include "linux/ipc.h"

#include "core/errno.h"
#include "core/kmalloc.h"
#include "core/string.h"
#include "core/timer.h"
#include "linux/cred.h"
#include "linux/process.h"
#include "linux/signal_internal.h"
#include "linux/time.h"

#define IPCID_SEQ_MAX	(INT32_MAX / IPC_SLOTS)
#define CAP_IPC_OWNER	15

int64_t ipc_now(void)
{
	return (int64_t)((clock_ns() + time_realtime_offset_ns()) / 1000000000ull);
}

long ipc_stat(struct ipc_table *t, int id, bool by_slot, bool any,
	      long (*out)(struct ipc_object *o, uint64_t ubuf), uint64_t ubuf)
{
	mutex_lock(&t->lock);
	struct ipc_object *o = by_slot ? ipc_find_slot(t, id) : ipc_find_id(t, id);
	long r = !o ? -EINVAL : !any && !ipc_may(o, 0444) ? -EACCES : out(o, ubuf);
	if (!r && by_slot)
		r = o->id;
	mutex_unlock(&t->lock);
	return r;
}

static struct process_cred caller_cred(void)
{
	uint64_t flags = spin_lock_irqsave(&sig_lock);
	struct process_cred c = process_current()->cred;
	spin_unlock_irqrestore(&sig_lock, flags);
	return c;
}

struct ipc_object *ipc_find_key(struct ipc_table *t, int32_t key)
{
	for (int i = 0; i <= t->highest; i++)
		if (t->slots[i] && t->slots[i]->key == key)
			return t->slots[i];
	return NULL;
}

struct ipc_object *ipc_find_slot(struct ipc_table *t, int slot)
{
	return slot >= 0 && slot <= t->highest ? t->slots[slot] : NULL;
}

struct ipc_object *ipc_find_id(struct ipc_table *t, int id)
{
	struct ipc_object *o = id >= 0 ? ipc_find_slot(t, id % IPC_SLOTS) : NULL;

	return o && o->id == id ? o : NULL;
}

/* Room for one more slot: the array doubles, up to t->max. */
static int grow(struct ipc_table *t)
{
	int size = t->size ? t->size * 2 : 16;

	if (size > t->max)
		size = t->max;
	struct ipc_object **slots = kmalloc_program((size_t)size * sizeof *slots);
	if (!slots)
		return -ENOMEM;
	if (t->size)
		memcpy(slots, t->slots, (size_t)t->size * sizeof *slots);
	kfree(t->slots);
	t->slots = slots;
	t->size = size;
	return 0;
}

/* Linux's ipc_idr_alloc: the first free slot from the cursor on, below
 * max(used * 3 / 2, 64), else from 0; -ENOSPC, -ENOMEM. */
static int free_slot(struct ipc_table *t)
{
	int end = t->used * 3 / 2 > 64 ? t->used * 3 / 2 : 64;

	end = end < t->max ? end : t->max;	/* each kind's max is below IPC_SLOTS */
	for (int pass = 0; pass < 2; pass++) {
		int from = pass ? 0 : t->next, to = pass ? t->next : end;
		for (int i = from; i < to && i < end; i++) {
			while (i >= t->size) {
				int err = grow(t);
				if (err)
					return err;
			}
			if (!t->slots[i])
				return i;
		}
	}
	return -ENOSPC;
}

int ipc_add(struct ipc_table *t, struct ipc_object *o, int32_t key, int flags)
{
	if (t->used >= t->max)
		return -ENOSPC;
	int slot = free_slot(t);
	if (slot < 0)
		return slot;
	struct process_cred c = caller_cred();
	if (slot <= t->last)	/* the cursor wrapped */
		t->seq = t->seq >= IPCID_SEQ_MAX ? 0 : t->seq + 1;
	t->last = slot;
	t->next = slot + 1;
	o->key = key;
	o->id = t->seq * IPC_SLOTS + slot;
	o->uid = o->cuid = c.uid[1];
	o->gid = o->cgid = c.gid[1];
	o->mode = (uint32_t)flags & 0777;
	o->ctime = ipc_now();
	t->slots[slot] = o;
	t->used++;
	if (slot > t->highest)
		t->highest = slot;
	return 0;
}

int ipc_list(struct ipc_table *t, struct ipc_info *out, int max,
	     void (*fill)(struct ipc_object *o, struct ipc_info *i))
{
	int n = 0;

	mutex_lock(&t->lock);
	for (int i = 0; i <= t->highest; i++) {
		if (!t->slots[i])
			continue;
		if (n < max) {
			out[n].obj = *t->slots[i];
			fill(t->slots[i], &out[n]);
		}
		n++;
	}
	mutex_unlock(&t->lock);
	return n;
}

void ipc_remove(struct ipc_table *t, struct ipc_object *o)
{
	int slot = o->id % IPC_SLOTS;

	t->slots[slot] = NULL;
	t->used--;
	while (t->highest >= 0 && !t->slots[t->highest])
		t->highest--;
}

static bool in_group(const struct process_cred *c, uint32_t gid)
{
	if (c->gid[3] == gid)
		return true;
	for (int i = 0; i < c->ngroups; i++)
		if (c->groups[i] == gid)
			return true;
	return false;
}

bool ipc_may(const struct ipc_object *o, int flag)
{
	struct process_cred c = caller_cred();
	int asked = (flag >> 6 | flag >> 3 | flag) & 7;
	uint32_t granted = o->mode;

	if (c.uid[1] == o->cuid || c.uid[1] == o->uid)
		granted >>= 6;
	else if (in_group(&c, o->cgid) || in_group(&c, o->gid))
		granted >>= 3;
	return !(asked & ~granted & 7) || (c.cap_effective >> CAP_IPC_OWNER & 1);
}

bool ipc_may_change(const struct ipc_object *o)
{
	struct process_cred c = caller_cred();

	return c.uid[1] == o->uid || c.uid[1] == o->cuid || (c.cap_effective >> CAP_SYS_ADMIN & 1);
}

void ipc_perm_of(const struct ipc_object *o, struct ipc64_perm *p)
{
	*p = (struct ipc64_perm){
		.key = o->key, .uid = o->uid, .gid = o->gid, .cuid = o->cuid, .cgid = o->cgid,
		.mode = o->mode, .seq = (uint16_t)(o->id / IPC_SLOTS),
	};
}

int ipc_set_perm(struct ipc_object *o, const struct ipc64_perm *p)
{
	if (p->uid == UINT32_MAX || p->gid == UINT32_MAX)
		return -EINVAL;	/* no such id (Linux's uid_valid) */
	o->uid = p->uid;
	o->gid = p->gid;
	o->mode = (o->mode & ~0777u) | (p->mode & 0777);
	o->ctime = ipc_now();
	return 0;
}
