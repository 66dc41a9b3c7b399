/* Capabilities as a program asks for them: capget and capset (the three
 * header versions; version 3's two 32-bit words per set), and prctl's
 * bounding set, keep-caps, no-new-privs and ambient operations.  The sets
 * are the process's (linux/cred.c), under sig_lock. */
#include "core/errno.h"
#include "core/spinlock.h"
#include "core/uaccess.h"
#include "linux/cred.h"
#include "linux/process.h"
#include "linux/signal_internal.h"
#include "linux/syscall.h"

#define CAP_VERSION_1	0x19980330u	/* one word per set */
#define CAP_VERSION_2	0x20071026u	/* two, deprecated */
#define CAP_VERSION_3	0x20080522u	/* two */

#define PR_GET_KEEPCAPS		7
#define PR_SET_KEEPCAPS		8
#define PR_CAPBSET_READ		23
#define PR_CAPBSET_DROP		24
#define PR_GET_SECUREBITS	27
#define SECBIT_KEEP_CAPS	(1 << 4)
#define PR_SET_NO_NEW_PRIVS	38
#define PR_GET_NO_NEW_PRIVS	39
#define PR_CAP_AMBIENT		47
#define PR_CAP_AMBIENT_IS_SET	1
#define PR_CAP_AMBIENT_RAISE	2
#define PR_CAP_AMBIENT_LOWER	3
#define PR_CAP_AMBIENT_CLEAR_ALL 4

struct cap_header {
	uint32_t version;
	int pid;
};

struct cap_data {
	uint32_t effective, permitted, inheritable;
};

static bool cap_valid(uint64_t cap) { return cap <= CAP_LAST_CAP; }

/* How many cap_data the header's version takes; an unknown version is
 * answered with the one the kernel speaks (libcap asks this way). */
static long words_of(uint64_t uhdr, int *words)
{
	uint32_t version, v3 = CAP_VERSION_3;

	if (copy_from_user(&version, uhdr, sizeof version))
		return -EFAULT;
	if (version == CAP_VERSION_1)
		*words = 1;
	else if (version == CAP_VERSION_2 || version == CAP_VERSION_3)
		*words = 2;
	else
		return copy_to_user(uhdr, &v3, sizeof v3) ? -EFAULT : -EINVAL;
	return 0;
}

/* The sets of the process (or thread) pid, 0 for the caller. */
static long sets_of(int pid, struct process_cred *out)
{
	uint64_t flags = spin_lock_irqsave(&sig_lock);
	struct process *p = pid ? process_find(pid) : process_current();

	if (p)
		*out = p->cred;
	spin_unlock_irqrestore(&sig_lock, flags);
	return p ? 0 : -ESRCH;
}

static long sys_capget(const struct sysargs *a)
{
	struct cap_header h;
	struct cap_data d[2];
	struct process_cred c;
	int words;
	long err = words_of(a->a[0], &words);

	if (!a->a[1])
		return err == -EINVAL ? 0 : err;
	if (err)
		return err;
	if (copy_from_user(&h, a->a[0], sizeof h))
		return -EFAULT;
	if (h.pid < 0)
		return -EINVAL;
	if ((err = sets_of(h.pid, &c)))
		return err;
	for (int k = 0; k < 2; k++)
		d[k] = (struct cap_data){ (uint32_t)(c.cap_effective >> 32 * k),
					  (uint32_t)(c.cap_permitted >> 32 * k),
					  (uint32_t)(c.cap_inheritable >> 32 * k) };
	return copy_to_user(a->a[1], d, words * sizeof *d) ? -EFAULT : 0;
}

static uint64_t joined(uint32_t lo, uint32_t hi) { return ((uint64_t)hi << 32 | lo) & CAP_FULL_SET; }

/* Linux's cap_capset: the inheritable set grows only within the permitted
 * one (without CAP_SETPCAP) and the bounding set, the permitted one never
 * grows, the effective one stays within the permitted one. */
