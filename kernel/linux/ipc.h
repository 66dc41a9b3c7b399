/* System V IPC: what shared memory segments, semaphore sets and message
 * queues have in common (Linux's ipc/util.c): a key, an id, an owner, a
 * creator and a mode, kept in one table per kind and looked up by key or
 * by id.  One set of tables for the whole VM, as one IPC namespace on a
 * Linux machine.
 *
 * An id is seq * IPC_SLOTS + slot, as Linux's ipc_idr_alloc makes it:
 * slots are handed out cyclically below max(used * 3 / 2, 64), and the
 * seq moves on each time the cursor wraps, so a fresh machine's ids are
 * 0, 1, 2 ... as a fresh IPC namespace's, and an old id does not soon
 * reach a new object. */
#ifndef AMPHI_LINUX_IPC_H
#define AMPHI_LINUX_IPC_H

#include <stdbool.h>
#include <stdint.h>

#include "core/mutex.h"

#define IPC_PRIVATE	0
#define IPC_CREAT	01000
#define IPC_EXCL	02000
#define IPC_NOWAIT	04000
#define IPC_RMID	0
#define IPC_SET		1
#define IPC_STAT	2
#define IPC_INFO	3

#define IPC_SLOTS	32768	/* Linux's IPCMNI: ids are seq * this + slot */

/* Linux's struct ipc64_perm, as programs read and give it. */
struct ipc64_perm {
	int32_t key;
	uint32_t uid, gid, cuid, cgid;
	uint32_t mode;
	uint16_t seq, pad;
	uint64_t unused[2];
};

/* The part every object starts with. */
struct ipc_object {
	int32_t key;
	int id;
	uint32_t uid, gid, cuid, cgid;	/* owner (IPC_SET changes it), creator */
	uint32_t mode;			/* permission bits, and the kind's flags above them */
	int64_t ctime;			/* seconds: created, or changed by IPC_SET */
};

/* One kind's objects; its lock guards them all. */
struct ipc_table {
	struct mutex lock;
	int max;			/* objects it may hold (Linux's shmmni and friends) */
	int size;			/* slots allocated */
	int used;
	int highest;			/* the highest slot in use, or -1 */
	uint16_t seq;
	int next;			/* where the cyclic search for a free slot starts */
	int last;			/* the slot handed out last, or -1 */
	struct ipc_object **slots;
};

#define IPC_TABLE_INIT(name, most) \
	{ MUTEX_INIT((name).lock), (most), 0, 0, -1, 0, 0, -1, NULL }

/* The rest: caller holds t->lock. */

/* The object with key (never IPC_PRIVATE), or NULL. */
struct ipc_object *ipc_find_key(struct ipc_table *t, int32_t key);
/* The object with id, or NULL (Linux: EINVAL). */
struct ipc_object *ipc_find_id(struct ipc_table *t, int id);
/* The object in slot, or NULL (the *_STAT commands name slots). */
struct ipc_object *ipc_find_slot(struct ipc_table *t, int slot);
/* Gives o its id, owner, creator and mode (the low 9 bits of flags), and
 * puts it in the table: 0, or -ENOSPC when full, -ENOMEM. */
int ipc_add(struct ipc_table *t, struct ipc_object *o, int32_t key, int flags);
void ipc_remove(struct ipc_table *t, struct ipc_object *o);

/* The *_STAT commands: the object by id (IPC_STAT) or by slot (each
 * kind's STAT and STAT_ANY, which return its id), read permission asked
 * unless any; out writes it to ubuf.  Takes t->lock. */
long ipc_stat(struct ipc_table *t, int id, bool by_slot, bool any,
	      long (*out)(struct ipc_object *o, uint64_t ubuf), uint64_t ubuf);

/* Linux's ipcperms: whether the caller may use o as the permission bits
 * of flag ask (any of each rwx triplet), or has CAP_IPC_OWNER. */
bool ipc_may(const struct ipc_object *o, int flag);
/* IPC_SET and IPC_RMID: the owner, the creator, or CAP_SYS_ADMIN. */
bool ipc_may_change(const struct ipc_object *o);
/* o as struct ipc64_perm. */
void ipc_perm_of(const struct ipc_object *o, struct ipc64_perm *p);
/* IPC_SET: the owner's ids and the permission bits from p; -EINVAL for
 * an id that cannot be. */
int ipc_set_perm(struct ipc_object *o, const struct ipc64_perm *p);

/* The wall clock, in seconds (the objects' times). */
int64_t ipc_now(void);

/* One object as /proc/sysvipc shows it: its common part and its kind's. */
struct ipc_info {
	struct ipc_object obj;
	union {
		struct { uint64_t cbytes, qnum; int32_t lspid, lrpid; int64_t stime, rtime; } msg;
		struct { uint64_t nsems; int64_t otime; } sem;
		struct { uint64_t size, nattch, rss; int32_t cpid, lpid; int64_t atime, dtime; } shm;
	};
};
/* Up to max of t's objects in slot order into out, each filled by fill
 * (t->lock held); returns how many there are, which may be more. */
int ipc_list(struct ipc_table *t, struct ipc_info *out, int max,
	     void (*fill)(struct ipc_object *o, struct ipc_info *i));
/* Each kind's, for /proc/sysvipc (sys_msg.c, sys_sem.c, sys_shm.c). */
int msg_list(struct ipc_info *out, int max);
int sem_list(struct ipc_info *out, int max);
int shm_list(struct ipc_info *out, int max);

#endif
