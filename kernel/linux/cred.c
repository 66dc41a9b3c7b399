/* The capability rules Linux applies to a process whose files carry no
 * capabilities: root holds every capability, others none, and changing
 * ids (set*uid, setfsuid, execve of set-id files) moves the sets as
 * security/commoncap.c does.  Also the file system's view of the caller
 * (fs/cred.h) and the sockets' (net/socket.h). */
#include "linux/cred.h"

#include "core/errno.h"
#include "core/spinlock.h"
#include "core/vm.h"
#include "fs/cred.h"
#include "linux/exec.h"
#include "linux/process.h"
#include "linux/signal_internal.h"
#include "net/socket.h"

/* The capabilities that follow the fs uid (Linux's CAP_FS_MASK: CHOWN,
 * DAC_OVERRIDE, DAC_READ_SEARCH, FOWNER, FSETID, LINUX_IMMUTABLE,
 * MAC_OVERRIDE). */
#define CAP_FS_MASK	(0x1full | 1ull << 9 | 1ull << 32)

static uint32_t start_uid, start_gid;

static bool parse_id(const char **s, uint32_t *id)
{
	uint64_t v = 0;
	const char *p = *s;

	for (; *p >= '0' && *p <= '9' && v <= 0xffffffffull; p++)
		v = v * 10 + (uint64_t)(*p - '0');
	if (p == *s || v >= 0xffffffffull)
		return false;	/* (uid_t)-1 is no id */
	*id = (uint32_t)v;
	*s = p;
	return true;
}

bool cred_set_start_user(const char *value)
{
	uint32_t uid, gid;
	const char *s = value;

	if (!parse_id(&s, &uid))
		return false;
	gid = uid;
	if (*s == ':' && (s++, !parse_id(&s, &gid)))
		return false;
	if (*s)
		return false;
	start_uid = uid;
	start_gid = gid;
	return true;
}

void cred_init_start(struct process_cred *c)
{
	*c = (struct process_cred){ .cap_bounding = CAP_FULL_SET };
	for (int k = 0; k < 4; k++) {
		c->uid[k] = start_uid;
		c->gid[k] = start_gid;
	}
	if (start_uid == 0)
		c->cap_permitted = c->cap_effective = CAP_FULL_SET;
}

static bool any_root(const uint32_t uid[3])
{
	return !uid[0] || !uid[1] || !uid[2];
}

void cred_after_setfsuid(struct process_cred *c, uint32_t old_fsuid)
{
	if (!old_fsuid && c->uid[3])
		c->cap_effective &= ~CAP_FS_MASK;
	if (old_fsuid && !c->uid[3])
		c->cap_effective |= c->cap_permitted & CAP_FS_MASK;
}

/* cap_emulate_setxuid: leaving uid 0 altogether drops the ambient set,
 * and the others too unless keep-caps; the effective set follows the
 * effective uid (the fs uid's rule is setfsuid's alone). */
void cred_after_setuid(struct process_cred *c, const uint32_t old_uid[4])
{
	if (any_root(old_uid) && !any_root(c->uid)) {
		if (!c->keep_caps)
			c->cap_permitted = c->cap_effective = 0;
		c->cap_ambient = 0;
	}
	if (!old_uid[1] && c->uid[1])
		c->cap_effective = 0;
	if (old_uid[1] && !c->uid[1])
		c->cap_effective = c->cap_permitted;
}

/* Root (real or effective) gets its bounding set and inheritable ones as
 * if the file had every capability; the effective set is the permitted
 * one only for an effective root.  Others keep their ambient set, which a
 * set-id file clears. */
void cred_after_exec(struct process_cred *c, const uint32_t ids[4])
{
	if (ids[1] != c->uid[1] || ids[3] != c->gid[1])
		c->cap_ambient = 0;
	c->uid[1] = c->uid[2] = c->uid[3] = ids[1];
	c->gid[1] = c->gid[2] = c->gid[3] = ids[3];
	c->cap_permitted = c->cap_ambient;
	if (!c->uid[0] || !c->uid[1])
		c->cap_permitted |= c->cap_bounding | c->cap_inheritable;
	c->cap_effective = !c->uid[1] ? c->cap_permitted : c->cap_ambient;
	c->keep_caps = false;
}

