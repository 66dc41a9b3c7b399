/* User and group ids: getuid and relatives, setuid, setreuid, setresuid,
 * setfsuid (and the gid forms), getgroups and setgroups, with Linux's rules
 * for who may change what (CAP_SETUID, CAP_SETGID) and how the
 * capabilities follow (linux/cred.c).  The ids are the process's (fork
 * copies them): Linux keeps them per thread, but C libraries change every
 * thread's at once. */
#include "core/errno.h"
#include "core/spinlock.h"
#include "core/uaccess.h"
#include "linux/cred.h"
#include "linux/process.h"
#include "linux/signal_internal.h"
#include "linux/syscall.h"

#define NO_ID		0xffffffffu	/* (uid_t)-1: leave it as it is */
#define NGROUPS_LINUX	65536		/* Linux's NGROUPS_MAX */

/* Which id a call works on. */
enum { UID, GID };

static uint32_t *ids_of(struct process *p, int which)
{
	return which == UID ? p->cred.uid : p->cred.gid;	/* real, effective, saved, fs */
}

/* Caller holds sig_lock. */
static bool may_set(const struct process *p, int which)
{
	return p->cred.cap_effective >> (which == UID ? CAP_SETUID : CAP_SETGID) & 1;
}

/* A change of the effective or fs ids makes the process undumpable
 * (Linux's commit_creds, with suid_dumpable 0) and forgets its
 * parent-death signal, so that a parent cannot signal a process whose
 * privileges changed.  Caller holds sig_lock. */
static void ids_moved(struct process *p)
{
	p->undumpable = true;
	p->pdeath_signal = 0;
}

static void note_change(struct process *p, const uint32_t *id, const uint32_t old[4])
{
	if (id[1] != old[1] || id[3] != old[3])
		ids_moved(p);
}

/* After a setuid-family change from old: the fs id follows the effective
 * one, and the capabilities follow the uids.  Caller holds sig_lock. */
static void ids_changed(struct process *p, int which, const uint32_t old[4])
{
	uint32_t *id = ids_of(p, which);

	id[3] = id[1];
	note_change(p, id, old);
	if (which == UID)
		cred_after_setuid(&p->cred, old);
}

static void save_ids(struct process *p, int which, uint32_t old[4])
{
	for (int k = 0; k < 4; k++)
		old[k] = ids_of(p, which)[k];
}

/* May the caller set an id to v without privilege: one it has already. */
static bool held(const uint32_t id[3], uint32_t v)
{
	return v == id[0] || v == id[1] || v == id[2];
}

/* Each of r, e, s that is not NO_ID becomes id[0], [1], [2]. */
static void put_ids(uint32_t id[3], uint32_t r, uint32_t e, uint32_t s)
{
	if (r != NO_ID)
		id[0] = r;
	if (e != NO_ID)
		id[1] = e;
	if (s != NO_ID)
		id[2] = s;
}

/* setresuid/setresgid: each of r, e, s (NO_ID: unchanged). */
static long set_res(int which, uint32_t r, uint32_t e, uint32_t s)
{
	struct process *p = process_current();
	uint64_t flags = spin_lock_irqsave(&sig_lock);
	uint32_t *id = ids_of(p, which), old[4];
	bool priv = may_set(p, which);
	long err = 0;

	save_ids(p, which, old);
	if (!priv && ((r != NO_ID && !held(id, r)) || (e != NO_ID && !held(id, e)) ||
		      (s != NO_ID && !held(id, s))))
		err = -EPERM;
	else {
		put_ids(id, r, e, s);
		ids_changed(p, which, old);
	}
	spin_unlock_irqrestore(&sig_lock, flags);
	return err;
}

/* setuid/setgid: all three when privileged, else the effective one to the
 * real or saved id. */
static long set_one(int which, uint32_t v)
{
	struct process *p = process_current();

	if (v == NO_ID)
		return -EINVAL;
	uint64_t flags = spin_lock_irqsave(&sig_lock);
	uint32_t *id = ids_of(p, which), old[4];
	long err = 0;

	save_ids(p, which, old);
	if (may_set(p, which))
		id[0] = id[1] = id[2] = v;
	else if (v == id[0] || v == id[2])
		id[1] = v;
	else
		err = -EPERM;
	if (!err)
		ids_changed(p, which, old);
	spin_unlock_irqrestore(&sig_lock, flags);
	return err;
}

/* setreuid/setregid: the real one to the real or effective, the effective
 * to any held; the saved one follows the new effective when the real one
 * is set or the effective one differs from the old real one. */
static long set_re(int which, uint32_t r, uint32_t e)
{
	struct process *p = process_current();
	uint64_t flags = spin_lock_irqsave(&sig_lock);
	uint32_t *id = ids_of(p, which), old[4];
	bool priv = may_set(p, which);
	long err = 0;

	save_ids(p, which, old);
	if (!priv && ((r != NO_ID && r != id[0] && r != id[1]) || (e != NO_ID && !held(id, e))))
		err = -EPERM;
	else {
		bool saved_follows = r != NO_ID || (e != NO_ID && e != old[0]);
		put_ids(id, r, e, !saved_follows ? NO_ID : e != NO_ID ? e : id[1]);
		ids_changed(p, which, old);
	}
	spin_unlock_irqrestore(&sig_lock, flags);
	return err;
}

static long get_one(int which, int i)
{
	struct process *p = process_current();
	uint64_t flags = spin_lock_irqsave(&sig_lock);
	long v = ids_of(p, which)[i];

	spin_unlock_irqrestore(&sig_lock, flags);
	return v;
}