static long capset_apply(struct process_cred *c, uint64_t e, uint64_t p, uint64_t i)
{
	bool setpcap = c->cap_effective >> CAP_SETPCAP & 1;

	if ((!setpcap && (i & ~(c->cap_inheritable | c->cap_permitted))) ||
	    (i & ~(c->cap_inheritable | c->cap_bounding)) || (p & ~c->cap_permitted) || (e & ~p))
		return -EPERM;
	c->cap_effective = e;
	c->cap_permitted = p;
	c->cap_inheritable = i;
	c->cap_ambient &= p & i;
	return 0;
}

static long sys_capset(const struct sysargs *a)
{
	struct cap_header h;
	struct cap_data d[2] = { 0 };
	int words;
	long err = words_of(a->a[0], &words);

	if (err)
		return err;
	if (copy_from_user(&h, a->a[0], sizeof h))
		return -EFAULT;
	if (h.pid && h.pid != current()->tid)
		return -EPERM;
	if (copy_from_user(d, a->a[1], words * sizeof *d))
		return -EFAULT;
	struct process *p = process_current();
	uint64_t flags = spin_lock_irqsave(&sig_lock);
	err = capset_apply(&p->cred, joined(d[0].effective, d[1].effective),
			   joined(d[0].permitted, d[1].permitted),
			   joined(d[0].inheritable, d[1].inheritable));
	spin_unlock_irqrestore(&sig_lock, flags);
	return err;
}

/* PR_CAP_AMBIENT: the ambient set, whose members must be permitted and
 * inheritable. */
static long ambient(struct process_cred *c, uint64_t op, uint64_t cap, uint64_t a4, uint64_t a5)
{
	if (op == PR_CAP_AMBIENT_CLEAR_ALL) {
		if (cap | a4 | a5)
			return -EINVAL;
		c->cap_ambient = 0;
		return 0;
	}
	if (!cap_valid(cap) || a4 || a5)
		return -EINVAL;
	uint64_t bit = 1ull << cap;
	if (op == PR_CAP_AMBIENT_IS_SET)
		return !!(c->cap_ambient & bit);
	if (op == PR_CAP_AMBIENT_LOWER)
		c->cap_ambient &= ~bit;
	else if (op != PR_CAP_AMBIENT_RAISE)
		return -EINVAL;
	else if (!(c->cap_permitted & c->cap_inheritable & bit))
		return -EPERM;
	else
		c->cap_ambient |= bit;
	return 0;
}

/* Caller holds sig_lock.  -ENOSYS: not one of these. */
static long caps_prctl(struct process_cred *c, const uint64_t *v)
{
	switch (v[0]) {
	case PR_CAPBSET_READ:
		return cap_valid(v[1]) ? (long)(c->cap_bounding >> v[1] & 1) : -EINVAL;
	case PR_CAPBSET_DROP:
		if (!(c->cap_effective >> CAP_SETPCAP & 1))
			return -EPERM;
		if (!cap_valid(v[1]))
			return -EINVAL;
		c->cap_bounding &= ~(1ull << v[1]);
		return 0;
	case PR_GET_KEEPCAPS:
		return c->keep_caps;
	case PR_GET_SECUREBITS:	/* keep-caps is the only one amphi has */
		return c->keep_caps ? SECBIT_KEEP_CAPS : 0;
	case PR_SET_KEEPCAPS:
		if (v[1] > 1)
			return -EINVAL;
		c->keep_caps = v[1];
		return 0;
	case PR_SET_NO_NEW_PRIVS:
		if (v[1] != 1 || v[2] || v[3] || v[4])
			return -EINVAL;
		c->no_new_privs = true;
		return 0;
	case PR_GET_NO_NEW_PRIVS:
		return v[1] || v[2] || v[3] || v[4] ? -EINVAL : c->no_new_privs;
	case PR_CAP_AMBIENT:
		return ambient(c, v[1], v[2], v[3], v[4]);
	default:
		return -ENOSYS;
	}
}

long sys_caps_prctl(const struct sysargs *a)
{
	struct process *p = process_current();
	uint64_t flags = spin_lock_irqsave(&sig_lock);
	long r = caps_prctl(&p->cred, a->a);

	spin_unlock_irqrestore(&sig_lock, flags);
	return r;
}

static const struct syscall_entry caps_calls[] = {
	{ 125, sys_capget },
	{ 126, sys_capset },
};

SYSCALL_TABLE(caps_calls);