void cred_exec_prepare(struct process *p, struct exec_args *a)
{
	uint64_t flags = spin_lock_irqsave(&sig_lock);

	a->ids[0] = p->cred.uid[0];
	a->ids[1] = p->cred.uid[1];
	a->ids[2] = p->cred.gid[0];
	a->ids[3] = p->cred.gid[1];
	a->no_new_privs = p->cred.no_new_privs;
	spin_unlock_irqrestore(&sig_lock, flags);
}

bool cred_capable(int cap)
{
	struct process *p = process_current();
	uint64_t flags = spin_lock_irqsave(&sig_lock);
	bool has = p->cred.cap_effective >> cap & 1;

	spin_unlock_irqrestore(&sig_lock, flags);
	return has;
}

/* access(2) asks with the real ids unless AT_EACCESS (sys_fs_stat.c sets
 * the thread's flag around its look-up); the capabilities are then the
 * permitted ones for a real root, none otherwise (Linux's
 * access_override_creds). */
static void fill_vfs(struct vfs_cred *v)
{
	struct thread *t = current();
	struct process *p = process_of(t);

	if (!p)
		return;	/* a kernel thread: root */
	uint64_t flags = spin_lock_irqsave(&sig_lock);
	const struct process_cred *c = &p->cred;
	bool real = t->cred_real_ids;
	v->fsuid = real ? c->uid[0] : c->uid[3];
	v->fsgid = real ? c->gid[0] : c->gid[3];
	v->caps = !real ? c->cap_effective : c->uid[0] ? 0 : c->cap_permitted;
	v->ngroups = c->ngroups < VFS_NGROUPS ? c->ngroups : VFS_NGROUPS;
	for (int k = 0; k < v->ngroups; k++)
		v->groups[k] = c->groups[k];
	spin_unlock_irqrestore(&sig_lock, flags);
}

void cred_vfs_register(void)
{
	vfs_cred_set_source(fill_vfs);
}

/* The sockets' view: ids for SO_PEERCRED and SCM_CREDENTIALS, which of
 * them the process may claim that are not its own, and CAP_NET_ADMIN. */
static void fill_sock(struct sock_cred *s)
{
	struct process *p = process_current();

	if (!p)
		return;	/* a kernel thread: root */
	uint64_t flags = spin_lock_irqsave(&sig_lock);
	const struct process_cred *c = &p->cred;
	for (int k = 0; k < 3; k++) {
		s->uid[k] = c->uid[k];
		s->gid[k] = c->gid[k];
	}
	s->any_pid = c->cap_effective >> CAP_SYS_ADMIN & 1;
	s->any_uid = c->cap_effective >> CAP_SETUID & 1;
	s->any_gid = c->cap_effective >> CAP_SETGID & 1;
	s->net_admin = c->cap_effective >> CAP_NET_ADMIN & 1;
	s->net_raw = c->cap_effective >> CAP_NET_RAW & 1;
	spin_unlock_irqrestore(&sig_lock, flags);
	s->pid = p->pid;
}

static bool pid_exists(int32_t pid)
{
	uint64_t flags = spin_lock_irqsave(&sig_lock);
	bool found = pid > 0 && process_find(pid);

	spin_unlock_irqrestore(&sig_lock, flags);
	return found;
}

void cred_net_register(void)
{
	socket_cred_set_source(fill_sock, pid_exists);
}

/* CAP_IPC_LOCK, asked by core/vm with an address space's lock held: the
 * one word read as it is, with no lock (a capset racing with it gives the
 * set before or after, either of which the call could have met).  A
 * kernel thread may lock anything. */
static bool may_lock_any(void)
{
	struct process *p = process_current();

	return !p || __atomic_load_n(&p->cred.cap_effective, __ATOMIC_RELAXED) >> CAP_IPC_LOCK & 1;
}

void cred_vm_register(void)
{
	vm_set_lock_privilege(may_lock_any);
}
