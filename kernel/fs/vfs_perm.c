/* Permission checks as Linux's VFS makes them (fs/namei.c's
 * generic_permission, may_create, may_delete; fs/inode.c's
 * inode_owner_or_capable and should_remove_suid). */
#include "fs/cred.h"

#include "core/errno.h"
#include "fs/vfs.h"

static void (*cred_source)(struct vfs_cred *c);

void vfs_cred_set_source(void (*fill)(struct vfs_cred *c))
{
	cred_source = fill;
}

void vfs_cred_current(struct vfs_cred *c)
{
	*c = (struct vfs_cred){ .caps = ~0ull };
	if (cred_source)
		cred_source(c);
}

bool vfs_capable(const struct vfs_cred *c, int cap)
{
	return c->caps >> cap & 1;
}

bool vfs_in_group(const struct vfs_cred *c, uint32_t gid)
{
	if (gid == c->fsgid)
		return true;
	for (int k = 0; k < c->ngroups; k++)
		if (c->groups[k] == gid)
			return true;
	return false;
}

/* What the capabilities grant where the bits refused (the second half of
 * generic_permission): directories are searched and read with
 * CAP_DAC_READ_SEARCH; CAP_DAC_OVERRIDE executes only what some x bit
 * allows. */
static int capable_permission(const struct vfs_cred *c, uint32_t mode, int mask)
{
	if ((mode & S_IFMT) == S_IFDIR) {
		if (!(mask & MAY_WRITE) && vfs_capable(c, VFS_CAP_DAC_READ_SEARCH))
			return 0;
		return vfs_capable(c, VFS_CAP_DAC_OVERRIDE) ? 0 : -EACCES;
	}
	if ((!(mask & MAY_EXEC) || (mode & 0111)) && vfs_capable(c, VFS_CAP_DAC_OVERRIDE))
		return 0;
	return mask == MAY_READ && vfs_capable(c, VFS_CAP_DAC_READ_SEARCH) ? 0 : -EACCES;
}

int vfs_permission_of(const struct vfs_cred *c, uint32_t mode, uint32_t uid, uint32_t gid, int mask)
{
	uint32_t bits = mode;

	if (c->fsuid == uid)
		bits >>= 6;
	else if (vfs_in_group(c, gid))
		bits >>= 3;
	if (!(mask & ~bits & 7))
		return 0;
	return capable_permission(c, mode, mask);
}

int vfs_permission(const struct vfs_cred *c, const struct inode *i, int mask)
{
	return vfs_permission_of(c, i->mode, i->uid, i->gid, mask);
}

bool vfs_owner_or_capable(const struct vfs_cred *c, const struct inode *i)
{
	return c->fsuid == i->uid || vfs_capable(c, VFS_CAP_FOWNER);
}

int vfs_may_create(const struct vfs_cred *c, const struct inode *dir)
{
	return vfs_permission(c, dir, MAY_WRITE | MAY_EXEC);
}

int vfs_may_delete(const struct vfs_cred *c, const struct inode *dir, const struct inode *victim)
{
	int err = vfs_permission(c, dir, MAY_WRITE | MAY_EXEC);

	if (err)
		return err;
	if ((dir->mode & S_ISVTX) && c->fsuid != victim->uid && c->fsuid != dir->uid &&
	    !vfs_capable(c, VFS_CAP_FOWNER))
		return -EPERM;
	return 0;
}

void vfs_kill_privs(struct inode *i)
{
	struct vfs_cred c;
	uint32_t kill = i->mode & S_ISUID;

	if ((i->mode & (S_ISGID | 010)) == (S_ISGID | 010))
		kill |= S_ISGID;
	if (!kill || !is_reg(i))
		return;
	vfs_cred_current(&c);
	if (!vfs_capable(&c, VFS_CAP_FSETID))
		i->mode &= ~kill;
}

void vfs_kill_privs_unlocked(struct inode *i)
{
	if (!(__atomic_load_n(&i->mode, __ATOMIC_RELAXED) & (S_ISUID | S_ISGID)))
		return;	/* the common case: no lock */
	vfs_lock();
	vfs_kill_privs(i);
	vfs_unlock();
}