static long get_res(int which, uint64_t ur, uint64_t ue, uint64_t us)
{
	struct process *p = process_current();
	uint32_t id[3];
	uint64_t flags = spin_lock_irqsave(&sig_lock);

	for (int i = 0; i < 3; i++)
		id[i] = ids_of(p, which)[i];
	spin_unlock_irqrestore(&sig_lock, flags);
	if (copy_to_user(ur, &id[0], 4) || copy_to_user(ue, &id[1], 4) || copy_to_user(us, &id[2], 4))
		return -EFAULT;
	return 0;
}

static long sys_getuid(const struct sysargs *a) { (void)a; return get_one(UID, 0); }
static long sys_geteuid(const struct sysargs *a) { (void)a; return get_one(UID, 1); }
static long sys_getgid(const struct sysargs *a) { (void)a; return get_one(GID, 0); }
static long sys_getegid(const struct sysargs *a) { (void)a; return get_one(GID, 1); }
static long sys_setuid(const struct sysargs *a) { return set_one(UID, (uint32_t)a->a[0]); }
static long sys_setgid(const struct sysargs *a) { return set_one(GID, (uint32_t)a->a[0]); }

static long sys_setreuid(const struct sysargs *a)
{
	return set_re(UID, (uint32_t)a->a[0], (uint32_t)a->a[1]);
}

static long sys_setregid(const struct sysargs *a)
{
	return set_re(GID, (uint32_t)a->a[0], (uint32_t)a->a[1]);
}

static long sys_setresuid(const struct sysargs *a)
{
	return set_res(UID, (uint32_t)a->a[0], (uint32_t)a->a[1], (uint32_t)a->a[2]);
}

static long sys_setresgid(const struct sysargs *a)
{
	return set_res(GID, (uint32_t)a->a[0], (uint32_t)a->a[1], (uint32_t)a->a[2]);
}

static long sys_getresuid(const struct sysargs *a) { return get_res(UID, a->a[0], a->a[1], a->a[2]); }
static long sys_getresgid(const struct sysargs *a) { return get_res(GID, a->a[0], a->a[1], a->a[2]); }

static long sys_getgroups(const struct sysargs *a)
{
	struct process *p = process_current();
	int size = (int)a->a[0];
	uint32_t groups[PROCESS_NGROUPS];
	uint64_t flags = spin_lock_irqsave(&sig_lock);
	int n = p->cred.ngroups;

	for (int i = 0; i < n; i++)
		groups[i] = p->cred.groups[i];
	spin_unlock_irqrestore(&sig_lock, flags);
	if (size < 0)
		return -EINVAL;
	if (!size)
		return n;
	if (size < n)
		return -EINVAL;
	return copy_to_user(a->a[1], groups, n * sizeof *groups) ? -EFAULT : n;
}

static long sys_setgroups(const struct sysargs *a)
{
	struct process *p = process_current();
	uint64_t n = a->a[0];
	uint32_t groups[PROCESS_NGROUPS];

	if (!cred_capable(CAP_SETGID))
		return -EPERM;	/* first, as on Linux: whatever the size */
	if (n > NGROUPS_LINUX)
		return -EINVAL;
	if (n > PROCESS_NGROUPS)
		return -ENOMEM;	/* amphi keeps fewer than Linux allows (docs/status.md) */
	if (copy_from_user(groups, a->a[1], n * sizeof *groups))
		return -EFAULT;
	uint64_t flags = spin_lock_irqsave(&sig_lock);
	p->cred.ngroups = (int)n;
	for (uint64_t i = 0; i < n; i++)
		p->cred.groups[i] = groups[i];
	spin_unlock_irqrestore(&sig_lock, flags);
	return 0;
}

/* setfsuid/setfsgid: the old fs id whatever happens; the new one only if
 * the caller holds it as another id or has the capability. */
static long set_fs(int which, uint32_t v)
{
	struct process *p = process_current();
	uint64_t flags = spin_lock_irqsave(&sig_lock);
	uint32_t *id = ids_of(p, which), old = id[3];

	if (v != NO_ID && (held(id, v) || v == id[3] || may_set(p, which)) && v != old) {
		id[3] = v;
		ids_moved(p);
		if (which == UID)
			cred_after_setfsuid(&p->cred, old);
	}
	spin_unlock_irqrestore(&sig_lock, flags);
	return old;
}

static long sys_setfsuid(const struct sysargs *a) { return set_fs(UID, (uint32_t)a->a[0]); }
static long sys_setfsgid(const struct sysargs *a) { return set_fs(GID, (uint32_t)a->a[0]); }

static const struct syscall_entry cred_calls[] = {
	{ 102, sys_getuid },
	{ 107, sys_geteuid },
	{ 104, sys_getgid },
	{ 108, sys_getegid },
	{ 105, sys_setuid },
	{ 106, sys_setgid },
	{ 113, sys_setreuid },
	{ 114, sys_setregid },
	{ 117, sys_setresuid },
	{ 118, sys_getresuid },
	{ 119, sys_setresgid },
	{ 120, sys_getresgid },
	{ 115, sys_getgroups },
	{ 116, sys_setgroups },
	{ 122, sys_setfsuid },
	{ 123, sys_setfsgid },
};

SYSCALL_TABLE(cred_calls);

void sys_cred_register(void)
{
	cred_vfs_register();
	cred_net_register();
	cred_vm_register();
}
